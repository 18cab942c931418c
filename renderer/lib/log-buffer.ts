// The bounded log buffer behind the live log view. Lines arrive in batches with sequence numbers; the
// buffer keeps the newest `capacity` lines, drops repeats, and reports a gap so the caller can fetch what a
// reconnect missed (run.logsSince). It lives outside React state: a flood of 100,000 lines must not copy
// arrays per batch.
import type { LogLine } from '../../core/api/types.js';

export interface LogFilter {
  host?: string;
  stepId?: string;
}

export interface AppendResult {
  added: LogLine[];
  /** Set when lines between `from` (exclusive) and the first new line are missing. */
  gap?: { from: number; to: number };
}

export class LogBuffer {
  private ring: (LogLine | undefined)[];
  private start = 0;
  private count = 0;
  private listeners = new Set<(added: LogLine[], reset: boolean) => void>();
  lastSeq = 0;
  readonly hosts = new Set<string>();
  readonly steps = new Set<string>();

  constructor(readonly capacity = 100_000) {
    this.ring = new Array<LogLine | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  append(lines: readonly LogLine[]): AppendResult {
    const added: LogLine[] = [];
    let gap: AppendResult['gap'];
    for (const l of lines) {
      if (l.seq <= this.lastSeq) continue;
      if (!gap && !added.length && l.seq > this.lastSeq + 1) gap = { from: this.lastSeq, to: l.seq };
      this.push(l);
      added.push(l);
      this.lastSeq = l.seq;
    }
    if (added.length) for (const fn of this.listeners) fn(added, false);
    return gap ? { added, gap } : { added };
  }

  /** Lines fetched for a gap may be older than what is held: merge them in seq order. */
  merge(lines: readonly LogLine[]): void {
    if (!lines.length) return;
    const all = new Map<number, LogLine>();
    for (const l of this.all()) all.set(l.seq, l);
    for (const l of lines) all.set(l.seq, l);
    const sorted = [...all.values()].sort((a, b) => a.seq - b.seq);
    this.clear(false);
    for (const l of sorted.slice(-this.capacity)) this.push(l);
    this.lastSeq = Math.max(this.lastSeq, sorted[sorted.length - 1]?.seq ?? 0);
    for (const fn of this.listeners) fn([], true);
  }

  clear(notify = true): void {
    this.ring = new Array<LogLine | undefined>(this.capacity);
    this.start = 0;
    this.count = 0;
    this.lastSeq = 0;
    this.hosts.clear();
    this.steps.clear();
    if (notify) for (const fn of this.listeners) fn([], true);
  }

  all(): LogLine[] {
    const out: LogLine[] = new Array<LogLine>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.start + i) % this.capacity]!;
    return out;
  }

  filtered(filter: LogFilter): LogLine[] {
    return this.all().filter((l) => matches(l, filter));
  }

  /** Called with the lines each append adds, or with reset=true when the whole buffer changed. */
  subscribe(fn: (added: LogLine[], reset: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private push(l: LogLine): void {
    if (l.host) this.hosts.add(l.host);
    this.steps.add(l.stepId);
    if (this.count < this.capacity) {
      this.ring[(this.start + this.count) % this.capacity] = l;
      this.count++;
    } else {
      this.ring[this.start] = l;
      this.start = (this.start + 1) % this.capacity;
    }
  }
}

export function matches(l: LogLine, f: LogFilter): boolean {
  return (!f.host || l.host === f.host) && (!f.stepId || l.stepId === f.stepId);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(\x07|\x1b\\)/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

const HAS_SGR = /\x1b\[[0-9;]*m/; // eslint-disable-line no-control-regex

/**
 * One line as the terminal shows it: host in cyan, stderr in red and info in dim yellow unless the tool
 * coloured the line itself. Cursor movement and other control sequences are removed: only colours stay.
 */
export function formatForTerminal(l: LogLine, showHost: boolean): string {
  // eslint-disable-next-line no-control-regex
  const body = l.line.replace(/\x1b\[[0-9;?]*[ -/]*[@-ln-~]|\x1b\][^\x07]*(\x07|\x1b\\)|[\r\x07\x08]/g, '');
  const prefix = showHost && l.host ? `\x1b[36m${l.host}\x1b[0m \x1b[90m|\x1b[0m ` : '';
  if (HAS_SGR.test(body)) return `${prefix}${body}\x1b[0m`;
  if (l.stream === 'stderr') return `${prefix}\x1b[31m${body}\x1b[0m`;
  if (l.stream === 'info') return `${prefix}\x1b[2;33m${body}\x1b[0m`;
  return prefix + body;
}

/** The plain text a download holds. */
export function toPlainText(lines: readonly LogLine[]): string {
  return lines.map((l) => `${l.host ? `[${l.host}] ` : ''}${l.stepId}: ${stripAnsi(l.line)}`).join('\n') + '\n';
}
