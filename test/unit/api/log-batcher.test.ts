import { describe, expect, it } from 'vitest';
import { LogBatcher, type Clock } from '../../../core/api/log-batcher.js';
import type { ApiEvent } from '../../../core/api/types.js';

class FakeClock implements Clock {
  now = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.fn();
  }
}

const log = (runId: string, seq: number, line = `line ${seq}`) =>
  ({ type: 'log', runId, seq, stepId: 'kubespray', host: 'm1', stream: 'stdout', line }) as const;

describe('LogBatcher', () => {
  it('sends nothing before the interval, then one batch with every line in order', () => {
    const clock = new FakeClock();
    const out: ApiEvent[] = [];
    const b = new LogBatcher((e) => out.push(e), 50, 64 * 1024, clock);
    for (let i = 1; i <= 500; i++) b.push(log('r1', i));
    clock.advance(49);
    expect(out).toHaveLength(0);
    clock.advance(1);
    expect(out).toHaveLength(1);
    const batch = out[0] as Extract<ApiEvent, { type: 'log-batch' }>;
    expect(batch.runId).toBe('r1');
    expect(batch.lines.map((l) => l.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(batch.lines[0]).toEqual({ seq: 1, stepId: 'kubespray', host: 'm1', stream: 'stdout', line: 'line 1' });
  });

  it('sends at once when 64 KB have gathered, without waiting for the timer', () => {
    const clock = new FakeClock();
    const out: Array<Extract<ApiEvent, { type: 'log-batch' }>> = [];
    const b = new LogBatcher((e) => out.push(e), 50, 64 * 1024, clock);
    const big = 'x'.repeat(1000);
    for (let i = 1; i <= 200; i++) b.push(log('r1', i, big));
    expect(out.length).toBeGreaterThanOrEqual(2);
    for (const batch of out) expect(batch.lines.reduce((n, l) => n + l.line.length, 0)).toBeLessThanOrEqual(64 * 1024);
    clock.advance(50);
    const seqs = out.flatMap((o) => o.lines.map((l) => l.seq));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('keeps runs apart and flushes one run on demand', () => {
    const clock = new FakeClock();
    const out: Array<Extract<ApiEvent, { type: 'log-batch' }>> = [];
    const b = new LogBatcher((e) => out.push(e), 50, 64 * 1024, clock);
    b.push(log('a', 1));
    b.push(log('b', 1));
    b.push(log('a', 2));
    b.flush('a');
    expect(out).toEqual([expect.objectContaining({ runId: 'a', lines: [expect.objectContaining({ seq: 1 }), expect.objectContaining({ seq: 2 })] })]);
    clock.advance(50);
    expect(out.map((o) => o.runId)).toEqual(['a', 'b']);
    clock.advance(500);
    expect(out).toHaveLength(2);
  });
});
