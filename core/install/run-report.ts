// The HTML report of any run that ended — succeeded, failed, cancelled or interrupted — built from its
// journal alone, so there is something to hand over after a failure too: what failed first (step, task,
// host, the cause in words), the preflight outcome the connect step kept, every step with its timing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, type Lang, type Message } from '../common/messages.js';
import { findRelease } from '../plan/catalog.js';
import { Plan } from '../plan/schema.js';
import { renderReport, type ReportStep } from '../outputs/report.js';
import { foldJournal, JOURNAL_FILE, readJournal, runDir, summarize } from './journal.js';
import { runOutputs } from './runner.js';
import type { Catalogs } from '../common/messages.js';

export const REPORT_FILE = 'report.html';

/** The report's HTML for a run, in one language, from its journal. */
export function runReportHtml(
  workdir: string,
  runId: string,
  catalogs: Catalogs,
  lang: Lang = 'en',
  titles: ReadonlyMap<string, Message> = new Map(),
  now = new Date(),
): string {
  const records = readJournal(join(runDir(workdir, runId), JOURNAL_FILE));
  const state = foldJournal(records);
  const summary = summarize(runId, state);
  const t = (m: Message) => render(catalogs, lang, m);
  // Each mode names its steps' titles (edge: `edge.step.*`); `step.<id>` only when the caller has none.
  const title = (id: string) => t(titles.get(id) ?? { key: `step.${id}` });
  const started = new Map<string, string>();
  const steps = new Map<string, ReportStep>();
  let failure: { step?: string; task?: string; host?: string; message: string } | undefined;
  for (const r of records) {
    if (r.t === 'resume') failure = undefined;
    if (r.t === 'step-start' && !r.host) started.set(r.step, r.at);
    if (r.t === 'step-end' && !r.host) {
      // A resumed step shows its last outcome, in the order steps first ran.
      steps.set(r.step, { id: r.step, title: title(r.step), status: r.status, startedAt: started.get(r.step), durationMs: r.durationMs });
      if (r.status === 'failed' || r.status === 'cancelled') {
        const f = r.failure;
        const lines = [r.error ? t(r.error) : '', f?.cause ? t(f.cause) : '', f?.message ?? ''].filter(Boolean);
        failure = { step: title(r.step), task: f?.task, host: f?.host, message: lines.join('\n\n') };
      }
    }
  }
  const plan = Plan.parse(state.start.plan);
  const preflight = state.outputs.preflight as { ok?: boolean; hosts?: number; overridden?: string[] } | undefined;
  const checks = preflight
    ? [
        {
          name: `${preflight.hosts ?? plan.hosts.length} hosts`,
          checks: [
            {
              status: preflight.ok ? 'pass' : 'warn',
              title: { key: 'report.preflight' },
              message: { key: 'report.preflight-overridden', params: { checks: (preflight.overridden ?? []).join(', ') || '—' } },
            },
          ],
        },
      ]
    : [];
  return renderReport({
    plan,
    release: findRelease(state.start.release),
    run: { id: runId, mode: state.start.mode, status: summary.status, startedAt: state.startedAt, ...(state.finishedAt ? { finishedAt: state.finishedAt } : {}) },
    ...(preflight ? { preflight: { ok: !!preflight.ok, hosts: checks, cross: [] } } : {}),
    steps: [...steps.values()],
    outputs: runOutputs(state.outputs),
    ...(summary.status !== 'succeeded' && failure ? { failure } : {}),
    translate: t,
    lang,
    generatedAt: now.toISOString(),
  });
}

/** Writes `<run>/report.html` (0600) and returns its path. */
export function writeRunReport(workdir: string, runId: string, catalogs: Catalogs, lang: Lang = 'en', titles?: ReadonlyMap<string, Message>): string {
  const path = join(runDir(workdir, runId), REPORT_FILE);
  writeFileSync(path, runReportHtml(workdir, runId, catalogs, lang, titles), { mode: 0o600 });
  return path;
}
