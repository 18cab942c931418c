// Which image of the bundle goes where in the site registry: each OCI archive to the upstream reference's
// path without its host (Kubespray's offline convention, and what the runtimes' mirrors ask for). Two
// upstream images landing on one name would overwrite each other, so that is refused with both named. Pure.
import type { BuiltManifest } from '../../bundle/archive.js';
import { registryOf, siteRef } from '../../tools/registry/mirrors.js';

export interface ImageLoad {
  /** The upstream reference the tree names (the tag a chart decided, for a chart's image). */
  source: string;
  /** Its archive in the unpacked bundle (relative). */
  archive: string;
  /** Where it goes: `<site registry>/<path>:<tag>`. */
  target: string;
  /** `sha256:…` of its manifest, as recorded when the bundle was built. */
  digest?: string;
}

export class ImageCollision extends Error {
  constructor(
    readonly target: string,
    readonly sources: [string, string],
  ) {
    super(`${sources[0]} and ${sources[1]} would both be ${target} in the site registry`);
    this.name = 'ImageCollision';
  }
}

export function imageLoads(manifest: Pick<BuiltManifest, 'artifacts'>, address: string): ImageLoad[] {
  const out: ImageLoad[] = [];
  const byTarget = new Map<string, ImageLoad>();
  for (const a of manifest.artifacts) {
    if (a.kind !== 'image') continue;
    const archive = a.entries[0]?.path ?? a.path;
    const source = a.resolved ?? a.source;
    const target = siteRef(source, address);
    const prior = byTarget.get(target);
    if (prior) {
      if (prior.digest && a.digest && prior.digest === a.digest) continue;
      throw new ImageCollision(target, [prior.source, source]);
    }
    const load: ImageLoad = { source, archive, target, ...(a.digest ? { digest: a.digest } : {}) };
    byTarget.set(target, load);
    out.push(load);
  }
  return out;
}

/** The upstream registries the bundle's images name. */
export function imageRegistries(loads: readonly ImageLoad[]): string[] {
  return [...new Set(loads.map((l) => registryOf(l.source)))];
}
