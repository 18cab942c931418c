// The step API every mode (core/modes/<mode>/) is written against. A step is data (id, title, hosts, needs)
// plus run(ctx). The runner owns ordering, fan-out, retries, the preflight gate, the journal, logs and
// redaction; a step only says what to do through its ctx, so the same step runs for real, in a dry run (a
// recording ctx, no SSH) and on resume (isDone tells the runner to skip it). There is no undo: a step that
// may be repeated after a partial attempt cleans up what the earlier one left inside its own run().
import type { Message } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import type { Host, Plan } from '../plan/schema.js';
import type { ExecOptions, ExecResult, SecretBag, SshSession, UploadOptions } from '../ssh/types.js';

/** Values steps hand to later steps (and to resume): plain JSON, persisted in the journal. Never a secret. */
export type OutputValue = string | number | boolean | null | OutputValue[] | { [key: string]: OutputValue };

export interface OutputStore {
  get<T extends OutputValue = OutputValue>(key: string): T | undefined;
  /** Throws when a step that should have produced the value did not run. */
  require<T extends OutputValue = OutputValue>(key: string): T;
  set(key: string, value: OutputValue): void;
  all(): Record<string, OutputValue>;
}

export type LogStream = 'stdout' | 'stderr' | 'info';

export interface StepExecOptions extends ExecOptions {
  /** Throw a StepError when the command exits non-zero (default true). */
  check?: boolean;
  /** Do not copy the output into the step log (e.g. a probe whose JSON is parsed, not read). */
  quiet?: boolean;
  /** What the recording session answers in a dry run, so a step that parses output can go on. */
  dryRunResult?: Partial<ExecResult>;
  /** A shorter description for the dry-run listing and the log than the full command (never hides it). */
  describe?: string;
}

export interface StepUploadOptions extends UploadOptions {
  /** Shown in the dry run instead of the content (e.g. "Kubespray tree, 1234 files"). */
  describe?: string;
}

export interface RetryPolicy {
  /** Total attempts, including the first (>= 1). */
  attempts: number;
  /** Wait between attempts; doubles each time. */
  delayMs?: number;
  /** Retry only errors this accepts (default: every error except a cancel). */
  when?: (error: unknown) => boolean;
}

export interface RunOptions {
  /** Preflight check ids the user chose to override (a failed check with one of these ids does not stop). */
  overrides: string[];
  /** Anything a mode adds (e.g. edge: which edge hosts to add). Plain JSON: it is journaled. */
  [extra: string]: OutputValue | undefined;
}

export interface StepContext {
  readonly runId: string;
  readonly stepId: string;
  readonly plan: Plan;
  readonly release: Release;
  readonly options: RunOptions;
  /** For a `perHost` step: the host this invocation works on. */
  readonly host?: Host;
  readonly secrets: SecretBag;
  /** The installer's workdir (default ~/.cp-installer). */
  readonly workdir: string;
  /** `<workdir>/runs/<id>`: where this run keeps its journal, logs and outputs. */
  readonly runDir: string;
  /** Aborted on cancel: pass it on (ctx.exec does); the SSH layer kills the remote process group. */
  readonly signal: AbortSignal;
  readonly outputs: OutputStore;
  /** True in a dry run: commands and files are recorded, not run or written. */
  readonly dryRun: boolean;

  /** The plan's host by name (throws for an unknown name). */
  hostByName(name: string): Host;
  /** A pooled session to the host (a recording one in a dry run). Prefer exec/upload: they log and record. */
  session(host: string): Promise<SshSession>;
  /** Runs a command line (built with shq/shellJoin) on a host; output lines go to the step log, redacted. */
  exec(host: string, command: string, options?: StepExecOptions): Promise<ExecResult>;
  upload(host: string, data: Buffer | string, remotePath: string, options?: StepUploadOptions): Promise<{ sha256: string }>;
  /** A local file (an archive of gigabytes) streamed to the login user's `remotePath`, resumable, never
   *  read whole into memory; the host's sha256 is checked before it gets its name. `sudo`: a root-owned
   *  place (staged beside it as the login user, then moved there by sudo). */
  uploadFile(host: string, localPath: string, remotePath: string, options?: { mode?: number; sudo?: boolean; describe?: string; onProgress?: (done: number, total: number) => void }): Promise<{ sha256: string }>;
  /** In a dry run: an empty buffer, unless `dryRunResult` is given. */
  download(host: string, remotePath: string, options?: { sudo?: boolean; dryRunResult?: Buffer }): Promise<Buffer>;
  /** Writes a file on the installer's machine (recorded in a dry run). Mode 0600 unless told. */
  writeLocal(path: string, data: Buffer | string, mode?: number): Promise<void>;

  log(line: string, options?: { host?: string; stream?: LogStream }): void;
  /** fraction 0..1 of this step; detail e.g. the current Ansible task. */
  progress(
    fraction?: number,
    detail?: string,
    extra?: { host?: string; counts?: Record<string, { ok: number; changed: number; failed: number; skipped: number }> },
  ): void;
  /** Masks every secret the run knows. Logs and events are already redacted; use it for anything else. */
  redact(text: string): string;
  /** A secret learnt during the run (e.g. a join token read from a host): masked from now on. */
  addSecret(value: string): void;
}

export interface Step {
  id: string;
  title: Message;
  /** Plan host names the step works on: shown to the user, and the fan-out list when perHost. */
  hosts: string[];
  /** Ids of steps that must be done first. */
  needs: string[];
  /** Run once per host of `hosts`, in parallel within the pool's bounds (ctx.host is set). */
  perHost?: boolean;
  /** For a perHost step: how many hosts at once (default: the run's bound, 8); the SSH pool bounds connections too. */
  concurrency?: number;
  /** Only for steps that are safe to repeat after a partial attempt. */
  retry?: RetryPolicy;
  run(ctx: StepContext): Promise<void>;
  /**
   * Whether the effect is already there (resume, re-run): the runner then skips run(). Not called in a dry
   * run. It may set the outputs run() would have set (they are journaled for a skipped step too).
   */
  isDone?(ctx: StepContext): Promise<boolean>;
}

/** A mode turns a plan into its step graph (the runner puts the preflight gate in front of it). */
export interface InstallMode {
  name: string;
  title: Message;
  /** Throws a StepError when the plan cannot be run; the runner journals it as the failed step `plan`. */
  steps(plan: Plan, release: Release, options: RunOptions): Step[];
}

/** A failure a step reports on purpose: a message for the user, and what to show first. */
export class StepError extends Error {
  constructor(
    readonly error: Message,
    readonly failure?: { task?: string; host?: string; message: string },
    /** Retrying cannot help (e.g. a failed preflight check): the runner does not retry it. */
    readonly permanent = false,
  ) {
    super(failure?.message ?? error.key);
    this.name = 'StepError';
  }
}
