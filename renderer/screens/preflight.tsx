// Preflight: hosts × checks with pass/warn/fail, a host's facts and remedies, fixes shown before they run,
// re-run; failed checks block Next unless the person overrides that check by name.
import { asSudoLine } from '../lib/sudo-display.js';
import { useState } from 'react';
import type { HostReport } from '../../core/api/types.js';

type CheckResult = HostReport['checks'][number];
import { useStore } from '../store/index.js';
import { failedChecks } from '../store/wizard.js';
import { useMsg } from '../i18n/index.js';
import { Modal } from '../components/modal.js';
import { factRows } from '../lib/facts.js';

const ICON = { pass: '✓', warn: '!', fail: '✕' } as const;

export function PreflightScreen() {
  const plan = useStore((s) => s.plan);
  const report = useStore((s) => s.preflight);
  const live = useStore((s) => s.preflightLive);
  const running = useStore((s) => s.preflightRunning);
  const run = useStore((s) => s.runPreflight);
  const selected = useStore((s) => s.selectedHost);
  const select = useStore((s) => s.selectHost);
  const m = useMsg();
  if (!plan) return null;
  const names = (plan.hosts ?? []).map((h) => h.name);
  const reports: Array<HostReport | undefined> = names.map((n) => report?.hosts.find((h) => h.name === n) ?? live[n]);
  const checkIds: string[] = [];
  const titles = new Map<string, CheckResult['title']>();
  for (const r of reports)
    for (const c of r?.checks ?? []) {
      if (!titles.has(c.id)) checkIds.push(c.id);
      titles.set(c.id, c.title);
    }
  const selectedReport = reports.find((r) => r?.name === selected);
  const overrides = useStore((s) => s.overrides);
  const failed = report ? failedChecks({ preflight: report }) : [];
  // An overridden check is the person's decision, not a failure still to deal with.
  const open = failed.filter((id) => !overrides.includes(id));
  return (
    <div>
      <h2 id="screen-title">{m('ui.pre.title')}</h2>
      <p className="lead">{m('ui.pre.lead')}</p>
      <div className="toolbar">
        <button type="button" className="primary" onClick={() => void run()} disabled={running || !names.length} data-testid="preflight-run">
          {running ? m('ui.pre.running') : report ? m('ui.pre.rerun') : m('ui.pre.run')}
        </button>
        {running && <span className="spinner" aria-hidden="true" />}
        {report && (
          <span className={`tag ${report.ok ? 'pass' : open.length ? 'fail' : 'warn'}`} data-testid="preflight-status" data-ok={report.ok ? 'true' : 'false'} data-open={open.length}>
            {report.ok ? m('ui.pre.allPassed') : open.length ? m('ui.pre.someFailed', { count: open.length }) : m('ui.pre.allOverridden', { count: failed.length })}
            {!report.ok && open.length > 0 && open.length < failed.length ? ` · ${m('ui.pre.overriddenCount', { count: failed.length - open.length })}` : ''} · {(report.durationMs / 1000).toFixed(1)} s
          </span>
        )}
      </div>
      {(report || Object.keys(live).length > 0) && (
        <div className="table-wrap">
          <table className="pre-grid" data-testid="preflight-grid">
            <thead>
              <tr>
                <th scope="col">{m('ui.hosts.col.name')}</th>
                {checkIds.map((id) => (
                  <th scope="col" key={id} className="check-col" title={m(titles.get(id)!)}>
                    <span>{m(titles.get(id)!)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {names.map((n, i) => {
                const r = reports[i];
                return (
                  <tr key={n} className={selected === n ? 'selected' : ''} data-testid={`preflight-row-${i}`}>
                    <th scope="row">
                      <button type="button" className="link" onClick={() => select(n)} data-testid={`preflight-host-${i}`}>
                        {n}
                      </button>
                    </th>
                    {!r && (
                      <td colSpan={Math.max(1, checkIds.length)} className="muted">
                        {running ? m('ui.pre.waiting') : '—'}
                      </td>
                    )}
                    {r?.error && (
                      <td colSpan={Math.max(1, checkIds.length)} className="cell fail" data-testid={`preflight-cell-${i}-ssh`} data-status="fail">
                        ✕ {m(r.error)}
                      </td>
                    )}
                    {r &&
                      !r.error &&
                      checkIds.map((id) => {
                        const c = r.checks.find((x) => x.id === id);
                        const over = c?.status === 'fail' && overrides.includes(id);
                        return (
                          <td key={id} className={`cell ${over ? 'overridden' : (c?.status ?? 'none')}`} data-testid={`preflight-cell-${i}-${id}`} data-status={c?.status ?? 'none'} data-overridden={over ? 'true' : undefined}>
                            <button type="button" className="cell-btn" onClick={() => select(n)} title={c ? m(c.message) : ''} aria-label={c ? `${n}: ${m(c.title)} — ${m(over ? 'ui.verdict.overridden' : `ui.verdict.${c.status}`)}` : ''}>
                              {c ? (over ? '⊘' : ICON[c.status]) : ''}
                            </button>
                          </td>
                        );
                      })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {report && report.cross.length > 0 && (
        <section className="panel">
          <h3>{m('ui.pre.cross')}</h3>
          <ul className="check-list">
            {report.cross.map((c) => (
              <CheckItem key={c.id} check={c} host={undefined} extra={c.hosts.join(', ')} />
            ))}
          </ul>
        </section>
      )}
      {selectedReport && <HostDetails report={selectedReport} />}
    </div>
  );
}

function HostDetails({ report }: { report: HostReport }) {
  const m = useMsg();
  const checks = [...report.checks].sort((a, b) => rank(a.status) - rank(b.status));
  return (
    <section className="panel host-details" data-testid="preflight-details" aria-label={m('ui.pre.details', { host: report.name })}>
      <h3>{m('ui.pre.details', { host: report.name })}</h3>
      {report.error && <div className="field-issue error">{m(report.error)}</div>}
      <div className="details-grid">
        <ul className="check-list">
          {checks.map((c) => (
            <CheckItem key={c.id} check={c} host={report.name} />
          ))}
        </ul>
        {report.facts && (
          <dl className="facts" data-testid="preflight-facts">
            {factRows(report.facts).map(([k, v]) => (
              <div key={k}>
                <dt>{m(`ui.fact.${k}`)}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    </section>
  );
}

function rank(s: CheckResult['status']): number {
  return s === 'fail' ? 0 : s === 'warn' ? 1 : 2;
}

function CheckItem({ check: c, host, extra }: { check: CheckResult; host: string | undefined; extra?: string }) {
  const overrides = useStore((s) => s.overrides);
  const toggle = useStore((s) => s.toggleOverride);
  const m = useMsg();
  const [fixOpen, setFixOpen] = useState(false);
  const over = c.status === 'fail' && overrides.includes(c.id);
  return (
    <li className={`check ${over ? 'overridden' : c.status}`} data-testid={`check-${host ?? 'cross'}-${c.id}`} data-status={c.status} data-overridden={over ? 'true' : undefined}>
      <span className={`badge ${over ? 'overridden' : c.status}`} aria-label={m(over ? 'ui.verdict.overridden' : `ui.verdict.${c.status}`)}>
        {over ? '⊘' : ICON[c.status]}
      </span>
      <div className="check-body">
        <div className="check-title">
          {m(c.title)} <code className="muted">{c.id}</code>
          {extra && <span className="muted"> · {extra}</span>}
        </div>
        <div>{m(c.message)}</div>
        {c.remedy && <div className="remedy">→ {m(c.remedy)}</div>}
        <div className="check-actions">
          {c.fix && host && (
            <button type="button" onClick={() => setFixOpen(true)} data-testid={`fix-${host}-${c.id}`}>
              {m('ui.pre.fix')}: {m(c.fix.title)}
            </button>
          )}
          {c.status === 'fail' && (
            <label className="override">
              <input type="checkbox" checked={overrides.includes(c.id)} onChange={() => toggle(c.id)} data-testid={`override-${c.id}`} />
              {m('ui.pre.override', { id: c.id })}
            </label>
          )}
        </div>
      </div>
      {fixOpen && c.fix && host && <FixDialog host={host} fix={c.fix} onClose={() => setFixOpen(false)} />}
    </li>
  );
}

function FixDialog({ host, fix, onClose }: { host: string; fix: NonNullable<CheckResult['fix']>; onClose(): void }) {
  const apply = useStore((s) => s.applyFix);
  const running = useStore((s) => s.fixRunning === `${host}:${fix.id}`);
  const last = useStore((s) => (s.lastFix?.host === host && s.lastFix.fixId === fix.id ? s.lastFix : undefined));
  const rerun = useStore((s) => s.runPreflight);
  const m = useMsg();
  const [applied, setApplied] = useState(false);
  return (
    <Modal title={`${m('ui.pre.fix')}: ${m(fix.title)} — ${host}`} onClose={onClose} testid="fix-dialog" wide>
      <p>{m('ui.pre.fixShow')}</p>
      <pre className="commands" data-testid="fix-commands">
        {fix.commands.map((c) => `$ ${asSudoLine(c)}`).join('\n')}
      </pre>
      {applied && last && (
        <div className={`fix-result ${last.ok ? 'pass' : 'fail'}`} data-testid="fix-result" data-ok={last.ok ? 'true' : 'false'}>
          <strong>{last.ok ? m('ui.pre.fixOk') : m('ui.pre.fixFailed')}</strong>
          {last.output && <pre>{last.output}</pre>}
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-testid="fix-cancel">
          {applied ? m('ui.common.close') : m('ui.common.cancel')}
        </button>
        {!applied ? (
          <button
            type="button"
            className="primary"
            disabled={running}
            onClick={async () => {
              await apply(host, fix.id);
              setApplied(true);
            }}
            data-testid="fix-confirm"
          >
            {running ? m('ui.pre.fixRunning') : m('ui.pre.fixRun')}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => {
              onClose();
              void rerun();
            }}
            data-testid="fix-rerun"
          >
            {m('ui.pre.rerun')}
          </button>
        )}
      </div>
    </Modal>
  );
}
