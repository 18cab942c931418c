// The report and the support bundle of a run — offered for every run that ended (succeeded, failed,
// cancelled, interrupted), on the Install screen and on Done, so a failure has something to hand over.
import { useState } from 'react';
import { call } from '../api.js';
import { useMsg } from '../i18n/index.js';
import { useBusyAction } from '../lib/use-busy-action.js';
import { useStore } from '../store/index.js';

export function Handover({ runId, reportPath, compact }: { runId: string; reportPath?: string; compact?: boolean }) {
  const m = useMsg();
  const [report, setReport] = useState<string | undefined>(reportPath);
  const [bundle, setBundle] = useState<string | undefined>();
  const { busy, act } = useBusyAction();
  const lang = useStore((s) => s.lang);
  // Written again in the screen's language each time it is asked for.
  const openReport = () => void act('report', async () => setReport((await call('outputs.report', { runId, lang })).path));
  if (compact)
    return (
      <div className="handover compact" data-testid="handover">
        <span className="muted">{m('ui.install.handover')}</span>
        <button type="button" disabled={busy === 'report'} onClick={openReport} data-testid="report-open">
          {m('ui.done.report')}
        </button>
        <button type="button" disabled={busy === 'bundle'} onClick={() => void act('bundle', async () => setBundle((await call('outputs.supportBundle', { runId })).path))} data-testid="support-bundle">
          {m('ui.done.bundle')}
        </button>
        {report && (
          <code data-testid="report-path" className="muted path">
            {report}
          </code>
        )}
        {bundle && (
          <code data-testid="support-bundle-path" className="muted path">
            {bundle}
          </code>
        )}
      </div>
    );
  return (
    <section className="panel handover" data-testid="handover">
      <h3>{m('ui.done.more')}</h3>
      <div className="toolbar">
        <button type="button" disabled={busy === 'report'} onClick={openReport} data-testid="report-open">
          {m('ui.done.report')}
        </button>
        {report && (
          <code data-testid="report-path" className="muted path">
            {report}
          </code>
        )}
      </div>
      <div className="toolbar">
        <button type="button" disabled={busy === 'bundle'} onClick={() => void act('bundle', async () => setBundle((await call('outputs.supportBundle', { runId })).path))} data-testid="support-bundle">
          {m('ui.done.bundle')}
        </button>
        {bundle && (
          <code data-testid="support-bundle-path" className="muted path">
            {bundle}
          </code>
        )}
      </div>
      <p className="muted">{m('ui.done.bundleHelp')}</p>
      <p className="muted small">{m('ui.done.cliHint', { runId })}</p>
    </section>
  );
}
