// Many hosts at once: one connection per host, reused; at most `globalLimit` connects and commands in
// flight overall and `perHostLimit` commands on one host (sshd's MaxSessions defaults to 10 per connection).
import { resumableUpload, resumableUploadSudo, type SftpSession } from './resumable-upload.js';
import { SshError, type Connector, type ExecOptions, type ExecResult, type FileUploadOptions, type PoolOptions, type SshSession, type SshTarget, type UploadOptions } from './types.js';

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`a limit must be at least 1, got ${limit}`);
  }

  get inUse(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export interface HostOutcome<T> {
  target: SshTarget;
  ok: boolean;
  value?: T;
  error?: SshError;
}

function keyOf(t: SshTarget): string {
  const hop = (x: SshTarget): string => `${x.user}@${x.address}:${x.port}/${x.auth.name}${x.jump ? `<${hop(x.jump)}` : ''}`;
  return `${t.name}|${hop(t)}`;
}

function asSshError(target: SshTarget, e: unknown): SshError {
  if (e instanceof SshError) return e;
  return new SshError('protocol', target.name, e instanceof Error ? e.message : String(e));
}

export class SshPool {
  private readonly global: Semaphore;
  private readonly perHostLimit: number;
  private readonly perHost = new Map<string, Semaphore>();
  private readonly sessions = new Map<string, Promise<SshSession>>();
  private closing = false;

  constructor(
    private readonly connector: Connector,
    options: PoolOptions = {},
  ) {
    this.global = new Semaphore(options.globalLimit ?? 32);
    this.perHostLimit = options.perHostLimit ?? 4;
  }

  /** The host's one connection, opened on first use (a failed or lost one is opened again next time). */
  connection(target: SshTarget, signal?: AbortSignal): Promise<SshSession> {
    if (this.closing) return Promise.reject(new SshError('cancelled', target.name, 'the connection pool is closed'));
    const key = keyOf(target);
    const cached = this.sessions.get(key);
    if (cached) {
      return cached.then((s) => {
        if (!(s as { closed?: boolean }).closed) return s;
        if (this.sessions.get(key) === cached) this.sessions.delete(key);
        return this.connection(target, signal);
      });
    }
    const opening = this.global.run(() => this.connector.connect(target, signal), signal).catch((e: unknown) => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
      throw asSshError(target, e);
    });
    this.sessions.set(key, opening);
    return opening;
  }

  private hostSlots(target: SshTarget): Semaphore {
    const key = keyOf(target);
    let s = this.perHost.get(key);
    if (!s) this.perHost.set(key, (s = new Semaphore(this.perHostLimit)));
    return s;
  }

  private async limited<T>(target: SshTarget, signal: AbortSignal | undefined, fn: (s: SshSession) => Promise<T>): Promise<T> {
    try {
      const session = await this.connection(target, signal);
      const releaseHost = await this.hostSlots(target).acquire(signal);
      try {
        return await this.global.run(() => fn(session), signal);
      } finally {
        releaseHost();
      }
    } catch (e) {
      // Aborted while waiting for a slot: nothing ran on the host.
      if (!(e instanceof SshError) && signal?.aborted) throw new SshError('cancelled', target.name, 'cancelled before the command started');
      throw asSshError(target, e);
    }
  }

  exec(target: SshTarget, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.limited(target, options.signal, (s) => s.exec(command, options));
  }

  upload(target: SshTarget, data: Buffer | string, remotePath: string, options: UploadOptions = {}): Promise<{ sha256: string }> {
    return this.limited(target, options.signal, (s) => s.upload(data, remotePath, options));
  }

  download(target: SshTarget, remotePath: string, options: { sudo?: boolean; signal?: AbortSignal } = {}): Promise<Buffer> {
    return this.limited(target, options.signal, (s) => s.download(remotePath, options));
  }

  /** A local file streamed to the host over the connection's SFTP channel (resumable-upload.ts). */
  uploadFile(target: SshTarget, localPath: string, remotePath: string, options: FileUploadOptions = {}): Promise<{ sha256: string; size: number }> {
    return this.limited(target, options.signal, async (s) => {
      if (!('withSftp' in s)) throw new SshError('protocol', target.name, `this connection offers no SFTP for ${remotePath}`);
      const r = await (options.sudo ? resumableUploadSudo : resumableUpload)(s as unknown as SftpSession, localPath, remotePath, {
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onEvent: (e) => (e.type === 'progress' ? options.onProgress!(e.done, e.total) : undefined) } : {}),
      });
      return { sha256: r.sha256, size: r.size };
    });
  }

  /** An SshSession for one host whose every call goes through this pool's limits. */
  session(target: SshTarget): SshSession {
    return {
      target,
      exec: (command, options) => this.exec(target, command, options),
      upload: (data, remotePath, options) => this.upload(target, data, remotePath, options),
      download: (remotePath, options) => this.download(target, remotePath, options),
      uploadFile: (localPath, remotePath, options) => this.uploadFile(target, localPath, remotePath, options),
      close: () => this.closeHost(target),
    };
  }

  /**
   * Runs `fn` for every host at once (within the limits) and reports each host's outcome: one host's
   * failure never stops the others.
   */
  async forEach<T>(targets: readonly SshTarget[], fn: (session: SshSession, target: SshTarget) => Promise<T>): Promise<HostOutcome<T>[]> {
    return Promise.all(
      targets.map(async (target): Promise<HostOutcome<T>> => {
        try {
          return { target, ok: true, value: await fn(this.session(target), target) };
        } catch (e) {
          return { target, ok: false, error: asSshError(target, e) };
        }
      }),
    );
  }

  async closeHost(target: SshTarget): Promise<void> {
    const key = keyOf(target);
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    if (s) await s.then((x) => x.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
    this.closing = false;
  }
}
