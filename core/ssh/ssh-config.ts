// The user's ~/.ssh/config, read with the `ssh-config` package: Host, HostName, User, Port, IdentityFile,
// ProxyJump (first match wins per option, as in OpenSSH). `Match exec` is never evaluated: host names come
// from plans, and a plan must not be able to run commands on the installer's machine.
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import SSHConfig from 'ssh-config';

export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
}

export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Hops in order: the first is connected to first. Empty for `ProxyJump none` or none set. */
  proxyJump: JumpSpec[];
}

/** One hop of ProxyJump: `[user@]host[:port]`, `[user@][v6addr]:port`, or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(text: string): JumpSpec | undefined {
  let s = text.trim();
  if (!s) return undefined;
  if (s.startsWith('ssh://')) s = s.slice(6);
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    if (v6[2]) port = Number(v6[2]);
  } else {
    const hp = /^([^:]+):(\d+)$/.exec(s);
    if (hp) {
      host = hp[1]!;
      port = Number(hp[2]);
    }
  }
  if (!host) return undefined;
  return { host, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

export function parseProxyJump(value: string | undefined): JumpSpec[] {
  if (!value || value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map(parseJumpSpec)
    .filter((j): j is JumpSpec => j !== undefined);
}

/** The `%` tokens OpenSSH expands in HostName and IdentityFile, and a leading `~`. */
export function expandTokens(value: string, ctx: { host: string; remoteUser?: string }): string {
  const home = homedir();
  let out = value.replace(/%([%hdru])/g, (_m, t: string) => {
    if (t === '%') return '%';
    if (t === 'h') return ctx.host;
    if (t === 'd') return home;
    if (t === 'r') return ctx.remoteUser ?? '';
    return userInfo().username;
  });
  if (out === '~' || out.startsWith('~/')) out = home + out.slice(1);
  return out;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export class SshConfigFile {
  private constructor(private readonly config: SSHConfig | undefined) {}

  static parse(text: string): SshConfigFile {
    return new SshConfigFile(SSHConfig.parse(text));
  }

  static empty(): SshConfigFile {
    return new SshConfigFile(undefined);
  }

  /** ~/.ssh/config by default; a missing file is an empty config. */
  static async load(path = `${homedir()}/.ssh/config`): Promise<SshConfigFile> {
    try {
      return SshConfigFile.parse(await readFile(path, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return SshConfigFile.empty();
      throw e;
    }
  }

  lookup(host: string): SshConfigEntry {
    if (!this.config) return { identityFiles: [], proxyJump: [] };
    const c = this.config.compute(host, { ignoreCase: true, matchExec: false });
    const user = first(c.user);
    const portText = first(c.port);
    const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : undefined;
    const hostNameRaw = first(c.hostname);
    const identity = c.identityfile;
    const identityFiles = (Array.isArray(identity) ? identity : identity ? [identity] : [])
      .filter((f) => f.toLowerCase() !== 'none')
      .map((f) => expandTokens(f, { host, ...(user ? { remoteUser: user } : {}) }));
    return {
      ...(hostNameRaw ? { hostName: expandTokens(hostNameRaw, { host }) } : {}),
      ...(user ? { user } : {}),
      ...(port ? { port } : {}),
      identityFiles,
      proxyJump: parseProxyJump(first(c.proxyjump)),
    };
  }
}
