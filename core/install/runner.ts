// The runner: orders a mode's steps by their needs, runs each (per-host steps fanned out in parallel within
// a bound), retries only steps marked safe to retry, journals every start and end (fsync'd) so a run
// resumes after a failure, a cancel or a kill, and emits RunEvents to subscribers.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimited, runAbortController, sleep } from '../common/async.js';
import { msg, type Message } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import type { Plan } from '../plan/schema.js';
import { SshError, type SecretBag } from '../ssh/types.js';
import { makeContext, MemoryOutputs, type SessionSource } from './context.js';
import { diagnose } from './causes.js';
import { DryRunRecorder, type DryRunRecord } from './dryrun.js';
import { gated, type PreflightRunner } from './gate.js';
import { Journal, partKey, runDir as runDirOf, type JournalState } from './journal.js';
import { LogHub } from './logs.js';
import { Redactor } from './redact.js';
import { StepError, type InstallMode, type OutputValue, type RunOptions, type Step, type StepContext } from './step.js';
import type { RunEvent, RunOutputs, StepInfo, StepStatus } from './types.js';

/** Steps in an order that respects `needs`; among ready steps the one declared first goes first. */
export function orderSteps(steps: Step[]): Step[] {
  const byId = new Map<string, Step>();
  for (const s of steps) {
    if (byId.has(s.id)) throw new Error(`Two steps have the id ${s.id}`);
    byId.set(s.id, s);
  }
  for (const s of steps) {
    for (const n of s.needs) if (!byId.has(n)) throw new Error(`Step ${s.id} needs unknown step ${n}`);
  }
  const done = new Set<string>();
  const out: Step[] = [];
  while (out.length < steps.length) {
    const next = steps.find((s) => !done.has(s.id) && s.needs.every((n) => done.has(n)));
    if (!next) {
      const stuck = steps.filter((s) => !done.has(s.id)).map((s) => s.id);
      throw new Error(`The steps' needs form a cycle: ${stuck.join(', ')}`);
    }
    done.add(next.id);
    out.push(next);
  }
  return out;
}

/** Runs `work` over items with at most `limit` at once; resolves when all settled, with every error. */
export async function boundedAll<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  await mapLimited(items, limit, (item) => work(item).catch((e: unknown) => void errors.push(e)));
  return errors;
}

/** The pseudo-step a plan error is journaled under (a mode's steps() refused the plan). */
export const PLAN_STEP = 'plan';

export interface RunConfig {
  runId: string;
  workdir: string;
  mode: InstallMode;
  plan: Plan;
  release: Release;
  options: RunOptions;
  secrets: SecretBag;
  planPath?: string;
  /** Required for a real run. */
  sessions?: SessionSource;
  dryRun?: boolean;
  /** A journal state to continue from (resume). */
  resume?: JournalState;
  /** Per-host fan-out bound (the pool bounds connections on its own). */
  parallel?: number;
  signal?: AbortSignal;
  /** Extra strings to mask besides the SecretBag's (e.g. tokens known beforehand). */
  extraSecrets?: string[];
  /** Runs the preflight checks for the gate in front of the mode's steps; without it the gate only connects. */
  preflight?: PreflightRunner;
}

export interface RunResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  outputs: Record<string, OutputValue>;
  failedStep?: string;
  error?: Message;
  failure?: { task?: string; host?: string; message: string; cause?: Message };
  /** In a dry run: what would be written and run, in order. */
  dryRun?: DryRunRecord[];
}

type Listener = (e: RunEvent) => void;

function errorMessage(e: unknown, redact: (s: string) => string): { error: Message; failure?: RunResult['failure'] } {
  if (e instanceof StepError) return { error: e.error, failure: withCause(e.failure, e.error) };
  if (e instanceof SshError) {
    // The catalog text quotes the cause as {{detail}} (for a timeout: the command and its limit).
    const detail = redact(e.message.startsWith(`${e.host}: `) ? e.message.slice(e.host.length + 2) : e.message);
    return { error: msg(e.key, { host: e.host, detail }), failure: { host: e.host, message: redact(e.message) } };
  }
  const text = redact(e instanceof Error ? e.message : String(e));
  return { error: msg('install.step-error', { message: text }), failure: withCause({ message: text }) };
}

/** The failure with a cause in words and the next action, when its output says one (causes.ts). */
function withCause(failure: RunResult['failure'], error?: Message): RunResult['failure'] {
  if (!failure) return failure;
  const command = error?.params?.command;
  const cause = diagnose({ host: failure.host, command: command === undefined ? undefined : String(command), output: failure.message });
  return cause ? { ...failure, cause } : failure;
}

