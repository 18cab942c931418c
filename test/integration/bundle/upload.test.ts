// The bundle's upload to the deployer on a real OpenSSH test host: a connection cut half-way (the host's
// sshd process for that session killed) is resumed at the byte with only the rest sent; a corrupted byte in
// the part already on the host is caught by the prefix hash and the upload starts over; the CLI command
// uploads to the plan's deployer and refuses a plan with errors before connecting.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { uploadCommand } from '../../../cli/commands/bundle.js';
import { openSshPipe, opensshBinary, type OpenSshRoute } from '../../../core/ssh/openssh-pipe.js';
import { resumableUpload, type ResumableEvent, type SftpSession } from '../../../core/ssh/resumable-upload.js';
import type { SshSession } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { ed25519HostKey } from '../../hosts/host-key.js';
import { connector, liveProcesses, profiles, target } from '../ssh/fixture.js';
import { writeRandomFile } from '../../support/random-file.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`bundle upload integration tests skipped: ${can.reason}`);

const SIZE = 64 * 1024 * 1024;

describe.skipIf(!can.ok)('bundle upload to the deployer, resumable at the byte', () => {
  let th: TestHosts;
  let dir: string;
  let file: string;
  let sum: string;
  const home = () => join(th.hosts[0]!.dir, 'home');
  const remoteHome = () => `/home/${th.user}`;

  beforeAll(async () => {
    th = await startTestHosts({ count: 1 });
    dir = mkdtempSync(join(tmpdir(), 'cp-bundle-upload-'));
    file = join(dir, 'bundle.tar');
    sum = writeRandomFile(file, SIZE);
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (): Promise<SshSession & SftpSession> => (await connector(th).connect(target(th, 0, profiles.key))) as unknown as SshSession & SftpSession;
  const hostSha = async (path: string) => (await th.exec(0, `sha256sum ${path}`)).stdout.split(' ')[0];

  it('a connection cut half-way resumes at the byte: the rerun sends only the rest, and the host\'s sha256 matches', async () => {
    // SFTP over the installer's own connection carries the bytes here (OpenSSH's cut: the test after this).
    process.env.CP_INSTALLER_OPENSSH = '0';
    onTestFinished(() => {
      delete process.env.CP_INSTALLER_OPENSSH;
    });
    const dest = `${remoteHome()}/bundles/cut.tar`;
    const first = await connect();
    // The sshd process that serves this connection: the nearest sshd ancestor of a command it runs.
    const who = await first.exec('p=$$; while [ "$p" -gt 1 ]; do c=$(cat /proc/$p/comm); case "$c" in sshd*) echo "$p"; exit 0;; esac; p=$(ps -o ppid= -p "$p" | tr -d " "); done; exit 1');
    const sshdPid = Number(who.stdout.trim());
    expect(who.code, who.stderr).toBe(0);
    expect(sshdPid).toBeGreaterThan(1);

    let killedAt = -1;
    const firstEvents: ResumableEvent[] = [];
    const cut = resumableUpload(first, file, dest, {
      progressEveryMs: 0,
      onEvent: (e) => {
        firstEvents.push(e);
        // Synchronously, from this process (the hosts share our pid namespace): nothing more is written
        // after the kill than what was already on its way.
        if (e.type === 'progress' && killedAt < 0 && e.done >= SIZE / 2) {
          killedAt = e.done;
          process.kill(sshdPid, 'SIGKILL');
        }
      },
    });
    const err = await cut.then(() => undefined, (x: unknown) => x as Error);
    expect(killedAt).toBeGreaterThan(0);
    expect(err, 'the upload must fail when its connection is cut').toBeInstanceOf(Error);
    expect(err!.message).toMatch(/connection lost|closed|No response/i);
    await first.close();
    // The hasher that followed the part ends with the session's sshd: nothing is left running on the host.
    let left = await liveProcesses(th, 0, 'tail -c +1');
    for (let i = 0; i < 30 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await liveProcesses(th, 0, 'tail -c +1');
    }
    expect(left).toEqual([]);

    const partOnHost = Number((await th.exec(0, `stat -c %s ${dest}.part`)).stdout.trim());
    expect(partOnHost).toBeGreaterThanOrEqual(killedAt);
    expect(partOnHost).toBeLessThan(SIZE);
    expect(existsSync(join(home(), 'bundles', 'cut.tar'))).toBe(false);

    const second = await connect();
    const events: ResumableEvent[] = [];
    try {
      const r = await resumableUpload(second, file, dest, { onEvent: (e) => events.push(e) });
      expect(events.find((e) => e.type === 'resume')).toEqual({ type: 'resume', from: partOnHost, total: SIZE });
      expect(events.some((e) => e.type === 'restart')).toBe(false);
      expect(r.resumedFrom).toBe(partOnHost);
      // Only the rest crossed the wire: bytes acknowledged by the host this run, counted by the progress too.
      expect(r.sent).toBe(SIZE - partOnHost);
      const last = events.filter((e) => e.type === 'progress').pop() as Extract<ResumableEvent, { type: 'progress' }>;
      expect(last).toMatchObject({ done: SIZE, total: SIZE, sent: SIZE - partOnHost });
      expect(last.rate).toBeGreaterThan(0);
      expect(r.sha256).toBe(sum);
      expect(await hostSha(dest)).toBe(sum);
      expect(existsSync(join(home(), 'bundles', 'cut.tar.part'))).toBe(false);
      expect(await liveProcesses(th, 0, 'tail -c +1')).toEqual([]);
    } finally {
      await second.close();
    }
  }, 90_000);

  const readProc = (path: string) => {
    try {
      return readFileSync(path, 'latin1');
    } catch {
      return '';
    }
  };
  /** The temp folders the OpenSSH carrier makes (its pinned known_hosts and agent socket); none may stay. */
  const sshDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('cpi-ssh-'));

  it('OpenSSH carries the bytes: a cut of its connection half-way resumes at the byte; the host hashes a new part as it arrives', async () => {
    if (!opensshBinary()) return console.log('skipped: no ssh (openssh-client) on this machine');
    const dest = `${remoteHome()}/bundles/cut-openssh.tar`;
    const dirsBefore = sshDirs();
    const first = await connect();
    let killedAt = -1;
    const firstEvents: ResumableEvent[] = [];
    // Watched from here (the hosts share this pid namespace and the part is a file of this machine): once
    // 8 MiB are there, the sshd serving OpenSSH's session (the nearest sshd above the process writing the
    // part: python3's writer-hasher, or `tee` on a host without python3) is killed at once.
    const partHere = join(home(), 'bundles', 'cut-openssh.tar.part');
    const watch = setInterval(() => {
      if (killedAt >= 0 || !existsSync(partHere) || statSync(partHere).size < 8 * 1024 * 1024) return;
      const tee = readdirSync('/proc').find((p) => /^\d+$/.test(p) && /^(tee|python3)\0.*cut-openssh\.tar\.part/s.test(readProc(`/proc/${p}/cmdline`)));
      for (let p = tee; p && p !== '1'; p = readProc(`/proc/${p}/stat`).replace(/^.*\) \S+ (\d+).*$/s, '$1')) {
        if (readProc(`/proc/${p}/comm`).startsWith('sshd')) {
          killedAt = statSync(partHere).size;
          process.kill(Number(p), 'SIGKILL');
          break;
        }
      }
    }, 2);
    const cut = resumableUpload(first, file, dest, { progressEveryMs: 0, onEvent: (e) => firstEvents.push(e) });
    const err = await cut.then(() => undefined, (x: unknown) => x as Error);
    clearInterval(watch);
    expect(firstEvents).toContainEqual({ type: 'carrier', carrier: 'openssh' });
    expect(killedAt).toBeGreaterThan(0);
    expect(err, 'the upload must fail when its connection is cut').toBeInstanceOf(Error);
    expect(err!.message).toMatch(/connection lost/i);
    expect(err!.message).toContain('run it again to resume');
    await first.close();
    const partOnHost = Number((await th.exec(0, `stat -c %s ${dest}.part`)).stdout.trim());
    expect(partOnHost).toBeGreaterThanOrEqual(killedAt);
    expect(partOnHost).toBeLessThan(SIZE);
    expect(existsSync(join(home(), 'bundles', 'cut-openssh.tar'))).toBe(false);

    const second = await connect();
    const events: ResumableEvent[] = [];
    try {
      const r = await resumableUpload(second, file, dest, { onEvent: (e) => events.push(e) });
      expect(events.find((e) => e.type === 'resume')).toEqual({ type: 'resume', from: partOnHost, total: SIZE });
      expect(r).toMatchObject({ resumedFrom: partOnHost, sent: SIZE - partOnHost, carrier: 'openssh', sha256: sum });
      const last = events.filter((e) => e.type === 'progress').pop() as Extract<ResumableEvent, { type: 'progress' }>;
      expect(last).toMatchObject({ done: SIZE, total: SIZE, sent: SIZE - partOnHost });
      expect(await hostSha(dest)).toBe(sum);
      expect(existsSync(join(home(), 'bundles', 'cut-openssh.tar.part'))).toBe(false);
      expect(await liveProcesses(th, 0, 'tail -c +1')).toEqual([]);
    } finally {
      await second.close();
    }
    expect(sshDirs()).toEqual(dirsBefore);
  }, 90_000);

  it('OpenSSH with a passphrase key: the key is served from this process, its path and passphrase are on no command line', async () => {
    if (!opensshBinary()) return console.log('skipped: no ssh (openssh-client) on this machine');
    const s = (await connector(th).connect(target(th, 0, profiles.keyPass))) as unknown as SshSession & SftpSession & { openssh(): ReturnType<typeof openSshPipe> };
    const argvs: string[][] = [];
    const watched = Object.assign(Object.create(s) as typeof s, {
      openssh: async () => {
        const pipe = await s.openssh();
        return pipe && { ...pipe, argv: (c: string) => (argvs.push(pipe.argv(c)), pipe.argv(c)) };
      },
    });
    try {
      const small = join(dir, 'keypass.tar');
      writeFileSync(small, randomBytes(5 * 1024 * 1024 + 3));
      const r = await resumableUpload(watched, small, `${remoteHome()}/bundles/keypass.tar`);
      expect(r.carrier).toBe('openssh');
      expect(r.sha256).toBe(createHash('sha256').update(readFileSync(small)).digest('hex'));
      expect(await hostSha(`${remoteHome()}/bundles/keypass.tar`)).toBe(r.sha256);
      expect(argvs).toHaveLength(1);
      const line = argvs[0]!.join(' ');
      expect(line).not.toContain(th.keyPassphrase);
      expect(line).not.toContain(th.keyPassphrasePath);
      expect(line).not.toContain(th.keyPath);
      expect(line).toContain('IdentityFile=none');
      expect(line).toContain('StrictHostKeyChecking=yes');
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a host key other than the one the installer checked is refused by OpenSSH, and nothing is sent another way', async () => {
    if (!opensshBinary()) return console.log('skipped: no ssh (openssh-client) on this machine');
    const s = (await connect()) as SshSession & SftpSession & { options: { openssh: OpenSshRoute } };
    const forged = { ...s.options.openssh, hostKey: ed25519HostKey('someone-else').blob };
    const tampered = Object.assign(Object.create(s) as typeof s, { openssh: () => openSshPipe(s.target, forged) });
    try {
      const events: ResumableEvent[] = [];
      const err = await resumableUpload(tampered, file, `${remoteHome()}/bundles/forged.tar`, { onEvent: (e) => events.push(e) }).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(err?.message).toMatch(/another host key than the installer checked/);
      expect(events.filter((e) => e.type === 'carrier')).toEqual([{ type: 'carrier', carrier: 'openssh' }]);
      expect(Number((await th.exec(0, `stat -c %s ${remoteHome()}/bundles/forged.tar.part`)).stdout.trim())).toBe(0);
      expect(existsSync(join(home(), 'bundles', 'forged.tar'))).toBe(false);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a password login keeps SFTP as the carrier (OpenSSH would need the password)', async () => {
    const s = (await connector(th).connect(target(th, 0, profiles.password))) as unknown as SshSession & SftpSession;
    try {
      const small = join(dir, 'pw.tar');
      writeFileSync(small, randomBytes(2 * 1024 * 1024 + 5));
      const events: ResumableEvent[] = [];
      const r = await resumableUpload(s, small, `${remoteHome()}/bundles/pw.tar`, { onEvent: (e) => events.push(e) });
      expect(r.carrier).toBe('sftp');
      expect(events).toContainEqual({ type: 'carrier', carrier: 'sftp' });
      expect(await hostSha(`${remoteHome()}/bundles/pw.tar`)).toBe(r.sha256);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('a corrupted byte in the part on the host is caught by the prefix hash: it says so and starts over', async () => {
    const dest = `${remoteHome()}/bundles/bad.tar`;
    const prefix = Buffer.from(readFileSync(file).subarray(0, 8 * 1024 * 1024));
    prefix[123_456] = prefix[123_456]! ^ 0xff;
    mkdirSync(join(home(), 'bundles'), { recursive: true });
    writeFileSync(join(home(), 'bundles', 'bad.tar.part'), prefix);
    await th.exec(0, `chown -R ${th.user}: ${remoteHome()}/bundles`);

    const s = await connect();
    const events: ResumableEvent[] = [];
    try {
      const r = await resumableUpload(s, file, dest, { onEvent: (e) => events.push(e) });
      const restart = events.find((e) => e.type === 'restart') as Extract<ResumableEvent, { type: 'restart' }>;
      expect(restart).toBeDefined();
      expect(restart.reason).toBe('prefix-mismatch');
      expect(restart.partSize).toBe(prefix.length);
      expect(restart.message).toContain(`${dest}.part`);
      expect(restart.message).toContain('differ');
      expect(restart.message).toContain(restart.localSha256!);
      expect(events.some((e) => e.type === 'resume')).toBe(false);
      expect(r).toMatchObject({ resumedFrom: 0, sent: SIZE, restarted: true, sha256: sum });
      expect(await hostSha(dest)).toBe(sum);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('`bundle upload FILE --plan P --to DIR` puts it on the plan\'s deployer, checked there; a plan with errors connects nowhere', async () => {
    const small = join(dir, 'small.tar');
    writeFileSync(small, randomBytes(3 * 1024 * 1024 + 17));
    const plan = (address: string) => ({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [{ name: 'deployer', address, roles: ['control-plane', 'worker', 'deployer', 'nfs'] }],
      network: { metallbRange: `${th.bridgeAddress.replace(/\.\d+$/, '.150')}-${th.bridgeAddress.replace(/\.\d+$/, '.160')}`, ingressIp: th.bridgeAddress.replace(/\.\d+$/, '.161') },
    });
    const good = join(dir, 'plan.json');
    writeFileSync(good, JSON.stringify(plan(th.hosts[0]!.address)));
    const bad = join(dir, 'bad-plan.json');
    // An address validation refuses (octal-looking): nothing may connect.
    writeFileSync(bad, JSON.stringify(plan(th.hosts[0]!.address.replace(/\.(\d+)$/, '.0$1'))));

    const out: string[] = [];
    const err: string[] = [];
    const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
    let okCode: number;
    let badCode: number;
    try {
      badCode = await uploadCommand(small, { plan: bad, to: 'cli-bundles', knownHosts: th.knownHostsFile, lang: 'en' });
      okCode = await uploadCommand(small, { plan: good, to: 'cli-bundles', knownHosts: th.knownHostsFile, lang: 'en', json: true });
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
    }
    expect(badCode, err.join('')).toBe(2);
    expect(err.join('')).toContain('No host was contacted');
    expect(okCode, err.join('')).toBe(0);
    const r = JSON.parse(out.join('')) as { host: string; path: string; sha256: string; sent: number };
    const local = createHash('sha256').update(readFileSync(small)).digest('hex');
    expect(r).toMatchObject({ host: 'deployer', path: 'cli-bundles/small.tar', sha256: local, sent: 3 * 1024 * 1024 + 17 });
    expect(await hostSha(`${remoteHome()}/cli-bundles/small.tar`)).toBe(local);
  }, 60_000);
});
