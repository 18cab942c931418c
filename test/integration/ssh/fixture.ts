// Shared by the SSH integration tests: targets and connectors for the harness's hosts.
import { Secret } from '../../../core/common/secret.js';
import { Ssh2Connector, type ConnectorOptions } from '../../../core/ssh/connector.js';
import { KnownHosts } from '../../../core/ssh/known-hosts.js';
import type { SshTarget } from '../../../core/ssh/types.js';
import type { AuthProfile } from '../../../core/plan/schema.js';
import type { TestHosts } from '../../hosts/harness.js';

export const profiles = {
  password: { name: 'pw', method: 'password', passphrase: false, sudo: 'password' },
  key: { name: 'key', method: 'key', passphrase: false, sudo: 'nopasswd' },
  keyPass: { name: 'keypass', method: 'key', passphrase: true, sudo: 'nopasswd' },
  agent: { name: 'agent', method: 'agent', passphrase: false, sudo: 'nopasswd' },
} satisfies Record<string, AuthProfile>;

export function target(th: TestHosts, i: number, auth: AuthProfile, extra: Partial<SshTarget> = {}): SshTarget {
  const h = th.hosts[i]!;
  const withKey: AuthProfile =
    auth.method === 'key' && !auth.keyPath ? { ...auth, keyPath: auth.passphrase ? th.keyPassphrasePath : th.keyPath } : auth;
  return { name: h.name, address: h.address, port: 22, user: th.user, auth: withKey, ...extra };
}

export function connector(th: TestHosts, options: Partial<ConnectorOptions> = {}): Ssh2Connector {
  const password = Secret.of(th.password, 'password');
  return new Ssh2Connector({
    knownHosts: new KnownHosts({ file: th.knownHostsFile }),
    secrets: {
      password: { pw: password },
      passphrase: { keypass: Secret.of(th.keyPassphrase, 'passphrase') },
      sudoPassword: { pw: password, key: password },
    },
    connectTimeoutMs: 5_000,
    ...options,
  });
}

/** Processes on host i whose command line contains `needle`, zombies left out (they are already dead). */
export async function liveProcesses(th: TestHosts, i: number, needle: string): Promise<string[]> {
  const r = await th.exec(i, 'ps -eo stat=,args=');
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(needle) && !l.trim().startsWith('Z') && !l.includes('ps -eo'));
}
