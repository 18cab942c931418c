import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msg } from '../../../core/common/messages.js';
import { Secret } from '../../../core/common/secret.js';
import { loadJournal, listRuns, readJournal, runDir } from '../../../core/install/journal.js';
import { InstallRun, boundedAll, orderSteps } from '../../../core/install/runner.js';
import { StepError, type InstallMode, type Step } from '../../../core/install/step.js';
import type { RunEvent } from '../../../core/install/types.js';
import { FakeSessions, testPlan, testRelease } from './helpers.js';

const step = (id: string, needs: string[] = [], more: Partial<Step> = {}): Step => ({
  id,
  title: msg(`t.${id}`),
  hosts: ['master-1'],
  needs,
  run: async () => {},
  ...more,
});

function mode(steps: Step[]): InstallMode {
  return { name: 'test', title: msg('t'), steps: () => steps };
}

describe('orderSteps', () => {
  it('orders by needs, keeping declaration order among ready steps', () => {
    const order = orderSteps([step('c', ['b']), step('a'), step('b', ['a']), step('d')]).map((s) => s.id);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });
  it('rejects cycles, unknown needs and duplicate ids', () => {
    expect(() => orderSteps([step('a', ['b']), step('b', ['a'])])).toThrow(/cycle: a, b/);
    expect(() => orderSteps([step('a', ['zz'])])).toThrow(/unknown step zz/);
    expect(() => orderSteps([step('a'), step('a')])).toThrow(/Two steps/);
  });
});

describe('boundedAll', () => {
  it('never runs more than the bound at once and collects every error', async () => {
    let running = 0;
    let peak = 0;
    const errors = await boundedAll([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (n % 3 === 0) throw new Error(`bad ${n}`);
    });
    expect(peak).toBe(3);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['bad 3', 'bad 6']);
  });
});

