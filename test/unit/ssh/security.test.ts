// Regression tests of the security issue's SSH items, without hosts (the real-host ones are in
// test/integration/ssh/security.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { render } from '../../../core/common/messages.js';
import { Plan } from '../../../core/plan/schema.js';
import { KnownHosts } from '../../../core/ssh/known-hosts.js';
import { sshErrorMessage, sshMessages } from '../../../core/ssh/messages.js';
import { SshConfigFile } from '../../../core/ssh/ssh-config.js';
import { targetsFromPlan } from '../../../core/ssh/targets.js';
import { SshError } from '../../../core/ssh/types.js';

function blob(seed: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(type.length);
  const body = Buffer.alloc(4 + 32, seed);
  body.writeUInt32BE(32, 0);
  return Buffer.concat([head, type, body]);
}
const line = (host: string, key: Buffer) => `${host} ssh-ed25519 ${key.toString('base64')}\n`;

function planWith(hosts: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    hosts: hosts.map((h) => ({ roles: ['control-plane', 'worker'], auth: 'a', ...h })),
    auth: [{ name: 'a', method: 'agent' }],
    storage: { nfs: { server: '192.0.2.50' } },
    portal: { domain: 'portal.example.com' },
    network: { metallbRange: '192.0.2.200-192.0.2.210' },
    ...extra,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ssh-sec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security #3: no target for a plan that does not validate', () => {
  it.each(['10.250.0.014', '010.250.0.012', '10.250.0.256', '0x0a.250.0.12', '167772172', '10.1'])(
    'refuses a plan with host address %s, naming the field',
    (address) => {
      const p = planWith([{ name: 'm1', address }]);
      const e = (() => {
        try {
          targetsFromPlan(p);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(SshError);
      expect(e).toMatchObject({ kind: 'plan-invalid', details: { fields: ['hosts[0].address'] } });
      for (const lang of ['en', 'ko'] as const) expect(render(sshMessages, lang, sshErrorMessage(e as SshError))).toContain('hosts[0].address');
    },
  );

  it('refuses a plan whose cluster.name carries a newline', () => {
    const p = planWith([{ name: 'm1', address: '192.0.2.10' }], { cluster: { name: 'x\nssh-ed25519 AAAA' } });
    expect(() => targetsFromPlan(p)).toThrow(/cluster\.name/);
  });

  it('gives targets for the same plan once it validates', () => {
    expect(targetsFromPlan(planWith([{ name: 'm1', address: '10.250.0.12' }]))[0]).toMatchObject({ address: '10.250.0.12' });
  });
});

describe('security #11: a ProxyJump loop in ~/.ssh/config', () => {
  const cfg = SshConfigFile.parse('Host gw1\n  ProxyJump gw2\nHost gw2\n  ProxyJump gw3\nHost gw3\n  ProxyJump gw1\nHost m1\n  ProxyJump gw1\n');

  it('is an SshError naming the hosts of the loop, rendered in en and ko', () => {
    const p = planWith([{ name: 'master-1', address: 'm1' }]);
    let e: unknown;
    try {
      targetsFromPlan(p, { sshConfig: cfg });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SshError);
    expect(e).toMatchObject({ kind: 'proxyjump-loop', details: { hosts: ['gw1', 'gw2', 'gw3', 'gw1'] } });
    const en = render(sshMessages, 'en', sshErrorMessage(e as SshError));
    expect(en).toContain('gw1 → gw2 → gw3 → gw1');
    expect(en).toContain('ProxyJump');
    expect(render(sshMessages, 'ko', sshErrorMessage(e as SshError))).toContain('순환');
  });

  it('a jump host matched by its own `Host *` ProxyJump is a loop of one', () => {
    const self = SshConfigFile.parse('Host *\n  ProxyJump gw\n');
    expect(() => targetsFromPlan(planWith([{ name: 'n1', address: '192.0.2.10' }]), { sshConfig: self })).toThrow(/gw → gw/);
  });
});

describe('security #4: a changed key under any spelling of the machine is refused', () => {
  it('judges the name and the address together: a key on file for the address wins over an unknown name', async () => {
    const file = join(dir, 'kh-spellings');
    writeFileSync(file, line('10.250.0.12', blob(1)));
    const kh = new KnownHosts({ file });
    await expect(kh.verify('m1', ['node-a.example', '10.250.0.12'], 22, blob(2))).rejects.toMatchObject({
      kind: 'host-key-changed',
      details: { entry: '10.250.0.12' },
    });
    await expect(kh.accept(['node-a.example', '10.250.0.12'], 22, blob(2))).rejects.toMatchObject({ kind: 'host-key-changed' });
    expect(readFileSync(file, 'utf8')).toBe(line('10.250.0.12', blob(1)));
    await expect(kh.verify('m1', ['node-a.example', '10.250.0.12'], 22, blob(1))).resolves.toBeUndefined();
  });

  it('accepting a new machine files the key under the name and its address', async () => {
    const file = join(dir, 'kh-accept');
    const kh = new KnownHosts({ file });
    await kh.accept(['node-b.example', '10.250.0.13'], 22, blob(3));
    expect(readFileSync(file, 'utf8')).toBe(line('node-b.example', blob(3)) + line('10.250.0.13', blob(3)));
  });
});

describe('security #10 and #11: host-key messages', () => {
  it("a jump host's key is shown under the jump host's name, with the target it leads to", () => {
    const e = new SshError('host-key-unknown', 'bastion', 'not known', { fingerprint: 'SHA256:jump', jumpFor: 'master-1' });
    const m = sshErrorMessage(e);
    expect(m.key).toBe('ssh.host-key-unknown.jump');
    const en = render(sshMessages, 'en', m);
    expect(en.startsWith('bastion (the jump host on the way to master-1)')).toBe(true);
    expect(en).toContain('SHA256:jump');
    expect(render(sshMessages, 'ko', m)).toContain('master-1');
  });

  it('a changed key names old and new fingerprints and the ssh-keygen -R that fixes it, never an override', () => {
    const e = new SshError('host-key-changed', 'master-1', 'changed', {
      fingerprint: 'SHA256:new',
      expected: 'SHA256:old',
      entry: '[10.0.0.5]:2222',
      file: '/home/u/.ssh/known_hosts',
    });
    for (const lang of ['en', 'ko'] as const) {
      const text = render(sshMessages, lang, sshErrorMessage(e));
      expect(text).toContain('master-1');
      expect(text).toContain('SHA256:new');
      expect(text).toContain('SHA256:old');
      expect(text).toContain('ssh-keygen -R [10.0.0.5]:2222 -f /home/u/.ssh/known_hosts');
      expect(text).not.toContain('--override');
    }
  });
});

describe('security #11: a ProxyJump loop in ~/.ssh/config ends in words and exit 2, not an exception', () => {
  it('cp-installer preflight and apply name the hosts of the loop', async () => {
    const { preflightCommand } = await import('../../../cli/commands/preflight.js');
    const { apply } = await import('../../../cli/commands/apply.js');
    const { Writable } = await import('node:stream');
    const { mkdirSync } = await import('node:fs');
    const { stringify } = await import('yaml');
    const home = join(dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Host 192.0.2.10\n  ProxyJump gw1\nHost gw1\n  ProxyJump gw2\nHost gw2\n  ProxyJump gw1\n');
    const planFile = join(dir, 'loop-plan.yaml');
    writeFileSync(
      planFile,
      stringify({
        apiVersion: 'cp-installer/v1',
        kind: 'Plan',
        mode: 'standalone',
        release: 'k-paas-v1.6.2',
        hosts: [{ name: 'master-1', address: '192.0.2.10', roles: ['control-plane', 'worker'], auth: 'a' }],
        auth: [{ name: 'a', method: 'agent' }],
        storage: { nfs: { server: '192.0.2.50' } },
        portal: { domain: 'portal.example.com' },
        network: { metallbRange: '192.0.2.200-192.0.2.210' },
      }),
    );
    const saved = process.env.HOME;
    const stderr = process.stderr.write.bind(process.stderr);
    let said = '';
    process.env.HOME = home;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      said += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await preflightCommand(planFile, { json: true, knownHosts: join(dir, 'kh-loop'), lang: 'en' })).toBe(2);
      let err = '';
      const sink = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
      expect(await apply(planFile, { workdir: join(dir, 'wd'), knownHosts: join(dir, 'kh-loop') }, { out: sink, err: sink, isTTY: false })).toBe(2);
      expect(err).toContain('gw1 → gw2 → gw1');
    } finally {
      process.stderr.write = stderr;
      process.env.HOME = saved;
    }
    expect(said).toContain('gw1 → gw2 → gw1');
    expect(said).not.toMatch(/at .*\.ts:\d+/);
    // The CLI modules load on first use here, which takes a few seconds on a loaded machine.
  }, 30_000);
});
