// A small streaming tar writer (POSIX ustar, with a PAX header for paths longer than ustar holds), gzip'd by
// zlib: Node has no tar, and a support bundle must open with the system's `tar -xzf` anywhere.
import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

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

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width includes the terminating NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeString(buf: Buffer, offset: number, width: number, value: string): void {
  buf.write(value, offset, Math.min(width, Buffer.byteLength(value)), 'utf8');
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes), or undefined when it cannot. */
function splitUstar(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { prefix, name };
  }
  return undefined;
}

function header(name: string, size: number, options: { type: string; mode: number; mtime: Date; link?: string }): Buffer {
  const buf = Buffer.alloc(BLOCK);
  const parts = splitUstar(name) ?? { prefix: '', name: name.slice(0, 100) };
  writeString(buf, 0, 100, parts.name);
  writeString(buf, 100, 8, octal(options.mode & 0o7777, 8));
  writeString(buf, 108, 8, octal(0, 8));
  writeString(buf, 116, 8, octal(0, 8));
  writeString(buf, 124, 12, octal(size, 12));
  writeString(buf, 136, 12, octal(Math.floor(options.mtime.getTime() / 1000), 12));
  buf.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(buf, 156, 1, options.type);
  if (options.link) writeString(buf, 157, 100, options.link);
  writeString(buf, 257, 6, 'ustar\0');
  writeString(buf, 263, 2, '00');
  writeString(buf, 265, 32, 'root');
  writeString(buf, 297, 32, 'root');
  writeString(buf, 345, 155, parts.prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += buf[i]!;
  writeString(buf, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return buf;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A PAX extended header record: "<len> path=<value>\n", where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function cleanName(name: string, dir: boolean): string {
  const trimmed = name.replace(/^\/+/, '').split('/').filter((p) => p !== '' && p !== '.' && p !== '..').join('/');
  return dir ? `${trimmed}/` : trimmed;
}

async function* tarBlocks(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const link = entry.type === 'symlink' ? (entry.link ?? '') : undefined;
    const dir = link === undefined && (entry.type === 'dir' || entry.name.endsWith('/'));
    const name = cleanName(entry.name, dir);
    if (name === '' || name === '/') continue;
    const mtime = entry.mtime ?? new Date();
    let size = 0;
    let data: Buffer | undefined;
    if (!dir && link === undefined) {
      if (entry.file !== undefined) size = (await stat(entry.file)).size;
      else {
        data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
        size = data.length;
      }
    }
    if (!splitUstar(name)) {
      const pax = Buffer.from(paxRecord('path', name));
      yield header(`PaxHeaders/${name.split('/').filter(Boolean).pop()!.slice(0, 80)}`, pax.length, { type: 'x', mode: 0o644, mtime });
      yield pax;
      yield padding(pax.length);
    }
    if (link !== undefined) {
      if (Buffer.byteLength(link) > 100) throw new Error(`symlink target too long for tar: ${name} -> ${link}`);
      yield header(name, 0, { type: '2', mode: 0o777, mtime, link });
      continue;
    }
    yield header(name, size, { type: dir ? '5' : '0', mode: entry.mode ?? (dir ? 0o755 : 0o644), mtime });
    if (dir) continue;
    if (data) {
      yield data;
    } else if (entry.file !== undefined) {
      // Exactly `size` bytes, even if the file grows meanwhile (a log still being written).
      const fh = await open(entry.file, 'r');
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
    yield padding(size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Writes entries as a .tar.gz at `path` (mode 0600: a support bundle describes the site). */
export async function writeTarGz(path: string, entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<void> {
  await pipeline(Readable.from(tarBlocks(entries)), createGzip(), createWriteStream(path, { mode: 0o600 }));
}

/** The tar (not gzip'd) as one buffer: for tests and small archives. */
export async function tarBuffer(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of tarBlocks(entries)) parts.push(b);
  return Buffer.concat(parts);
}