describe('InstallRun', () => {
  let workdir: string;
  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), 'runner-'));
  });
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  const base = (steps: Step[], runId = 'run-1') => ({
    runId,
    workdir,
    mode: mode(steps),
    plan: testPlan(),
    release: testRelease(),
    options: { overrides: [] },
    secrets: { password: { default: Secret.of('pa55word') } },
    sessions: new FakeSessions(),
  });

  it('runs steps in order, fans per-host work out, journals and keeps outputs', async () => {
    const seen: string[] = [];
    const steps = [
      step('b', ['a'], { run: async (ctx) => void seen.push(`b:${ctx.outputs.require('x')}`) }),
      step('a', [], { run: async (ctx) => (seen.push('a'), ctx.outputs.set('x', 42)) }),
      step('per', ['b'], { hosts: ['worker-1', 'worker-2'], perHost: true, run: async (ctx) => void seen.push(`per:${ctx.host?.name}`) }),
    ];
    const run = new InstallRun(base(steps));
    const events: RunEvent[] = [];
    run.subscribe((e) => events.push(e));
    const result = await run.start();
    expect(result.status).toBe('succeeded');
    expect(seen.slice(0, 2)).toEqual(['a', 'b:42']);
    expect(seen.slice(2).sort()).toEqual(['per:worker-1', 'per:worker-2']);
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'succeeded' });
    const state = loadJournal(workdir, 'run-1');
    expect(state.status).toBe('succeeded');
    expect([...state.finishedSteps]).toEqual(['connect', 'a', 'b', 'per']);
    expect(state.outputs).toEqual({ x: 42 });
  });

  it('retries only steps marked safe, and never a permanent error', async () => {
    let flaky = 0;
    let unsafe = 0;
    const ok = await new InstallRun(
      base([
        step('flaky', [], {
          retry: { attempts: 3, delayMs: 1 },
          run: async () => {
            if (++flaky < 3) throw new Error('transient');
          },
        }),
      ]),
    ).start();
    expect(ok.status).toBe('succeeded');
    expect(flaky).toBe(3);

    const failed = await new InstallRun(
      base([step('unsafe', [], { run: async () => void (unsafe++, (() => { throw new Error('boom'); })()) })], 'run-2'),
    ).start();
    expect(failed).toMatchObject({ status: 'failed', failedStep: 'unsafe' });
    expect(unsafe).toBe(1);

    let permanent = 0;
    const p = await new InstallRun(
      base(
        [step('perm', [], { retry: { attempts: 5, delayMs: 1 }, run: async () => { permanent++; throw new StepError(msg('x'), undefined, true); } })],
        'run-3',
      ),
    ).start();
    expect(p.status).toBe('failed');
    expect(permanent).toBe(1);
  });

  it('resumes from the first unfinished step, repeating no finished step or host', async () => {
    const runs: string[] = [];
    let broken = true;
    const steps = () => [
      step('one', [], { run: async (ctx) => (runs.push('one'), ctx.outputs.set('k', 'v')) }),
      step('per', ['one'], {
        hosts: ['worker-1', 'worker-2'],
        perHost: true,
        run: async (ctx) => {
          runs.push(`per:${ctx.host?.name}`);
          if (broken && ctx.host?.name === 'worker-2') throw new Error('worker-2 broke');
        },
      }),
      step('three', ['per'], { run: async (ctx) => void runs.push(`three:${ctx.outputs.require('k')}`) }),
    ];
    const first = await new InstallRun(base(steps())).start();
    expect(first).toMatchObject({ status: 'failed', failedStep: 'per' });
    broken = false;
    runs.length = 0;
    const state = loadJournal(workdir, 'run-1');
    expect(state.status).toBe('failed');
    // A reopened wizard names the failed step by its title, as the run showed it.
    expect(listRuns(workdir).find((r) => r.id === 'run-1')).toMatchObject({ failedStep: 'per', failedStepTitle: { key: 't.per' } });
    const second = await new InstallRun({ ...base(steps()), resume: state }).start();
    expect(second.status).toBe('succeeded');
    expect(runs).toEqual(['per:worker-2', 'three:v']);
    expect(listRuns(workdir)[0]).toMatchObject({ id: 'run-1', status: 'succeeded', mode: 'test' });
  });

  it('skips a step whose isDone says so, and records it as skipped', async () => {
    let ran = false;
    const r = await new InstallRun(base([step('done', [], { isDone: async () => true, run: async () => void (ran = true) })])).start();
    expect(r.status).toBe('succeeded');
    expect(ran).toBe(false);
    const ends = readJournal(join(runDir(workdir, 'run-1'), 'journal.jsonl')).filter((x) => x.t === 'step-end');
    expect(ends).toMatchObject([{ step: 'connect', status: 'done' }, { step: 'done', status: 'skipped' }]);
  });

  it('cancels: the running step sees the signal and later steps do not run', async () => {
    let later = false;
    const run = new InstallRun(
      base([
        step('wait', [], {
          run: (ctx) =>
            new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
        }),
        step('later', ['wait'], { run: async () => void (later = true) }),
      ]),
    );
    const p = run.start();
    setTimeout(() => run.cancel(), 20);
    const r = await p;
    expect(r.status).toBe('cancelled');
    expect(later).toBe(false);
    expect(loadJournal(workdir, 'run-1').status).toBe('cancelled');
  });

  it('a journal without an end record is an interrupted run', async () => {
    const run = new InstallRun(base([step('a')]));
    await run.start();
    const path = join(runDir(workdir, 'run-1'), 'journal.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const { writeFileSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    writeFileSync(path, lines.slice(0, -1).join('\n') + '\n{"t":"step-st');
    // This process ran it and closed its journal: interrupted, though this process lives on (a desktop app
    // resumes a run its disk stopped, security #11).
    expect(listRuns(workdir)[0]?.status).toBe('interrupted');
    // Another process that still lives: running. Once that process is gone: interrupted.
    const { spawn } = await import('node:child_process');
    const other = spawn('sleep', ['30']);
    writeFileSync(path, readFileSync(path, 'utf8').replace(`"pid":${process.pid}`, `"pid":${other.pid}`));
    expect(listRuns(workdir)[0]?.status).toBe('running');
    other.kill();
    await new Promise((resolve) => other.once('exit', resolve));
    const deadPid = spawnSync('true').pid as number;
    writeFileSync(path, readFileSync(path, 'utf8').replace(`"pid":${other.pid}`, `"pid":${deadPid}`));
    expect(listRuns(workdir)[0]?.status).toBe('interrupted');
  });

  it('logs command output redacted, and a dry run records instead of connecting', async () => {
    const steps = [
      step('cmd', [], {
        run: async (ctx) => {
          await ctx.exec('master-1', 'echo hi', { dryRunResult: { stdout: 'canned' } });
          await ctx.upload('master-1', 'pw: pa55word\n', 'conf.yml', { mode: 0o600 });
          await ctx.writeLocal(join(ctx.runDir, 'x.txt'), 'local');
        },
      }),
    ];
    const sessions = new FakeSessions([[/echo hi/, { stdout: 'said pa55word' }]]);
    const real = new InstallRun({ ...base(steps), sessions });
    await real.start();
    expect(real.logs.tail().map((e) => e.line)).toContain('said ***');
    const log = readFileSync(join(runDir(workdir, 'run-1'), 'logs', 'cmd', 'master-1.log'), 'utf8');
    expect(log).toContain('said ***');
    expect(log).not.toContain('pa55word');

    const dry = await new InstallRun({ ...base(steps, 'dry'), sessions: undefined, dryRun: true }).start();
    const own = dry.dryRun?.filter((r) => r.step === 'cmd');
    expect(own?.map((r) => r.kind)).toEqual(['exec', 'upload', 'write']);
    expect(own?.[1]).toMatchObject({ kind: 'upload', content: 'pw: ***\n' });
    // The runner's gate comes first, in every mode: one connection per plan host, in the plan's order.
    expect(dry.dryRun?.filter((r) => r.step === 'connect').map((r) => (r.kind === 'exec' ? `${r.host}: ${r.command}` : r.kind))).toEqual(
      testPlan().hosts.map((h) => `${h.name}: true`),
    );
    expect(existsSync(runDir(workdir, 'dry'))).toBe(false);
  });
});
