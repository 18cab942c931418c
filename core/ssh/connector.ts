// Opens SSH sessions with ssh2: password (and keyboard-interactive answering with it), key file with
// passphrase, or ssh-agent; through a jump host (forwardOut + sock); host key checked against known_hosts
// before authentication; keepalive; only the algorithms in algorithms.ts. Every failure is an SshError
// naming the plan's host. An address is made canonical before use and a host name resolved once, here: the
// TCP connection goes to the address that was resolved, and the host key is checked under the name and
// that address alike, so no second spelling of a machine (`0x0a.1.2.3`, `::ffff:10.1.2.3`, a DNS name)
// slips past a key on file under another.
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { ConnectConfig, ParsedKey } from 'ssh2';
import { canonicalAddress } from '../plan/net.js';
import type { AuthProfile } from '../plan/schema.js';
import type { Secret } from '../common/secret.js';
import { algorithmsFor } from './algorithms.js';
import { hostField, keyTypeOf, type KnownHosts } from './known-hosts.js';
import type { OpenSshRoute } from './openssh-pipe.js';
import { Ssh2Session } from './session.js';
import { SshError, type Connector, type SecretBag, type SshSession, type SshTarget } from './types.js';

// @types/ssh2 types only the string form of authHandler entries; ssh2 also takes {type, username, key|agent|prompt}.
type AuthMethods = NonNullable<ConnectConfig['authHandler']>;

export interface HostKeyQuestion {
  name: string;
  address: string;
  port: number;
  fingerprint: string;
  algorithm: string;
}

export interface ConnectorOptions {
  knownHosts: KnownHosts;
  secrets?: SecretBag;
  /**
   * What to do with a host key that is not in known_hosts: false (default) fails with 'host-key-unknown'
   * and its fingerprint; true appends it (like StrictHostKeyChecking=accept-new); a function asks.
   * A changed key is refused in every case. The question runs inside the handshake's timeout, so a
   * person is better asked after a 'host-key-unknown' failure, with the connection retried once accepted.
   */
  acceptNewHostKeys?: boolean | ((q: HostKeyQuestion) => Promise<boolean>);
  /** TCP connect plus SSH handshake and authentication, per hop (default 15 s). */
  connectTimeoutMs?: number;
  /** SSH-level keepalive (default every 10 s, 3 missed = connection lost). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** ssh-agent socket for method `agent` (default $SSH_AUTH_SOCK). */
  agentSocket?: string;
  /** Resolves a host name to its addresses (default: the system resolver, once per connection). */
  lookup?: (name: string) => Promise<string[]>;
  /** The limit of a command that names none (default DEFAULT_EXEC_TIMEOUT_MS, core/ssh/session.ts). */
  execTimeoutMs?: number;
  /** How long an SFTP transfer may make no progress (default SFTP_IDLE_MS, core/ssh/session.ts). */
  sftpIdleTimeoutMs?: number;
}

/** Where one hop connects and every spelling its host key is checked (and filed) under. */
interface Endpoint {
  /** What the TCP connection (or the jump host's forward) is opened to. */
  connectTo: string;
  /** The canonical address or name first, then the address the name resolved to. */
  spellings: string[];
}

/** A host name resolved once: its canonical name and the addresses it had, in the resolver's order. */
interface Resolved {
  name?: string;
  addresses: string[];
}

