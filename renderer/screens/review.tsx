// Review: the addresses outside the site the plan reaches, the plan as YAML (save / load / download) and the
// dry run: every file and command, per step.
import { useEffect, useState } from 'react';
import type { DryRunAction, EgressEntry } from '../../core/api/types.js';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { OpenTextButton, SavePathButton } from '../components/file-buttons.js';
import { ParseIssues } from './mode.js';
import { downloadText } from '../lib/download.js';
import { readablePath } from '../lib/paths.js';

export function ReviewScreen() {
  const plan = useStore((s) => s.plan);
  const planPath = useStore((s) => s.planPath);
  const validation = useStore((s) => s.validation);
  const renderYaml = useStore((s) => s.renderYaml);
  const savePath = useStore((s) => s.savePath);
  const loadYamlText = useStore((s) => s.loadYamlText);
  const loadPath = useStore((s) => s.loadPath);
  const fail = useStore((s) => s.fail);
  const m = useMsg();
  const [yaml, setYaml] = useState('');
  const [actions, setActions] = useState<DryRunAction[] | undefined>();
  const [dryRunning, setDryRunning] = useState(false);

  useEffect(() => {
    let live = true;
    renderYaml().then(
      (y) => live && setYaml(y),
      (e) => live && fail(e),
    );
    return () => {
      live = false;
    };
  }, [plan, renderYaml, fail]);

  const dryRun = async () => {
    if (!plan) return;
    setDryRunning(true);
    try {
      setActions((await call('run.dryRun', { plan })).actions);
    } catch (e) {
      fail(e);
    } finally {
      setDryRunning(false);
    }
  };

  // One line per (field, message): a loaded plan's warnings arrive from parsing and from validation alike.
  const seen = new Set<string>();
  const issues = [...(validation?.errors ?? []), ...(validation?.warnings ?? [])].filter((i) => {
    const id = `${i.path}\0${i.key}\0${JSON.stringify(i.params ?? {})}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  return (
    <div>
      <h2 id="screen-title">{m('ui.review.title')}</h2>
      <p className="lead">{m('ui.review.lead')}</p>
      {issues.length > 0 && (
        <ul className="issue-list" data-testid="review-issues">
          {issues.map((i, n) => (
            <li key={n} className={i.severity}>
              {i.path && <code title={i.path}>{readablePath(i.path, plan, m('ui.common.row'))}</code>} {m(i)}
            </li>
          ))}
        </ul>
      )}
      <ParseIssues />
      <EgressPanel />
      <div className="review-grid">
        <section className="panel">
          <div className="profile-head">
            <h3>{m('ui.review.plan')}</h3>
            {planPath && (
              <span className="muted" data-testid="plan-path">
                {planPath}
              </span>
            )}
          </div>
          <div className="toolbar">
            <SavePathButton label={m('ui.review.save')} defaultPath={planPath ?? 'plan.yaml'} onPath={(p) => void savePath(p)} testid="plan-save" />
            <OpenTextButton label={m('ui.review.load')} accept=".yaml,.yml" testid="plan-load" onText={(text, path) => void (path ? loadPath(path) : loadYamlText(text))} />
            <button type="button" onClick={() => downloadText('plan.yaml', yaml, 'application/yaml')} disabled={!yaml} data-testid="plan-download">
              {m('ui.review.download')}
            </button>
          </div>
          <pre className="yaml" data-testid="plan-yaml" tabIndex={0} aria-label={m('ui.review.plan')}>
            {yaml}
          </pre>
        </section>
        <section className="panel">
          <div className="profile-head">
            <h3>{m('ui.review.dryRun')}</h3>
            <button type="button" onClick={() => void dryRun()} disabled={dryRunning || !plan} data-testid="dryrun-run">
              {dryRunning ? m('ui.common.working') : actions ? m('ui.review.dryRunAgain') : m('ui.review.dryRunShow')}
            </button>
          </div>
          <p className="muted">{m('ui.review.dryRunHelp')}</p>
          {actions && <DryRunList actions={actions} />}
        </section>
      </div>
    </div>
  );
}

function DryRunList({ actions }: { actions: DryRunAction[] }) {
  const m = useMsg();
  const steps: Array<[string, DryRunAction[]]> = [];
  for (const a of actions) {
    const last = steps[steps.length - 1];
    if (last && last[0] === a.step) last[1].push(a);
    else steps.push([a.step, [a]]);
  }
  let n = 0;
  return (
    <div className="dryrun" data-testid="dryrun-list" data-count={actions.length}>
      {steps.map(([step, list]) => (
        <div key={step} className="dryrun-step">
          <h4>{list[0]?.stepTitle ? m(list[0].stepTitle) : m(`step.${step}`)}</h4>
          <ul>
            {list.map((a) => {
              const idx = n++;
              return (
                <li key={idx} data-testid={`dryrun-item-${idx}`} data-kind={a.kind}>
                  <span className={`kind ${a.kind}`}>{a.kind === 'file' ? m('ui.review.file') : m('ui.review.command')}</span>
                  {a.host && <span className="muted">{a.host}</span>}
                  {a.content ? (
                    <details>
                      <summary>
                        <code>{a.summary}</code>
                      </summary>
                      <pre>{a.content}</pre>
                    </details>
                  ) : (
                    <code>{a.summary}</code>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </div>
  );
}

/** Every outside address the run will reach, from the engine (plan.egress), once the plan is valid. */
function EgressPanel() {
  const plan = useStore((s) => s.plan);
  const valid = useStore((s) => s.validation?.valid);
  const m = useMsg();
  const [entries, setEntries] = useState<EgressEntry[] | undefined>();
  useEffect(() => {
    let live = true;
    if (!plan || !valid) {
      setEntries(undefined);
      return;
    }
    call('plan.egress', { plan }).then(
      (r) => live && setEntries(r.entries),
      () => live && setEntries(undefined),
    );
    return () => {
      live = false;
    };
  }, [plan, valid]);
  if (!entries) return null;
  return (
    <section className="panel egress" data-testid="egress" data-count={entries.length}>
      <h3>{m('ui.review.egress')}</h3>
      {entries.length === 0 ? (
        <p className="muted">{m('egress.none')}</p>
      ) : (
        <>
          <p className="muted">{m('ui.review.egressHelp')}</p>
          <table className="egress-table">
            <tbody>
              {entries.map((e, n) => (
                <tr key={n} data-testid={`egress-${n}`} data-host={e.host}>
                  <td>
                    <code>{e.host}</code>
                  </td>
                  <td>{m(e.purpose)}</td>
                  <td className="muted">{m(e.stepTitle ?? `step.${e.step}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
