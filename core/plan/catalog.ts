// The version catalog: one data file per platform release in installer-assets/catalog/, with the versions
// that go together. Plans name a release; everything version-specific is looked up here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { assetPath } from '../common/assets.js';
import { compareMinor } from '../common/version.js';

const Version = z.union([z.string(), z.number()]).transform(String);

export const Release = z.object({
  name: z.string(),
  title: z.string(),
  date: Version,
  kubernetes: Version,
  kubespray: z.object({ version: Version, git: z.string(), ref: z.string(), subdir: z.string().default('') }),
  ansible: z.object({ pip: z.string(), minCore: Version }),
  runtimes: z.object({ crio: Version.optional(), containerd: Version.optional(), docker: Version.optional() }),
  calico: Version.optional(),
  metallb: Version.optional(),
  ingressNginx: Version.optional(),
  helm: Version.optional(),
  istio: Version.optional(),
  kyverno: Version.optional(),
  /** Which tree these versions were read from and are checked against (test/unit/kubespray/catalog-tree.test.ts),
   *  or why they could not be: a release is never given a version its tree does not ship. */
  source: z.string().optional(),
  storage: z.object({ nfsProvisioner: Version.optional(), rookCeph: Version.optional() }).optional(),
  kubeedge: z
    .object({ version: Version, edgeKubelet: Version.optional(), edgeCrio: Version.optional() })
    .optional(),
  bosh: z.object({ haproxy: Version, mariadb: Version, stemcell: z.string() }).optional(),
  portal: z
    .object({ version: Version, components: z.record(z.string(), Version).optional() })
    .optional(),
  os: z.object({ cluster: z.array(z.string()), edge: z.array(z.string()).default([]) }),
});
export type Release = z.infer<typeof Release>;

const CompatRow = z.object({
  kubeedge: Version,
  kubernetes: z.tuple([Version, Version]),
});
export type KubeEdgeCompat = z.infer<typeof CompatRow>;

let releases: Map<string, Release> | undefined;
/** Releases read on their own (findRelease before the whole catalog was needed), by name. */
const alone = new Map<string, Release>();
let compat: KubeEdgeCompat[] | undefined;

const COMPAT_FILE = 'kubeedge-compatibility.yaml';

function readRelease(file: string): Release {
  return Release.parse(parse(readFileSync(file, 'utf8')));
}

export function loadCatalog(dir = assetPath('catalog')): Map<string, Release> {
  const installers = dir === assetPath('catalog');
  if (releases && installers) return releases;
  const found = new Map<string, Release>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.yaml') || file === COMPAT_FILE) continue;
    // A release already read alone is kept as it was: one object per release for the life of the process.
    const before = installers ? alone.get(file.slice(0, -'.yaml'.length)) : undefined;
    const release = before ?? readRelease(`${dir}/${file}`);
    found.set(release.name, release);
  }
  releases = found;
  return found;
}

export function releaseNames(): string[] {
  return [...loadCatalog().keys()];
}

/**
 * The release of that name. A command about one plan needs one release, so its file (the release's name
 * plus `.yaml`, which test/unit/plan/catalog.test.ts holds every catalog file to) is read alone; any other
 * name (unknown, or not a plain file name) reads the whole catalog, which also lists the valid names.
 */
export function findRelease(name: string): Release | undefined {
  if (releases) return releases.get(name);
  const hit = alone.get(name);
  if (hit) return hit;
  if (/^[a-z0-9][a-z0-9._-]*$/i.test(name) && `${name}.yaml` !== COMPAT_FILE) {
    const dir = assetPath('catalog');
    if (existsSync(`${dir}/${name}.yaml`)) {
      const release = readRelease(`${dir}/${name}.yaml`);
      if (release.name === name) {
        alone.set(name, release);
        return release;
      }
    }
  }
  return loadCatalog().get(name);
}

export const DEFAULT_RELEASE = 'k-paas-v1.6.2';

const cmpMinor = compareMinor;

/** The Kubernetes range KubeEdge's matrix gives for this KubeEdge version, or undefined when it has no row. */
export function kubeedgeRange(kubeedge: string): [string, string] | undefined {
  compat ??= z.array(CompatRow).parse(parse(readFileSync(assetPath('catalog', COMPAT_FILE), 'utf8')));
  const row = compat.find((r) => cmpMinor(r.kubeedge, kubeedge) === 0);
  return row?.kubernetes;
}

/** Whether KubeEdge's matrix marks this pair compatible. */
export function kubeedgeSupports(kubeedge: string, kubernetes: string): boolean {
  const range = kubeedgeRange(kubeedge);
  return !!range && cmpMinor(kubernetes, range[0]) >= 0 && cmpMinor(kubernetes, range[1]) <= 0;
}
