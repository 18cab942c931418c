// One SSH connection to one host over ssh2: exec with streamed lines and exit code, sudo with the password on
// stdin (only when sudo asks), per-command timeout and cancellation that end the remote process group,
// SFTP upload with progress and a SHA-256 check done by the host itself, download.
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { shq } from '../common/quote.js';
import type { Secret } from '../common/secret.js';
import { LineSplitter } from './lines.js';
import { openSshPipe, type OpenSshPipe, type OpenSshRoute } from './openssh-pipe.js';
import { killGroupCommand, wrapCommand } from './wrap.js';
import { SshError, type ExecOptions, type ExecResult, type SshSession, type SshTarget, type UploadOptions } from './types.js';

export interface SessionOptions {
  /** From the auth profile: how sudo behaves for this user. */
  sudoMode: 'none' | 'nopasswd' | 'password';
  sudoPassword?: Secret;
  /** Closed together with this session (the jump host connection it runs through). */
  via?: SshSession;
  /** The limit of a command that names none (DEFAULT_EXEC_TIMEOUT_MS). */
  defaultTimeoutMs?: number;
  /** How long an SFTP transfer may make no progress (SFTP_IDLE_MS). */
  sftpIdleTimeoutMs?: number;
  /** The verified host key and login, for bulk copies through OpenSSH (core/ssh/openssh-pipe.ts). */
  openssh?: OpenSshRoute;
}

/** An SFTP transfer that makes no progress this long (a stuck sftp-server, a full disk that blocks) fails. */
export const SFTP_IDLE_MS = 2 * 60_000;

/**
 * No remote command runs unbounded: one that names no limit of its own gets this one, long enough for
 * the slowest single command a step runs without its own limit (an image import, a package install).
 * A step that knows better (verify, the playbook, helm) passes its own.
 */
export const DEFAULT_EXEC_TIMEOUT_MS = 15 * 60_000;

