import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../core/common/quote.js';
import { Secret } from '../../../core/common/secret.js';
import { SshPool } from '../../../core/ssh/pool.js';
import type { SshSession } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, liveProcesses, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH exec integration tests skipped: ${can.reason}`);

describe.skipIf(!can.ok)('exec, sudo, cancel and upload on real hosts', () => {
  let th: TestHosts;
  let plain: SshSession; // host 0: NOPASSWD sudo
  let pwSudo: SshSession; // host 1: sudo asks for the password

  beforeAll(async () => {
    th = await startTestHosts({ count: 3, hosts: [{ sudo: 'nopasswd' }, { sudo: 'password' }, { sudo: 'none' }] });
    plain = await connector(th).connect(target(th, 0, profiles.key));
    pwSudo = await connector(th).connect(target(th, 1, profiles.password));
  });
  afterAll(async () => {
    await plain?.close();
    await pwSudo?.close();
    await th?.stop();
  });

  it('streams stdout and stderr line by line while the command runs, then gives the exit code', async () => {
    const seen: Array<[string, number]> = [];
    const t0 = Date.now();
    const r = await plain.exec('for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; sleep 0.3; done; printf tail; exit 7', {
      onStdout: (l) => seen.push([l, Date.now() - t0]),
      onStderr: (l) => seen.push([`E:${l}`, Date.now() - t0]),
    });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('out 1\nout 2\nout 3\ntail');
    expect(r.stderr).toBe('err 1\nerr 2\nerr 3\n');
    expect(seen.map(([l]) => l).filter((l) => !l.startsWith('E:'))).toEqual(['out 1', 'out 2', 'out 3', 'tail']);
    const first = seen.find(([l]) => l === 'out 1')![1];
    const last = seen.find(([l]) => l === 'out 3')![1];
    expect(last - first).toBeGreaterThan(400); // lines arrive as printed, not all at the end
  });

  it('gives the exit status of every quick command, also when many finish at once', async () => {
    // Regression: ssh2 handles a whole TCP read synchronously, so a status that arrived together with the
    // channel's confirmation was lost when the listener was attached after an await.
    // Batches of 8 stay under sshd's MaxSessions (10 channels per connection).
    const codes: Array<number | null> = [];
    for (let batch = 0; batch < 15; batch++) {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => plain.exec(`exit ${(batch * 8 + i) % 5}`)));
      codes.push(...rs.map((r) => r.code));
    }
    expect(codes).toEqual(Array.from({ length: 120 }, (_, i) => i % 5));
  });

  it('carries a megabyte of output and stdin intact', async () => {
    const big = await plain.exec('head -c 1048576 /dev/zero | tr "\\0" x');
    expect(big.stdout.length).toBe(1048576);
    const input = randomBytes(200_000).toString('base64');
    const echoed = await plain.exec('cat', { stdin: input });
    expect(echoed.stdout).toBe(input);
  });

  it('runs as root through NOPASSWD sudo', async () => {
    expect((await plain.exec('id -u', { sudo: true })).stdout.trim()).toBe('0');
  });

  it('sudo with a password: works, stdin still reaches the command, the password never shows in ps', async () => {
    let psDuring = '';
    const running = pwSudo.exec('id -u; cat; sleep 1.5', {
      sudo: true,
      stdin: 'payload\n',
      onStdout: (l) => {
        if (l === 'payload') void th.exec(1, 'ps -eo args=').then((r) => (psDuring = r.stdout));
      },
    });
    const r = await running;
    expect(r.stdout).toBe('0\npayload\n');
    expect(psDuring).toContain('sleep 1.5');
    expect(psDuring).not.toContain(th.password);
  });

  it('a wrong sudo password ends with a sudo error naming the host, quickly', async () => {
    const c = connector(th, {
      secrets: { password: { pw: Secret.of(th.password) }, sudoPassword: { pw: Secret.of('not-it') } },
    });
    const s = await c.connect(target(th, 1, profiles.password));
    const t0 = Date.now();
    await expect(s.exec('id -u', { sudo: true })).rejects.toMatchObject({ kind: 'sudo', host: th.hosts[1]!.name });
    expect(Date.now() - t0).toBeLessThan(10_000);
    await s.close();
  });

  it('a user without sudo rights gets a sudo error naming the host', async () => {
    const s = await connector(th).connect(target(th, 2, profiles.password));
    const e = await s.exec('id -u', { sudo: true }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'sudo', host: th.hosts[2]!.name });
    await s.close();
  });

  it('a timeout ends the whole remote process group, children included', async () => {
    const tag = `sleep 1${Math.floor(Math.random() * 1e6)}`;
    const t0 = Date.now();
    // The second child ignores SIGTERM: only the KILL that follows ends it, and exec waits for that.
    const stubborn = `sh -c ${shq(`trap '' TERM; exec ${tag}`)}`;
    await expect(plain.exec(`${tag} & ${stubborn} & wait`, { timeoutMs: 1_000 })).rejects.toMatchObject({
      kind: 'timeout',
      host: th.hosts[0]!.name,
    });
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(await liveProcesses(th, 0, tag)).toEqual([]);
  });

  it('cancel ends a root process group started through password sudo', async () => {
    const tag = `sleep 2${Math.floor(Math.random() * 1e6)}`;
    const ac = new AbortController();
    const running = pwSudo.exec(`echo started; ${tag} & ${tag}`, {
      sudo: true,
      signal: ac.signal,
      onStdout: (l) => l === 'started' && setTimeout(() => ac.abort(), 300),
    });
    await expect(running).rejects.toMatchObject({ kind: 'cancelled', host: th.hosts[1]!.name });
    expect(await liveProcesses(th, 1, tag)).toEqual([]);
  });

  it('uploads with progress and a checksum from the host; sudo uploads into root-owned folders', async () => {
    const data = randomBytes(700_000);
    const progress: number[] = [];
    const r = await plain.upload(data, '/home/' + th.user + '/blob.bin', { onProgress: (sent) => progress.push(sent), mode: 0o640 });
    expect(progress.at(-1)).toBe(data.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const onHost = await th.exec(0, `sha256sum ${shq(`/home/${th.user}/blob.bin`)}; stat -c %a ${shq(`/home/${th.user}/blob.bin`)}`);
    expect(onHost.stdout.split(/\s+/)[0]).toBe(r.sha256);
    expect(onHost.stdout.trim().split('\n')[1]).toBe('640');

    const sudoUp = await pwSudo.upload('apiVersion: v1\n', '/etc/kubernetes/sub/dir/admin.conf', { sudo: true, mode: 0o600 });
    const owner = await th.exec(1, 'stat -c "%U %a" /etc/kubernetes/sub/dir/admin.conf; ls /tmp | grep -c cpi-upload || true');
    expect(owner.stdout.trim().split('\n')).toEqual(['root 600', '0']);
    expect((await pwSudo.download('/etc/kubernetes/sub/dir/admin.conf', { sudo: true })).toString()).toBe('apiVersion: v1\n');
    expect(sudoUp.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await plain.download(`/home/${th.user}/blob.bin`)).equals(data)).toBe(true);
  });

  it('the pool reuses one connection per host and holds the per-host bound', async () => {
    const pool = new SshPool(connector(th), { perHostLimit: 2, globalLimit: 8 });
    const t = target(th, 0, profiles.key);
    const stamp = `/tmp/cpi-pool-${process.pid}`;
    // Each command records how many of its kind run at the same moment on the host.
    const cmd = `echo start >> ${stamp}; grep -c start ${stamp} > /dev/null; sleep 0.4; echo end >> ${stamp}`;
    await th.exec(0, `rm -f ${stamp}`);
    const ppids = await Promise.all(Array.from({ length: 6 }, () => pool.exec(t, `${cmd}; echo $PPID`)));
    const sessions = new Set(ppids.map((r) => r.stdout.trim()));
    const log = (await th.exec(0, `cat ${stamp}; rm -f ${stamp}`)).stdout.trim().split('\n');
    let running = 0;
    let peak = 0;
    for (const l of log) {
      running += l === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    // sshd runs every channel of one connection under the same `sshd: user@notty` process: one connection.
    expect(sessions.size).toBe(1);
    await pool.closeAll();
  });
});
