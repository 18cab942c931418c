// Reads what `bosh deploy` prints (a director task's event log) into progress events. Pure: fed line by
// line, it remembers the task number and the stages seen, so a failure is told as "task N, stage S, item I"
// before the rest of the output. Formats (bosh-cli ui/task/reporter): a stage line without a duration
// starts an item, the same line with `(hh:mm:ss)` ends it; `L Error: …` under an item, `Task N | t | Error:
// …`, and `Expected task 'N' to succeed but state is 'error'` say it failed.

export type BoshEvent =
  | { kind: 'task'; task: number }
  | { kind: 'stage'; task: number; time: string; stage: string; item: string; done: boolean; duration?: string; failed?: boolean }
  | { kind: 'error'; task?: number; stage?: string; item?: string; message: string }
  | { kind: 'task-failed'; task: number; state: string }
  | { kind: 'succeeded' };

const TASK_START = /^Task (\d+)$/;
const STAGE = /^Task (\d+) \| (\d\d:\d\d:\d\d) \| ([^:]+): (.*?)(?: \((\d\d:\d\d:\d\d)\))?$/;
const TASK_ERROR = /^Task (\d+) \| (\d\d:\d\d:\d\d) \| Error: (.*)$/;
const SUB_ERROR = /^\s+L Error: (.*)$/;
const EXPECTED = /Expected task '(\d+)' to succeed but state is '([^']+)'/;

export interface BoshTaskState {
  task?: number;
  /** The last stage and item that started (the one a failure belongs to). */
  stage?: string;
  item?: string;
  /** Items started and finished, for a fraction. */
  started: number;
  finished: number;
  failed?: { task?: number; stage?: string; item?: string; message: string; state?: string };
  succeeded: boolean;
}

export function newBoshTaskState(): BoshTaskState {
  return { started: 0, finished: 0, succeeded: false };
}

/** One line of output → the events it means (usually zero or one), updating `state`. */
export function parseBoshLine(line: string, state: BoshTaskState): BoshEvent[] {
  const text = line.replace(/\r$/, '');
  let m = TASK_START.exec(text.trim());
  if (m) {
    state.task = Number(m[1]);
    return [{ kind: 'task', task: state.task }];
  }
  m = TASK_ERROR.exec(text);
  if (m) {
    state.task = Number(m[1]);
    const message = m[3]!;
    state.failed = { task: state.task, ...(state.stage ? { stage: state.stage } : {}), ...(state.item ? { item: state.item } : {}), message };
    return [{ kind: 'error', task: state.task, ...(state.stage ? { stage: state.stage } : {}), ...(state.item ? { item: state.item } : {}), message }];
  }
  m = STAGE.exec(text);
  if (m) {
    const task = Number(m[1]);
    state.task = task;
    const stage = m[3]!;
    const item = m[4]!;
    const duration = m[5];
    if (duration) state.finished++;
    else {
      state.started++;
      state.stage = stage;
      state.item = item;
    }
    return [{ kind: 'stage', task, time: m[2]!, stage, item, done: !!duration, ...(duration ? { duration } : {}) }];
  }
  m = SUB_ERROR.exec(text);
  if (m) {
    const message = m[1]!;
    if (!state.failed) state.failed = { ...(state.task !== undefined ? { task: state.task } : {}), ...(state.stage ? { stage: state.stage } : {}), ...(state.item ? { item: state.item } : {}), message };
    return [{ kind: 'error', ...(state.task !== undefined ? { task: state.task } : {}), ...(state.stage ? { stage: state.stage } : {}), ...(state.item ? { item: state.item } : {}), message }];
  }
  m = EXPECTED.exec(text);
  if (m) {
    const task = Number(m[1]);
    state.task = task;
    state.failed = { ...(state.failed ?? { message: text.trim() }), task, state: m[2]! };
    return [{ kind: 'task-failed', task, state: m[2]! }];
  }
  if (text.trim() === 'Succeeded') {
    state.succeeded = true;
    return [{ kind: 'succeeded' }];
  }
  return [];
}

export function parseBoshOutput(text: string): { state: BoshTaskState; events: BoshEvent[] } {
  const state = newBoshTaskState();
  const events = text.split('\n').flatMap((l) => parseBoshLine(l, state));
  return { state, events };
}

/** "Task 497, Updating instance mariadb: mariadb/ecb93167 (0) (canary): <message>" — what a failure shows first. */
export function describeBoshFailure(state: BoshTaskState): string | undefined {
  const f = state.failed;
  if (!f) return undefined;
  const where = [f.task !== undefined ? `Task ${f.task}` : undefined, f.stage && f.item ? `${f.stage}: ${f.item}` : f.stage].filter(Boolean).join(', ');
  return where ? `${where}: ${f.message}` : f.message;
}

/** The progress detail for a stage event: "Updating instance: haproxy/… (0) (canary)". */
export function stageDetail(e: Extract<BoshEvent, { kind: 'stage' }>): string {
  return `${e.stage}: ${e.item}`;
}
