// The bundle file: one plain tar (its artifacts are compressed already) whose first entry is the manifest
// (`bundle-manifest.json`: every artifact with the SHA-256 and size of each of its files) and whose second is
// the manifest's own checksum in sha256sum's format, so the manifest can be checked by hand and a changed
// byte anywhere is caught and named. Unpacked, it is the folder layout the offline flow reads
// (`plan.bundle.path`): cp-deployment/ (the tree), wheels/, charts/, manifests/, files/<host>/<path>
// (Kubespray's files_repo layout) and images/<registry>/<repo>/<tag>.oci.tar.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { MANIFEST_PATH, MANIFEST_SUM_PATH, TREE_PATH, type Artifact, type BundleManifest } from './manifest.js';
import type { TreeReader } from './vars.js';

export interface BuiltEntry {
  path: string;
  sha256: string;
  size: number;
}

export interface BuiltArtifact extends Artifact {
  entries: BuiltEntry[];
  /** An image whose tag the chart decided: the reference that was copied. */
  resolved?: string;
}

export interface BuiltManifest extends Omit<BundleManifest, 'artifacts'> {
  artifacts: BuiltArtifact[];
  createdAt: string;
  createdBy: string;
}

export function manifestText(m: BuiltManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256sum's line for the manifest, so `sha256sum -c` checks it once the bundle is unpacked. */
export function manifestSumLine(text: string): string {
  return `${sha256(text)}  ${MANIFEST_PATH}\n`;
}

/** Writes the bundle from a folder holding every entry at its path (`stage/<path>`). */
export async function writeBundle(out: string, manifest: BuiltManifest, stage: string, onEntry?: (path: string, size: number) => void): Promise<{ manifestSha256: string; size: number }> {
  const text = manifestText(manifest);
  const pack = tar.pack();
  const tmp = `${out}.part`;
  const done = pipeline(pack, createWriteStream(tmp));
  const mtime = new Date(manifest.createdAt);
  const add = (header: Parameters<tar.Pack['entry']>[0], body: Buffer) => new Promise<void>((res, rej) => pack.entry(header, body, (e) => (e ? rej(e) : res())));
  await add({ name: MANIFEST_PATH, size: Buffer.byteLength(text), mtime, mode: 0o644 }, Buffer.from(text));
  const sum = manifestSumLine(text);
  await add({ name: MANIFEST_SUM_PATH, size: Buffer.byteLength(sum), mtime, mode: 0o644 }, Buffer.from(sum));
  for (const a of manifest.artifacts) {
    for (const e of a.entries) {
      const entry = pack.entry({ name: e.path, size: e.size, mtime, mode: 0o644 });
      await pipeline(createReadStream(join(stage, e.path)), entry);
      onEntry?.(e.path, e.size);
    }
  }
  pack.finalize();
  await done;
  await rename(tmp, out);
  return { manifestSha256: sha256(text), size: (await stat(out)).size };
}

export interface Problem {
  /** The artifact the damaged or missing file belongs to, when known. */
  artifact?: string;
  path: string;
  problem: 'checksum' | 'size' | 'missing' | 'unexpected' | 'damaged' | 'manifest';
  expected?: string;
  actual?: string;
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  manifest?: BuiltManifest;
  manifestSha256?: string;
  /** The manifest exactly as stored (its checksum is over these bytes). */
  manifestText?: string;
  problems: Problem[];
  entries: number;
}

interface ReadHooks {
  /** Called with the manifest as soon as it is read and checked; return false to stop reading. */
  manifest?: (m: BuiltManifest) => boolean | void;
  /** Called for every artifact entry; `data` streams the entry's bytes. Resolve when done with it. */
  entry?: (path: string, data: Readable, artifact: BuiltArtifact | undefined) => Promise<void>;
  /** Asked after each entry: true stops the read there (nothing after it is checked). */
  enough?: () => boolean;
}

/**
 * Reads a bundle from start to end, checking every entry against the manifest as it streams by (nothing is
 * held in memory but the manifest). A damaged tar header stops the read; it is reported with the last entry
 * read whole, so a person knows where the damage begins.
 */
export async function readBundle(file: string, hooks: ReadHooks = {}): Promise<VerifyResult> {
  const problems: Problem[] = [];
  let manifest: BuiltManifest | undefined;
  let manifestText_: string | undefined;
  let manifestSha: string | undefined;
  const byPath = new Map<string, { artifact: BuiltArtifact; entry: BuiltEntry }>();
  const seen = new Set<string>();
  let index = 0;
  let last = '(the start of the file)';
  let stopped = false;
  const extract = tar.extract();
  const source = createReadStream(file);
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const path = header.name;
      const i = index++;
      const hash = createHash('sha256');
      let size = 0;
      const chunks: Buffer[] = [];
      const item = byPath.get(path);
      // Every byte passes the hash on its way to whoever reads the entry (with backpressure), or to nothing.
      const hashed = new Transform({
        transform(c: Buffer, _e, cb) {
          hash.update(c);
          size += c.length;
          if (i < 2) chunks.push(c);
          cb(null, c);
        },
      });
      stream.on('error', reject);
      stream.pipe(hashed);
      const consumer = hooks.entry && item && i >= 2 ? hooks.entry(path, hashed, item.artifact) : (hashed.resume(), Promise.resolve());
      const ended = new Promise<void>((res, rej) => {
        hashed.on('end', res);
        hashed.on('error', rej);
      });
      Promise.all([consumer, ended]).then(() => {
        {
          const actual = hash.digest('hex');
          if (i === 0) {
            if (path !== MANIFEST_PATH) problems.push({ path, problem: 'manifest', detail: `the first entry is ${path}, not ${MANIFEST_PATH}` });
            else {
              manifestText_ = Buffer.concat(chunks).toString('utf8');
              manifestSha = actual;
              try {
                manifest = JSON.parse(manifestText_) as BuiltManifest;
                for (const a of manifest.artifacts) for (const e of a.entries) byPath.set(e.path, { artifact: a, entry: e });
              } catch (e) {
                problems.push({ path, problem: 'manifest', detail: `the manifest is not JSON: ${(e as Error).message}` });
              }
            }
          } else if (i === 1) {
            const line = Buffer.concat(chunks).toString('utf8').trim();
            const want = line.split(/\s+/)[0];
            if (path !== MANIFEST_SUM_PATH) problems.push({ path, problem: 'manifest', detail: `the second entry is ${path}, not ${MANIFEST_SUM_PATH}` });
            else if (want !== manifestSha) problems.push({ path: MANIFEST_PATH, problem: 'manifest', expected: want, actual: manifestSha, detail: 'the manifest does not match its checksum' });
            if (manifest && problems.length === 0 && hooks.manifest?.(manifest) === false) {
              stopped = true;
              source.destroy();
              resolve();
              return;
            }
          } else if (!item) {
            problems.push({ path, problem: 'unexpected' });
          } else {
            seen.add(path);
            if (size !== item.entry.size) problems.push({ artifact: item.artifact.id, path, problem: 'size', expected: String(item.entry.size), actual: String(size) });
            else if (actual !== item.entry.sha256) problems.push({ artifact: item.artifact.id, path, problem: 'checksum', expected: item.entry.sha256, actual });
          }
          last = path;
          if (i >= 2 && hooks.enough?.()) {
            stopped = true;
            source.destroy();
            resolve();
            return;
          }
          next();
        }
      }, reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  source.on('error', (e) => extract.destroy(e));
  source.pipe(extract);
  try {
    await done;
  } catch (e) {
    if (!stopped) {
      const after = byPath.get(last)?.artifact.id;
      problems.push({ path: last, problem: 'damaged', detail: `the archive cannot be read after ${last}${after ? ` (${after})` : ''}: ${(e as Error).message}` });
    }
  }
  if (!manifest && !problems.some((p) => p.problem === 'manifest' || p.problem === 'damaged')) problems.push({ path: MANIFEST_PATH, problem: 'manifest', detail: 'the bundle has no manifest' });
  if (manifest && !stopped) {
    for (const [path, { artifact }] of byPath) if (!seen.has(path) && !problems.some((p) => p.path === path)) problems.push({ artifact: artifact.id, path, problem: 'missing' });
  }
  return { ok: problems.length === 0, ...(manifest ? { manifest } : {}), ...(manifestSha ? { manifestSha256: manifestSha } : {}), ...(manifestText_ !== undefined ? { manifestText: manifestText_ } : {}), problems, entries: index };
}

export function verifyBundle(file: string): Promise<VerifyResult> {
  return readBundle(file);
}

/** Only the manifest (checked against its checksum), without reading the rest of the file. */
export async function readManifest(file: string): Promise<{ manifest?: BuiltManifest; manifestSha256?: string; problems: Problem[] }> {
  const r = await readBundle(file, { manifest: () => false });
  return { ...(r.manifest ? { manifest: r.manifest } : {}), ...(r.manifestSha256 ? { manifestSha256: r.manifestSha256 } : {}), problems: r.problems };
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The files of a tree archive (a GitHub tag tarball: one top folder, stripped), text files kept for reading. */
export async function treeFromArchive(data: Buffer | Readable, maxTextBytes = 4 * 1024 * 1024): Promise<TreeReader & { files: Set<string> }> {
  const files = new Map<string, Buffer | undefined>();
  const dirs = new Map<string, Set<string>>();
  const extract = tar.extract();
  const input = Buffer.isBuffer(data) ? Readable.from([data]) : data;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const rel = header.name.split('/').slice(1).join('/').replace(/\/$/, '');
      if (header.type === 'file' && rel) {
        const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        if (!dirs.has(parent)) dirs.set(parent, new Set());
        dirs.get(parent)?.add(rel.slice(rel.lastIndexOf('/') + 1));
        for (let p = parent; p; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
          const up = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
          if (!dirs.has(up)) dirs.set(up, new Set());
          dirs.get(up)?.add(p.slice(p.lastIndexOf('/') + 1));
        }
        if ((header.size ?? 0) <= maxTextBytes) {
          collect(stream as unknown as Readable).then((b) => {
            files.set(rel, b);
            next();
          }, reject);
          return;
        }
        files.set(rel, undefined);
      }
      stream.on('end', () => next());
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  await pipeline(input, createGunzip(), extract).catch((e: Error) => {
    throw new Error(`the tree archive cannot be read: ${e.message}`);
  });
  await done;
  return {
    files: new Set(files.keys()),
    read: (p) => files.get(normalize(p).split(sep).join('/'))?.toString('utf8'),
    list: (p) => [...(dirs.get(normalize(p).split(sep).join('/').replace(/^\.$/, '').replace(/\/$/, '')) ?? [])],
  };
}

/** A tree already unpacked in a folder (a clone, an unpacked bundle, the platform's tree at hand). */
export function treeFromDir(root: string): TreeReader {
  return {
    read: (p) => {
      const f = join(root, p);
      return existsSync(f) && statSync(f).isFile() ? readFileSync(f, 'utf8') : undefined;
    },
    list: (p) => {
      const d = join(root, p);
      return existsSync(d) && statSync(d).isDirectory() ? readdirSync(d) : [];
    },
  };
}

/** The tree inside a bundle, read from its tree entry. */
export async function treeFromBundle(file: string): Promise<(TreeReader & { files: Set<string> }) | undefined> {
  let tree: (TreeReader & { files: Set<string> }) | undefined;
  await readBundle(file, {
    entry: async (path, data) => {
      if (path === TREE_PATH) tree = await treeFromArchive(data);
      else data.resume();
    },
    // The tree is written right after the manifest: nothing past it needs reading.
    enough: () => tree !== undefined,
  });
  return tree;
}

function safeJoin(root: string, rel: string): string {
  const out = normalize(join(root, rel));
  if (out !== root && !out.startsWith(root.endsWith(sep) ? root : root + sep)) throw new Error(`${rel} would land outside ${root}`);
  return out;
}

/**
 * Unpacks a bundle into a folder, checking every file as it goes, and expands the tree into
 * `<dir>/cp-deployment/` — the folder `plan.bundle.path` then names.
 */
export async function unpackBundle(file: string, dir: string): Promise<VerifyResult> {
  await mkdir(dir, { recursive: true });
  const result = await readBundle(file, {
    entry: async (path, data) => {
      const dest = safeJoin(dir, path);
      await mkdir(dirname(dest), { recursive: true });
      await pipeline(data, createWriteStream(dest));
    },
  });
  if (!result.ok) return result;
  // The manifest and its checksum line beside the files, so `sha256sum -c bundle-manifest.json.sha256` works there.
  const text = result.manifestText ?? manifestText(result.manifest as BuiltManifest);
  await writeFile(join(dir, MANIFEST_PATH), text);
  await writeFile(join(dir, MANIFEST_SUM_PATH), manifestSumLine(text));
  const root = join(dir, 'cp-deployment');
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const rel = header.name.split('/').slice(1).join('/');
    if (!rel) {
      stream.resume();
      stream.on('end', () => next());
      return;
    }
    const dest = safeJoin(root, rel);
    const finish = (p: Promise<unknown>) => p.then(() => next(), (e: Error) => next(e));
    if (header.type === 'directory') {
      stream.resume();
      finish(mkdir(dest, { recursive: true }));
    } else if (header.type === 'symlink') {
      stream.resume();
      finish(mkdir(dirname(dest), { recursive: true }).then(() => symlink(header.linkname ?? '', dest)));
    } else if (header.type === 'file') {
      finish(
        mkdir(dirname(dest), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(dest)))
          .then(() => chmod(dest, (header.mode ?? 0o644) & 0o777)),
      );
    } else {
      stream.resume();
      stream.on('end', () => next());
    }
  });
  await pipeline(createReadStream(join(dir, TREE_PATH)), createGunzip(), extract);
  return result;
}

/** A sink that discards (for reading a bundle only to check it). */
export function discard(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
