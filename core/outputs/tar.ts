// Tar archives through tar-stream (PAX headers for long or non-ASCII paths and long symlink targets),
// gzip'd by zlib: a support bundle and the Kubespray tree must open with the system's `tar` anywhere.
import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export interface TarEntry {
  /** Path inside the archive, with `/` separators; a trailing `/` or type 'dir' makes a folder. */
  name: string;
  type?: 'file' | 'dir' | 'symlink';
  /** The target of a symlink, stored as is. */
  link?: string;
  /** Contents, or a file on disk to copy (read in chunks: logs may be large). */
  data?: Buffer | string;
  file?: string;
  mode?: number;
  mtime?: Date;
}

function cleanName(name: string, dir: boolean): string {
  const trimmed = name.replace(/^\/+/, '').split('/').filter((p) => p !== '' && p !== '.' && p !== '..').join('/');
  return dir && trimmed ? `${trimmed}/` : trimmed;
}

/** Exactly `size` bytes of a file, even if it grows or shrinks meanwhile (a log still being written). */
async function* exactly(file: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  try {
    let left = size;
    const chunk = Buffer.alloc(Math.min(64 * 1024, Math.max(size, 1)));
    while (left > 0) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, left), size - left);
      if (bytesRead === 0) break;
      yield Buffer.from(chunk.subarray(0, bytesRead));
      left -= bytesRead;
    }
    if (left > 0) yield Buffer.alloc(left); // the file shrank: keep the header's size true
  } finally {
    await fh.close();
  }
}

async function fill(pack: tar.Pack, entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<void> {
  for await (const entry of entries) {
    const link = entry.type === 'symlink' ? (entry.link ?? '') : undefined;
    const dir = link === undefined && (entry.type === 'dir' || entry.name.endsWith('/'));
    const name = cleanName(entry.name, dir);
    if (name === '') continue;
    const mtime = entry.mtime ?? new Date();
    const added = (header: Parameters<tar.Pack['entry']>[0]) => new Promise<void>((resolve, reject) => pack.entry(header, (e) => (e ? reject(e) : resolve())));
    if (link !== undefined) {
      await added({ name, type: 'symlink', linkname: link, mode: 0o777, mtime });
    } else if (dir) {
      await added({ name, type: 'directory', mode: entry.mode ?? 0o755, mtime });
    } else if (entry.file !== undefined) {
      const size = (await stat(entry.file)).size;
      await pipeline(Readable.from(exactly(entry.file, size)), pack.entry({ name, size, mode: entry.mode ?? 0o644, mtime }));
    } else {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
      await new Promise<void>((resolve, reject) => pack.entry({ name, size: data.length, mode: entry.mode ?? 0o644, mtime }, data, (e) => (e ? reject(e) : resolve())));
    }
  }
  pack.finalize();
}

/** Packs while `sink` drains the archive; a failure on either side ends both. */
async function packInto(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, drain: (pack: tar.Pack) => Promise<void>): Promise<void> {
  const pack = tar.pack();
  const filling = fill(pack, entries).catch((e: unknown) => {
    pack.destroy(e as Error);
    throw e;
  });
  await Promise.all([filling, drain(pack)]);
}

/** Writes entries as a .tar.gz at `path` (mode 0600: a support bundle describes the site). */
export async function writeTarGz(path: string, entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<void> {
  await packInto(entries, (pack) => pipeline(pack, createGzip(), createWriteStream(path, { mode: 0o600 })));
}

/** The tar (not gzip'd) as one buffer: for the Kubespray tree and tests. */
export async function tarBuffer(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<Buffer> {
  const parts: Buffer[] = [];
  await packInto(entries, async (pack) => {
    for await (const b of pack) parts.push(b as Buffer);
  });
  return Buffer.concat(parts);
}
