// The install facade shells use (the CLI directly; the service through InstallPart): load a plan, run it
// for real or dry, resume a run, list runs and their state. It wires the SSH pool, preflight and the modes
// together so core/install itself stays free of those choices.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { render, type Lang, type Message } from '../common/messages.js';
import { systemLang, type InstallPart } from './engine.js';
import { coreMessages } from './messages.js';
import { formatDryRun, type DryRunRecord } from '../install/dryrun.js';
import { listRuns, loadJournal, newRunId, readJournal, runDir, JOURNAL_FILE, summarize } from '../install/journal.js';
import type { LogEvent } from '../install/logs.js';
import { modeFor, modeNames } from '../install/modes/index.js';
import { InstallRun, runOutputs, stepInfos, type RunResult } from '../install/runner.js';
import type { RunOptions } from '../install/step.js';
import type { RunEvent, RunSummary } from '../install/types.js';
import { findRelease } from '../plan/catalog.js';
import type { PlanIssue } from '../plan/issues.js';
import { Plan } from '../plan/schema.js';
import { loadPlanText } from '../plan/yaml.js';
import { runPreflight } from '../preflight/run.js';
import type { SecretBag } from '../ssh/types.js';
import { openSsh, type SshProvider, type SshProviderOptions } from '../install/ssh-provider.js';
import type { DryRunAction, LogLine, Mode, RunState } from './types.js';

export type { DryRunRecord, RunResult, RunEvent, SecretBag };
export type InstallPlan = Plan;

/** A message in the person's language (LANG / LC_*), from every core catalog. */
export function renderMessage(m: Message, lang: Lang = systemLang()): string {
  return render(coreMessages, lang, m);
}

export function defaultWorkdir(): string {
  return process.env.CP_INSTALLER_WORKDIR || join(homedir(), '.cp-installer');
}

/** Loads and validates a plan file; the plan is returned only when it has no error. */
export function loadPlanFile(path: string): { plan?: Plan; issues: PlanIssue[] } {
  const loaded = loadPlanText(readFileSync(path, 'utf8'));
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  return { plan: errors.length === 0 ? loaded.plan : undefined, issues: loaded.issues };
}

export interface InstallDeps {
  workdir: string;
  /** Opens the SSH side of a real run (pool, connector, targets). The real one unless a test hands its own. */
  ssh?: (plan: Plan, secrets: SecretBag) => Promise<SshProvider>;
  /** Skip the preflight re-check (tests of later steps); the connect step then only opens connections. */
  skipPreflight?: boolean;
  /** How the real SSH side is opened (known_hosts file, accept-new). */
  sshOptions?: SshProviderOptions;
  /** Per-run extra options merged into RunOptions (e.g. verifyTimeoutSec). */
  options?: Partial<RunOptions>;
}

export class UnknownModeError extends Error {}

function modeOf(plan: Plan, provider?: SshProvider, skipPreflight = false) {
  const mode = modeFor(plan.mode, {
    preflight:
      provider && !skipPreflight
        ? (ctx) => runPreflight(ctx.plan, { connector: provider.connector, targets: provider.targets, signal: ctx.signal, release: ctx.release })
        : undefined,
  });
  if (!mode) throw new UnknownModeError(`No install mode ${plan.mode} (known: ${modeNames().join(', ')})`);
  return mode;
}

function releaseOf(plan: Plan) {
  const release = findRelease(plan.release);
  if (!release) throw new Error(`The catalog has no release ${plan.release}`);
  return release;
}

/** A dry run: every file the run would write and every command it would run, in order, secrets masked. */
export async function dryRunPlan(plan: Plan, options: { workdir?: string; secrets?: SecretBag; overrides?: string[] } = {}): Promise<{ records: DryRunRecord[]; text: string }> {
  const run = new InstallRun({
    runId: 'dry-run',
    workdir: options.workdir ?? defaultWorkdir(),
    mode: modeOf(plan, undefined, true),
    plan,
    release: releaseOf(plan),
    options: { overrides: options.overrides ?? [] },
    secrets: options.secrets ?? {},
    dryRun: true,
  });
  const result = await run.start();
  const records = result.dryRun ?? [];
  return { records, text: formatDryRun(records) };
}

export function toDryRunActions(records: DryRunRecord[]): DryRunAction[] {
  return records.map((r) => {
    switch (r.kind) {
      case 'exec':
        return { step: r.step, host: r.host, kind: 'command', summary: `${r.sudo ? 'sudo ' : ''}${r.command}` };
      case 'upload':
        return { step: r.step, host: r.host, kind: 'file', summary: r.path, ...(r.content !== undefined ? { content: r.content } : {}) };
      case 'download':
        return { step: r.step, host: r.host, kind: 'command', summary: `read ${r.path}` };
      case 'write':
        return { step: r.step, kind: 'file', summary: r.path, ...(r.content !== undefined ? { content: r.content } : {}) };
    }
  });
}

export interface StartedRun {
  runId: string;
  run: InstallRun;
  done: Promise<RunResult>;
  cancel(): void;
}

