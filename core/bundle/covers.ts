// `bundle covers FILE PLAN`: whether a bundle holds everything a plan's run needs. The plan's needs are
// computed from the tree inside the bundle (the same derivation as `bundle manifest`), then each is looked
// up in the bundle's manifest: an image by its reference, a file by its URL, a chart by name and version, a
// file of the tree in the tree itself, the Python requirements among the wheels.
import type { BuiltManifest } from './archive.js';
import type { Artifact, BundleManifest } from './manifest.js';

export interface Missing {
  id: string;
  kind: Artifact['kind'];
  /** What it is, as a person would look for it: the image reference, the URL, the chart, the file. */
  name: string;
  reason: 'absent' | 'empty' | 'other-release' | 'other-arch';
}

/** pip's normalized distribution name (PEP 503) and a wheel's or sdist's name and version from its file name. */
export function distOf(file: string): { name: string; version: string } | undefined {
  const base = file.replace(/^.*\//, '');
  const wheel = /^([A-Za-z0-9_.]+)-([^-]+)-.*\.whl$/.exec(base);
  const sdist = /^(.+)-([0-9][^-]*)\.(?:tar\.gz|zip)$/.exec(base);
  const m = wheel ?? sdist;
  return m ? { name: normalizeDist(m[1] as string), version: m[2] as string } : undefined;
}

export function normalizeDist(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function requirementMet(req: string, dists: { name: string; version: string }[]): boolean {
  const m = /^([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*(?:==\s*([^\s;,]+))?/.exec(req);
  if (!m) return false;
  const name = normalizeDist(m[1] as string);
  return dists.some((d) => d.name === name && (!m[2] || d.version === m[2]));
}

export function coversPlan(bundle: BuiltManifest, needed: BundleManifest, treeFiles: ReadonlySet<string>): Missing[] {
  const name = (a: Artifact) => (a.kind === 'chart' ? `${a.chart?.name} ${a.chart?.version} (${a.source})` : a.kind === 'tree-file' ? a.path : a.source);
  if (bundle.release !== needed.release) {
    return needed.artifacts.map((a) => ({ id: a.id, kind: a.kind, name: name(a), reason: 'other-release' as const }));
  }
  const byId = new Map(bundle.artifacts.map((a) => [a.id, a]));
  const missing: Missing[] = [];
  const dists = bundle.artifacts.filter((a) => a.kind === 'wheels').flatMap((a) => a.entries.map((e) => distOf(e.path)).filter((d): d is { name: string; version: string } => !!d));
  for (const a of needed.artifacts) {
    if (a.kind === 'tree-file') {
      if (!byId.has('tree')) missing.push({ id: a.id, kind: a.kind, name: name(a), reason: 'absent' });
      else if (!treeFiles.has(a.path.replace(/^cp-deployment\//, ''))) missing.push({ id: a.id, kind: a.kind, name: name(a), reason: 'absent' });
      continue;
    }
    if (a.kind === 'wheels') {
      for (const req of a.requirements ?? []) if (!requirementMet(req, dists)) missing.push({ id: `wheels:${req}`, kind: 'wheels', name: req, reason: 'absent' });
      continue;
    }
    const have = byId.get(a.id);
    if (!have) missing.push({ id: a.id, kind: a.kind, name: name(a), reason: 'absent' });
    else if (have.entries.length === 0) missing.push({ id: a.id, kind: a.kind, name: name(a), reason: 'empty' });
  }
  return missing;
}
