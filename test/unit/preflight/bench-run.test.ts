// bench/run.ts: which benches a filter picks, and which lines of a bench's output are its ratios.
import { describe, expect, it } from 'vitest';
import { discover, ratioLines } from '../../../bench/run.js';

describe('bench runner', () => {
  const files = ['run.ts', 'preflight.bench.ts', 'log-view.bench.ts', 'log-pipeline.bench.ts', 'notes.md'];

  it('discovers every *.bench.ts, sorted, or those matching a name', () => {
    expect(discover([], files)).toEqual(['log-pipeline.bench.ts', 'log-view.bench.ts', 'preflight.bench.ts']);
    expect(discover(['preflight'], files)).toEqual(['preflight.bench.ts']);
    expect(discover(['log', 'pre'], files)).toEqual(['log-pipeline.bench.ts', 'log-view.bench.ts', 'preflight.bench.ts']);
    expect(discover(['nothing'], files)).toEqual([]);
  });

  it('keeps the ratio lines of a bench output', () => {
    const out = 'hosts  preflight\n   10  1.2 s\nratio at 10 hosts: ansible / preflight = 15.4×\npeer 3.1× slower\n';
    expect(ratioLines(out)).toEqual(['ratio at 10 hosts: ansible / preflight = 15.4×', 'peer 3.1× slower']);
  });

  it('keeps a skipped bench and a missed target in the summary', () => {
    const out = 'edge-join bench skipped: test hosts need root (network namespaces, sshd)\nframes 600\n  target: frame gap p95 ≤ 16.7 ms: NOT met\n';
    expect(ratioLines(out)).toEqual(['edge-join bench skipped: test hosts need root (network namespaces, sshd)', '  target: frame gap p95 ≤ 16.7 ms: NOT met']);
  });
});

describe('bench measuring helpers', () => {
  it('takes medians and quantiles', async () => {
    const { median, quantile } = await import('../../../bench/lib/measure.js');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
  });

  it('alternates the order of the sides so each goes first equally often', async () => {
    const { turnOrder } = await import('../../../bench/lib/measure.js');
    expect(turnOrder(['a', 'b'], 0)).toEqual(['a', 'b']);
    expect(turnOrder(['a', 'b'], 1)).toEqual(['b', 'a']);
    const firsts = [0, 1, 2].map((r) => turnOrder(['p', 's', 'r'], r)[0]);
    expect(new Set(firsts).size).toBe(3);
  });
});
