// security #6, the host side: a detached command has a lock, a pid and a log on the host; it outlives the
// SSH session that started it, a second start is refused while it runs, it can be followed to its exit
// code and stopped as a whole process group; a secret for its stdin reaches it and no file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detachedFollowScript,
  detachedStartScript,
  detachedStatusScript,
  detachedStopScript,
  parseDetachedStart,
  parseDetachedStatus,
} from '../../../core/ssh/detached.js';
import type { SshSession } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, liveProcesses, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`detached command integration tests skipped: ${can.reason}`);

describe('detached command scripts (pure)', () => {
  it('reads the status and start answers', () => {
    expect(parseDetachedStatus('none\n')).toEqual({ state: 'none' });
    expect(parseDetachedStatus('running 123 abc\n')).toEqual({ state: 'running', pid: 123, tag: 'abc' });
    expect(parseDetachedStatus('finished 2 -\n')).toEqual({ state: 'finished', code: 2 });
    expect(parseDetachedStatus('lost - t1')).toEqual({ state: 'lost', tag: 't1' });
    expect(parseDetachedStatus('garbage')).toEqual({ state: 'none' });
    expect(parseDetachedStart('started 42')).toEqual({ started: 42 });
    expect(parseDetachedStart('busy 42')).toEqual({ busy: 42 });
    expect(parseDetachedStart('busy -')).toEqual({ busy: undefined });
    expect(parseDetachedStart('')).toBeUndefined();
  });

  it('refuses a tag that is not a plain word and a pid that is not a process', () => {
    expect(() => detachedStartScript('d', 'true', 'a b', false)).toThrow();
    expect(() => detachedStartScript('d', 'true', "x'$(id)", false)).toThrow();
    expect(() => detachedFollowScript('d', 1)).toThrow();
  });
});

describe.skipIf(!can.ok)('security #6: detached commands on a real host', () => {
  let th: TestHosts;
  let s: SshSession;
  const dir = '.cp-installer/it/run/job';

  beforeAll(async () => {
    th = await startTestHosts({ count: 1 });
    s = await connector(th).connect(target(th, 0, profiles.key));
  });
  afterAll(async () => {
    await s?.close();
    await th?.stop();
  });

  /** Live processes whose whole command line is `args` (not a shell that mentions it). */
  const exactly = async (args: string) => (await liveProcesses(th, 0, args)).filter((l) => l.trim().replace(/^\S+\s+/, '') === args);
  const status = async () => parseDetachedStatus((await s.exec(detachedStatusScript(dir))).stdout);

  it('security #6: outlives its session, refuses a second start, is followed to its exit code', async () => {
    expect(await status()).toEqual({ state: 'none' });
    const first = await s.exec(detachedStartScript(dir, 'echo begin; sleep 3; echo "in $(pwd)"; exit 3', 'tag1', false));
    const started = parseDetachedStart(first.stdout);
    expect(started, first.stdout + first.stderr).toMatchObject({ started: expect.any(Number) });
    const pid = (started as { started: number }).started;
    // A new session: it survives the connection that started it.
    await s.close();
    s = await connector(th).connect(target(th, 0, profiles.key));
    expect(await status()).toEqual({ state: 'running', pid, tag: 'tag1' });
    expect(parseDetachedStart((await s.exec(detachedStartScript(dir, 'sleep 100', 'tag2', false))).stdout)).toEqual({ busy: pid });
    const lines: string[] = [];
    const r = await s.exec(detachedFollowScript(dir, pid), { onStdout: (l) => lines.push(l) });
    expect(r.code).toBe(3);
    expect(lines[0]).toBe('begin');
    // It ran from the login directory, as a command the installer runs directly would.
    const home = (await s.exec('pwd -P')).stdout.trim();
    expect(lines).toContain(`in ${home}`);
    expect(await status()).toEqual({ state: 'finished', code: 3, tag: 'tag1' });
  }, 60_000);

  it('security #6: stop ends the whole process group and frees the lock; the stdin secret reaches it and no file', async () => {
    const secret = 'pw-' + Math.random().toString(36).slice(2);
    const start = await s.exec(detachedStartScript(dir, 'read -r x; [ "$x" = "$EXPECT" ] && echo got-it; sh -c "sleep 1003" & sleep 1004', 'tag3', true).replace('$EXPECT', secret), {
      stdin: `${secret}\n`,
    });
    const pid = (parseDetachedStart(start.stdout) as { started: number }).started;
    expect(pid, start.stdout + start.stderr).toBeGreaterThan(1);
    for (let i = 0; i < 20 && (await exactly('sleep 1003')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await exactly('sleep 1003')).toHaveLength(1);
    expect(await exactly('sleep 1004')).toHaveLength(1);
    const files = await s.exec(`grep -rl ${secret} ${dir} 2>/dev/null || true`);
    expect(files.stdout.trim()).toBe('');
    expect((await s.exec(detachedStopScript(dir))).stdout.trim()).toBe(`stopped ${pid}`);
    expect(await liveProcesses(th, 0, 'sleep 1003')).toEqual([]);
    expect(await liveProcesses(th, 0, 'sleep 1004')).toEqual([]);
    const st = await status();
    expect(st).toEqual({ state: 'finished', code: 143, tag: 'tag3' });
    const log = await s.exec(`cat ${dir}/log`);
    expect(log.stdout).toContain('got-it');
    // The lock is free again.
    const again = await s.exec(detachedStartScript(dir, 'true', 'tag4', false));
    expect(parseDetachedStart(again.stdout), again.stdout + again.stderr).toMatchObject({ started: expect.any(Number) });
  }, 60_000);
});
