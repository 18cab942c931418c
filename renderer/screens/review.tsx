// Review: the plan as YAML (save / load / download) and the dry run: every file and command, per step.
import { useEffect, useState } from 'react';
import type { DryRunAction } from '../../core/api/types.js';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { OpenTextButton, SavePathButton } from '../components/file-buttons.js';
import { ParseIssues } from './mode.js';
import { downloadText } from '../lib/download.js';

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

  const issues = [...(validation?.errors ?? []), ...(validation?.warnings ?? [])];
  return (
    <div>
      <h2 id="screen-title">{m('ui.review.title')}</h2>
      <p className="lead">{m('ui.review.lead')}</p>
      {issues.length > 0 && (
        <ul className="issue-list" data-testid="review-issues">
          {issues.map((i, n) => (
            <li key={n} className={i.severity}>
              {i.path && <code>{i.path}</code>} {m(i)}
            </li>
          ))}
        </ul>
      )}
      <ParseIssues />
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
          <h4>{m(`step.${step}`)}</h4>
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
