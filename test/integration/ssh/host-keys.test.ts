import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownHosts } from '../../../core/ssh/known-hosts.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { run } from '../../hosts/run.js';
import { connector, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH host-key integration tests skipped: ${can.reason}`);

describe.skipIf(!can.ok)('host keys against known_hosts on real hosts', () => {
  let th: TestHosts;
  let dir = '';

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    dir = mkdtempSync(join(tmpdir(), 'ssh-kh-'));
  });
  afterAll(async () => {
    await th?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown host key stops the login and reports the SHA256 fingerprint sshd really has', async () => {
    const knownHosts = new KnownHosts({ file: join(dir, 'empty') });
    const e = await connector(th, { knownHosts }).connect(target(th, 0, profiles.key)).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'host-key-unknown', host: th.hosts[0]!.name, details: { fingerprint: th.hosts[0]!.hostKeyFingerprint } });
  });

  it('accepting appends the key, and the next login needs no question', async () => {
    const file = join(dir, 'accept');
    writeFileSync(file, '# the user’s own line\n');
    const asked: string[] = [];
    const c = connector(th, {
      knownHosts: new KnownHosts({ file }),
      acceptNewHostKeys: async (q) => {
        asked.push(q.fingerprint);
        return true;
      },
    });
    await (await c.connect(target(th, 1, profiles.key))).close();
    await (await c.connect(target(th, 1, profiles.key))).close();
    expect(asked).toEqual([th.hosts[1]!.hostKeyFingerprint]);
    expect(readFileSync(file, 'utf8')).toBe(`# the user’s own line\n${th.hosts[1]!.address} ${th.hosts[1]!.hostPublicKey}\n`);
  });

  it('accepts a host filed under a hashed entry written by ssh-keygen -H', async () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, readFileSync(th.knownHostsFile));
    const r = await run('ssh-keygen', ['-H', '-f', file]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain(th.hosts[0]!.address);
    const s = await connector(th, { knownHosts: new KnownHosts({ file }) }).connect(target(th, 0, profiles.key));
    expect((await s.exec('hostname')).stdout.trim()).toBe(th.hosts[0]!.name);
    await s.close();
  });

  it('a host key can be accepted before any password is known; the missing password is reported after', async () => {
    const file = join(dir, 'nosecret');
    const c = connector(th, { knownHosts: new KnownHosts({ file }), secrets: {}, acceptNewHostKeys: true });
    await expect(c.connect(target(th, 0, profiles.password))).rejects.toMatchObject({ kind: 'auth', host: th.hosts[0]!.name });
    expect(readFileSync(file, 'utf8')).toBe(`${th.hosts[0]!.address} ${th.hosts[0]!.hostPublicKey}\n`);
  });

  it('declining an unknown key refuses the host', async () => {
    const c = connector(th, { knownHosts: new KnownHosts({ file: join(dir, 'decline') }), acceptNewHostKeys: async () => false });
    await expect(c.connect(target(th, 0, profiles.key))).rejects.toMatchObject({ kind: 'host-key-unknown' });
  });

  it('a changed host key is refused, even when new keys are accepted, and known_hosts is left alone', async () => {
    const file = join(dir, 'changed');
    // Host 0's address filed with host 1's key: what a man in the middle or a reinstalled host looks like.
    const text = `${th.hosts[0]!.address} ${th.hosts[1]!.hostPublicKey}\n`;
    writeFileSync(file, text);
    const c = connector(th, { knownHosts: new KnownHosts({ file }), acceptNewHostKeys: true });
    const logFile = join(th.hosts[0]!.dir, 'sshd.log');
    const logBefore = readFileSync(logFile, 'utf8').length;
    const e = await c.connect(target(th, 0, profiles.password)).catch((x: unknown) => x);
    expect(e).toMatchObject({
      kind: 'host-key-changed',
      host: th.hosts[0]!.name,
      details: { fingerprint: th.hosts[0]!.hostKeyFingerprint, expected: th.hosts[1]!.hostKeyFingerprint },
    });
    expect(readFileSync(file, 'utf8')).toBe(text);
    // Refused before authentication: sshd never saw a login attempt from us.
    const log = readFileSync(logFile, 'utf8').slice(logBefore);
    expect(log).not.toMatch(/Accepted|Failed password/);
  });
});
