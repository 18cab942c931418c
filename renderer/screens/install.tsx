// Install: start, the step timeline with per-host progress, the failure first when there is one (with its
// cause in words and what to do), resume (asking first when the plan changed since the run started), a new
// run with the plan as it is now, cancel (confirmed), the report and support bundle, and the live log.
import { useState } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { LogView } from '../components/log-view.js';
import { Modal } from '../components/modal.js';
import { Handover } from '../components/handover.js';
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
  const startNew = useStore((s) => s.startNewRun);
  const outputs = useStore((s) => s.outputs);
  const m = useMsg();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const titleOf = (id: string) => {
    const st = steps.find((s) => s.id === id);
    return st ? m(st.title) : id;
  };
  const running = status === 'running' || status === 'starting';
  const canResume = !!runId && (status === 'failed' || status === 'cancelled' || status === 'interrupted');
  const ended = canResume || status === 'succeeded';
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
          <button type="button" className="danger" onClick={() => setConfirmCancel(true)} data-testid="run-cancel">
            {m('ui.install.cancel')}
          </button>
        )}
        {canResume && (
          <button type="button" className="primary" onClick={() => void resume()} data-testid="run-resume">
            {m('ui.install.resume')}
          </button>
        )}
        {canResume && (
          <button type="button" onClick={() => void startNew()} data-testid="run-new">
            {m('ui.install.newRun')}
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
          <strong>{m(status === 'cancelled' ? 'ui.install.cancelledAt' : 'ui.install.failedAt', { step: titleOf(failure.stepId) })}</strong>
          {failure.cause && (
            <p className="failure-cause" data-testid="failure-cause">
              {m(failure.cause)}
            </p>
          )}
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
      {runId && ended && status !== 'succeeded' && <Handover key={runId} runId={runId} compact {...(outputs?.reportPath ? { reportPath: outputs.reportPath } : {})} />}
      {confirmCancel && (
        <Modal title={m('ui.install.cancelTitle')} onClose={() => setConfirmCancel(false)} testid="run-cancel-dialog">
          <p>{m('ui.install.cancelText')}</p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirmCancel(false)} data-testid="run-cancel-keep">
              {m('ui.install.cancelKeep')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirmCancel(false);
                void cancel();
              }}
              data-testid="run-cancel-confirm"
            >
              {m('ui.install.cancelConfirm')}
            </button>
          </div>
        </Modal>
      )}
      <PlanChangedDialog />
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

/** Resume found the plan changed since the run started: show what changed, and let the person choose. */
function PlanChangedDialog() {
  const changed = useStore((s) => s.planChanges);
  const dismiss = useStore((s) => s.dismissPlanChanges);
  const startNew = useStore((s) => s.startNewRun);
  const asBefore = useStore((s) => s.resumeAsBefore);
  const m = useMsg();
  if (!changed) return null;
  return (
    <Modal title={m('ui.install.planChanged')} onClose={dismiss} testid="plan-changed-dialog" wide>
      <p>{m('run.plan-changed', { runId: changed.runId, count: changed.changes.length })}</p>
      <table className="plan-changes">
        <tbody>
          {changed.changes.map((c, n) => (
            <tr key={n} data-testid={`plan-change-${n}`} data-path={c.path}>
              <td>
                <code>{c.path}</code>
              </td>
              <td className={`tag ${c.kind === 'removed' ? 'fail' : c.kind === 'added' ? 'pass' : 'warn'}`}>{m(`planchange.${c.kind}`)}</td>
              <td>
                {c.before !== undefined && <code className="before">{c.before}</code>}
                {c.before !== undefined && c.after !== undefined && ' → '}
                {c.after !== undefined && <code className="after">{c.after}</code>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{m('ui.install.planChangedHelp', { checks: changed.overrides.join(', ') || '—' })}</p>
      <div className="dialog-actions">
        <button type="button" onClick={dismiss} data-testid="plan-changed-cancel">
          {m('ui.common.cancel')}
        </button>
        <button type="button" onClick={() => void asBefore()} data-testid="plan-changed-resume">
          {m('ui.install.resumeAsBefore')}
        </button>
        <button type="button" className="primary" onClick={() => void startNew()} data-testid="plan-changed-new">
          {m('ui.install.newRun')}
        </button>
      </div>
    </Modal>
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
