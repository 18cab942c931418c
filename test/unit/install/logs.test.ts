import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogHub, Ring, safeName, type LogEvent } from '../../../core/install/logs.js';
import { Redactor } from '../../../core/install/redact.js';

describe('Ring', () => {
  it('keeps the newest items in order and stays bounded', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 7; i++) r.push(i);
    expect(r.size).toBe(3);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.since((n) => n > 5)).toEqual([6, 7]);
    expect(r.since((n) => n > 0)).toEqual([5, 6, 7]);
    expect(r.since((n) => n > 9)).toEqual([]);
  });
});

describe('safeName', () => {
  it('never lets a name escape the logs folder', () => {
    expect(safeName('../etc/passwd')).toBe('.._etc_passwd');
    expect(safeName('..')).toBe('_');
    expect(safeName('master-1')).toBe('master-1');
  });
});

describe('LogHub', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('redacts, numbers, writes per step and host, batches events and answers logsSince', async () => {
    dir = mkdtempSync(join(tmpdir(), 'loghub-'));
    const hub = new LogHub({ runId: 'r1', logsDir: dir, redactor: new Redactor(['pw123']), ringSize: 4, batchMs: 10 });
    const batches: LogEvent[][] = [];
    hub.subscribe((b) => batches.push(b));
    for (let i = 1; i <= 6; i++) hub.write('kubespray', 'master-1', 'stdout', `line ${i} pw123`);
    hub.write('connect', undefined, 'info', 'hello');
    expect(batches).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(batches[0]?.[0]?.line).toBe('line 1 ***');
    expect(hub.logsSince(5).map((e) => e.seq)).toEqual([6, 7]);
    expect(hub.tail()).toHaveLength(4);
    hub.close();
    const file = readFileSync(LogHub.pathFor(dir, 'kubespray', 'master-1'), 'utf8');
    expect(file.split('\n').filter(Boolean)).toHaveLength(6);
    expect(file).not.toContain('pw123');
    expect(readFileSync(LogHub.pathFor(dir, 'connect'), 'utf8')).toBe('[info] hello\n');
  });

  it('emits early when a batch reaches its byte bound', () => {
    const hub = new LogHub({ runId: 'r1', redactor: new Redactor(), batchBytes: 100, batchMs: 10_000 });
    const batches: LogEvent[][] = [];
    hub.subscribe((b) => batches.push(b));
    for (let i = 0; i < 10; i++) hub.write('s', undefined, 'stdout', 'x'.repeat(30));
    expect(batches.length).toBe(2);
    hub.close();
    expect(batches.flat()).toHaveLength(10);
  });
});
