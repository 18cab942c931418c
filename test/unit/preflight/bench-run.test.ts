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
});
