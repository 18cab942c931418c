// The SSH side of a real run: one pool (bounded, one connection per host) over the ssh2 connector, the
// plan's targets (with the user's ssh config and jump hosts), and the known_hosts store keys are checked
// against. Host keys are never accepted silently unless the caller asks for accept-new.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../plan/schema.js';
import { Ssh2Connector } from '../ssh/connector.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { SshPool } from '../ssh/pool.js';
import { SshConfigFile } from '../ssh/ssh-config.js';
import { targetsFromPlan } from '../ssh/targets.js';
import { SshError, type Connector, type SecretBag, type SshTarget } from '../ssh/types.js';
import type { SessionSource } from './context.js';

export interface SshProvider {
  sessions: SessionSource;
  connector: Connector;
  targets: SshTarget[];
  close(): Promise<void>;
}

export interface SshProviderOptions {
  /** known_hosts to check and append to (default ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  acceptNewHostKeys?: boolean;
  /** ~/.ssh/config is read unless this is false. */
  useSshConfig?: boolean;
  globalLimit?: number;
  perHostLimit?: number;
}

export async function openSsh(plan: Plan, secrets: SecretBag, options: SshProviderOptions = {}): Promise<SshProvider> {
  const knownHosts = new KnownHosts({ file: options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts') });
  const connector = new Ssh2Connector({ knownHosts, secrets, acceptNewHostKeys: options.acceptNewHostKeys ?? false });
  const sshConfig = options.useSshConfig === false ? undefined : await SshConfigFile.load().catch(() => undefined);
  const targets = targetsFromPlan(plan, sshConfig ? { sshConfig } : {});
  const byName = new Map(targets.map((t) => [t.name, t]));
  const pool = new SshPool(connector, { globalLimit: options.globalLimit, perHostLimit: options.perHostLimit });
  return {
    connector,
    targets,
    sessions: {
      async session(host: string, signal?: AbortSignal) {
        const target = byName.get(host);
        if (!target) throw new SshError('protocol', host, 'not a host of the plan');
        // Connect now, so a refused login fails the step that needs the host, not a later command.
        await pool.connection(target, signal);
        return pool.session(target);
      },
    },
    close: () => pool.closeAll(),
  };
}
