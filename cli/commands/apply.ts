// `cp-installer apply PLAN`: runs the plan (or, with --dry-run, prints every file it would write and every
// command it would run, in order, secrets masked). Live progress is one line per step with the current task;
// the exit code is 0 only when the cluster verified.
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import {
  defaultWorkdir,
  DryRunIncomplete,
  dryRunPlan,
  endpointLines,
  takePortalAdmin,
  loadPlanFile,
  notInstallable,
  renderMessage,
  startRun,
  type InstallPlan,
  type RunEvent,
  type RunResult,
  type SecretBag,
} from '../../core/api/install.js';
import { gatherSecrets } from '../terminal.js';
import { pickLang } from './validate.js';

export interface TerminalIo {
  out: NodeJS.WriteStream | Writable;
  err: NodeJS.WriteStream | Writable;
  isTTY: boolean;
}

const stdio = (): TerminalIo => ({ out: process.stdout, err: process.stderr, isTTY: !!process.stdout.isTTY });

/** The secrets the plan needs, from the environment or asked on the terminal (cli/terminal.ts). */
export function collectSecrets(plan: InstallPlan): Promise<SecretBag> {
  return gatherSecrets(plan, { lang: pickLang(undefined) });
}

/** Prints a run's events: a line when a step starts and ends, and the current task as it changes. */
export function progressPrinter(io: TerminalIo = stdio()): (e: RunEvent) => void {
  const write = (s: string) => io.out.write(s);
  let live = '';
  let lastDetailAt = 0;
  const clearLive = () => {
    if (live && io.isTTY) write('\r\x1b[2K');
    live = '';
  };
  return (e) => {
    switch (e.type) {
      case 'run-started':
        write(`run ${e.runId} (${e.mode}${e.resumed ? ', resumed' : ''}): ${e.steps.length} steps\n`);
        break;
      case 'step-started':
        if (!e.host) write(`▶ ${e.stepId}\n`);
        break;
      case 'step-progress': {
        const pct = e.fraction === undefined ? '' : `${Math.round(e.fraction * 100)}% `;
        const text = `  ${e.stepId}: ${pct}${e.detail ?? ''}`;
        if (io.isTTY) {
          clearLive();
          live = text.slice(0, (process.stdout.columns || 100) - 1);
          write(live);
        } else if (Date.now() - lastDetailAt > 2000) {
          lastDetailAt = Date.now();
          write(`${text}\n`);
        }
        break;
      }
      case 'step-finished':
        if (e.host) break;
        clearLive();
        write(`${e.status === 'done' || e.status === 'skipped' ? '✔' : '✘'} ${e.stepId} ${e.status} (${(e.durationMs / 1000).toFixed(1)} s)\n`);
        break;
      case 'step-failed':
        clearLive();
        io.err.write(`✘ ${e.stepId}${e.host ? ` on ${e.host}` : ''}: ${renderMessage(e.error)}\n`);
        if (e.failure) {
          const where = [e.failure.task && `task "${e.failure.task}"`, e.failure.host && `host ${e.failure.host}`].filter(Boolean).join(', ');
          io.err.write(`  ${where ? `${where}: ` : ''}${e.failure.message}\n`);
          if (e.failure.cause) io.err.write(`  → ${renderMessage(e.failure.cause)}\n`);
        }
        break;
      case 'run-finished':
        clearLive();
        break;
      default:
        break;
    }
  };
}

