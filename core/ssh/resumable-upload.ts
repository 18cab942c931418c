// A large local file (the offline bundle, gigabytes) to a host over SFTP, streamed from disk and resumable
// at the byte: it is written to `<dest>.part`; a rerun finds the part, checks that the bytes already there
// hash like the same prefix of the local file, and sends only the rest. The host's own sha256 of the whole
// part must match the local file's before the part is renamed into place, so a file under its final name
// is always complete and intact.
import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { shq } from '../common/quote.js';
import { writeAndHashCommand, type OpenSshPipe } from './openssh-pipe.js';
import { SshError, type ExecOptions, type ExecResult, type SshTarget } from './types.js';

/** What the upload needs of a session: exec and the guarded SFTP channel (Ssh2Session has both). */
export interface SftpSession {
  readonly target: SshTarget;
  readonly closed?: boolean;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  withSftp<T>(what: string, work: (sftp: SFTPWrapper, touch: () => void) => Promise<T>): Promise<T>;
  /** OpenSSH's client reaching this host the same way, for the bytes (core/ssh/openssh-pipe.ts); absent or
   *  undefined: SFTP carries them. */
  openssh?(): Promise<OpenSshPipe | undefined>;
}

export type ResumableEvent =
  /** A part was found and its bytes match the local file's: sending continues at `from`. */
  | { type: 'resume'; from: number; total: number }
  /** A part was found but cannot be continued: it is discarded and the upload starts over. */
  | { type: 'restart'; reason: 'prefix-mismatch' | 'part-too-long'; partSize: number; localSha256?: string; remoteSha256?: string; message: string }
  /** `done` counts the bytes on the host (resumed ones included); `rate` is this run's bytes per second. */
  | { type: 'progress'; done: number; total: number; sent: number; rate: number }
  | { type: 'verifying'; total: number }
  /** What carries the bytes: OpenSSH's client, or SFTP over the installer's own connection (`reason`: why not OpenSSH, when it was tried). */
  | { type: 'carrier'; carrier: Carrier; reason?: string };

export type Carrier = 'openssh' | 'sftp';

export interface ResumableOptions {
  mode?: number;
  signal?: AbortSignal;
  onEvent?: (e: ResumableEvent) => void;
  /** Least time between two progress events (default 100 ms); the last one always comes. */
  progressEveryMs?: number;
}

export interface ResumableResult {
  sha256: string;
  size: number;
  /** Where this run started writing (0: from the start). */
  resumedFrom: number;
  /** Bytes this run sent. */
  sent: number;
  /** The part found was discarded (its bytes differed from the local file's). */
  restarted: boolean;
  /** What carried the bytes. */
  carrier: Carrier;
}

/** One SFTP write request. */
const CHUNK = 64 * 1024;
/** One read from disk: its requests go out in one tick, so the socket sends them in one writev. */
const READ = 16 * CHUNK;
/** Writes in flight: enough to keep the SSH window full on a fast link without holding much memory. */
const WINDOW = 64;

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * The connection's socket, when this ssh2 version lets us reach it. Each SSH packet is one socket write
 * otherwise: a syscall and a pass through the network stack per 32 KiB. Corked while one read's requests
 * are encrypted, they leave in one writev (measured: a third less CPU for a large upload). Without it
 * everything still works, only slower.
 */
function socketOf(sftp: SFTPWrapper): Corkable | undefined {
  const sock = (sftp as unknown as { _client?: { _sock?: Partial<Corkable> } })._client?._sock;
  return typeof sock?.cork === 'function' && typeof sock.uncork === 'function' ? (sock as Corkable) : undefined;
}

export function partPath(remotePath: string): string {
  return `${remotePath}.part`;
}

function remoteDir(path: string): string | undefined {
  const at = path.lastIndexOf('/');
  if (at < 0) return undefined;
  return at === 0 ? '/' : path.slice(0, at);
}

