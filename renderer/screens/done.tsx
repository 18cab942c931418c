// Done: the kubeconfig (save as, copy path, merge into ~/.kube/config), endpoints and portal URLs as links,
// the report and the support bundle (components/handover.tsx, shared with the Install screen).
import { useState } from 'react';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { useBusyAction } from '../lib/use-busy-action.js';
import { SavePathButton } from '../components/file-buttons.js';
import { Handover } from '../components/handover.js';

export function DoneScreen() {
  const runId = useStore((s) => s.runId);
  const outputs = useStore((s) => s.outputs);
  const notify = useStore((s) => s.notify);
  const m = useMsg();
  const [kubeconfig, setKubeconfig] = useState<{ path: string; context: string } | undefined>();
  const { busy, act } = useBusyAction();
  if (!runId) return <p className="muted">{m('ui.done.noRun')}</p>;
  const path = kubeconfig?.path ?? outputs?.kubeconfigPath;

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      notify({ key: 'ui.done.copied', params: { text } });
    } catch {
      notify({ key: 'ui.done.copyFailed', params: { text } }, 'error');
    }
  };

  return (
    <div>
      <h2 id="screen-title">{m('ui.done.title')}</h2>
      <p className="lead" data-testid="done-message">
        {m('ui.done.lead')}
      </p>
      <section className="panel">
        <h3>kubeconfig</h3>
        <p>
          <code data-testid="kubeconfig-path">{path ?? '—'}</code>
          {kubeconfig && <span className="muted"> · {m('ui.done.context', { context: kubeconfig.context })}</span>}
        </p>
        <div className="toolbar">
          <SavePathButton
            label={m('ui.done.saveAs')}
            defaultPath="kubeconfig"
            testid="kubeconfig-save"
            busy={busy === 'save'}
            onPath={(p) => void act('save', async () => setKubeconfig(await call('outputs.kubeconfig', { runId, saveAs: p })))}
          />
          <button type="button" disabled={!path} onClick={() => path && void copy(path)} data-testid="kubeconfig-copy">
            {m('ui.done.copyPath')}
          </button>
          <button
            type="button"
            disabled={busy === 'merge'}
            onClick={() =>
              void act('merge', async () => {
                const r = await call('outputs.kubeconfig', { runId, mergeInto: '~/.kube/config' });
                setKubeconfig(r);
                notify({ key: 'ui.done.merged', params: { path: r.path, context: r.context } });
              })
            }
            data-testid="kubeconfig-merge"
          >
            {m('ui.done.merge')}
          </button>
        </div>
        <p className="muted">{m('ui.done.kubectlHint', { path: path ?? '<kubeconfig>' })}</p>
      </section>
      {outputs?.endpoints && outputs.endpoints.length > 0 && (
        <section className="panel">
          <h3>{m('ui.done.endpoints')}</h3>
          <ul className="endpoints">
            {outputs.endpoints.map((e) => (
              <li key={e.name}>
                <span className="endpoint-name">{e.name}</span>
                <a href={e.url} target="_blank" rel="noopener noreferrer" data-testid={`endpoint-${e.name}`}>
                  {e.url}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {outputs?.versions && (
        <section className="panel">
          <h3>{m('ui.done.versions')}</h3>
          <dl className="facts">
            {Object.entries(outputs.versions).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
      <Handover runId={runId} {...(outputs?.reportPath ? { reportPath: outputs.reportPath } : {})} />
    </div>
  );
}
