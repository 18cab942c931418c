// The journal of a run: `<workdir>/runs/<id>/journal.jsonl`, append-only, one JSON record per line, each
// fsync'd before the runner goes on, so what it says happened did happen even if the installer is killed
// right after. Resume reads it back: the plan, the options, finished steps and the outputs they left.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
      failure?: { task?: string; host?: string; message: string };
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

export class Journal {
  private fd: number;

  private constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  static open(dir: string): Journal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new Journal(join(dir, JOURNAL_FILE));
  }

  append(record: JournalRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a journal; a torn last line (the process died mid-write) is ignored. */
export function readJournal(path: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      break;
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
  lastSeq: number;
  /** Steps that ran to done, in order, with how many times each started (for the "nothing repeated" check). */
  starts: Map<string, number>;
  pid: number;
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
  return foldJournal(readJournal(path));
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
  const running = state.status === 'interrupted' && state.pid > 0 && alive(state.pid);
  return {
    id: runId,
    mode: state.start.mode,
    planPath: state.start.planPath,
    status: running ? 'running' : state.status,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    failedStep: state.failedStep,
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
      out.push(summarize(id, foldJournal(readJournal(path))));
    } catch {
      // A journal that cannot be read is not a run we can show or resume.
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}
