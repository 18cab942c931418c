// Downloads one file so that a broken connection costs only what was not yet received: the bytes arrive in
// `<dest>.part`, a retry asks for the rest with an HTTP Range request (and starts over only when the server
// ignores the range), and the file takes its name only once its SHA-256 matches. Redirects are followed
// (GitHub release assets live on another host).
import { open, rename, rm, stat } from 'node:fs/promises';
import { sha256File } from '../common/sha256-file.js';

export class ChecksumError extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${url}: sha256 ${actual} does not match the expected ${expected}`);
  }
}

export class DownloadError extends Error {
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(`${url}: ${detail}`);
  }
}

export interface FetchProgress {
  url: string;
  done: number;
  /** Total bytes when the server says. */
  total?: number;
  /** Bytes already on disk from an earlier, broken attempt when this one started. */
  resumedFrom: number;
}

export interface FetchOptions {
  sha256?: string;
  onProgress?: (p: FetchProgress) => void;
  /** Attempts after a broken connection or a 5xx (each resumes). */
  retries?: number;
  /** Milliseconds without a byte before an attempt is given up (and resumed). */
  idleTimeoutMs?: number;
  retryDelayMs?: number;
  signal?: AbortSignal;
}


async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** `bytes 100-199/1000` → start 100, total 1000. */
export function parseContentRange(header: string | null): { start: number; total?: number } | undefined {
  const m = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), ...(m[2] !== '*' ? { total: Number(m[2]) } : {}) };
}

/** One attempt: appends to the part file from where it ends. Resolves true when the body ended whole. */
async function attempt(url: string, part: string, opts: FetchOptions): Promise<{ complete: boolean; total?: number }> {
  const have = await sizeOf(part);
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => ctrl.abort(new Error('no data')), opts.idleTimeoutMs ?? 60_000);
  };
  try {
    arm();
    const res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: 'follow', signal: ctrl.signal });
    if (res.status === 416 && have > 0) {
      // The part already holds every byte (an earlier attempt ended just before the rename).
      await res.body?.cancel();
      return { complete: true };
    }
    if (res.status >= 500) throw new DownloadError(url, `HTTP ${res.status}`);
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      const e = new DownloadError(url, `HTTP ${res.status} ${res.statusText}`);
      (e as DownloadError & { fatal: boolean }).fatal = true;
      throw e;
    }
    let start = 0;
    let total: number | undefined;
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!range || range.start !== have) throw new DownloadError(url, `the server answered range ${res.headers.get('content-range')} to bytes=${have}-`);
      start = have;
      total = range.total;
    } else {
      const len = res.headers.get('content-length');
      total = len ? Number(len) : undefined;
    }
    const fh = await open(part, start === 0 ? 'w' : 'a');
    let done = start;
    try {
      opts.onProgress?.({ url, done, ...(total !== undefined ? { total } : {}), resumedFrom: start });
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          arm();
          await fh.write(chunk);
          done += chunk.length;
          opts.onProgress?.({ url, done, ...(total !== undefined ? { total } : {}), resumedFrom: start });
        }
      }
    } finally {
      await fh.close();
    }
    if (total !== undefined && done !== total) throw new DownloadError(url, `the connection ended at byte ${done} of ${total}`);
    return { complete: true, ...(total !== undefined ? { total } : {}) };
  } finally {
    clearTimeout(idle);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Fetches `url` to `dest`, resuming a `<dest>.part` left by an earlier run or a broken connection. With
 * `sha256`, a file that does not match is removed and the error names both sums; a `dest` that already
 * exists and matches is not fetched again.
 */
export async function fetchFile(url: string, dest: string, opts: FetchOptions = {}): Promise<{ sha256: string; size: number; attempts: number }> {
  if (opts.sha256 && (await sizeOf(dest)) > 0) {
    const have = await sha256File(dest);
    if (have.sha256 === opts.sha256) return { ...have, attempts: 0 };
  }
  const part = `${dest}.part`;
  const retries = opts.retries ?? 5;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await attempt(url, part, opts);
      break;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if ((e as { fatal?: boolean }).fatal || attempts > retries) {
        throw e instanceof DownloadError ? e : new DownloadError(url, (e as Error).cause ? `${(e as Error).message}: ${String(((e as Error).cause as Error).message ?? (e as Error).cause)}` : (e as Error).message);
      }
      await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 500) * attempts));
    }
  }
  const got = await sha256File(part);
  if (opts.sha256 && got.sha256 !== opts.sha256.toLowerCase()) {
    await rm(part, { force: true });
    throw new ChecksumError(url, opts.sha256, got.sha256);
  }
  await rename(part, dest);
  return { ...got, attempts };
}