/** How a command is named in a timeout error: its first line, without the `cd …&&` and `env K=V` in front. */
export function commandSummary(command: string, max = 100): string {
  const first = command.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  let s = first.replace(/^cd\s+\S+\s*&&\s*/, '').replace(/^(?:env\s+)?(?:'?[A-Z_][A-Z0-9_]*=(?:'[^']*'|\S*)'?\s+)+/, '');
  s = s.replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

interface RawResult {
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: string;
  /** The wrapper's marker arrived: the command (and sudo, if any) started. */
  started: boolean;
}

type RawOptions = ExecOptions;

interface ExitRecord {
  code: number | null;
  signal?: string;
}

const KILL_GRACE_MS = 5_000;

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}
const UPLOAD_CHUNK = 32 * 1024;
const UPLOAD_WINDOW = 8;

export class Ssh2Session implements SshSession {
  private sftpPromise: Promise<SFTPWrapper> | undefined;
  private closedFlag = false;
  private lostReason: string | undefined;
  private readonly inflight = new Set<(reason: string) => void>();

  constructor(
    readonly target: SshTarget,
    private readonly client: Client,
    private readonly options: SessionOptions,
  ) {
    client.on('error', (err: Error) => {
      this.lostReason = err.message;
    });
    client.on('close', () => {
      this.closedFlag = true;
      for (const fail of this.inflight) fail(this.lostReason ?? 'connection closed');
      this.inflight.clear();
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  private fail(kind: SshError['kind'], message: string, details?: SshError['details']): SshError {
    return new SshError(kind, this.target.name, message, details);
  }

  private sudoFor(sudo: boolean | undefined): 'nopasswd' | 'password' | undefined {
    if (!sudo || this.target.user === 'root') return undefined;
    const mode = this.options.sudoMode;
    if (mode === 'none') {
      throw this.fail('sudo', `the auth profile says ${this.target.user} has no sudo, but this step needs root`);
    }
    if (mode === 'password') {
      if (!this.options.sudoPassword || this.options.sudoPassword.isEmpty) {
        throw this.fail('sudo', `sudo for ${this.target.user} needs a password and none was given`);
      }
      return 'password';
    }
    return 'nopasswd';
  }

  /**
   * Opens an exec channel. The exit status is recorded by a listener attached inside ssh2's callback:
   * ssh2 parses a whole TCP read synchronously, so for a quick command under load the exit-status packet
   * can be handled before an awaiting caller could attach its own listener, and 'exit' would be lost.
   */
  private openChannel(command: string): Promise<{ channel: ClientChannel; exit: ExitRecord }> {
    return new Promise((resolve, reject) => {
      if (this.closedFlag) return reject(this.fail('unreachable', `connection lost: ${this.lostReason ?? 'closed'}`));
      this.client.exec(command, (err, channel) => {
        if (err) {
          // ssh2 fails pending requests with "No response from server" when the connection drops.
          const lost = this.closedFlag || /no response|not connected|closed/i.test(err.message);
          reject(lost ? this.fail('unreachable', `connection lost: ${this.lostReason ?? err.message}`) : this.fail('protocol', `could not open a channel: ${err.message}`));
        }
        else {
          const exit: ExitRecord = { code: null };
          channel.on('exit', (c: number | null, sig?: string) => {
            exit.code = c;
            if (sig) exit.signal = sig;
          });
          resolve({ channel, exit });
        }
      });
    });
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, options);
    return { code: r.code, ...(r.signal ? { signal: r.signal } : {}), stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }

  private async run(command: string, options: RawOptions): Promise<RawResult> {
    if (options.signal?.aborted) throw this.fail('cancelled', 'cancelled before the command started');
    const sudo = this.sudoFor(options.sudo);
    const wrapped = wrapCommand(command, randomBytes(8).toString('hex'), sudo);
    const { channel, exit } = await this.openChannel(wrapped.command);
    const collect = options.collect ?? true;

    return new Promise<RawResult>((resolve, reject) => {
      let started = false;
      let pgid: number | undefined;
      let pre = Buffer.alloc(0);
      const out: Buffer[] = [];
      let err = '';
      let errPending = '';
      let prompts = 0;
      let code: number | null = null;
      let signal: string | undefined;
      let ending: SshError | undefined;
      let sudoRefused = false;
      let settled = false;
      let killing: Promise<void> | undefined;
      const killGroup = () => {
        if (!killing && pgid) killing = this.endGroup(pgid, sudo);
      };
      const outLines = options.onStdout ? new LineSplitter(options.onStdout) : undefined;
      const errLines = options.onStderr ? new LineSplitter(options.onStderr) : undefined;

      const sendInput = () => {
        if (options.stdin !== undefined) channel.write(options.stdin);
        channel.end();
      };
      if (!sudo) sendInput();

      const emitOut = (b: Buffer) => {
        if (b.length === 0) return;
        if (collect) out.push(b);
        outLines?.push(b);
      };
      const emitErr = (s: string) => {
        if (!s) return;
        if (collect) err += s;
        errLines?.push(Buffer.from(s, 'utf8'));
      };

      channel.on('data', (chunk: Buffer) => {
        if (started) return emitOut(chunk);
        pre = Buffer.concat([pre, chunk]);
        for (;;) {
          const nl = pre.indexOf(0x0a);
          if (nl < 0) return;
          const line = pre.subarray(0, nl).toString('utf8');
          const rest = pre.subarray(nl + 1);
          if (line.startsWith(`${wrapped.marker} `)) {
            started = true;
            pgid = Number(line.slice(wrapped.marker.length + 1)) || undefined;
            pre = Buffer.alloc(0);
            if (sudo) sendInput();
            if (ending) killGroup();
            return emitOut(rest);
          }
          // Something printed before our wrapper ran (a chatty login script): pass it through.
          emitOut(pre.subarray(0, nl + 1));
          pre = rest;
        }
      });
      channel.stderr.on('data', (chunk: Buffer) => {
        let text = errPending + chunk.toString('utf8');
        errPending = '';
        if (wrapped.prompt && !started) {
          let at: number;
          while ((at = text.indexOf(wrapped.prompt)) >= 0) {
            text = text.slice(0, at) + text.slice(at + wrapped.prompt.length);
            prompts++;
            if (prompts === 1) {
              channel.write(`${this.options.sudoPassword?.reveal() ?? ''}\n`);
            } else {
              // Asked again: the password was wrong. EOF makes sudo give up instead of retrying.
              sudoRefused = true;
              channel.end();
            }
          }
          // Keep a tail that may be the start of a prompt split across chunks.
          const keep = Math.min(text.length, wrapped.prompt.length - 1);
          for (let k = keep; k > 0; k--) {
            if (wrapped.prompt.startsWith(text.slice(-k))) {
              errPending = text.slice(-k);
              text = text.slice(0, -k);
              break;
            }
          }
        }
        emitErr(text);
      });

      const stopWith = (e: SshError) => {
        if (ending || settled) return;
        ending = e;
        if (started && pgid) killGroup();
        else channel.close();
        // sshd confirms a channel close only once the process exits: if the group cannot be ended, stop
        // waiting after a grace period rather than hang.
        setTimeout(() => {
          channel.close();
          finish();
        }, KILL_GRACE_MS).unref();
      };
      const onAbort = () => stopWith(this.fail('cancelled', 'cancelled'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : (this.options.defaultTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
      const timer = setTimeout(
        () =>
          stopWith(
            this.fail(
              'timeout',
              `\`${commandSummary(command)}\` did not finish within ${formatSeconds(timeoutMs)}; its remote process group was stopped`,
            ),
          ),
        // setTimeout fires at once for anything past 2^31-1 ms (about 24.8 days).
        Math.min(timeoutMs, 2 ** 31 - 1),
      );
      const lost = (reason: string) => {
        if (!ending) ending = this.fail('unreachable', `connection lost while a command ran: ${reason}`);
        finish();
      };
      this.inflight.add(lost);

      const finish = () => {
        if (settled) return;
        settled = true;
        code = exit.code;
        if (exit.signal) signal = exit.signal;
        this.inflight.delete(lost);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (errPending) emitErr(errPending);
        if (!started && pre.length) emitOut(pre);
        outLines?.end();
        errLines?.end();
        // No exit status and the connection went away: the host was lost, not the command.
        if (!ending && code === null && !signal && (this.closedFlag || this.lostReason)) {
          ending = this.fail('unreachable', `connection lost while a command ran: ${this.lostReason ?? 'closed'}`);
        }
        // A cancel or timeout settles only once the whole group is gone, not just its leader.
        if (ending) return void (killing ?? Promise.resolve()).then(() => reject(ending));
        if (sudo && !started) {
          const why = sudoRefused
            ? 'the sudo password was refused'
            : (err.trim().split('\n').find((l) => l.includes('sudo')) ?? `sudo failed (exit ${code})`);
          return reject(this.fail('sudo', why));
        }
        resolve({ code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out), stderr: err, started });
      };
      channel.on('close', finish);
    });
  }

  /** Ends a remote process group over a second channel; awaited so "cancelled" means "gone". */
  private endGroup(pgid: number | undefined, sudo: 'nopasswd' | 'password' | undefined): Promise<void> {
    if (!pgid) return Promise.resolve();
    const kill = this.run(killGroupCommand(pgid), { sudo: sudo !== undefined, timeoutMs: 15_000, collect: false }).then(
      () => undefined,
      () => undefined,
    );
    return kill;
  }

  /**
   * An SFTP exchange with a limit on silence: `touch` on every answer; with none for the idle limit it
   * fails with 'timeout' and the SFTP channel is dropped (the next transfer opens a new one).
   */
  private sftpGuard<T>(what: string, work: (touch: () => void) => Promise<T>): Promise<T> {
    const idle = this.options.sftpIdleTimeoutMs ?? SFTP_IDLE_MS;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const onIdle = () => {
        if (done) return;
        done = true;
        const stuck = this.sftpPromise;
        this.sftpPromise = undefined;
        void stuck?.then((sftp) => sftp.end(), () => undefined);
        reject(this.fail('timeout', `${what}: the SFTP server made no progress for ${formatSeconds(idle)}; the transfer was stopped`));
      };
      const touch = () => {
        if (done) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(onIdle, idle);
      };
      touch();
      work(touch).then(
        (v) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpPromise) {
      this.sftpPromise = new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((err, sftp) => {
          if (err) {
            this.sftpPromise = undefined;
            reject(this.fail('protocol', `SFTP is not available: ${err.message}`));
          } else resolve(sftp);
        });
      });
    }
    return this.sftpPromise;
  }

  /** OpenSSH's client set up to reach this host the way this session did, when it can (else undefined). */
  openssh(): Promise<OpenSshPipe | undefined> {
    return openSshPipe(this.target, this.options.openssh);
  }

  /** The guarded SFTP channel for transfers kept in their own module (core/ssh/resumable-upload.ts). */
  withSftp<T>(what: string, work: (sftp: SFTPWrapper, touch: () => void) => Promise<T>): Promise<T> {
    return this.sftpGuard(what, async (touch) => {
      const sftp = await this.sftp();
      touch();
      return work(sftp, touch);
    });
  }

  private async remoteSha256(path: string, sudo: boolean): Promise<string> {
    const r = await this.exec(`sha256sum -- ${shq(path)}`, { sudo });
    const sum = /^([0-9a-f]{64})\b/.exec(r.stdout.trim())?.[1];
    if (r.code !== 0 || !sum) throw this.fail('protocol', `sha256sum of ${path} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    return sum;
  }

  async upload(data: Buffer | string, remotePath: string, options: UploadOptions = {}): Promise<{ sha256: string }> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const expected = createHash('sha256').update(buf).digest('hex');
    const mode = options.mode ?? 0o644;
    const sudo = this.sudoFor(options.sudo) !== undefined;
    // Under sudo: write a private temp file as the login user, then `sudo install` it into place.
    const dest = sudo ? `/tmp/.cpi-upload-${randomBytes(8).toString('hex')}` : remotePath;
    const sftp = await this.sftpGuard(`upload of ${remotePath}`, async (touch) => {
      const channel = await this.sftp();
      touch();
      await this.writeFile(channel, dest, buf, sudo ? 0o600 : mode, sudo ? 'wx' : 'w', options, touch);
      return channel;
    });
    let actual: string;
    if (sudo) {
      try {
        const r = await this.exec(
          `install -D -m ${shq(mode.toString(8).padStart(4, '0'))} -- ${shq(dest)} ${shq(remotePath)}`,
          { sudo: true },
        );
        if (r.code !== 0) throw this.fail('protocol', `install ${remotePath} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
      } finally {
        await this.exec(`rm -f -- ${shq(dest)}`).catch(() => undefined);
      }
      actual = await this.remoteSha256(remotePath, true);
    } else {
      await this.sftpGuard(`chmod ${remotePath}`, () =>
        new Promise<void>((resolve, reject) =>
          sftp.chmod(remotePath, mode, (e) => (e ? reject(this.fail('protocol', `chmod ${remotePath}: ${e.message}`)) : resolve())),
        ),
      );
      actual = await this.remoteSha256(remotePath, false);
    }
    if (actual !== expected) {
      throw this.fail('protocol', `upload of ${remotePath} is corrupt: sha256 ${actual} on the host, ${expected} sent`);
    }
    return { sha256: actual };
  }

  private writeFile(sftp: SFTPWrapper, path: string, buf: Buffer, mode: number, flags: 'w' | 'wx', options: UploadOptions, touch: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      sftp.open(path, flags, { mode }, (openErr, handle) => {
        touch();
        if (openErr) return reject(this.fail('protocol', `cannot write ${path}: ${openErr.message}`));
        let next = 0;
        let sent = 0;
        let active = 0;
        let failed: SshError | undefined;
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          sftp.close(handle, (closeErr) => {
            if (failed) return reject(failed);
            if (closeErr) return reject(this.fail('protocol', `closing ${path}: ${closeErr.message}`));
            resolve();
          });
        };
        const pump = () => {
          if (options.signal?.aborted && !failed) failed = this.fail('cancelled', `upload of ${path} cancelled`);
          while (!failed && active < UPLOAD_WINDOW && next < buf.length) {
            const at = next;
            const len = Math.min(UPLOAD_CHUNK, buf.length - at);
            next += len;
            active++;
            sftp.write(handle, buf, at, len, at, (wErr) => {
              touch();
              active--;
              if (wErr && !failed) failed = this.fail('protocol', `writing ${path}: ${wErr.message}`);
              sent += len;
              if (!wErr) options.onProgress?.(sent, buf.length);
              if (active === 0 && (failed || next >= buf.length)) finish();
              else pump();
            });
          }
          if (active === 0 && (failed || next >= buf.length)) finish();
        };
        if (buf.length === 0) options.onProgress?.(0, 0);
        pump();
      });
    });
  }

  async download(remotePath: string, options: { sudo?: boolean } = {}): Promise<Buffer> {
    if (this.sudoFor(options.sudo) !== undefined) {
      const r = await this.run(`cat -- ${shq(remotePath)}`, { sudo: true });
      if (r.code !== 0) throw this.fail('protocol', `cannot read ${remotePath}: ${r.stderr.trim() || `exit ${r.code}`}`);
      return r.stdout;
    }
    return this.sftpGuard(`download of ${remotePath}`, async (touch) => {
      const sftp = await this.sftp();
      touch();
      return new Promise<Buffer>((resolve, reject) =>
        sftp.readFile(remotePath, (e, data) => (e ? reject(this.fail('protocol', `cannot read ${remotePath}: ${e.message}`)) : resolve(data))),
      );
    });
  }

  /** A TCP stream to host:port opened by this host (the jump-host hop). */
  forwardOut(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      if (this.closedFlag) return reject(new Error('connection to the jump host is closed'));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        clearTimeout(timer);
        if (timedOut) stream?.destroy();
        else if (err) reject(err);
        else resolve(stream);
      });
    });
  }

  async close(): Promise<void> {
    if (!this.closedFlag) {
      await new Promise<void>((resolve) => {
        this.client.once('close', () => resolve());
        this.client.end();
        setTimeout(() => {
          this.client.destroy();
          resolve();
        }, 2_000).unref();
      });
    }
    await this.options.via?.close();
  }
}
