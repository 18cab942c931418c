// The journal of a run: `<workdir>/runs/<id>/journal.jsonl`, append-only, one JSON record per line, each
// fsync'd before the runner goes on, so what it says happened did happen even if the installer is killed
// right after. Resume reads it back: the plan, the options, finished steps and the outputs they left.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statfsSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../plan/schema.js';
import type { Message } from '../common/messages.js';
import type { OutputValue, RunOptions } from './step.js';
import type { RunSummary, StepStatus } from './types.js';

export type JournalRecord =
  | {
      t: 'run-start';
      runId: string;
      mode: string;
      release: string;
      planPath?: string;
      /** The plan holds no secret by design (secrets live in a SecretBag). */
      plan: Plan;
      options: RunOptions;
      /** The installer process: while it lives and no run-end is written, the run is "running". */
      pid: number;
      at: string;
    }
  | { t: 'resume'; at: string; pid: number }
  | { t: 'step-start'; step: string; host?: string; attempt: number; at: string }
  | {
      t: 'step-end';
      step: string;
      host?: string;
      status: StepStatus;
      durationMs: number;
      /** Outputs the step set (whole-step records only). */
      outputs?: Record<string, OutputValue>;
      error?: Message;
      failure?: { task?: string; host?: string; message: string; cause?: Message };
      /** The failed step's title, so a reopened wizard names the step as the run did (failed whole steps only). */
      title?: Message;
      at: string;
    }
  | { t: 'run-end'; status: 'succeeded' | 'failed' | 'cancelled'; at: string; lastSeq?: number };

export const JOURNAL_FILE = 'journal.jsonl';

export function runsDir(workdir: string): string {
  return join(workdir, 'runs');
}

export function runDir(workdir: string, runId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId.startsWith('.')) throw new Error(`Not a run id: ${runId}`);
  return join(runsDir(workdir), runId);
}

/** Sortable, readable, unique enough for one person's machine: 20261125-141000-ab12. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/**
 * Free space a run wants in the workdir before it starts: its journal is small, but Ansible's logs of a
 * large cluster run to tens of MB. Below this a run is refused before any host is touched.
 */
export const WORKDIR_MIN_FREE_BYTES = 32 * 1024 * 1024;

/** Bytes free for this user on the file system holding `dir` (the nearest existing ancestor). */
export function freeBytes(dir: string): number | undefined {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = statfsSync(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      if (dirname(d) === d) return undefined;
    }
  }
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * The workdir cannot be written (ENOSPC above all): a keyed failure naming the workdir, the free space and
 * what a run needs, so every shell says it in words and the run stops cleanly instead of crashing.
 */
export class WorkdirError extends Error {
  readonly key: string;
  readonly params: Record<string, string | number>;
  constructor(
    readonly workdir: string,
    readonly code: string,
  ) {
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    const params: Record<string, string | number> = full
      ? { path: workdir, free: mib(freeBytes(workdir)), need: mib(WORKDIR_MIN_FREE_BYTES) }
      : { path: workdir, reason: code };
    super(full ? `No space left in the workdir ${workdir} (${params.free} free, a run needs ${params.need})` : `Cannot write to the workdir ${workdir}: ${code}`);
    this.name = 'WorkdirError';
    this.key = full ? 'install.disk-full' : 'install.workdir-write';
    this.params = params;
  }
}

/** An fs error from writing under `workdir` as a WorkdirError (other values are returned as they are). */
export function asWorkdirError(e: unknown, workdir: string): unknown {
  if (e instanceof WorkdirError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? new WorkdirError(workdir, code) : e;
}

/** The workdir of a run folder `<workdir>/runs/<id>`. */
export function workdirOf(runDirPath: string): string {
  return dirname(dirname(runDirPath));
}

/** Journal files this process opened, and whether each is open now: a run of this process runs exactly while its journal is open. */
const openedHere = new Map<string, boolean>();

export class Journal {
  private fd: number;
  /** Bytes of whole records: a failed append is cut back to here, so no torn line sits before later ones. */
  private size: number;

  private constructor(readonly path: string) {
    this.fd = openSync(path, 'a+', 0o600);
    this.size = fstatSync(this.fd).size;
    this.dropTornTail();
    openedHere.set(path, true);
  }

  /**
   * Opens (or creates) the journal of a run folder. A WorkdirError when the workdir has less free space
   * than a run needs, or cannot be written: nothing has been touched yet, so the run can simply start later.
   */
  static open(dir: string): Journal {
    const workdir = workdirOf(dir);
    const free = freeBytes(workdir);
    if (free !== undefined && free < WORKDIR_MIN_FREE_BYTES) throw new WorkdirError(workdir, 'ENOSPC');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return new Journal(join(dir, JOURNAL_FILE));
    } catch (e) {
      throw asWorkdirError(e, workdir);
    }
  }

  /** A record cut short by a kill (or an older version on a full disk) ends without a newline: drop it. */
  private dropTornTail(): void {
    if (this.size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.size - 1);
    if (last[0] === 0x0a) return;
    const text = readFileSync(this.path);
    const keep = text.lastIndexOf(0x0a) + 1;
    ftruncateSync(this.fd, keep);
    this.size = keep;
  }

  /** Appends one record, fsync'd. On failure the file is cut back to its last whole record and a WorkdirError is thrown. */
  append(record: JournalRecord): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    try {
      let written = 0;
      while (written < line.length) written += writeSync(this.fd, line, written, line.length - written);
      fsyncSync(this.fd);
      this.size += line.length;
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // Truncating frees space, so it works on a full disk; if not, readJournal still skips a torn line.
      }
      throw asWorkdirError(e, workdirOf(dirname(this.path)));
    }
  }

  close(): void {
    openedHere.set(this.path, false);
    closeSync(this.fd);
  }
}

