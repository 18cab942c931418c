// The single-cluster mode (PAASTA.md §1.1), as a graph of visible, resumable steps:
//   connect → deployer-tree → deployer-ansible, deployer-key → node-keys → known-hosts → inventory →
//   kubespray → storage → ingress → verify → kubeconfig → report
import { msg } from '../../common/messages.js';
import { hostsWithRole, deployerHost, type Plan } from '../../plan/schema.js';
import type { Release } from '../../plan/catalog.js';
import type { PreflightReport } from '../../preflight/types.js';
import { StepError, type InstallMode, type RunOptions, type Step, type StepContext } from '../step.js';
import { clusterSteps } from './cluster.js';
import { clusterNodes, deployerSteps } from './deployer.js';
import { kubesprayStep } from './kubespray.js';
import { outputSteps } from './outputs.js';
import { blockers } from './preflight-gate.js';

/** Preflight is its own layer (core/preflight); the facade hands the runner a function that runs it. */
export type PreflightRunner = (ctx: StepContext) => Promise<PreflightReport>;

export interface StandaloneDeps {
  preflight?: PreflightRunner;
}

export function connectStep(plan: Plan, deps: StandaloneDeps): Step {
  return {
    id: 'connect',
    title: msg('step.connect'),
    hosts: plan.hosts.map((h) => h.name),
    needs: [],
    // Connecting and probing change nothing on the hosts.
    retry: { attempts: 2, delayMs: 3000, when: (e) => !(e instanceof StepError) },
    async run(ctx) {
      if (ctx.dryRun || !deps.preflight) {
        for (const h of ctx.plan.hosts) await ctx.exec(h.name, 'true', { describe: 'connect' });
        if (!deps.preflight) ctx.log('preflight is not wired in: only the connections were checked');
        return;
      }
      const report = await deps.preflight(ctx);
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
        throw new StepError(
          msg('install.preflight-failed', { check: first.check, host: first.host, detail: first.detail }),
          { task: `preflight ${first.check}`, host: first.host, message: stop.map((b) => `${b.host}: ${b.check}`).join('; ') },
          true,
        );
      }
      ctx.outputs.set('preflight', { ok: report.ok, hosts: report.hosts.length, overridden: ov });
    },
  };
}

export function standaloneSteps(plan: Plan, _release: Release, _options: RunOptions, deps: StandaloneDeps = {}): Step[] {
  const deployer = deployerHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!deployer || !master) throw new StepError(msg('install.no-deployer'), undefined, true);
  if (clusterNodes(plan).length === 0) throw new StepError(msg('install.no-deployer'), undefined, true);
  return [
    connectStep(plan, deps),
    ...deployerSteps(plan, deployer, ['connect']),
    ...kubesprayStep(plan, deployer, ['known-hosts']),
    ...clusterSteps(plan, master, ['kubespray']),
    ...outputSteps(plan, master, ['verify']),
  ];
}

export function standaloneMode(deps: StandaloneDeps = {}): InstallMode {
  return {
    name: 'standalone',
    title: msg('mode.standalone'),
    steps: (plan, release, options) => standaloneSteps(plan, release, options, deps),
  };
}
