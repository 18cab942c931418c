// `bundle build`: fetches every artifact of the manifest into a staging folder beside the output (so a
// build that stops — a lost link, Ctrl-C, a failed image — goes on where it stopped when run again), checks
// each against its SHA-256, copies images with skopeo, then writes the one bundle file. Sources are the
// upstream sites (online) or a mirror that keeps each file under `<mirror>/<host>/<path>` (the layout of
// Kubespray's files_repo) and each image under the same repository path in one registry.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'yaml';
import tar from 'tar-stream';
import { pipeline } from 'node:stream/promises';
import type { Release } from '../plan/catalog.js';
import { treeFromArchive, writeBundle, type BuiltArtifact, type BuiltEntry, type BuiltManifest } from './archive.js';
import { sha256File } from '../common/sha256-file.js';
import { fetchFile, type FetchProgress } from './fetch.js';
import { archiveDigest, copyImage, run } from './images.js';
import type { Arch } from './kubespray.js';
import { bundleManifest, imagePath, TREE_PATH, treeArchiveUrl, type Artifact, type ManifestInputs } from './manifest.js';
import { normalizeImage } from './platform.js';

export type BuildEvent =
  | { type: 'start'; count: number }
  | { type: 'artifact'; id: string; kind: Artifact['kind']; index: number; count: number }
  | { type: 'progress'; id: string; done: number; total?: number; resumedFrom: number }
  | { type: 'done'; id: string; sha256: string; size: number; reused: boolean }
  | { type: 'failed'; id: string; message: string }
  | { type: 'writing'; path: string; size: number };

export interface BuildOptions {
  release: Release;
  plan?: ManifestInputs['plan'];
  arch?: Arch[];
  /** Base URL of a mirror (`<mirror>/<host>/<path>`); undefined fetches from the upstream sites. */
  mirror?: string;
  /** Registry host:port holding the images under their upstream repository paths. */
  imageMirror?: string;
  /** The image source speaks plain HTTP or has a certificate this machine does not trust. */
  insecureRegistry?: boolean;
  /** Artifact kinds to leave out (e.g. wheels when no Python index is at hand); `covers` names them missing. */
  without?: Artifact['kind'][];
  out: string;
  /** Staging folder; `<out>.work` by default. Kept after a failure so the next build resumes. */
  work?: string;
  onEvent?: (e: BuildEvent) => void;
  skopeo?: string;
  python?: string;
  signal?: AbortSignal;
  retryDelayMs?: number;
  now?: () => Date;
}

export interface BuildResult {
  ok: boolean;
  manifest?: BuiltManifest;
  manifestSha256?: string;
  size?: number;
  failed: { id: string; message: string }[];
}

/** Where a file is fetched from: the mirror's copy (same host and path under the mirror), or the URL itself. */
export function sourceUrl(url: string, mirror?: string): string {
  if (!mirror) return url;
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
}

/** The entry of a Helm repository's index.yaml for one chart version: its URL (absolute) and digest. */
export function chartFromIndex(indexYaml: string, repo: string, chart: string, version: string): { url: string; sha256?: string } | undefined {
  const index = parse(indexYaml) as { entries?: Record<string, { version?: string; urls?: string[]; digest?: string }[]> };
  const e = index?.entries?.[chart]?.find((x) => String(x.version) === version);
  const first = e?.urls?.[0];
  if (!first) return undefined;
  const url = /^[a-z]+:\/\//i.test(first) ? first : `${repo.replace(/\/+$/, '')}/${first}`;
  return { url, ...(e?.digest ? { sha256: e.digest } : {}) };
}

/** The image tag a chart uses by default: its values' `image.tag`, else its appVersion. */
export async function chartDefaultTag(chartTgz: string, chart: string): Promise<string | undefined> {
  const texts = new Map<string, string>();
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const name = h.name;
    if (name === `${chart}/values.yaml` || name === `${chart}/Chart.yaml`) {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => void parts.push(c as Buffer));
      stream.on('end', () => {
        texts.set(name.slice(chart.length + 1), Buffer.concat(parts).toString('utf8'));
        next();
      });
    } else {
      stream.on('end', () => next());
      stream.resume();
    }
  });
  await pipeline(createReadStream(chartTgz), createGunzip(), extract);
  const values = parse(texts.get('values.yaml') ?? '') as { image?: { tag?: unknown } } | null;
  if (values?.image?.tag) return String(values.image.tag);
  const meta = parse(texts.get('Chart.yaml') ?? '') as { appVersion?: unknown } | null;
  return meta?.appVersion ? String(meta.appVersion) : undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** What earlier builds finished (path → sha256), so a rerun trusts a staged file only if it still matches. */