export class InstallRun {
  readonly runId: string;
  readonly runDir: string;
  readonly logs: LogHub;
  readonly redactor: Redactor;
  private readonly listeners = new Set<Listener>();
  private readonly abort = runAbortController();
  private readonly outputs: MemoryOutputs;
  private readonly recorder?: DryRunRecorder;
  private journal?: Journal;
  private readonly steps: Step[];
  /** The mode refused the plan while building its steps: journaled and shown as the failed step `plan`. */
  private readonly planError?: unknown;

  constructor(private readonly config: RunConfig) {
    this.runId = config.runId;
    this.runDir = runDirOf(config.workdir, config.runId);
    this.redactor = Redactor.fromBag(config.secrets);
    for (const s of config.extraSecrets ?? []) this.redactor.add(s);
    this.logs = new LogHub({
      runId: config.runId,
      logsDir: config.dryRun ? undefined : join(this.runDir, 'logs'),
      redactor: this.redactor,
      firstSeq: config.resume?.lastSeq,
    });
    this.logs.subscribe((batch) => {
      for (const e of batch) this.emit(e);
    });
    this.outputs = new MemoryOutputs(config.resume?.outputs);
    if (config.dryRun) this.recorder = new DryRunRecorder((s) => this.redactor.redact(s));
    if (config.signal) {
      if (config.signal.aborted) this.abort.abort();
      else config.signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    }
    try {
      this.steps = orderSteps(gated(config.plan, config.mode.steps(config.plan, config.release, config.options), config.preflight));
    } catch (e) {
      this.planError = e;
      this.steps = [];
    }
  }

