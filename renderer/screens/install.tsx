// Install: start, the step timeline with per-host progress, the failure first when there is one, resume,
// cancel, and the live log.
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { LogView } from '../components/log-view.js';
import type { RunStep } from '../store/run.js';

const STATUS_ICON: Record<RunStep['status'], string> = {
  pending: '○',
  running: '◔',
  done: '✓',
  failed: '✕',
  skipped: '–',
  cancelled: '⊘',
};

export function InstallScreen() {
  const runId = useStore((s) => s.runId);
  const status = useStore((s) => s.runStatus);
  const steps = useStore((s) => s.steps);
  const failure = useStore((s) => s.failure);
  const failureError = useStore((s) => s.failureError);
  const start = useStore((s) => s.startRun);
  const cancel = useStore((s) => s.cancelRun);
  const resume = useStore((s) => s.resumeRun);
  const overrides = useStore((s) => s.overrides);
  const m = useMsg();
  const titleOf = (id: string) => {
    const st = steps.find((s) => s.id === id);
    return st ? m(st.title) : id;
  };
  const running = status === 'running' || status === 'starting';
  const canResume = !!runId && (status === 'failed' || status === 'cancelled' || status === 'interrupted');
  const doneCount = steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  return (
    <div className="install">
      <h2 id="screen-title">{m('ui.install.title')}</h2>
      <div className="toolbar">
        {!runId && (
          <button type="button" className="primary" onClick={() => void start()} disabled={status === 'starting'} data-testid="run-start">
            {m('ui.install.start')}
          </button>
        )}
        {running && (
          <button type="button" className="danger" onClick={() => void cancel()} data-testid="run-cancel">
            {m('ui.install.cancel')}
          </button>
        )}
        {canResume && (
          <button type="button" className="primary" onClick={() => void resume()} data-testid="run-resume">
            {m('ui.install.resume')}
          </button>
        )}
        <span className={`tag ${status === 'succeeded' ? 'pass' : status === 'failed' || status === 'interrupted' ? 'fail' : status === 'running' ? 'info' : ''}`} data-testid="run-status" data-status={status}>
          {m(`ui.run.${status}`)}
        </span>
        {runId && (
          <span className="muted" data-testid="run-id">
            {m('ui.install.runId', { id: runId })}
          </span>
        )}
        {steps.length > 0 && (
          <span className="muted">
            {m('ui.install.progress', { done: doneCount, total: steps.length })}
          </span>
        )}
        {!runId && overrides.length > 0 && <span className="tag warn">{m('ui.install.overrides', { checks: overrides.join(', ') })}</span>}
      </div>
      {failure && (
        <div className="failure-box" role="alert" data-testid="failure-box">
          <strong>{m('ui.install.failedAt', { step: titleOf(failure.stepId) })}</strong>
          {failure.task && (
            <div data-testid="failure-task">
              {m('ui.install.task')}: <code>{failure.task}</code>
            </div>
          )}
          {failure.host && (
            <div data-testid="failure-host">
              {m('ui.install.host')}: <code>{failure.host}</code>
            </div>
          )}
          {failureError && <div>{m(failureError)}</div>}
          {failure.message && !failureError && <pre className="failure-message">{failure.message}</pre>}
          {canResume && <div className="muted">{m('ui.install.resumeHelp')}</div>}
        </div>
      )}
      <div className="install-grid">
        <ol className="timeline" data-testid="step-list">
          {steps.map((s) => (
            <StepItem key={s.id} step={s} />
          ))}
          {!steps.length && <li className="muted">{runId ? m('ui.common.working') : m('ui.install.notStarted')}</li>}
        </ol>
        <LogView stepTitle={titleOf} />
      </div>
    </div>
  );
}

function StepItem({ step: s }: { step: RunStep }) {
  const progress = useStore((st) => st.hostProgress[s.id]);
  const m = useMsg();
  // One bar per host only when the step runs on several; the step's bar is their mean.
  const hosts = s.hosts.length > 1 ? s.hosts : [];
  const hostFraction = (h: string) => progress?.[h]?.fraction ?? (progress?.[h]?.status === 'done' ? 1 : 0);
  const fraction = s.status === 'done' ? 1 : (s.fraction ?? (s.hosts.length && progress ? s.hosts.reduce((a, h) => a + hostFraction(h), 0) / s.hosts.length : undefined));
  return (
    <li className={`step ${s.status}`} data-testid={`step-${s.id}`} data-status={s.status}>
      <span className="step-icon" aria-hidden="true">
        {STATUS_ICON[s.status]}
      </span>
      <div className="step-body">
        <div className="step-title">
          {m(s.title)}
          {s.durationMs !== undefined && <span className="muted"> · {(s.durationMs / 1000).toFixed(1)} s</span>}
        </div>
        <span className="sr-only">{m(`ui.stepStatus.${s.status}`)}</span>
        {s.status === 'running' && fraction !== undefined && <Bar value={fraction} testid={`step-${s.id}-progress`} />}
        {s.status === 'running' && (s.detail ?? (s.hosts.length === 1 ? progress?.[s.hosts[0]!]?.detail : undefined)) && (
          <div className="step-detail muted">{s.detail ?? progress?.[s.hosts[0]!]?.detail}</div>
        )}
        {s.status === 'running' &&
          hosts.map((h) => {
            const p = progress?.[h];
            return (
              <div key={h} className="host-progress" data-testid={`step-${s.id}-host-${h}`} data-status={p?.status ?? 'pending'}>
                <span className="host-name">{h}</span>
                <Bar value={hostFraction(h)} testid={`step-${s.id}-host-${h}-progress`} />
                {p?.detail && <span className="muted small">{p.detail}</span>}
              </div>
            );
          })}
      </div>
    </li>
  );
}

function Bar({ value, testid }: { value: number; testid: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return <progress className="bar" max={100} value={pct} data-testid={testid} aria-label={`${pct}%`} />;
}
