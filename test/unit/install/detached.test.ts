// security #6, the installer side (core/install/detached.ts) against fake sessions: what it does with what
// the host reports: nothing there (start), the same work running (follow it, start nothing), other work
// running (stop, then start), the same work finished well (use it), a busy lock (refuse), cancel (stop).
import { describe, expect, it } from 'vitest';
import { msg } from '../../../core/common/messages.js';
import { runDetached, type DetachedResult } from '../../../core/install/detached.js';
import { InstallRun } from '../../../core/install/runner.js';
import type { Step } from '../../../core/install/step.js';
import { SshError } from '../../../core/ssh/types.js';
import { FakeSessions, testPlan, testRelease, type Answer } from './helpers.js';

async function runWith(answers: Array<[RegExp, Answer]>, opts: { whenRunning?: 'wait' | 'stop'; cancelAfterMs?: number } = {}) {
  const sessions = new FakeSessions(answers);
  let result: DetachedResult | undefined;
  const step: Step = {
    id: 'job',
    title: msg('step.kubespray'),
    hosts: ['master-1'],
    needs: [],
    async run(ctx) {
      result = await runDetached(ctx, {
        host: 'master-1',
        dir: '.cp-installer/c/run/kubespray',
        command: 'ansible-playbook cluster.yml',
        tag: 'hash1',
        stdinLine: 'pw',
        describe: 'ansible-playbook cluster.yml',
        timeoutMs: 60_000,
        ...(opts.whenRunning ? { whenRunning: opts.whenRunning } : {}),
        onStdout: () => undefined,
      });
    },
  };
  const run = new InstallRun({
    runId: 'd',
    workdir: '/nonexistent-workdir-detached',
    mode: { name: 'one', title: msg('step.kubespray'), steps: () => [step] },
    plan: testPlan(),
    release: testRelease(),
    options: { overrides: [] },
    secrets: {},
    sessions,
  });
  if (opts.cancelAfterMs) setTimeout(() => run.cancel(), opts.cancelAfterMs);
  const r = await run.start();
  // Only the commands about the detached run (the runner may run its own, e.g. a connection check).
  const ours = sessions.commands.filter((c) => c.command.includes('.cp-installer/c/run/kubespray'));
  sessions.commands.splice(0, sessions.commands.length, ...ours);
  const kinds = ours.map((c) =>
    c.command.includes('cpi-detached') ? 'start' : c.command.includes('tail -c +1') || c.command.includes('\ncat log') ? 'follow' : c.command.includes('kill -TERM') ? 'stop' : 'status',
  );
  return { r, result, kinds, sessions };
}

const isStatus = /echo "running \$pid/;
const isStart = /cpi-detached/;
const isStop = /kill -TERM/;

describe('security #6: a run never starts a second playbook beside one still running', () => {
  it('starts when nothing runs, hands the secret over on stdin, and follows to the exit code', async () => {
    const { r, result, kinds, sessions } = await runWith([
      [isStatus, { stdout: 'none\n' }],
      [isStart, { stdout: 'started 4242\n' }],
    ]);
    expect(r.status, JSON.stringify(r.failure)).toBe('succeeded');
    expect(result).toMatchObject({ code: 0, found: 'none' });
    expect(kinds).toEqual(['status', 'start', 'follow']);
    expect(sessions.commands[1]!.stdin).toBe('pw\n');
    expect(sessions.commands[2]!.command).toContain('--pid=4242');
  });

  it('follows one still running for the same work and starts nothing', async () => {
    const { result, kinds, sessions } = await runWith([[isStatus, { stdout: 'running 777 hash1\n' }]]);
    expect(result).toMatchObject({ found: 'followed-running' });
    expect(kinds).toEqual(['status', 'follow']);
    expect(sessions.commands[1]!.command).toContain('--pid=777');
  });

  it('stops one running for other work (or when told to stop), then starts', async () => {
    for (const [status, whenRunning] of [['running 777 other', undefined], ['running 777 hash1', 'stop']] as const) {
      const { result, kinds } = await runWith(
        [
          [isStatus, { stdout: `${status}\n` }],
          [isStart, { stdout: 'started 4243\n' }],
          [isStop, { stdout: 'stopped 777\n' }],
        ],
        whenRunning ? { whenRunning } : {},
      );
      expect(result).toMatchObject({ found: 'stopped-running' });
      expect(kinds).toEqual(['status', 'stop', 'start', 'follow']);
    }
  });

  it('uses a run of the same work that finished well while no installer watched; a failed one runs again', async () => {
    const done = await runWith([[isStatus, { stdout: 'finished 0 hash1\n' }]]);
    expect(done.result).toMatchObject({ found: 'followed-finished', code: 0 });
    expect(done.kinds).toEqual(['status', 'follow']);
    const failed = await runWith([
      [isStatus, { stdout: 'finished 2 hash1\n' }],
      [isStart, { stdout: 'started 5\n' }],
    ]);
    expect(failed.kinds).toEqual(['status', 'start', 'follow']);
  });

  it('refuses when another installer holds the lock', async () => {
    const { r, kinds } = await runWith([
      [isStatus, { stdout: 'none\n' }],
      [isStart, { stdout: 'busy 999\n' }],
    ]);
    expect(r.status).toBe('failed');
    expect(JSON.stringify(r.failure)).toContain('999');
    expect(kinds).toEqual(['status', 'start']);
  });

  it('a cancel while following stops the playbook', async () => {
    const { r, kinds } = await runWith(
      [
        [isStatus, { stdout: 'none\n' }],
        [isStart, { stdout: 'started 4242\n' }],
        [isStop, { stdout: 'stopped 4242\n' }],
        [
          /tail -c \+1/,
          (_c, o) =>
            new Promise((_resolve, reject) => {
              o.signal?.addEventListener('abort', () => reject(new SshError('cancelled', 'master-1', 'cancelled')));
            }),
        ],
      ],
      { cancelAfterMs: 200 },
    );
    expect(r.status).toBe('cancelled');
    expect(kinds).toEqual(['status', 'start', 'follow', 'stop']);
  });
});