class Ledger {
  private data: Record<string, { sha256: string; size: number; digest?: string; resolved?: string }> = {};
  constructor(private readonly file: string) {}
  async load(): Promise<void> {
    try {
      this.data = JSON.parse(await readFile(this.file, 'utf8')) as typeof this.data;
    } catch {
      this.data = {};
    }
  }
  get(path: string) {
    return this.data[path];
  }
  async set(path: string, v: { sha256: string; size: number; digest?: string; resolved?: string }): Promise<void> {
    this.data[path] = v;
    await writeFile(this.file, JSON.stringify(this.data));
  }
}

export async function buildBundle(o: BuildOptions): Promise<BuildResult> {
  const work = o.work ?? `${o.out}.work`;
  const stage = join(work, 'stage');
  await mkdir(stage, { recursive: true });
  const ledger = new Ledger(join(work, 'ledger.json'));
  await ledger.load();
  const emit = o.onEvent ?? (() => {});
  const failed: BuildResult['failed'] = [];
  const progress = (id: string) => (p: FetchProgress) => emit({ type: 'progress', id, done: p.done, ...(p.total !== undefined ? { total: p.total } : {}), resumedFrom: p.resumedFrom });

  /** A staged file an earlier run finished and that still has the bytes it had then. */
  const reusable = async (path: string) => {
    const rec = ledger.get(path);
    if (!rec || !(await exists(join(stage, path)))) return undefined;
    const now = await sha256File(join(stage, path));
    return now.sha256 === rec.sha256 ? rec : undefined;
  };

  // 1. The tree: everything else is read from it.
  emit({ type: 'artifact', id: 'tree', kind: 'tree', index: 0, count: 0 });
  let treeEntry = await reusable(TREE_PATH);
  const treeDest = join(stage, TREE_PATH);
  await mkdir(dirname(treeDest), { recursive: true });
  if (!treeEntry) {
    try {
      const got = await fetchFile(sourceUrl(treeArchiveUrl(o.release), o.mirror), treeDest, { onProgress: progress('tree'), ...(o.signal ? { signal: o.signal } : {}), ...(o.retryDelayMs !== undefined ? { retryDelayMs: o.retryDelayMs } : {}) });
      treeEntry = { sha256: got.sha256, size: got.size };
      await ledger.set(TREE_PATH, treeEntry);
    } catch (e) {
      emit({ type: 'failed', id: 'tree', message: (e as Error).message });
      return { ok: false, failed: [{ id: 'tree', message: (e as Error).message }] };
    }
  }
  emit({ type: 'done', id: 'tree', sha256: treeEntry.sha256, size: treeEntry.size, reused: false });
  const tree = await treeFromArchive(await readFile(treeDest));
  const planned = bundleManifest({ release: o.release, tree, ...(o.plan ? { plan: o.plan } : {}), ...(o.arch ? { arch: o.arch } : {}) });
  const todo = planned.artifacts.filter((a) => a.kind !== 'tree' && !(o.without ?? []).includes(a.kind));
  emit({ type: 'start', count: todo.length + 1 });

  const built: BuiltArtifact[] = [{ ...(planned.artifacts[0] as Artifact), sha256: treeEntry.sha256, size: treeEntry.size, entries: [{ path: TREE_PATH, sha256: treeEntry.sha256, size: treeEntry.size }] }];
  const fetchOpts = (id: string, sha?: string) => ({ ...(sha ? { sha256: sha } : {}), onProgress: progress(id), ...(o.signal ? { signal: o.signal } : {}), ...(o.retryDelayMs !== undefined ? { retryDelayMs: o.retryDelayMs } : {}) });
  const one = async (a: Artifact): Promise<BuiltEntry[]> => {
    const dest = join(stage, a.path);
    if (a.kind !== 'wheels') await mkdir(dirname(dest), { recursive: true });
    const prior = a.kind === 'wheels' ? undefined : await reusable(a.path);
    if (prior && (!a.sha256 || prior.sha256 === a.sha256)) {
      emit({ type: 'done', id: a.id, sha256: prior.sha256, size: prior.size, reused: true });
      if (prior.digest) a.digest = prior.digest;
      return [{ path: a.path, sha256: prior.sha256, size: prior.size }];
    }
    switch (a.kind) {
      case 'file': {
        const got = await fetchFile(sourceUrl(a.source, o.mirror), dest, fetchOpts(a.id, a.sha256));
        await ledger.set(a.path, { sha256: got.sha256, size: got.size });
        return [{ path: a.path, sha256: got.sha256, size: got.size }];
      }
      case 'chart': {
        const repo = a.chart?.repo ?? a.source;
        const indexUrl = sourceUrl(`${repo.replace(/\/+$/, '')}/index.yaml`, o.mirror);
        const res = await fetch(indexUrl, { ...(o.signal ? { signal: o.signal } : {}) });
        if (!res.ok) throw new Error(`${indexUrl}: HTTP ${res.status}`);
        const entry = chartFromIndex(await res.text(), repo, a.chart?.name ?? '', a.chart?.version ?? '');
        if (!entry) throw new Error(`${repo} has no chart ${a.chart?.name} ${a.chart?.version}`);
        const got = await fetchFile(sourceUrl(entry.url, o.mirror), dest, fetchOpts(a.id, entry.sha256));
        a.sha256 = got.sha256;
        await ledger.set(a.path, { sha256: got.sha256, size: got.size });
        return [{ path: a.path, sha256: got.sha256, size: got.size }];
      }
      case 'image': {
        await copyImage(a.source, dest, { ...(o.imageMirror ? { mirror: o.imageMirror } : {}), ...(o.insecureRegistry ? { insecure: true } : {}), ...(o.arch ? { arch: o.arch } : {}), ...(o.skopeo ? { skopeo: o.skopeo } : {}), ...(o.signal ? { signal: o.signal } : {}) });
        const got = await sha256File(dest);
        const digest = await archiveDigest(dest, o.skopeo);
        if (a.digest && digest && a.digest !== digest) throw new Error(`${a.source}: digest ${digest}, the tree pins ${a.digest}`);
        if (digest) a.digest = digest;
        emit({ type: 'progress', id: a.id, done: got.size, total: got.size, resumedFrom: 0 });
        await ledger.set(a.path, { sha256: got.sha256, size: got.size, ...(digest ? { digest } : {}) });
        return [{ path: a.path, sha256: got.sha256, size: got.size }];
      }
      case 'wheels': {
        const dir = join(stage, 'wheels');
        await mkdir(dir, { recursive: true });
        const req = join(work, 'requirements.txt');
        await writeFile(req, `${(a.requirements ?? []).join('\n')}\n`);
        const index = o.mirror ? ['--index-url', sourceUrl('https://pypi.org/simple/', o.mirror)] : [];
        const r = await run(o.python ?? 'python3', ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '-d', dir, '-r', req, ...index], o.signal);
        if (r.code !== 0) throw new Error(`pip download: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`);
        const { readdir } = await import('node:fs/promises');
        const out: BuiltEntry[] = [];
        for (const f of (await readdir(dir)).sort()) {
          const got = await sha256File(join(dir, f));
          out.push({ path: `wheels/${f}`, sha256: got.sha256, size: got.size });
        }
        return out;
      }
      case 'tree-file':
        if (!tree.files.has(a.path.replace(/^cp-deployment\//, ''))) throw new Error(`the tree ${o.release.kubespray.ref} has no ${a.path.replace(/^cp-deployment\//, '')}`);
        return [];
      case 'tree':
        return [];
    }
  };

  // Charts first: an image whose tag only the chart knows is resolved from the fetched chart.
  const ordered = [...todo.filter((a) => a.kind === 'chart'), ...todo.filter((a) => a.kind !== 'chart')];
  let index = 0;
  for (const a of ordered) {
    index++;
    if (o.signal?.aborted) break;
    const art: Artifact = { ...a };
    if (art.kind === 'image' && art.chart && !art.chart.repo) {
      const chartArt = built.find((b) => b.kind === 'chart' && b.chart?.name === art.chart?.name && b.chart?.version === art.chart?.version);
      const tag = chartArt ? await chartDefaultTag(join(stage, chartArt.path), chartArt.chart?.name ?? '') : undefined;
      if (!tag) {
        const message = `${art.source}: the tag comes from chart ${art.chart.name} ${art.chart.version}, which is not in the bundle`;
        failed.push({ id: art.id, message });
        emit({ type: 'failed', id: art.id, message });
        continue;
      }
      art.source = normalizeImage(`${art.source}:${tag}`);
      art.path = imagePath(art.source);
    }
    emit({ type: 'artifact', id: a.id, kind: a.kind, index, count: ordered.length });
    try {
      const entries = await one(art);
      const b: BuiltArtifact = { ...art, entries, ...(art.source !== a.source ? { resolved: art.source } : {}) };
      if (entries.length === 1) {
        b.sha256 = (entries[0] as BuiltEntry).sha256;
        b.size = (entries[0] as BuiltEntry).size;
      }
      built.push(b);
      if (entries[0] && art.kind !== 'wheels') emit({ type: 'done', id: a.id, sha256: entries[0].sha256, size: entries[0].size, reused: false });
    } catch (e) {
      const message = (e as Error).message;
      failed.push({ id: a.id, message });
      emit({ type: 'failed', id: a.id, message });
    }
  }
  if (failed.length || o.signal?.aborted) return { ok: false, failed };

  const manifest: BuiltManifest = {
    ...planned,
    artifacts: built,
    createdAt: (o.now?.() ?? new Date()).toISOString(),
    createdBy: 'cp-installer bundle build',
  };
  const written = await writeBundle(o.out, manifest, stage, (path, size) => emit({ type: 'writing', path, size }));
  await rm(work, { recursive: true, force: true });
  return { ok: true, manifest, manifestSha256: written.manifestSha256, size: written.size, failed };
}