/**
 * Reads a journal; a torn line (the process died mid-write, or a disk filled under an older version) is
 * skipped, and the records after it still count.
 */
export function readJournal(path: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      continue;
    }
  }
  return out;
}

export interface JournalState {
  start: Extract<JournalRecord, { t: 'run-start' }>;
  /** Whole steps that finished (done or skipped as already done). */
  finishedSteps: Set<string>;
  /** `step\0host` of per-host parts that finished, for a step that did not finish as a whole. */
  finishedParts: Set<string>;
  outputs: Record<string, OutputValue>;
  status: RunSummary['status'];
  startedAt: string;
  finishedAt?: string;
  failedStep?: string;
  failedStepTitle?: Message;
  lastSeq: number;
  /** Steps that ran to done, in order, with how many times each started (for the "nothing repeated" check). */
  starts: Map<string, number>;
  pid: number;
  /** The journal file it was read from (how summarize tells a run of this very process). */
  file?: string;
}

export function partKey(step: string, host: string): string {
  return `${step}\0${host}`;
}

export function foldJournal(records: JournalRecord[]): JournalState {
  const first = records[0];
  if (!first || first.t !== 'run-start') throw new Error('The journal does not begin with a run-start record');
  const state: JournalState = {
    start: first,
    finishedSteps: new Set(),
    finishedParts: new Set(),
    outputs: {},
    status: 'interrupted',
    startedAt: first.at,
    lastSeq: 0,
    starts: new Map(),
    pid: first.pid,
  };
  for (const r of records.slice(1)) {
    switch (r.t) {
      case 'resume':
        state.status = 'interrupted';
        state.finishedAt = undefined;
        state.failedStep = undefined;
        state.failedStepTitle = undefined;
        state.pid = r.pid;
        break;
      case 'step-start':
        if (!r.host) state.starts.set(r.step, (state.starts.get(r.step) ?? 0) + 1);
        break;
      case 'step-end': {
        const ok = r.status === 'done' || r.status === 'skipped';
        if (r.host) {
          if (ok) state.finishedParts.add(partKey(r.step, r.host));
        } else if (ok) {
          state.finishedSteps.add(r.step);
          Object.assign(state.outputs, r.outputs ?? {});
        } else if (r.status === 'failed') {
          state.failedStep = r.step;
          state.failedStepTitle = r.title;
        }
        break;
      }
      case 'run-end':
        state.status = r.status;
        state.finishedAt = r.at;
        if (r.lastSeq) state.lastSeq = r.lastSeq;
        break;
      default:
        break;
    }
  }
  return state;
}

export function loadJournal(workdir: string, runId: string): JournalState {
  const path = join(runDir(workdir, runId), JOURNAL_FILE);
  if (!existsSync(path)) throw new Error(`No run ${runId} in ${workdir}`);
  return { ...foldJournal(readJournal(path)), file: path };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function summarize(runId: string, state: JournalState): RunSummary {
  // A run of this process is running while its journal is open: one that stopped without a run-end (the
  // disk filled) is interrupted, and resumable, though the process that ran it lives on (the desktop app).
  const here = state.pid === process.pid && state.file !== undefined ? openedHere.get(state.file) : undefined;
  const running = state.status === 'interrupted' && state.pid > 0 && (here ?? alive(state.pid));
  return {
    id: runId,
    mode: state.start.mode,
    planPath: state.start.planPath,
    status: running ? 'running' : state.status,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    failedStep: state.failedStep,
    ...(state.failedStepTitle ? { failedStepTitle: state.failedStepTitle } : {}),
  };
}

/** Every run under the workdir, newest first. A run without an end record is "interrupted". */
export function listRuns(workdir: string): RunSummary[] {
  const dir = runsDir(workdir);
  if (!existsSync(dir)) return [];
  const out: RunSummary[] = [];
  for (const id of readdirSync(dir)) {
    const path = join(dir, id, JOURNAL_FILE);
    if (!existsSync(path)) continue;
    try {
      out.push(summarize(id, { ...foldJournal(readJournal(path)), file: path }));
    } catch {
      // A journal that cannot be read is not a run we can show or resume.
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}
