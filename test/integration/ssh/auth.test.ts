import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../core/common/quote.js';
import { Secret } from '../../../core/common/secret.js';
import { SshPool } from '../../../core/ssh/pool.js';
import { SshError } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { ed25519HostKey } from '../../hosts/host-key.js';
import { connector, profiles, target } from './fixture.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH auth integration tests skipped: ${can.reason}`);

describe.skipIf(!can.ok)('SSH login on real OpenSSH hosts', () => {
  let th: TestHosts;
  let agent: ChildProcess | undefined;
  let agentSock = '';
  let scratch = '';

  beforeAll(async () => {
    th = await startTestHosts({ count: 5, hosts: [{}, {}, {}, {}, { sudo: 'none' }] });
    scratch = mkdtempSync(join(tmpdir(), 'ssh-auth-'));
    agentSock = join(scratch, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((resolve, reject) => {
      const add = spawn('ssh-add', [th.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
      add.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh-add exited ${code}`))));
    });
  });

  afterAll(async () => {
    if (agent?.pid) agent.kill('SIGKILL');
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  // Secrets scan (test/support/secrets-scan.ts): after every test, no file this suite left and no command
  // line seen while it ran (this machine and the hosts) holds the hosts' password or key passphrase.
  let secretsPs: PsSampler | undefined;
  beforeAll(() => void (secretsPs = startPsSampler({ hosts: th })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => void assertNoSecrets({ secrets: harnessSecrets(th), paths: scratch ? [scratch] : [], sampler: secretsPs, minSamples: 0 }));

  it('logs in with a password', async () => {
    const s = await connector(th).connect(target(th, 0, profiles.password));
    expect((await s.exec('hostname')).stdout.trim()).toBe(th.hosts[0]!.name);
    await s.close();
  });

  it('logs in with a key file, and with an encrypted key and its passphrase', async () => {
    for (const auth of [profiles.key, profiles.keyPass]) {
      const s = await connector(th).connect(target(th, 1, auth));
      expect((await s.exec('id -un')).stdout.trim()).toBe(th.user);
      await s.close();
    }
  });

  it('logs in through a real ssh-agent', async () => {
    const s = await connector(th, { agentSocket: agentSock }).connect(target(th, 2, profiles.agent));
    expect((await s.exec('hostname')).stdout.trim()).toBe(th.hosts[2]!.name);
    await s.close();
  });

  it('reaches host 1 through host 0 as a jump host', async () => {
    const jump = target(th, 0, profiles.key);
    const s = await connector(th).connect(target(th, 1, profiles.key, { jump }));
    const r = await s.exec('hostname; echo "$SSH_CLIENT"');
    const [name, client] = r.stdout.trim().split('\n');
    expect(name).toBe(th.hosts[1]!.name);
    // The connection to host 1 comes from host 0's address, not from the installer's bridge address.
    expect(client?.split(' ')[0]).toBe(th.hosts[0]!.address);
    await s.close();
  });

  it('an encrypted key without or with a wrong passphrase is a key-file error naming the host', async () => {
    const none = await connector(th, { secrets: {} }).connect(target(th, 1, profiles.keyPass)).catch((e: unknown) => e);
    expect(none).toMatchObject({ kind: 'key-file', host: th.hosts[1]!.name });
    const wrong = await connector(th, { secrets: { passphrase: { keypass: Secret.of('nope') } } })
      .connect(target(th, 1, profiles.keyPass))
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ kind: 'key-file', host: th.hosts[1]!.name });
    expect(String((wrong as Error).message)).toMatch(/passphrase/);
  });

  it('wrong password, wrong key, a host whose link is down and a refused sudo each fail by name, in time, while another host finishes', async () => {
    const strangerKey = join(scratch, 'stranger');
    writeFileSync(strangerKey, ed25519HostKey('stranger').privateKey, { mode: 0o600 });
    const timeoutMs = 3_000;
    const conn = connector(th, {
      connectTimeoutMs: timeoutMs,
      secrets: { password: { pw: Secret.of('wrong-password') } },
    });
    const pool = new SshPool(conn);
    await th.linkDown(2);
    try {
      const targets = [
        target(th, 0, profiles.password),
        target(th, 1, { ...profiles.key, keyPath: strangerKey }),
        target(th, 2, profiles.key),
        target(th, 3, profiles.key),
        target(th, 4, profiles.key),
      ];
      const t0 = Date.now();
      const outcomes = await pool.forEach(targets, async (s) => (await s.exec('hostname', { sudo: true })).stdout.trim());
      const elapsed = Date.now() - t0;
      expect(outcomes.map((o) => o.error?.kind ?? 'ok')).toEqual(['auth', 'auth', 'unreachable', 'ok', 'sudo']);
      outcomes.forEach((o, i) => {
        if (o.ok) return;
        expect(o.error).toBeInstanceOf(SshError);
        expect(o.error!.host).toBe(th.hosts[i]!.name);
        expect(o.error!.message).toContain(th.hosts[i]!.name);
      });
      expect(outcomes[3]!.value).toBe(th.hosts[3]!.name);
      expect(elapsed).toBeLessThan(timeoutMs + 4_000);
    } finally {
      await th.linkUp(2);
      await pool.closeAll();
    }
  });

  it('refuses servers that offer only CBC ciphers or only SHA-1 MACs', async () => {
    const h = th.hosts[3]!;
    const base = readFileSync(join(h.dir, 'sshd_config'), 'utf8').replace(/^ListenAddress .*$/m, '');
    const variants = [
      { port: 2201, extra: 'Ciphers aes128-cbc,aes256-cbc,3des-cbc' },
      { port: 2202, extra: 'MACs hmac-sha1,hmac-md5\nCiphers aes128-ctr' },
    ];
    for (const v of variants) {
      const cfg = join(h.dir, `sshd_old_${v.port}`);
      writeFileSync(cfg, `ListenAddress ${h.address}:${v.port}\n${v.extra}\n${base}`);
      const started = await th.exec(3, `/usr/sbin/sshd -f ${shq(cfg)}`);
      expect(started.code, started.stderr).toBe(0);
    }
    for (const v of variants) {
      let e: unknown;
      for (let i = 0; i < 50; i++) {
        e = await connector(th, { connectTimeoutMs: 3_000 })
          .connect(target(th, 3, profiles.key, { port: v.port }))
          .catch((x: unknown) => x);
        if (!(e instanceof SshError && e.kind === 'unreachable')) break; // not listening yet
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(e, v.extra).toMatchObject({ kind: 'protocol', host: h.name });
      expect((e as Error).message).toMatch(/negotiation failed/);
    }
  });

  it('hostile host names, users and arguments run nothing, here or on the host', async () => {
    const flag = join(tmpdir(), `pwned-${process.pid}`);
    const hostile = [`$(touch ${flag})`, `\`touch ${flag}\``, `a'b"c;touch ${flag}`, `x\ntouch ${flag}\n`];
    const conn = connector(th, { connectTimeoutMs: 2_000 });
    for (const text of hostile) {
      const badAddress = await conn.connect({ ...target(th, 0, profiles.key), name: text, address: text }).catch((e: unknown) => e);
      expect(badAddress).toBeInstanceOf(SshError);
      expect((badAddress as SshError).host).toBe(text);
      const badUser = await conn.connect({ ...target(th, 0, profiles.key), user: text }).catch((e: unknown) => e);
      expect(badUser).toMatchObject({ kind: 'auth' });
    }
    const s = await conn.connect(target(th, 0, profiles.key));
    for (const text of hostile) {
      const r = await s.exec(`printf '%s' ${shq(text)}`, { sudo: true });
      expect(r.stdout).toBe(text);
    }
    await s.close();
    expect(existsSync(flag)).toBe(false);
    expect((await th.exec(0, `test -e ${shq(flag)} && echo yes || echo no`)).stdout.trim()).toBe('no');
  });
});
