// A file of random bytes for the upload tests, written in 4 MiB pieces and hashed as it goes: neither the test
// nor the upload under test may need the whole file in memory.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes `size` random bytes (rounded up to a whole 4 MiB piece) to `path`; returns their sha256 (hex). */
export function writeRandomFile(path: string, size: number): string {
  const fd = openSync(path, 'w');
  const h = createHash('sha256');
  try {
    for (let at = 0; at < size; at += 4 * 1024 * 1024) {
      const piece = randomBytes(4 * 1024 * 1024);
      h.update(piece);
      writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