/** sha256 of the first `length` bytes of a local file, read as a stream; the hash object is returned to go on with. */
async function hashPrefix(file: string, length: number): Promise<Hash> {
  const h = createHash('sha256');
  if (length === 0) return h;
  for await (const chunk of createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h;
}

function sumOf(out: string): string | undefined {
  return /^([0-9a-f]{64})\b/.exec(out.trim())?.[1];
}

/** The command that hashes the first `length` bytes of a remote file (the part found). */
export function prefixHashCommand(path: string, length: number): string {
  return `head -c ${shq(String(length))} -- ${shq(path)} | ${HASHER}`;
}

/** Renames the checked part into place; `mv -f` on one file system is atomic, so the final name is never half. */
export function finishCommand(part: string, dest: string, mode: number): string {
  return `chmod ${shq(mode.toString(8).padStart(4, '0'))} -- ${shq(part)} && mv -f -- ${shq(part)} ${shq(dest)}`;
}

/** Size of the part on the host, or undefined when there is none. */
function partSize(sftp: SFTPWrapper, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) =>
    sftp.stat(path, (err, st) => {
      if (!err) return resolve(st.isFile() ? st.size : undefined);
      // ssh2 marks "no such file" with code 2 (SSH_FX_NO_SUCH_FILE).
      if ((err as { code?: number }).code === 2) return resolve(undefined);
      reject(err);
    }),
  );
}

