// The gate in front of every mode's steps, added by the runner: before anything changes on a host, the
// preflight checks run again (the edge ones included) and a failed check stops the run unless the user
// overrode that check by id. Without a preflight runner (a dry run, tests of later steps) the gate only
// opens a connection to every host.
import { mapLimited } from '../common/async.js';
import { msg, type Message } from '../common/messages.js';
import type { Plan } from '../plan/schema.js';
import type { PreflightReport } from '../preflight/types.js';
import { StepError, type Step, type StepContext } from './step.js';

/** Preflight is its own layer (core/preflight); the API layer hands the runner a function that runs it. */
export type PreflightRunner = (ctx: StepContext) => Promise<PreflightReport>;

export const GATE_STEP = 'connect';

export interface Blocker {
  host: string;
  check: string;
  /** The check's message key and params, for the log. */
  detail: string;
  /** The check's own message, rendered in the reader's language inside install.preflight-failed. */
  message: Message;
}

/** The failed checks that stop a run. Pure, so the rule is tested without hosts. */
export function blockers(report: PreflightReport, overrides: readonly string[]): Blocker[] {
  const over = new Set(overrides);
  const out: Blocker[] = [];
  for (const h of report.hosts) {
    if (h.error) out.push({ host: h.name, check: 'reachable', detail: `${h.error.kind}: ${h.error.key}`, message: h.error });
    for (const c of h.checks) {
      if (c.status === 'fail' && !over.has(c.id)) out.push({ host: h.name, check: c.id, detail: describe(c.message), message: c.message });
    }
  }
  for (const c of report.cross) {
    if (c.status === 'fail' && !over.has(c.id)) out.push({ host: c.hosts.join(', '), check: c.id, detail: describe(c.message), message: c.message });
  }
  return out;
}

function describe(m: { key: string; params?: Record<string, string | number> }): string {
  const params = Object.entries(m.params ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return params ? `${m.key} (${params})` : m.key;
}

export function gateStep(plan: Plan, preflight?: PreflightRunner): Step {
  return {
    id: GATE_STEP,
    title: msg('step.connect'),
    hosts: plan.hosts.map((h) => h.name),
    needs: [],
    // Connecting and probing change nothing on the hosts.
    retry: { attempts: 2, delayMs: 3000, when: (e) => !(e instanceof StepError) },
    async run(ctx) {
      if (ctx.dryRun || !preflight) {
        // One at a time in a dry run, so its listing keeps the plan's order.
        await mapLimited(ctx.plan.hosts, ctx.dryRun ? 1 : 16, (h) => ctx.exec(h.name, 'true', { describe: 'connect' }));
        if (!preflight) ctx.log('preflight is not wired in: only the connections were checked');
        return;
      }
      const report = await preflight(ctx);
      const ov = ctx.options.overrides;
      for (const h of report.hosts) {
        for (const c of h.checks) {
          if (c.status !== 'pass') ctx.log(`${c.status}${ov.includes(c.id) ? ' (overridden)' : ''}: ${c.id}`, { host: h.name });
        }
      }
      const stop = blockers(report, ov);
      if (stop.length > 0) {
        const first = stop[0]!;
        for (const b of stop) ctx.log(`failed: ${b.check} — ${b.detail}`, { host: b.host, stream: 'stderr' });
        // A host that could not be reached or trusted (a changed host key…) is not a check any --override
        // skips: its own message (host, fingerprints, the ssh-keygen -R that fixes it) is the whole answer.
        if (first.check === 'reachable') {
          throw new StepError(
            { key: first.message.key, ...(first.message.params ? { params: first.message.params } : {}) },
            { task: 'connect', host: first.host, message: stop.map((b) => `${b.host}: ${b.check}`).join('; ') },
            true,
          );
        }
        throw new StepError(
          // The check's message goes nested, not flattened: a shell shows it in words (security #11).
          { key: 'install.preflight-failed', params: { check: first.check, host: first.host, detail: first.detail }, nested: { detail: { key: first.message.key, ...(first.message.params ? { params: first.message.params } : {}) } } },
          { task: `preflight ${first.check}`, host: first.host, message: stop.map((b) => `${b.host}: ${b.check}`).join('; ') },
          true,
        );
      }
      ctx.outputs.set('preflight', { ok: report.ok, hosts: report.hosts.length, overridden: ov });
    },
  };
}

/** The gate first; every step that needed nothing now needs the gate. */
export function gated(plan: Plan, steps: Step[], preflight?: PreflightRunner): Step[] {
  return [gateStep(plan, preflight), ...steps.map((s) => (s.needs.length === 0 ? { ...s, needs: [GATE_STEP] } : s))];
}
