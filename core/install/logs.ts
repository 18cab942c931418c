// The log pipeline of a run: each line is redacted once, numbered, appended to its step/host file on disk
// (complete), kept in a bounded ring in memory (for a window that opens late), and handed to subscribers
// in batches (every 50 ms or 64 KB) so a chatty Ansible run does not flood the UI with one event per line.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asWorkdirError, workdirOf } from './journal.js';
import type { RunEvent } from './types.js';
import type { Redactor } from './redact.js';
import type { LogStream } from './step.js';

export type LogEvent = Extract<RunEvent, { type: 'log' }>;

/** A fixed-size ring: the newest `capacity` items, oldest first on read. Memory stays flat. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('Ring capacity must be at least 1');
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    const i = (this.start + this.count) % this.capacity;
    this.items[i] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get size(): number {
    return this.count;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let k = 0; k < this.count; k++) out.push(this.items[(this.start + k) % this.capacity] as T);
    return out;
  }

  /** Items from the first one `pred` accepts (scanning from the newest back; the ring is ordered). */
  since(pred: (item: T) => boolean): T[] {
    let k = this.count;
    while (k > 0 && pred(this.items[(this.start + k - 1) % this.capacity] as T)) k--;
    const out: T[] = [];
    for (; k < this.count; k++) out.push(this.items[(this.start + k) % this.capacity] as T);
    return out;
  }
}

/** File names from step ids and host names: nothing that escapes the logs folder. */
export function safeName(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return clean === '' || clean === '.' || clean === '..' ? '_' : clean;
}

/**
 * An append-only file with a write buffer: one syscall per 64 KB, not per line. A write that fails (a full
 * disk) never throws out of a timer: it is handed to `onError` once, and the file takes no more lines (they
 * stay in the ring; the runner stops the run and names the workdir).
 */
class FileSink {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;

  constructor(
    path: string,
    private readonly onError: (e: unknown) => void,
  ) {
    try {
      this.fd = openSync(path, 'a', 0o600);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.fd = undefined;
    this.buffer = [];
    this.bytes = 0;
    this.onError(e);
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    this.buffer.push(text);
    this.bytes += text.length;
    if (this.bytes >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const data = this.buffer.join('');
    this.buffer = [];
    this.bytes = 0;
    try {
      writeSync(this.fd, data);
    } catch (e) {
      const fd = this.fd;
      this.fail(e);
      try {
        closeSync(fd);
      } catch {
        // Already failing: the first error is the one reported.
      }
    }
  }

  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch (e) {
      this.onError(e);
    }
    this.fd = undefined;
  }
}

export interface LogHubOptions {
  runId: string;
  /** `<runDir>/logs`; no disk sink when absent (a dry run). */
  logsDir?: string;
  redactor: Redactor;
  /** Lines kept in memory (default 20,000). */
  ringSize?: number;
  batchMs?: number;
  batchBytes?: number;
  /** First sequence number (a resumed run goes on from the journal's last). */
  firstSeq?: number;
}

export class LogHub {
  private seq: number;
  private readonly ring: Ring<LogEvent>;
  private readonly sinks = new Map<string, FileSink>();
  private readonly listeners = new Set<(batch: LogEvent[]) => void>();
  private batch: LogEvent[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly maxBatchBytes: number;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The first failure to write a log file (ENOSPC…), as a WorkdirError; the runner stops the run on it. */
  diskError: unknown;

  constructor(private readonly options: LogHubOptions) {
    this.seq = options.firstSeq ?? 0;
    this.ring = new Ring(options.ringSize ?? 20_000);
    this.batchMs = options.batchMs ?? 50;
    this.maxBatchBytes = options.batchBytes ?? 64 * 1024;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Listeners get batches of log events in order. */
  subscribe(listener: (batch: LogEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(stepId: string, host: string | undefined, stream: LogStream, raw: string): LogEvent {
    const line = this.options.redactor.redact(raw);
    const event: LogEvent = { type: 'log', runId: this.options.runId, seq: ++this.seq, stepId, host, stream, line };
    this.ring.push(event);
    if (this.options.logsDir) {
      this.sink(stepId, host).write(stream === 'stdout' ? `${line}\n` : `[${stream}] ${line}\n`);
      // Files are flushed at least every second so a crash loses little and `tail -f` works.
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        for (const s of this.sinks.values()) s.flush();
      }, 1000);
    }
    if (this.listeners.size > 0) {
      this.batch.push(event);
      this.batchBytes += line.length;
      if (this.batchBytes >= this.maxBatchBytes) this.emit();
      else this.timer ??= setTimeout(() => this.emit(), this.batchMs);
    }
    return event;
  }

  /** What a reopened window missed: every line after `seq` still in the ring. */
  logsSince(seq: number): LogEvent[] {
    return this.ring.since((e) => e.seq > seq);
  }

  tail(): LogEvent[] {
    return this.ring.toArray();
  }

  /** Log file of a step (and host); `_run` for lines of no host. */
  static pathFor(logsDir: string, stepId: string, host?: string): string {
    return join(logsDir, safeName(stepId), `${safeName(host ?? '_run')}.log`);
  }

  private sink(stepId: string, host?: string): FileSink {
    const key = `${stepId}\0${host ?? ''}`;
    let s = this.sinks.get(key);
    if (!s) {
      const logsDir = this.options.logsDir as string;
      const onError = (e: unknown) => {
        this.diskError ??= asWorkdirError(e, workdirOf(dirname(logsDir)));
      };
      try {
        mkdirSync(join(logsDir, safeName(stepId)), { recursive: true, mode: 0o700 });
      } catch (e) {
        onError(e);
      }
      s = new FileSink(LogHub.pathFor(logsDir, stepId, host), onError);
      this.sinks.set(key, s);
    }
    return s;
  }

  private emit(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    for (const l of this.listeners) l(batch);
  }

  flush(): void {
    this.emit();
    for (const s of this.sinks.values()) s.flush();
  }

  close(): void {
    this.emit();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const s of this.sinks.values()) s.close();
    this.sinks.clear();
  }
}
