import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Plan } from '../../../core/plan/schema.js';
import { SshConfigFile, parseJumpSpec, parseProxyJump } from '../../../core/ssh/ssh-config.js';
import { targetsFromPlan } from '../../../core/ssh/targets.js';

const CONFIG = `
Host bastion
  HostName 192.0.2.1
  User jumpy
  Port 2201

Host web*
  HostName %h.internal.example
  User deploy
  Port 2222
  IdentityFile ~/.ssh/id_web
  ProxyJump bastion

Host chained
  ProxyJump admin@10.9.9.9:2200,bastion

Match exec "touch /tmp/ssh-config-match-exec-ran"
  User evil

Host *
  User fallback
  IdentityFile ~/.ssh/id_default
`;

describe('ssh config', () => {
  const cfg = SshConfigFile.parse(CONFIG);

  it('resolves HostName (with %h), User, Port, IdentityFile and ProxyJump, first match winning', () => {
    expect(cfg.lookup('web1')).toEqual({
      hostName: 'web1.internal.example',
      user: 'deploy',
      port: 2222,
      identityFiles: [`${homedir()}/.ssh/id_web`, `${homedir()}/.ssh/id_default`],
      proxyJump: [{ host: 'bastion' }],
    });
    expect(cfg.lookup('db1')).toMatchObject({ user: 'fallback', proxyJump: [] });
  });

  it('never runs Match exec', () => {
    cfg.lookup('anything');
    expect(existsSync('/tmp/ssh-config-match-exec-ran')).toBe(false);
  });

  it('parses ProxyJump hops: user, host, port, IPv6, ssh:// and none', () => {
    expect(parseJumpSpec('admin@10.0.0.1:2200')).toEqual({ user: 'admin', host: '10.0.0.1', port: 2200 });
    expect(parseJumpSpec('[fd00::1]:22')).toEqual({ host: 'fd00::1', port: 22 });
    expect(parseJumpSpec('ssh://u@h')).toEqual({ user: 'u', host: 'h' });
    expect(parseProxyJump('a,b:2')).toEqual([{ host: 'a' }, { host: 'b', port: 2 }]);
    expect(parseProxyJump('none')).toEqual([]);
  });
});

/** A plan that validates (targets exist only for those): each host a control plane and worker, NFS and portal set. */
function plan(hosts: Array<Record<string, unknown>>, auth: unknown[]): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    hosts: hosts.map((h) => ({ roles: ['control-plane', 'worker'], ...h })),
    auth,
    storage: { nfs: { server: '192.0.2.50' } },
    portal: { domain: 'portal.example.com' },
    network: { metallbRange: '192.0.2.200-192.0.2.210' },
  });
}

describe('targetsFromPlan', () => {
  const cfg = SshConfigFile.parse(CONFIG);

  it('takes address, port, user and auth from the plan', () => {
    const p = plan(
      [{ name: 'm1', address: '10.0.0.10', port: 2022, auth: 'ops' }],
      [{ name: 'ops', method: 'password', user: 'ubuntu', sudo: 'password' }],
    );
    expect(targetsFromPlan(p)).toEqual([
      { name: 'm1', address: '10.0.0.10', port: 2022, user: 'ubuntu', auth: p.auth[0] },
    ]);
  });

  it('fills what the plan leaves open from ssh config, including ProxyJump and IdentityFile', () => {
    // A key profile must name its key file to validate; an agent profile takes what the config says.
    const p = plan([{ name: 'w', address: 'web1', auth: 'k' }], [{ name: 'k', method: 'agent' }]);
    const [t] = targetsFromPlan(p, { sshConfig: cfg });
    expect(t).toMatchObject({
      name: 'w',
      address: 'web1.internal.example',
      port: 2222,
      user: 'deploy',
      jump: { name: 'bastion', address: '192.0.2.1', port: 2201, user: 'jumpy' },
    });
    expect(t!.jump!.auth.jumpHost).toBeUndefined();
  });

  it('orders a ProxyJump chain: the first hop is connected to first', () => {
    const p = plan([{ name: 'c', address: 'chained', auth: 'a' }], [{ name: 'a', method: 'agent' }]);
    const [t] = targetsFromPlan(p, { sshConfig: cfg });
    expect(t!.jump).toMatchObject({ address: '192.0.2.1', jump: { address: '10.9.9.9', port: 2200, user: 'admin' } });
  });

  it('uses the plan’s jump host with its own auth profile, and names unknown profiles as errors', () => {
    const p = plan(
      [{ name: 'n1', address: '10.0.1.5', auth: 'inner' }],
      [
        { name: 'inner', method: 'key', keyPath: '/k', jumpHost: { address: '203.0.113.7', user: 'gw', auth: 'outer' } },
        { name: 'outer', method: 'password' },
      ],
    );
    const [t] = targetsFromPlan(p);
    expect(t!.jump).toEqual({ name: '203.0.113.7', address: '203.0.113.7', port: 22, user: 'gw', auth: p.auth[1] });
    const broken = plan([{ name: 'x', address: 'x', auth: 'missing' }], []);
    expect(() => targetsFromPlan(broken)).toThrow(/hosts\[0\]\.auth/);
  });
});