export function printResult(result: RunResult, io: TerminalIo = stdio()): number {
  if (result.status === 'succeeded') {
    const o = result.outputs;
    io.out.write(`\nThe cluster is installed and verified.\n`);
    if (typeof o.kubeconfigPath === 'string') io.out.write(`  kubeconfig: ${o.kubeconfigPath}\n`);
    // The API server and only the portal URLs the run installed and requested, each with what it found.
    const list = Array.isArray(o.endpoints) ? (o.endpoints as unknown as Parameters<typeof endpointLines>[0]) : [];
    for (const line of endpointLines(list)) io.out.write(`  ${line}\n`);
    const ca = list.find((e) => e.caPath)?.caPath;
    if (ca) io.out.write(`  portal CA (trust it in the browser): ${ca}\n`);
    if (typeof o.portalHostsSnippet === 'string' && list.some((e) => e.state)) io.out.write(`  hosts-file line (without DNS for these names): ${o.portalHostsSnippet}\n`);
    // The portal's first administrator, handed over once: printed here and kept nowhere else.
    const admin = takePortalAdmin(result.runId);
    if (admin) {
      io.out.write(`\n  Portal first login — shown once, not saved anywhere: copy it now.\n`);
      io.out.write(`    Keycloak admin: ${admin.user}\n    password:       ${admin.password.reveal()}\n`);
      io.out.write(`  Log into keycloak, switch to realm cp-realm, reset the admin user's password (Users › admin › Credentials, Temporary off), then log into the portal as admin.\n`);
    }
    if (typeof o.reportPath === 'string') io.out.write(`  report:     ${o.reportPath}\n`);
    return 0;
  }
  io.err.write(`\nRun ${result.runId} ${result.status}${result.failedStep ? ` at step ${result.failedStep}` : ''}.\n`);
  io.err.write(`Fix the cause, then continue with: cp-installer resume ${result.runId}\n`);
  io.err.write(`${renderMessage({ key: 'cli.handover', params: { runId: result.runId } })}\n`);
  return result.status === 'cancelled' ? 130 : 1;
}

/** First Ctrl-C cancels the run (remote processes are ended); a second one leaves at once. */
export function cancelOnSigint(cancel: () => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\nCancelling: ending the remote processes (Ctrl-C again to leave now)…\n');
      cancel();
    } else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export interface SshCliOptions {
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
}

export interface ApplyOptions extends SshCliOptions {
  dryRun?: boolean;
  workdir?: string;
  override?: string[];
}

export function sshOptionsOf(o: SshCliOptions) {
  return { knownHostsFile: o.knownHosts, acceptNewHostKeys: !!o.acceptNewHostKeys };
}

export async function apply(planPath: string, opts: ApplyOptions, io: TerminalIo = stdio()): Promise<number> {
  const { plan, issues } = loadPlanFile(planPath);
  if (!plan) {
    for (const i of issues.filter((x) => x.severity === 'error'))
      io.err.write(`${planPath}:${i.line ?? 1}:${i.column ?? 1}: ${i.path ? `${i.path}: ` : ''}${renderMessage({ key: i.key, params: i.params })}\n`);
    return 2;
  }
  // A mode this version cannot install yet (caas) ends here, before any host is touched.
  const notYet = notInstallable(plan);
  if (notYet) {
    io.err.write(`${renderMessage(notYet)}\n`);
    return 2;
  }
  const workdir = opts.workdir ?? defaultWorkdir();
  if (opts.dryRun) {
    let text: string;
    try {
      ({ text } = await dryRunPlan(plan, { workdir, overrides: opts.override }));
    } catch (e) {
      // A listing cut short is not shown as if it were all of the run (security #8).
      if (!(e instanceof DryRunIncomplete)) throw e;
      io.err.write(`${renderMessage({ key: 'install.dryrun-stopped', params: { step: e.step, shown: e.records.length }, nested: { reason: e.reason } })}\n`);
      return 1;
    }
    io.out.write(text);
    return 0;
  }
  const secrets = await collectSecrets(plan);
  let started;
  try {
    started = await startRun({ workdir, sshOptions: sshOptionsOf(opts) }, plan, secrets, { overrides: opts.override ?? [], planPath, onEvent: progressPrinter(io) });
  } catch (e) {
    // Stopped before any host was reached (a ProxyJump loop in ~/.ssh/config…): said in words, exit 2.
    const m = (e as { toMessage?: () => { key: string; params: Record<string, string> } }).toMessage?.();
    if (!m) throw e;
    io.err.write(`${renderMessage(m)}\n`);
    return 2;
  }
  const release = cancelOnSigint(() => started.cancel());
  try {
    return printResult(await started.done, io);
  } finally {
    release();
  }
}

export function register(program: Command): void {
  program
    .command('apply')
    .description('Install the cluster the plan describes (or show what would happen with --dry-run)')
    .argument('<plan>', 'plan file (YAML)')
    .option('--dry-run', 'print every file it would write and every command it would run, then stop')
    .option('--known-hosts <file>', 'known_hosts to check host keys against and append to (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'accept and record the key of a host not yet in known_hosts (never a changed key)')
    .option('--workdir <dir>', 'where runs, logs and outputs are kept (default ~/.cp-installer)')
    .option('--override <check...>', 'go on despite these failed preflight checks (by check id)')
    .action(async (planPath: string, opts: ApplyOptions) => {
      process.exitCode = await apply(planPath, opts);
    });
}
