// Reading a file a person names (a plan, a vars file) without trusting it: only a regular file, never more
// than a bound (a 10 GB file or /dev/zero is refused after max+1 bytes, not read into memory), and UTF-8
// or refused. Failures are PlanErrors with a message key, so every shell says what is wrong in words.
import { open } from 'node:fs/promises';
import { openSync, closeSync, fstatSync, readSync } from 'node:fs';
import { VARS_LIMITS } from '../plan/vars.js';
import { PLAN_LIMITS } from '../plan/yaml.js';

export { PLAN_LIMITS, VARS_LIMITS };

/** A failure with a message key (toApiError and the CLI render it). */
export class InputFileError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number>,
  ) {
    super(`${key}: ${Object.values(params).join(', ')}`);
    this.name = 'InputFileError';
  }
}

function unreadable(path: string, e: unknown): InputFileError {
  return new InputFileError('plan.file.unreadable', { path, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
}

function decode(path: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputFileError('plan.file.notUtf8', { path });
  }
}

/** The text of a file of at most `maxBytes` bytes. */
export async function readInputFile(path: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InputFileError('plan.file.notFile', { path });
    const buf = Buffer.alloc(maxBytes + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > maxBytes) throw new InputFileError('plan.file.tooBig', { path, max: maxBytes });
    }
    return decode(path, buf.subarray(0, got));
  } catch (e) {
    throw e instanceof InputFileError ? e : unreadable(path, e);
  } finally {
    await handle.close();
  }
}

/** readInputFile for callers that are synchronous (the install facade's plan loader). */
export function readInputFileSync(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new InputFileError('plan.file.notFile', { path });
    const buf = Buffer.alloc(maxBytes + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > maxBytes) throw new InputFileError('plan.file.tooBig', { path, max: maxBytes });
    }
    return decode(path, buf.subarray(0, got));
  } catch (e) {
    throw e instanceof InputFileError ? e : unreadable(path, e);
  } finally {
    closeSync(fd);
  }
}