async function systemLookup(name: string): Promise<string[]> {
  const found = await dnsLookup(name, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return `${homedir()}${path.slice(1)}`;
  return path;
}

function reveal(s: Secret | undefined): string | undefined {
  return s && !s.isEmpty ? s.reveal() : undefined;
}

function cancelled(name: string): SshError {
  return new SshError('cancelled', name, 'cancelled while connecting');
}

export class Ssh2Connector implements Connector {
  private readonly keys = new Map<string, Promise<ParsedKey>>();

  constructor(private readonly options: ConnectorOptions) {}

  private get timeoutMs(): number {
    return this.options.connectTimeoutMs ?? 15_000;
  }

  /**
   * The canonical spelling of the target's address and, for a host name reached directly, the addresses it
   * resolves to now (asked once: the connection goes to one of these, never to a second lookup's answer).
   * Anything else (inet_aton's octal, hex, short and integer forms; a malformed name) is refused before any
   * packet or DNS query leaves.
   */
  private async resolve(target: SshTarget): Promise<Resolved> {
    const canon = canonicalAddress(target.address);
    if (!canon) {
      throw new SshError('protocol', target.name, `refusing to connect to "${target.address}": not an IPv4 dotted quad, an IPv6 address or a host name`);
    }
    if (canon.kind === 'ip') return { addresses: [canon.address] };
    // Behind a jump host the name is resolved there, where it means what the person meant.
    if (target.jump) return { addresses: [canon.name] };
    let found: string[];
    try {
      found = await (this.options.lookup ?? systemLookup)(canon.name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new SshError('unreachable', target.name, `cannot connect to ${hostField(canon.name, target.port)}: ${SOCKET_WHY[code] ?? (code || (e as Error).message)}`);
    }
    const addresses = found.flatMap((a) => {
      const c = canonicalAddress(a);
      return c?.kind === 'ip' ? [c.address] : [];
    });
    if (addresses.length === 0) throw new SshError('unreachable', target.name, `cannot connect to ${hostField(canon.name, target.port)}: ${SOCKET_WHY.ENOTFOUND}`);
    return { name: canon.name, addresses: [...new Set(addresses)] };
  }

  /** TCP to the first of the resolved addresses that answers (an AAAA without a route falls back to the A). */
  private async openResolved(target: SshTarget, resolved: Resolved, signal?: AbortSignal): Promise<{ sock: Socket; endpoint: Endpoint }> {
    let last: unknown;
    for (const address of resolved.addresses) {
      try {
        const sock = await openTcp(target, address, this.timeoutMs, signal);
        return { sock, endpoint: { connectTo: address, spellings: resolved.name ? [resolved.name, address] : [address] } };
      } catch (e) {
        last = e;
        if (!(e instanceof SshError) || e.kind !== 'unreachable') throw e;
      }
    }
    throw last;
  }

  async connect(target: SshTarget, signal?: AbortSignal): Promise<SshSession> {
    if (signal?.aborted) throw cancelled(target.name);
    let via: SshSession | undefined;
    let sock: Duplex;
    let deadline = Date.now() + this.timeoutMs;
    const resolved = await this.resolve(target);
    let endpoint: Endpoint;
    if (target.jump) {
      endpoint = { connectTo: resolved.addresses[0]!, spellings: [resolved.addresses[0]!] };
      try {
        via = await this.connect(target.jump, signal);
      } catch (e) {
        if (e instanceof SshError && (e.kind === 'host-key-unknown' || e.kind === 'host-key-changed')) {
          // The key is the jump host's: say so under its name, and which plan host it was on the way to.
          const prefix = `${e.host}: `;
          const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
          throw new SshError(e.kind, e.host, detail, { ...e.details, jumpFor: target.name });
        }
        if (e instanceof SshError) {
          throw new SshError(e.kind, target.name, `via jump host ${hostField(target.jump.address, target.jump.port)}: ${e.message}`, e.details);
        }
        throw e;
      }
      deadline = Date.now() + this.timeoutMs; // the jump's own login had its own budget
      try {
        sock = await forward(via as Ssh2Session, target, endpoint.connectTo, this.timeoutMs);
      } catch (e) {
        await via.close();
        throw e;
      }
    } else {
      ({ sock, endpoint } = await this.openResolved(target, resolved, signal));
    }
    try {
      return await this.handshake(target, endpoint, sock, via, Math.max(1_000, deadline - Date.now()), signal);
    } catch (e) {
      sock.destroy();
      await via?.close();
      throw e;
    }
  }

  /** ssh2 tries exactly these methods, in order, and nothing else (no silent fallback to another key). */
  private async authMethods(target: SshTarget): Promise<AuthMethods> {
    const auth: AuthProfile = target.auth;
    const username = target.user;
    const secrets = this.options.secrets ?? {};
    if (auth.method === 'password') {
      const password = reveal(secrets.password?.[auth.name]);
      if (password === undefined) throw new SshError('auth', target.name, `no password given for auth profile "${auth.name}"`);
      return [
        { type: 'password', username, password },
        // Servers that take passwords only through PAM ask for them as keyboard-interactive prompts.
        {
          type: 'keyboard-interactive',
          username,
          prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) =>
            finish(prompts.map(() => password)),
        },
      ] as unknown as AuthMethods;
    }
    if (auth.method === 'key') {
      if (!auth.keyPath) throw new SshError('key-file', target.name, `auth profile "${auth.name}" names no key file`);
      const key = await this.loadKey(target, expandHome(auth.keyPath), reveal(secrets.passphrase?.[auth.name]));
      return [{ type: 'publickey', username, key }] as unknown as AuthMethods;
    }
    const agent = this.options.agentSocket ?? process.env.SSH_AUTH_SOCK;
    if (!agent) throw new SshError('auth', target.name, 'no ssh-agent: SSH_AUTH_SOCK is not set');
    return [{ type: 'agent', username, agent }] as unknown as AuthMethods;
  }

  /** Parsed once per file and passphrase: decrypting a bcrypt-protected key is slow, hosts are many. */
  private loadKey(target: SshTarget, path: string, passphrase: string | undefined): Promise<ParsedKey> {
    const cacheKey = `${path}\0${passphrase ?? ''}`;
    let p = this.keys.get(cacheKey);
    if (!p) {
      p = (async () => {
        let data: Buffer;
        try {
          data = await readFile(path);
        } catch (e) {
          throw new SshError('key-file', target.name, `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const parsed = ssh2.utils.parseKey(data, passphrase);
        const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error | undefined) : parsed;
        if (!key || key instanceof Error) {
          const why = key instanceof Error ? key.message : 'no key found';
          if (/no passphrase/i.test(why)) throw new SshError('key-file', target.name, `key file ${path} is encrypted and no passphrase was given`);
          if (/passphrase|decrypt/i.test(why)) throw new SshError('key-file', target.name, `wrong passphrase for key file ${path}`);
          throw new SshError('key-file', target.name, `key file ${path} is not a usable private key: ${why}`);
        }
        if (!key.isPrivateKey()) throw new SshError('key-file', target.name, `key file ${path} holds a public key, not a private key`);
        return key;
      })();
      this.keys.set(cacheKey, p);
      p.catch(() => this.keys.delete(cacheKey));
    }
    return p;
  }

  private async checkHostKey(target: SshTarget, endpoint: Endpoint, key: Buffer): Promise<void> {
    const kh = this.options.knownHosts;
    try {
      await kh.verify(target.name, endpoint.spellings, target.port, key);
    } catch (e) {
      const accept = this.options.acceptNewHostKeys;
      if (!(e instanceof SshError) || e.kind !== 'host-key-unknown' || !accept) throw e;
      const ok =
        accept === true ||
        (await accept({
          name: target.name,
          address: endpoint.spellings.join(', '),
          port: target.port,
          fingerprint: e.details.fingerprint ?? '',
          algorithm: keyTypeOf(key),
        }));
      if (!ok) throw e;
      await kh.accept(endpoint.spellings, target.port, key);
    }
  }

  private async handshake(
    target: SshTarget,
    endpoint: Endpoint,
    sock: Duplex,
    via: SshSession | undefined,
    readyTimeoutMs: number,
    signal?: AbortSignal,
  ): Promise<SshSession> {
    // A missing secret or an unusable key is reported only after the host key was checked (and perhaps
    // accepted): a person can file a host's key before typing any password.
    let authProblem: SshError | undefined;
    const authHandler = await this.authMethods(target).catch((e: unknown) => {
      if (!(e instanceof SshError)) throw e;
      authProblem = e;
      return [{ type: 'none', username: target.user }] as unknown as AuthMethods;
    });
    const algorithms = algorithmsFor(await this.options.knownHosts.preferredKeyTypes(endpoint.spellings, target.port));
    const secrets = this.options.secrets ?? {};
    const sudoPassword =
      secrets.sudoPassword?.[target.auth.name] ?? (target.auth.method === 'password' ? secrets.password?.[target.auth.name] : undefined);
    const client = new ssh2.Client();

    return new Promise<SshSession>((resolve, reject) => {
      let settled = false;
      let hostKeyError: SshError | undefined;
      let authenticating = false;
      // What a bulk copy through OpenSSH needs to reach the same host the same way (core/ssh/openssh-pipe.ts).
      let verifiedHostKey: Buffer | undefined;
      const done = (e?: SshError, s?: SshSession) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (e) {
          client.removeAllListeners('ready');
          client.on('error', () => undefined);
          client.destroy();
          reject(e);
        } else resolve(s!);
      };
      const onAbort = () => done(cancelled(target.name));
      signal?.addEventListener('abort', onAbort, { once: true });

      client.on('handshake', () => {
        authenticating = true;
      });
      client.on('ready', () => {
        // A server that lets `none` in still does not get a session we were not given credentials for.
        if (authProblem) return done(authProblem);
        const route = verifiedHostKey ? opensshRoute(verifiedHostKey, authHandler, target.auth.method === 'agent' ? (this.options.agentSocket ?? process.env.SSH_AUTH_SOCK) : undefined) : undefined;
        done(undefined, new Ssh2Session(target, client, { sudoMode: target.auth.sudo, ...(sudoPassword ? { sudoPassword } : {}), ...(via ? { via } : {}), ...(this.options.execTimeoutMs ? { defaultTimeoutMs: this.options.execTimeoutMs } : {}), ...(this.options.sftpIdleTimeoutMs ? { sftpIdleTimeoutMs: this.options.sftpIdleTimeoutMs } : {}), ...(route ? { openssh: route } : {}) }));
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        const deferred = err.level === 'client-authentication' ? authProblem : undefined;
        done(hostKeyError ?? deferred ?? mapError(target, err, authenticating, this.timeoutMs));
      });
      client.on('close', () => {
        done(hostKeyError ?? new SshError('unreachable', target.name, `${hostField(target.address, target.port)} closed the connection during the SSH handshake`));
      });

      const config: ConnectConfig = {
        sock: sock as unknown as ConnectConfig['sock'],
        username: target.user,
        readyTimeout: readyTimeoutMs,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
        algorithms,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          this.checkHostKey(target, endpoint, key).then(
            () => {
              verifiedHostKey = Buffer.from(key);
              verify(true);
            },
            (e: unknown) => {
              hostKeyError =
                e instanceof SshError ? e : new SshError('protocol', target.name, `host key check failed: ${(e as Error).message}`);
              verify(false);
            },
          );
        },
        authHandler,
      };
      try {
        client.connect(config);
      } catch (e) {
        done(new SshError('protocol', target.name, (e as Error).message));
      }
    });
  }
}

/** The verified host key and the login ssh2 used, for the same login through OpenSSH; no password route. */
function opensshRoute(hostKey: Buffer, methods: AuthMethods, agentSocket: string | undefined): OpenSshRoute | undefined {
  const first = (methods as unknown as Array<{ type: string; key?: ParsedKey }>)[0];
  if (first?.type === 'publickey' && first.key) return { hostKey, key: first.key };
  if (first?.type === 'agent' && agentSocket) return { hostKey, agentSocket };
  return undefined;
}

function mapError(target: SshTarget, err: Error & { level?: string; code?: string }, authenticating: boolean, timeoutMs: number): SshError {
  const where = hostField(target.address, target.port);
  if (err.level === 'client-authentication') {
    const how = target.auth.method === 'password' ? 'password' : target.auth.method === 'key' ? `key ${target.auth.keyPath}` : 'ssh-agent keys';
    return new SshError('auth', target.name, `${where} refused ${target.user} with the ${how}`);
  }
  if (err.level === 'agent') return new SshError('auth', target.name, `ssh-agent failed: ${err.message}`);
  if (err.level === 'client-timeout') {
    return new SshError('timeout', target.name, `${where} did not complete the SSH ${authenticating ? 'login' : 'handshake'} within ${Math.round(timeoutMs / 1000)} s`);
  }
  if (err.level === 'handshake') {
    return new SshError('protocol', target.name, `${where}: SSH negotiation failed (${err.message}); the server may offer only old algorithms`);
  }
  if (err.level === 'client-socket' || err.code) {
    return new SshError('unreachable', target.name, `connection to ${where} lost: ${err.code ?? err.message}`);
  }
  return new SshError('protocol', target.name, `${where}: ${err.message}`);
}

const SOCKET_WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused (no SSH server on that port?)',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name does not resolve (DNS not answering)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'no answer',
};

/** TCP first, on our own: its failures name the cause precisely, and a silent host fails at our timeout. */
function openTcp(target: SshTarget, address: string, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const where = hostField(address, target.port);
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: address, port: target.port });
    const fail = (e: SshError) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new SshError('unreachable', target.name, `no answer from ${where} within ${Math.round(timeoutMs / 1000)} s (host down, firewall, or wrong address)`)),
      timeoutMs,
    );
    const onAbort = () => fail(cancelled(target.name));
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      fail(new SshError('unreachable', target.name, `cannot connect to ${where}: ${SOCKET_WHY[e.code ?? ''] ?? e.code ?? e.message}`));
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.removeAllListeners('error');
      sock.setNoDelay(true);
      resolve(sock);
    });
  });
}

function forward(via: Ssh2Session, target: SshTarget, address: string, timeoutMs: number): Promise<Duplex> {
  return via.forwardOut(address, target.port, timeoutMs).catch((e: unknown) => {
    const why = e instanceof Error ? e.message : String(e);
    throw new SshError('unreachable', target.name, `jump host ${target.jump?.address} cannot reach ${hostField(address, target.port)}: ${why}`);
  });
}
