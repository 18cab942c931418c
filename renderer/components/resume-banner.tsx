import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';

/** Reopening the wizard: a run that is still going, failed or was interrupted is offered first. */
export function ResumeBanner() {
  const runs = useStore((s) => s.resumable);
  const attach = useStore((s) => s.attachRun);
  const dismiss = useStore((s) => s.dismissResume);
  const m = useMsg();
  const lang = useStore((s) => s.lang);
  const run = runs[0];
  if (!run) return null;
  return (
    <div className="banner" data-testid="resume-banner" data-run-id={run.id} data-status={run.status}>
      <div>
        <strong>{m(`ui.resume.title.${run.status}`)}</strong>
        <div className="muted">{m('ui.resume.detail', { id: run.id, mode: run.mode, started: formatWhen(run.startedAt, lang), step: run.failedStepTitle ? m(run.failedStepTitle) : (run.failedStep ?? '—') })}</div>
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void attach(run.id)} data-testid="resume-open">
          {m('ui.resume.open')}
        </button>
        <button type="button" onClick={dismiss} data-testid="resume-dismiss">
          {m('ui.resume.dismiss')}
        </button>
      </div>
    </div>
  );
}

/** A time in the interface's language (a Korean screen reads 2026. 12. 6. 오후 1:29, not 12/6/2026). */
export function formatWhen(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
