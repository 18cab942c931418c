// The install facade shells use (the CLI directly; the service through InstallPart): load a plan, run it
// for real or dry, resume a run, list runs and their state. It wires the SSH pool, preflight and the modes
// together so core/install itself stays free of those choices.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Lang, Message } from '../common/messages.js';
import { systemLang, type InstallPart } from './engine.js';
import { ApiFailure } from './service-errors.js';
import { coreMessages, renderCoreMessage } from './messages.js';
import { checkedPlan } from './plan-gate.js';
import { ensureBundleUnpacked } from './bundle.js';
import { PLAN_LIMITS, readInputFileSync } from './input-files.js';
import { completeDryRun, DryRunIncomplete, formatDryRun, type DryRunRecord } from '../install/dryrun.js';
import { bundleProblem, formatEgress, planEgress, type EgressEntry } from '../install/egress.js';
import { planChanges, type PlanChange } from '../install/plan-diff.js';
import { writeRunReport } from '../install/run-report.js';
import { listRuns, loadJournal, newRunId, readJournal, runDir, JOURNAL_FILE, summarize } from '../install/journal.js';
import type { LogEvent } from '../install/logs.js';
import { descriptorOf, modeNames } from '../modes/index.js';
import type { PreflightRunner } from '../install/gate.js';
import { InstallRun, runOutputs, stepInfos, type RunResult } from '../install/runner.js';
import { takePortalAdmin } from '../modes/standalone/portal-admin.js';
import { uninstallPortal } from '../modes/standalone/portal-uninstall.js';
import type { RunOptions } from '../install/step.js';
import type { RunEvent, RunSummary } from '../install/types.js';
import { findRelease } from '../plan/catalog.js';
import type { PlanIssue } from '../plan/issues.js';
import { derivedBundleDir, Plan } from '../plan/schema.js';
import { loadPlanText } from '../plan/yaml.js';
import { runPreflight } from '../preflight/run.js';
import type { SecretBag } from '../ssh/types.js';
import { openSsh, type SshProvider, type SshProviderOptions } from '../install/ssh-provider.js';
import type { DryRunAction, LogLine, Mode, RunState } from './types.js';

export type { DryRunRecord, EgressEntry, PlanChange, RunResult, RunEvent, SecretBag };
export { DryRunIncomplete };
export { formatPlanChanges } from '../install/plan-diff.js';
export { endpointLines } from '../outputs/endpoints.js';
export { takePortalAdmin } from '../modes/standalone/portal-admin.js';
export { uninstallPortal, PortalUninstallError } from '../modes/standalone/portal-uninstall.js';
export type InstallPlan = Plan;

/** A message in the person's language (LANG / LC_*), from every core catalog. */
export function renderMessage(m: Message, lang: Lang = systemLang()): string {
  return renderCoreMessage(m, lang);
}

export function defaultWorkdir(): string {
  return process.env.CP_INSTALLER_WORKDIR || join(homedir(), '.cp-installer');
}