export async function resumableUpload(session: SftpSession, localPath: string, remotePath: string, options: ResumableOptions = {}): Promise<ResumableResult> {
  const host = session.target.name;
  const fail = (kind: SshError['kind'], message: string) => new SshError(kind, host, message);
  const emit = options.onEvent ?? (() => undefined);
  const total = (await stat(localPath)).size;
  const part = partPath(remotePath);
  const mode = options.mode ?? 0o644;
  const check = async (command: string, what: string): Promise<string> => {
    const r = await session.exec(command, options.signal ? { signal: options.signal } : {});
    if (r.code !== 0) throw fail('protocol', `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  };

  const dir = remoteDir(remotePath);
  if (dir) await check(`mkdir -p -- ${shq(dir)}`, `mkdir ${dir}`);

  // Where to start: the part's size when its bytes are the local file's, else 0.
  let from = 0;
  let restarted = false;
  let hash = createHash('sha256');
  const found = await session.withSftp(`stat ${part}`, (sftp) => partSize(sftp, part));
  if (found !== undefined && found > total) {
    restarted = true;
    emit({
      type: 'restart',
      reason: 'part-too-long',
      partSize: found,
      message: `${part} on ${host} holds ${found} bytes, more than the ${total} of ${localPath}: starting over`,
    });
  } else if (found !== undefined && found > 0) {
    const [local, remote] = await Promise.all([
      hashPrefix(localPath, found),
      check(prefixHashCommand(part, found), `sha256 of the first ${found} bytes of ${part}`),
    ]);
    const localSum = local.copy().digest('hex');
    const remoteSum = sumOf(remote);
    if (remoteSum === localSum) {
      from = found;
      hash = local;
      emit({ type: 'resume', from, total });
    } else {
      restarted = true;
      emit({
        type: 'restart',
        reason: 'prefix-mismatch',
        partSize: found,
        localSha256: localSum,
        ...(remoteSum ? { remoteSha256: remoteSum } : {}),
        message: `the first ${found} bytes of ${part} on ${host} differ from ${localPath} (sha256 ${remoteSum ?? '?'} there, ${localSum} here): starting over`,
      });
    }
  }

  // The host hashes the part while it is written (it follows the file as it grows), so the check costs
  // little more than the last chunk's time instead of a second read of the whole file afterwards.
  const follower = followHash(session, part, total);
  let sent: number | undefined;
  let carrier: Carrier = 'sftp';
  let hostSum: string | undefined;
  try {
    // The bytes through OpenSSH when it can carry them (five times less CPU than ssh2's transport); SFTP
    // otherwise, or when OpenSSH could not log in before any byte arrived.
    const pipe = await session.openssh?.().catch(() => undefined);
    if (pipe) {
      try {
        emit({ type: 'carrier', carrier: 'openssh' });
        const piped = hash.copy();
        // The host hashes the whole part as the bytes land (writeAndHashCommand); without python3 a continued
        // part gets no sum there and is read whole once at the end.
        const r = await sendViaOpenSsh(pipe, session, { localPath, part, from, total, hash: piped, mode, host, options, emit, closed: () => !!session.closed }, () => undefined);
        if ('sent' in r) {
          sent = r.sent;
          hostSum = r.hostSum;
          hash = piped;
          carrier = 'openssh';
        } else emit({ type: 'carrier', carrier: 'sftp', reason: r.reason });
      } finally {
        await pipe.close();
      }
    } else emit({ type: 'carrier', carrier: 'sftp' });
    sent ??= await session.withSftp(`upload of ${remotePath}`, (sftp, touch) =>
      sendFrom(sftp, touch, { localPath, part, from, total, hash, mode, host, options, emit, closed: () => !!session.closed }, follower.start),
    );
  } catch (e) {
    follower.stop();
    throw e;
  }
  const expected = hash.digest('hex');

  emit({ type: 'verifying', total });
  // The sum `tee` passed on is of the stream; a write that failed on the host (a full disk) leaves the part
  // short, so the part's size must be the whole file's too. Anything else: the part is read whole below.
  const whole = hostSum !== undefined && (await session.withSftp(`stat ${part}`, (sftp) => partSize(sftp, part)).catch(() => undefined)) === total;
  let actual = whole ? hostSum : await follower.sum(FOLLOW_GRACE_MS + total / FOLLOW_FLOOR_BYTES_PER_S * 1000);
  if (whole) follower.stop();
  // A followed hash that differs (or none) is not the last word: the part is read whole once more.
  if (actual !== expected) actual = sumOf(await check(`sha256sum -- ${shq(part)}`, `sha256sum of ${part}`));
  if (actual !== expected) {
    // Nothing of a part that hashes wrong is worth keeping: the next run starts clean.
    await session.exec(`rm -f -- ${shq(part)}`).catch(() => undefined);
    throw fail('protocol', `upload of ${remotePath} is corrupt: sha256 ${actual ?? '?'} on the host, ${expected} here; the part was removed, run the upload again`);
  }
  await check(finishCommand(part, remotePath, mode), `renaming ${part} to ${remotePath}`);
  return { sha256: expected, size: total, resumedFrom: from, sent, restarted, carrier };
}

/** How long the followed hash may lag behind the last write: a grace plus the time to hash the file at this floor. */
const FOLLOW_GRACE_MS = 30_000;
const FOLLOW_FLOOR_BYTES_PER_S = 50 * 1024 * 1024;

/**
 * The host's sha256 of the part's first `total` bytes, read as the file grows. `tail -f` follows the part
 * (opened, so truncated when starting over, before this starts); `--pid=$PPID` ends it with the session's
 * sshd when the connection is lost, so nothing is left running on the host. SFTP writes arrive in order,
 * so the file only ever grows at its end.
 */
export function followHashCommand(part: string, total: number): string {
  return `tail -c +1 --pid="$PPID" -f -- ${shq(part)} | head -c ${shq(String(total))} | ${HASHER}`;
}

/**
 * The host's sha256 of stdin, in sha256sum's format (`HEX  -` / `HEX *stdin`): OpenSSL's when the host has
 * it (it uses the CPU's SHA instructions: a quarter of coreutils' CPU for the same file), else sha256sum.
 */
export const HASHER = 'if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi';

interface Follower {
  /** Starts the hasher (once the part is open). */
  start: () => void;
  /** The followed sum, or undefined when it failed or did not come in time (then it is stopped). */
  sum: (waitMs: number) => Promise<string | undefined>;
  stop: () => void;
}

function followHash(session: SftpSession, part: string, total: number): Follower {
  const ac = new AbortController();
  let result: Promise<string | undefined> | undefined;
  let ended: Promise<unknown> = Promise.resolve();
  let gotSum: (s: string | undefined) => void = () => undefined;
  const line = new Promise<string | undefined>((resolve) => (gotSum = resolve));
  return {
    start() {
      if (result) return;
      const run = session.exec(followHashCommand(part, total), {
        signal: ac.signal,
        collect: false,
        onStdout: (l) => gotSum(sumOf(l)),
      });
      ended = run.catch(() => undefined);
      // The sum line comes before the command ends (tail waits for more until it is stopped); an exit first
      // (no GNU tail, no part) gives no sum.
      result = Promise.race([line, run.then(() => undefined, () => undefined)]);
    },
    async sum(waitMs) {
      if (!result) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
      const s = await Promise.race([result, late]);
      clearTimeout(timer);
      ac.abort();
      await ended;
      return s;
    },
    stop() {
      ac.abort();
    },
  };
}

interface SendArgs {
  localPath: string;
  part: string;
  from: number;
  total: number;
  hash: Hash;
  mode: number;
  host: string;
  options: ResumableOptions;
  emit: (e: ResumableEvent) => void;
  closed: () => boolean;
}

/** Streams the local file from `from` into the part with WINDOW writes in flight; resolves with the bytes sent. */
function sendFrom(sftp: SFTPWrapper, touch: () => void, a: SendArgs, opened: () => void): Promise<number> {
  const fail = (kind: SshError['kind'], message: string) => new SshError(kind, a.host, message);
  const every = a.options.progressEveryMs ?? 100;
  // A part continued is opened for writing without truncation; a new one (or one discarded) is truncated.
  const flags = a.from > 0 ? 'r+' : 'w';
  return new Promise<number>((resolve, reject) => {
    sftp.open(a.part, flags, { mode: a.mode }, (openErr, handle) => {
      touch();
      if (openErr) return reject(fail('protocol', `cannot write ${a.part}: ${openErr.message}`));
      opened();
      const started = performance.now();
      let acked = 0;
      let active = 0;
      let failed: SshError | undefined;
      let readDone = false;
      let finished = false;
      let lastEvent = 0;
      const stream = createReadStream(a.localPath, { start: a.from, highWaterMark: READ });
      const sock = socketOf(sftp);
      const progress = (force: boolean) => {
        const now = performance.now();
        if (!force && now - lastEvent < every) return;
        lastEvent = now;
        const secs = (now - started) / 1000;
        a.emit({ type: 'progress', done: a.from + acked, total: a.total, sent: acked, rate: secs > 0 ? acked / secs : 0 });
      };
      const finish = () => {
        if (finished) return;
        finished = true;
        stream.destroy();
        a.options.signal?.removeEventListener('abort', onAbort);
        const settle = () => {
          if (failed) return reject(failed);
          progress(true);
          resolve(acked);
        };
        // After a lost connection there is nobody to close the handle with.
        if (a.closed()) return settle();
        sftp.close(handle, (closeErr) => {
          if (!failed && closeErr) failed = fail('protocol', `closing ${a.part}: ${closeErr.message}`);
          settle();
        });
      };
      const stop = (e: SshError) => {
        if (!failed) failed = e;
        stream.pause();
        if (active === 0) finish();
      };
      const onAbort = () => stop(fail('cancelled', `upload to ${a.part} cancelled at byte ${a.from + acked}; run it again to resume`));
      if (a.options.signal?.aborted) return onAbort();
      a.options.signal?.addEventListener('abort', onAbort, { once: true });

      let at = a.from;
      const writeOne = (buf: Buffer, pos: number) => {
        active++;
        sftp.write(handle, buf, 0, buf.length, pos, (wErr) => {
          touch();
          active--;
          if (wErr) {
            const lost = a.closed() || /no response|not connected|closed/i.test(wErr.message);
            stop(
              lost
                ? fail('unreachable', `connection lost during the upload to ${a.part} (about ${a.from + acked} bytes there); run it again to resume`)
                : fail('protocol', `writing ${a.part}: ${wErr.message}`),
            );
          } else if (!failed) {
            acked += buf.length;
            progress(false);
          }
          if (failed) {
            if (active === 0) finish();
            return;
          }
          if (readDone && active === 0) finish();
          else if (active <= WINDOW / 2 && stream.isPaused()) stream.resume();
        });
      };
      stream.on('data', (chunk) => {
        const buf = chunk as Buffer;
        if (failed) return;
        a.hash.update(buf);
        sock?.cork();
        try {
          for (let off = 0; off < buf.length; off += CHUNK) {
            const piece = buf.subarray(off, Math.min(off + CHUNK, buf.length));
            writeOne(piece, at);
            at += piece.length;
          }
        } finally {
          sock?.uncork();
        }
        if (active >= WINDOW) stream.pause();
      });
      stream.on('end', () => {
        readDone = true;
        if (active === 0) finish();
      });
      stream.on('error', (e) => stop(fail('protocol', `reading ${a.localPath}: ${e.message}`)));
    });
  });
}

/** How long the part may not grow before the OpenSSH copy is called stuck (as SFTP_IDLE_MS). */
const PIPE_IDLE_MS = 2 * 60_000;
/** How often the part's size is asked for the progress bar while OpenSSH copies. */
const PIPE_POLL_MS = 250;

/**
 * The command on the host that writes stdin into the part: appended to the `from` bytes already there, or,
 * `fresh`, into a new (emptied) part, whose sha256 the host then takes as it arrives and prints.
 */
export function appendCommand(part: string, fresh = false): string {
  return fresh ? `tee -- ${shq(part)} | { ${HASHER}; }` : `exec cat >> ${shq(part)}`;
}

/** Moves an fd's offset forward by reading (Node has no lseek); one reused buffer. */
function skipBytes(fd: number, count: number): void {
  const buf = Buffer.allocUnsafe(Math.min(count, 1024 * 1024) || 1);
  for (let left = count; left > 0; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
    if (n <= 0) throw new Error('the file is shorter than it was');
    left -= n;
  }
}

/** sha256 of bytes [from, total) into `hash`, read with one reused buffer (fresh buffers would cost a page fault per 4 KiB). */
async function hashRange(path: string, from: number, total: number, hash: Hash, stopped: () => boolean): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let pos = from; pos < total && !stopped(); ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, total - pos), pos);
      if (bytesRead <= 0) throw new Error(`${path} is shorter than it was`);
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Copies the local file from `from` through `ssh … 'cat >> PART'`, ssh reading the file itself (Node only
 * hashes it, alongside); resolves with the bytes sent, or with why not when ssh failed before any byte
 * reached the part (the caller then sends them over SFTP). Progress is the part's size on the host.
 */
function sendViaOpenSsh(
  pipe: OpenSshPipe,
  session: SftpSession,
  a: SendArgs,
  opened: () => void,
): Promise<{ sent: number; hostSum?: string } | { reason: string }> {
  const fail = (kind: SshError['kind'], message: string) => new SshError(kind, a.host, message);
  opened();
  const argv = pipe.argv(writeAndHashCommand(a.part, a.from, appendCommand(a.part, a.from === 0)));
  return new Promise<{ sent: number; hostSum?: string } | { reason: string }>((resolve, reject) => {
    let stopped: SshError | undefined;
    let fd: number | undefined;
    let child: ReturnType<typeof spawn>;
    try {
      fd = openSync(a.localPath, 'r');
      skipBytes(fd, a.from);
      child = spawn(argv[0]!, argv.slice(1), { env: pipe.env, stdio: [fd, 'pipe', 'pipe'] });
    } catch (e) {
      return reject(fail('protocol', `reading ${a.localPath}: ${(e as Error).message}`));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const started = performance.now();
    let onHost = a.from;
    let grewAt = started;
    let stderr = '';
    let ended = false;
    const progress = (force: boolean) => {
      const secs = (performance.now() - started) / 1000;
      const sent = onHost - a.from;
      if (force || sent > 0) a.emit({ type: 'progress', done: onHost, total: a.total, sent, rate: secs > 0 ? sent / secs : 0 });
    };
    const stop = (e: SshError) => {
      stopped ??= e;
      child.kill('SIGTERM');
    };
    const onAbort = () => stop(fail('cancelled', `upload to ${a.part} cancelled at byte ${onHost}; run it again to resume`));
    if (a.options.signal?.aborted) onAbort();
    a.options.signal?.addEventListener('abort', onAbort, { once: true });

    // The bar follows the part on the host; a part that stops growing for PIPE_IDLE_MS is a stuck copy.
    const poll = setInterval(() => {
      void session.withSftp(`stat ${a.part}`, (sftp) => partSize(sftp, a.part)).then(
        (size) => {
          if (ended) return;
          if (size !== undefined && size > onHost) {
            onHost = size;
            grewAt = performance.now();
            progress(false);
          } else if (performance.now() - grewAt > PIPE_IDLE_MS) {
            stop(fail('timeout', `upload to ${a.part}: the part did not grow for ${PIPE_IDLE_MS / 1000} s; the transfer was stopped`));
          }
        },
        () => undefined,
      );
    }, Math.max(PIPE_POLL_MS, a.options.progressEveryMs ?? 0));
    const hashed = hashRange(a.localPath, a.from, a.total, a.hash, () => !!stopped).catch((e: Error) => stop(fail('protocol', `reading ${a.localPath}: ${e.message}`)));

    let stdout = '';
    child.stdout?.on('data', (c: Buffer) => {
      if (stdout.length < 4096) stdout += c.toString('utf8');
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString('utf8');
    });
    child.on('error', (e) => stop(fail('protocol', `cannot start ${argv[0]}: ${e.message}`)));
    child.on('close', (code, signal) => {
      ended = true;
      clearInterval(poll);
      a.options.signal?.removeEventListener('abort', onAbort);
      void hashed.then(() => {
        if (stopped) return reject(stopped);
        if (code === 0) {
          onHost = a.total;
          progress(true);
          const hostSum = sumOf(stdout);
          return resolve({ sent: a.total - a.from, ...(hostSum ? { hostSum } : {}) });
        }
        const why = stderr.trim().split('\n').slice(-2).join(' ') || (signal ? `ssh ended by ${signal}` : `ssh exit ${code}`);
        // A different key than the one the installer checked: never retried another way.
        if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
          return reject(fail('protocol', `OpenSSH was shown another host key than the installer checked; nothing more was sent (${why})`));
        }
        const lost = (size: number | undefined) =>
          fail('unreachable', `connection lost during the upload to ${a.part} (${size ?? `about ${onHost}`} bytes there: ${why}); run it again to resume`);
        // Nothing reached the part (a login OpenSSH could not make): SFTP carries the bytes instead.
        void session.withSftp(`stat ${a.part}`, (sftp) => partSize(sftp, a.part)).then(
          (size) => ((size ?? 0) === a.from && !a.closed() ? resolve({ reason: why }) : reject(lost(size))),
          () => reject(lost(undefined)),
        );
      });
    });
  });
}

/**
 * The staging folder of a root-owned destination: beside it (the same file system, so the last step is an
 * atomic rename), owned by the login user so the part is written, resumed and hashed without root, and
 * closed to everyone else (0700); given again to whoever logs in next (sudoStageCommand).
 */
export function sudoStagingDir(remotePath: string): string {
  const dir = remoteDir(remotePath) ?? '.';
  return `${dir}/.cp-installer-upload`;
}

/** Makes the staging folder (as root) and gives it to the user sudo was called by. */
export function sudoStageCommand(staging: string): string {
  // SUDO_UID/SUDO_GID name the login user under sudo; a root login has neither and keeps the folder itself.
  return `mkdir -p -- ${shq(staging)} && chown "\${SUDO_UID:-$(id -u)}:\${SUDO_GID:-$(id -g)}" -- ${shq(staging)} && chmod 0700 -- ${shq(staging)}`;
}

/**
 * The checked file into place as root: owned by root, its mode set, renamed over the destination (atomic:
 * one file system), the staging folder removed when nothing else is staged in it.
 */
export function sudoFinishCommand(staged: string, dest: string, mode: number, staging: string): string {
  return [
    // A regular file, not a link the login user put there (chown and mv would act on what it points to).
    `[ -f ${shq(staged)} ] && [ ! -L ${shq(staged)} ]`,
    `chown 0:0 -- ${shq(staged)}`,
    `chmod ${shq(mode.toString(8).padStart(4, '0'))} -- ${shq(staged)}`,
    `mv -f -- ${shq(staged)} ${shq(dest)}`,
    `{ rmdir -- ${shq(staging)} 2>/dev/null || true; }`,
  ].join(' && ');
}

/**
 * resumableUpload into a root-owned place (`sudo`): the bytes go, resumably and hashed on both ends, into a
 * login-user-owned staging folder beside the destination (sudoStagingDir); then, as root, the checked file
 * is given to root and renamed into place. sudo runs only the two short commands (its password, when the
 * profile needs one, goes on their stdin through the session's exec, never argv or disk); the stream itself
 * needs no root.
 */
export async function resumableUploadSudo(session: SftpSession, localPath: string, remotePath: string, options: ResumableOptions = {}): Promise<ResumableResult> {
  const host = session.target.name;
  const staging = sudoStagingDir(remotePath);
  const staged = `${staging}/${remotePath.slice(remotePath.lastIndexOf('/') + 1)}`;
  const asRoot = async (command: string, what: string) => {
    const r = await session.exec(command, { sudo: true, ...(options.signal ? { signal: options.signal } : {}) });
    if (r.code !== 0) throw new SshError('protocol', host, `${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  };
  await asRoot(sudoStageCommand(staging), `preparing ${staging} for the upload (sudo)`);
  // The user's own file until the last step: 0600 whatever the final mode.
  const r = await resumableUpload(session, localPath, staged, { ...options, mode: 0o600 });
  await asRoot(sudoFinishCommand(staged, remotePath, options.mode ?? 0o644, staging), `moving ${staged} to ${remotePath} (sudo)`);
  return r;
}