  get stepInfos(): StepInfo[] {
    if (this.planError !== undefined) return [planStepInfo(this.config.mode)];
    return this.steps.map((s) => ({ id: s.id, title: s.title, hosts: s.hosts, needs: s.needs }));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancel(): void {
    this.abort.abort();
  }

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  private emit(e: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken subscriber (a closed window) must not break the run.
      }
    }
  }

  private now(): string {
    return new Date().toISOString();
  }

  /** The workdir could not be written (journal or logs): the run stops before its next step (security #11). */
  private workdirFailure: unknown;

  private record(r: Parameters<Journal['append']>[0]): void {
    if (!this.journal || this.workdirFailure !== undefined) return;
    try {
      this.journal.append(r);
    } catch (e) {
      // The journal cut itself back to its last whole record; what it says stays true, and resume works
      // once there is space again.
      this.workdirFailure = e;
    }
  }

  /** The failure that stops the run at `stepId` when the workdir cannot be written, shown like a failed step. */
  private stopForWorkdir(stepId: string): Partial<RunResult> | undefined {
    const e = this.workdirFailure ?? this.logs.diskError;
    if (e === undefined) return undefined;
    const keyed = e as { key?: unknown; params?: Record<string, string | number>; message?: string };
    const error: Message = typeof keyed.key === 'string' ? { key: keyed.key, params: keyed.params ?? {} } : msg('install.step-error', { message: String(keyed.message ?? e) });
    const failure = { message: keyed.message ?? String(e) };
    this.emit({ type: 'step-failed', runId: this.runId, stepId, error, failure, at: this.now() });
    return { status: 'failed', failedStep: stepId, error, failure };
  }

  async start(): Promise<RunResult> {
    const { config } = this;
    const resumed = !!config.resume;
    if (!config.dryRun) {
      try {
        this.journal = Journal.open(this.runDir);
        chmodSync(this.runDir, 0o700);
      } catch (e) {
        this.workdirFailure = e;
      }
      if (resumed) this.record({ t: 'resume', at: this.now(), pid: process.pid });
      else
        this.record({
          t: 'run-start',
          runId: this.runId,
          mode: config.mode.name,
          release: config.release.name,
          planPath: config.planPath,
          plan: config.plan,
          options: config.options,
          pid: process.pid,
          at: this.now(),
        });
    }
    this.emit({ type: 'run-started', runId: this.runId, mode: config.mode.name, steps: this.stepInfos, resumed, at: this.now() });

    let result: RunResult = { runId: this.runId, status: 'succeeded', outputs: {} };
    if (this.planError !== undefined) result = { ...result, ...this.failPlan(this.planError) };
    for (const step of this.planError === undefined ? this.steps : []) {
      if (config.resume?.finishedSteps.has(step.id)) {
        this.emit({ type: 'step-finished', runId: this.runId, stepId: step.id, status: 'done', durationMs: 0, at: this.now() });
        continue;
      }
      if (this.cancelled) {
        result = { ...result, status: 'cancelled', failedStep: step.id, error: msg('install.cancelled') };
        break;
      }
      const full = this.stopForWorkdir(step.id);
      if (full) {
        result = { ...result, ...full };
        break;
      }
      const r = await this.runStep(step);
      if (r) {
        result = { ...result, ...r };
        break;
      }
    }
    result.outputs = this.outputs.all();
    this.logs.close();
    this.record({ t: 'run-end', status: result.status, at: this.now(), lastSeq: this.logs.lastSeq });
    this.journal?.close();
    this.emit({ type: 'run-finished', runId: this.runId, status: result.status, outputs: runOutputs(result.outputs), at: this.now() });
    if (this.recorder) result.dryRun = this.recorder.records;
    return result;
  }

  /** A plan the mode refused, journaled and shown like a failed step. */
  private failPlan(e: unknown): Partial<RunResult> {
    const { error, failure } = errorMessage(e, (s) => this.redactor.redact(s));
    this.record({ t: 'step-start', step: PLAN_STEP, attempt: 1, at: this.now() });
    this.emit({ type: 'step-started', runId: this.runId, stepId: PLAN_STEP, at: this.now() });
    this.emit({ type: 'step-failed', runId: this.runId, stepId: PLAN_STEP, error, failure, at: this.now() });
    this.record({ t: 'step-end', step: PLAN_STEP, status: 'failed', durationMs: 0, error, failure, title: msg('step.plan'), at: this.now() });
    this.emit({ type: 'step-finished', runId: this.runId, stepId: PLAN_STEP, status: 'failed', durationMs: 0, at: this.now() });
    return { status: 'failed', failedStep: PLAN_STEP, error, failure };
  }

  /** Runs one step (all its hosts); resolves undefined on success, or the failure. */
  private async runStep(step: Step): Promise<Partial<RunResult> | undefined> {
    const t0 = Date.now();
    const shared = this.shared();
    this.record({ t: 'step-start', step: step.id, attempt: 1, at: this.now() });
    this.emit({ type: 'step-started', runId: this.runId, stepId: step.id, at: this.now() });
    let status: StepStatus = 'done';
    let failure: Partial<RunResult> | undefined;
    try {
      if (step.perHost) {
        const todo = step.hosts.filter((h) => !this.config.resume?.finishedParts.has(partKey(step.id, h)));
        const errors = await boundedAll(todo, step.concurrency ?? this.config.parallel ?? 8, async (hostName) => {
          const ctx = makeContext(shared, step.id, this.hostOf(hostName));
          const h0 = Date.now();
          this.record({ t: 'step-start', step: step.id, host: hostName, attempt: 1, at: this.now() });
          this.emit({ type: 'step-started', runId: this.runId, stepId: step.id, host: hostName, at: this.now() });
          try {
            const partStatus = await this.attempt(step, ctx);
            this.record({ t: 'step-end', step: step.id, host: hostName, status: partStatus, durationMs: Date.now() - h0, at: this.now() });
            this.emit({ type: 'step-finished', runId: this.runId, stepId: step.id, host: hostName, status: partStatus, durationMs: Date.now() - h0, at: this.now() });
          } catch (e) {
            const { error, failure: f } = errorMessage(e, (s) => this.redactor.redact(s));
            const st: StepStatus = this.cancelled ? 'cancelled' : 'failed';
            this.record({ t: 'step-end', step: step.id, host: hostName, status: st, durationMs: Date.now() - h0, error, failure: f, at: this.now() });
            this.emit({ type: 'step-failed', runId: this.runId, stepId: step.id, host: hostName, error, failure: f, at: this.now() });
            throw e;
          }
        });
        if (errors.length > 0) throw errors[0];
      } else {
        status = await this.attempt(step, makeContext(shared, step.id));
      }
    } catch (e) {
      const { error, failure: f } = errorMessage(e, (s) => this.redactor.redact(s));
      status = this.cancelled ? 'cancelled' : 'failed';
      failure = { status: this.cancelled ? 'cancelled' : 'failed', failedStep: step.id, error: this.cancelled ? msg('install.cancelled') : error, failure: f };
      if (!step.perHost || this.cancelled)
        this.emit({ type: 'step-failed', runId: this.runId, stepId: step.id, error: failure.error as Message, failure: f, at: this.now() });
    }
    this.logs.flush();
    const outputs = this.outputs.take();
    this.record({
      t: 'step-end',
      step: step.id,
      status,
      durationMs: Date.now() - t0,
      outputs: status === 'done' || status === 'skipped' ? outputs : undefined,
      error: failure?.error,
      failure: failure?.failure,
      ...(status === 'failed' ? { title: step.title } : {}),
      at: this.now(),
    });
    this.emit({ type: 'step-finished', runId: this.runId, stepId: step.id, status, durationMs: Date.now() - t0, at: this.now() });
    return failure;
  }

  /** isDone, then run with the step's retry policy. */
  private async attempt(step: Step, ctx: StepContext): Promise<StepStatus> {
    if (!this.config.dryRun && step.isDone && (await step.isDone(ctx))) {
      ctx.log('already done: skipped');
      return 'skipped';
    }
    const attempts = Math.max(1, step.retry?.attempts ?? 1);
    let delay = step.retry?.delayMs ?? 1000;
    for (let n = 1; ; n++) {
      try {
        await step.run(ctx);
        return 'done';
      } catch (e) {
        const retryable =
          n < attempts &&
          !this.cancelled &&
          !(e instanceof StepError && e.permanent) &&
          !(e instanceof SshError && e.kind === 'cancelled') &&
          (step.retry?.when ? step.retry.when(e) : true);
        if (!retryable) throw e;
        const { failure } = errorMessage(e, (s) => this.redactor.redact(s));
        ctx.log(`attempt ${n} of ${attempts} failed (${failure?.message ?? ''}); retrying in ${delay} ms`);
        await sleep(delay, this.abort.signal);
        delay *= 2;
        this.record({ t: 'step-start', step: step.id, host: ctx.host?.name, attempt: n + 1, at: this.now() });
      }
    }
  }

  private hostOf(name: string) {
    const h = this.config.plan.hosts.find((x) => x.name === name);
    if (!h) throw new StepError(msg('install.unknown-host', { host: name }), undefined, true);
    return h;
  }

  private sharedCache: ReturnType<InstallRun['makeShared']> | undefined;
  private shared() {
    this.sharedCache ??= this.makeShared();
    return this.sharedCache;
  }

  private makeShared() {
    const { config } = this;
    return {
      runId: this.runId,
      plan: config.plan,
      release: config.release,
      options: config.options,
      secrets: config.secrets,
      workdir: config.workdir,
      runDir: this.runDir,
      signal: this.abort.signal,
      outputs: this.outputs,
      redactor: this.redactor,
      logs: this.logs,
      sessions: config.sessions,
      recorder: this.recorder,
      emitProgress: (p: { stepId: string; host?: string; fraction?: number; detail?: string; counts?: Record<string, { ok: number; changed: number; failed: number; skipped: number }> }) =>
        this.emit({ type: 'step-progress', runId: this.runId, ...p }),
    };
  }
}