async function launch(
  deps: InstallDeps,
  init: { runId: string; plan: Plan; planPath?: string; options: RunOptions; secrets: SecretBag; resume?: ReturnType<typeof loadJournal> },
  onEvent?: (e: RunEvent) => void,
  signal?: AbortSignal,
): Promise<StartedRun> {
  const provider = await (deps.ssh ?? ((plan, secrets) => openSsh(plan, secrets, deps.sshOptions)))(init.plan, init.secrets);
  const extra: string[] = [];
  const run = new InstallRun({
    runId: init.runId,
    workdir: deps.workdir,
    mode: modeOf(init.plan, provider, deps.skipPreflight),
    plan: init.plan,
    release: releaseOf(init.plan),
    options: init.options,
    secrets: init.secrets,
    planPath: init.planPath,
    sessions: provider.sessions,
    resume: init.resume,
    signal,
    extraSecrets: extra,
  });
  if (onEvent) run.subscribe(onEvent);
  const done = run.start().finally(() => provider.close());
  return { runId: init.runId, run, done, cancel: () => run.cancel() };
}

export async function startRun(
  deps: InstallDeps,
  plan: Plan,
  secrets: SecretBag,
  options: { overrides?: string[]; planPath?: string; onEvent?: (e: RunEvent) => void; signal?: AbortSignal; runId?: string } = {},
): Promise<StartedRun> {
  return launch(
    deps,
    {
      runId: options.runId ?? newRunId(),
      plan,
      planPath: options.planPath ? resolve(options.planPath) : undefined,
      options: { ...deps.options, overrides: options.overrides ?? [] },
      secrets,
    },
    options.onEvent,
    options.signal,
  );
}

export class NotResumableError extends Error {}

/** Continues a run from its journal: finished steps are not repeated. Secrets are asked for again. */
export async function resumeRun(
  deps: InstallDeps,
  runId: string,
  secretsFor: (plan: Plan) => SecretBag | Promise<SecretBag>,
  options: { onEvent?: (e: RunEvent) => void; signal?: AbortSignal } = {},
): Promise<StartedRun> {
  const state = loadJournal(deps.workdir, runId);
  const summary = summarize(runId, state);
  if (summary.status === 'succeeded') throw new NotResumableError(`Run ${runId} already succeeded; there is nothing to resume`);
  if (summary.status === 'running') throw new NotResumableError(`Run ${runId} is still running (process ${state.pid})`);
  const plan = Plan.parse(state.start.plan);
  return launch(
    deps,
    { runId, plan, planPath: state.start.planPath, options: { ...state.start.options, ...deps.options, overrides: state.start.options.overrides }, secrets: await secretsFor(plan), resume: state },
    options.onEvent,
    options.signal,
  );
}

export function runSummaries(workdir: string): RunSummary[] {
  return listRuns(workdir);
}

/** A run's state from its journal (and, while it runs in this process, its live progress). */
export function runState(workdir: string, runId: string, live?: InstallRun): RunState {
  const records = readJournal(join(runDir(workdir, runId), JOURNAL_FILE));
  const state = loadJournal(workdir, runId);
  const start = state.start;
  const plan = Plan.parse(start.plan);
  const release = findRelease(start.release);
  const infos = live?.stepInfos ?? (release ? stepInfos(modeOf(plan, undefined, true), plan, release, start.options) : []);
  const status = new Map<string, { status: RunState['steps'][number]['status']; durationMs?: number }>();
  let failure: RunState['failure'];
  for (const r of records) {
    if (r.t === 'step-start' && !r.host) status.set(r.step, { status: 'running' });
    if (r.t === 'step-end' && !r.host) {
      status.set(r.step, { status: r.status, durationMs: r.durationMs });
      if (r.status === 'failed' && r.failure) failure = { stepId: r.step, ...r.failure };
    }
  }
  const summary = summarize(runId, state);
  return {
    summary,
    steps: infos.map((s) => ({ ...s, ...(status.get(s.id) ?? { status: 'pending' as const }) })),
    ...(failure && summary.status === 'failed' ? { failure } : {}),
    outputs: runOutputs(state.outputs),
    lastSeq: live?.logs.lastSeq ?? state.lastSeq,
  };
}

export function toLogLines(events: LogEvent[]): LogLine[] {
  return events.map((e) => ({ seq: e.seq, stepId: e.stepId, ...(e.host ? { host: e.host } : {}), stream: e.stream, line: e.line }));
}

export function installModes(): Mode[] {
  return modeNames().filter((m): m is Mode => ['standalone', 'edge', 'expand-edge', 'caas'].includes(m));
}

/** The install part of the service (core/api/engine.ts): runs live in this process, journals on disk. */
export function createInstallPart(deps: InstallDeps): InstallPart {
  const live = new Map<string, StartedRun>();
  const keep = (s: StartedRun) => {
    live.set(s.runId, s);
    return s.runId;
  };
  return {
    modes: installModes,
    async dryRun(input) {
      const { records } = await dryRunPlan(Plan.parse(input), { workdir: deps.workdir });
      return toDryRunActions(records);
    },
    async start(input, secrets, overrides, onEvent) {
      return keep(await startRun(deps, Plan.parse(input), secrets, { overrides, onEvent }));
    },
    async cancel(runId) {
      live.get(runId)?.cancel();
    },
    async resume(runId, secrets, onEvent) {
      return keep(await resumeRun(deps, runId, () => secrets, { onEvent }));
    },
    async list() {
      return runSummaries(deps.workdir);
    },
    async state(runId) {
      return runState(deps.workdir, runId, live.get(runId)?.run);
    },
    async logsSince(runId, seq, limit) {
      const run = live.get(runId)?.run;
      let lines = run ? toLogLines(run.logs.logsSince(seq)) : [];
      if (limit !== undefined && lines.length > limit) lines = lines.slice(0, limit);
      return { lines, lastSeq: run?.logs.lastSeq ?? loadJournal(deps.workdir, runId).lastSeq };
    },
  };
}
