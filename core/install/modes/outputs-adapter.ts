// The engine's view of core/outputs: the kubeconfig users get and the run's HTML report, fed from the
// run's journal (each step's status and timing) and the outputs its steps set.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../../common/messages.js';
import type { Plan } from '../../plan/schema.js';
import { endpoints, type Endpoint } from '../../outputs/endpoints.js';
import { apiServerUrl, kubeconfigNames, userKubeconfig } from '../../outputs/kubeconfig.js';
import { renderReport, type ReportStep } from '../../outputs/report.js';
import { JOURNAL_FILE, readJournal } from '../journal.js';
import { installMessages } from '../messages.js';
import { runOutputs } from '../runner.js';
import type { StepContext } from '../step.js';

/** admin.conf with the server rewritten and cluster, user and context named after the plan's cluster. */
export function kubeconfigFor(plan: Plan, adminConf: string): { text: string; server: string; context: string } {
  return { text: userKubeconfig(plan, adminConf), server: apiServerUrl(plan), context: kubeconfigNames(plan).context };
}

/** The API server, then the portal URLs the portal step installed and checked (its `portalEndpoints` output). */
export function endpointsFor(plan: Plan, checked: readonly Endpoint[] = []): Endpoint[] {
  return endpoints(plan, checked);
}

export function reportHtml(ctx: StepContext): string {
  const path = join(ctx.runDir, JOURNAL_FILE);
  const records = existsSync(path) ? readJournal(path) : [];
  const start = records.find((r) => r.t === 'run-start');
  const started = new Map<string, string>();
  const steps: ReportStep[] = [];
  for (const r of records) {
    if (r.t === 'step-start' && !r.host) started.set(r.step, r.at);
    if (r.t === 'step-end' && !r.host) steps.push({ id: r.step, title: r.step, status: r.status, startedAt: started.get(r.step), durationMs: r.durationMs });
  }
  return renderReport({
    plan: ctx.plan,
    release: ctx.release,
    run: { id: ctx.runId, mode: ctx.plan.mode, status: 'succeeded', startedAt: start?.at ?? new Date().toISOString() },
    steps,
    outputs: runOutputs(ctx.outputs.all()),
    translate: (m) => render(installMessages, 'en', m),
    generatedAt: new Date().toISOString(),
  });
}