/** Loads and validates a plan file; the plan is returned only when it has no error. */
export function loadPlanFile(path: string): { plan?: Plan; issues: PlanIssue[] } {
  const loaded = loadPlanText(readInputFileSync(path, PLAN_LIMITS.maxBytes));
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

/** The plan's mode cannot be installed by this version yet (its descriptor says why): nothing was touched. */
export class ModeNotInstallable extends ApiFailure {
  constructor(readonly error: Message) {
    super(error.key, error.params);
    this.name = 'ModeNotInstallable';
  }
}

function modeOf(plan: Plan) {
  return descriptorOf(plan.mode);
}

/** Why this version cannot install the plan's mode yet, and what to do instead; undefined when it can. */
export function notInstallable(plan: Plan): Message | undefined {
  return modeOf(plan).profile.notYet?.apply;
}

/** Refuses a mode the engine cannot install yet, before any host is touched. */
function refuseNotYet(plan: Plan): void {
  const why = notInstallable(plan);
  if (why) throw new ModeNotInstallable(why);
}

/** The gate's preflight: the real checks over the run's SSH side, unless a test skips them. */
function preflightOf(provider: SshProvider, skip = false): PreflightRunner | undefined {
  if (skip) return undefined;
  return (ctx) => runPreflight(ctx.plan, { connector: provider.connector, targets: provider.targets, signal: ctx.signal, release: ctx.release });
}

function releaseOf(plan: Plan) {
  const release = findRelease(plan.release);
  if (!release) throw new Error(`The catalog has no release ${plan.release}`);
  return release;
}

/** A dry run: every file the run would write and every command it would run, in order, secrets masked. */
export async function dryRunPlan(plan: Plan, options: { workdir?: string; secrets?: SecretBag; overrides?: string[] } = {}): Promise<{ records: DryRunRecord[]; text: string }> {
  refuseNotYet(plan);
  const run = new InstallRun({
    runId: 'dry-run',
    workdir: options.workdir ?? defaultWorkdir(),
    mode: modeOf(plan),
    plan,
    release: releaseOf(plan),
    options: { overrides: options.overrides ?? [] },
    secrets: options.secrets ?? {},
    dryRun: true,
  });
  const result = await run.start();
  // A step that threw stops the listing: fail naming it rather than show part of the run as all of it.
  const records = completeDryRun(result);
  const egress = formatEgress(egressOf(plan), (m) => renderMessage(m));
  const head = egress ? `# ${renderMessage({ key: 'egress.title' })}\n${egress}\n\n` : '';
  return { records, text: head + formatDryRun(records) };
}

/** Every address outside the site the plan's run reaches (core/install/egress.ts), for Review and the dry run. */
export function egressOf(plan: Plan): EgressEntry[] {
  const release = releaseOf(plan);
  const infos = stepInfos(modeOf(plan), plan, release, { overrides: [] });
  const titles = new Map(infos.map((s) => [s.id, s.title]));
  return planEgress(plan, release, infos.map((s) => s.id), { exists: existsSync }).map((e) => {
    const title = titles.get(e.step);
    return title ? { ...e, stepTitle: title } : e;
  });
}

/** How `plan` differs from the plan run `runId` started with, and the preflight overrides that run had. */
export function planChangesSince(workdir: string, runId: string, plan: unknown): { changes: PlanChange[]; overrides: string[] } {
  const state = loadJournal(workdir, runId);
  const now = Plan.safeParse(plan);
  const changes = planChanges(Plan.parse(state.start.plan), now.success ? now.data : plan);
  return { changes, overrides: state.start.options.overrides ?? [] };
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
  refuseNotYet(init.plan);
  // A plan with only bundle.file: its folder is unpacked (checked) before any step reads the tree from it.
  await ensureBundleUnpacked(init.plan);
  const provider = await (deps.ssh ?? ((plan, secrets) => openSsh(plan, secrets, deps.sshOptions)))(init.plan, init.secrets);
  const extra: string[] = [];
  const run = new InstallRun({
    runId: init.runId,
    workdir: deps.workdir,
    mode: modeOf(init.plan),
    preflight: preflightOf(provider, deps.skipPreflight),
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
  const done = run
    .start()
    .then((result) => {
      // A run that did not succeed still leaves a report to hand over (a succeeded run's report step wrote one).
      if (result.status !== 'succeeded') {
        try {
          writeRunReport(deps.workdir, init.runId, coreMessages, 'en', new Map(run.stepInfos.map((s) => [s.id, s.title])));
        } catch {
          // The report is a courtesy: failing to write it must not hide the run's own result.
        }
      }
      return result;
    })
    .finally(() => provider.close());
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
  // The journal's plan is checked like a new one: a run started before a rule existed must not act on it.
  const plan = checkedPlan(state.start.plan);
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
  const infos = live?.stepInfos ?? (release ? stepInfos(modeOf(plan), plan, release, start.options) : []);
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

/** The modes this engine can install (a mode whose descriptor says "not yet" is shown, not offered). */
export function installModes(): Mode[] {
  return modeNames().filter((m) => !descriptorOf(m).profile.notYet?.apply);
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
      const plan = Plan.parse(input);
      const { records } = await dryRunPlan(plan, { workdir: deps.workdir });
      // Each action carries its step's title, parameters filled (the renderer holds no step list of its own).
      const titles = new Map(stepInfos(modeOf(plan), plan, releaseOf(plan), { overrides: [] }).map((s) => [s.id, s.title]));
      return toDryRunActions(records).map((a) => {
        const title = titles.get(a.step);
        return title ? { ...a, stepTitle: title } : a;
      });
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
    egress(input) {
      const plan = Plan.parse(input);
      // A folder derived from bundle.file is made by the run itself: nothing to report before then.
      const derived = !!plan.bundle?.file && plan.bundle.path === derivedBundleDir(plan.bundle.file);
      const problem = plan.bundle?.path && !derived ? bundleProblem(plan.bundle.path, (p) => existsSync(p) && statSync(p).isDirectory(), existsSync, findRelease(plan.release)?.kubespray.subdir) : undefined;
      return { entries: egressOf(plan), ...(problem ? { bundleProblem: problem } : {}) };
    },
    planChanges(runId, input) {
      return planChangesSince(deps.workdir, runId, input);
    },
    portalAdmin(runId) {
      const cluster = loadJournal(deps.workdir, runId).start.plan.cluster.name;
      const admin = takePortalAdmin(runId);
      return { cluster, ...(admin ? { admin } : {}) };
    },
    async uninstallPortal(runId, secrets) {
      const r = await uninstallPortal({ workdir: deps.workdir, ...(deps.ssh ? { ssh: deps.ssh } : {}), ...(deps.sshOptions ? { sshOptions: deps.sshOptions } : {}) }, runId, secrets);
      return { cluster: r.cluster, removed: r.removed, outputs: runOutputs(r.outputs) };
    },
    async logsSince(runId, seq, limit) {
      const run = live.get(runId)?.run;
      let lines = run ? toLogLines(run.logs.logsSince(seq)) : [];
      if (limit !== undefined && lines.length > limit) lines = lines.slice(0, limit);
      return { lines, lastSeq: run?.logs.lastSeq ?? loadJournal(deps.workdir, runId).lastSeq };
    },
  };
}