/** The steps a run of this plan shows (the gate first), or the failed `plan` step when the mode refuses it. */
export function stepInfos(mode: InstallMode, plan: Plan, release: Release, options: RunOptions): StepInfo[] {
  try {
    return orderSteps(gated(plan, mode.steps(plan, release, options))).map((s) => ({ id: s.id, title: s.title, hosts: s.hosts, needs: s.needs }));
  } catch {
    return [planStepInfo(mode)];
  }
}

function planStepInfo(mode: InstallMode): StepInfo {
  return { id: PLAN_STEP, title: mode.title, hosts: [], needs: [] };
}

/** The outputs shells show at the end, from the well-known output keys. */
export function runOutputs(values: Record<string, OutputValue>): RunOutputs {
  const out: RunOutputs = {};
  if (typeof values.kubeconfigPath === 'string') out.kubeconfigPath = values.kubeconfigPath;
  if (typeof values.reportPath === 'string') out.reportPath = values.reportPath;
  if (typeof values.portalUninstalledAt === 'string') out.portalUninstalledAt = values.portalUninstalledAt;
  if (Array.isArray(values.endpoints)) out.endpoints = values.endpoints as unknown as RunOutputs['endpoints'];
  if (typeof values.portalHostsSnippet === 'string' && Array.isArray(values.portalEndpoints)) out.portalHostsSnippet = values.portalHostsSnippet;
  if (values.versions && typeof values.versions === 'object' && !Array.isArray(values.versions))
    out.versions = values.versions as Record<string, string>;
  return out;
}
