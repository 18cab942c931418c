// `cp-installer resume RUN_ID`: continues a failed, cancelled or interrupted run from its journal; finished
// steps are not repeated. Secrets are asked for again (they were never saved).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import {
  defaultWorkdir,
  formatPlanChanges,
  loadPlanFile,
  planChangesSince,
  renderMessage,
  resumeRun,
  runSummaries,
  startRun,
  type InstallPlan,
  type PlanChange,
} from '../../core/api/install.js';
import { failureText } from '../failure.js';
import { cancelOnSigint, collectSecrets, printResult, progressPrinter, sshOptionsOf, type SshCliOptions } from './apply.js';

export interface ResumeOptions extends SshCliOptions {
  workdir?: string;
  /** The plan file changed: start a new run with it as it is now (keeping the run's preflight overrides). */
  newRun?: boolean;
  /** The plan file changed: go on with the plan the run started with. */
  asBefore?: boolean;
}

/**
 * Before resuming, the plan file the run came from is compared with the plan in its journal: when it
 * changed (an offline bundle set after a failed download, say), the changes are shown and the person picks
 * --new-run or --as-before, instead of the old plan silently running again.
 */
function planFileChange(workdir: string, runId: string): { path: string; plan: InstallPlan; changes: PlanChange[]; overrides: string[] } | undefined {
  const summary = runSummaries(workdir).find((r) => r.id === runId);
  const path = summary?.planPath;
  if (!path || !existsSync(path)) return undefined;
  const { plan } = loadPlanFile(path);
  if (!plan) return undefined;
  const { changes, overrides } = planChangesSince(workdir, runId, plan);
  return changes.length ? { path, plan, changes, overrides } : undefined;
}

export async function resume(runId: string, opts: ResumeOptions): Promise<number> {
  const workdir = opts.workdir ?? defaultWorkdir();
  let started;
  try {
    const changed = opts.asBefore ? undefined : planFileChange(workdir, runId);
    if (changed) {
      const overrides = changed.overrides.join(', ') || '-';
      if (!opts.newRun) {
        process.stderr.write(`${renderMessage({ key: 'cli.resume.plan-changed', params: { path: changed.path, runId } })}\n${formatPlanChanges(changed.changes)}\n`);
        process.stderr.write(`${renderMessage({ key: 'cli.resume.choose', params: { runId, overrides } })}\n`);
        return 2;
      }
      process.stderr.write(`${renderMessage({ key: 'cli.resume.new-run', params: { path: changed.path, overrides } })}\n`);
      const secrets = await collectSecrets(changed.plan);
      started = await startRun({ workdir, sshOptions: sshOptionsOf(opts) }, changed.plan, secrets, {
        overrides: changed.overrides,
        planPath: changed.path,
        onEvent: progressPrinter(),
      });
    } else started = await resumeRun({ workdir, sshOptions: sshOptionsOf(opts) }, runId, (plan) => collectSecrets(plan), { onEvent: progressPrinter() });
  } catch (e) {
    // An SSH stop before any host (a ProxyJump loop in ~/.ssh/config…) has its own words.
    const m = (e as { toMessage?: () => { key: string; params: Record<string, string> } }).toMessage?.();
    // Any other keyed failure (the journal's plan no longer validates, a full workdir) in words too.
    process.stderr.write(`${m ? renderMessage(m) : failureText(e)}\n`);
    return 2;
  }
  const release = cancelOnSigint(() => started.cancel());
  try {
    return printResult(await started.done);
  } finally {
    release();
  }
}

export function register(program: Command): void {
  program
    .command('resume')
    .description('Continue a run that failed, was cancelled or was interrupted, from its first unfinished step')
    .argument('<run-id>', 'the run to continue (see `cp-installer runs`)')
    .option('--known-hosts <file>', 'known_hosts to check host keys against and append to (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'accept and record the key of a host not yet in known_hosts (never a changed key)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .option('--new-run', 'the plan file changed since the run started: start a new run with it (keeps the preflight overrides)')
    .option('--as-before', 'the plan file changed since the run started: go on with the plan the run started with')
    .action(async (runId: string, opts: ResumeOptions) => {
      process.exitCode = await resume(runId, opts);
    });
}
