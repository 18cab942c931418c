// The offline bundle the engine's integration and end-to-end tests install from: the fixture Kubespray tree
// (kubespray/, for the failure, resume and cancel cases it can stage), the platform's own manifests from the
// real v1.6.2 tree (applications/: ingress-nginx, the NFS provisioner's values, Kyverno, Rook's examples) and
// the NFS provisioner's chart (charts/), so the strict fake kubectl/helm on master 1 accept only what the real
// tools would: the manifest files exist, the chart is there (no network to fetch one).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';
import { canRunTestHosts } from '../../hosts/harness.js';

const FIXTURE_TREE = fileURLToPath(new URL('../../fixtures/kubespray/', import.meta.url));

// What an NFS plan's steps read (a few KB, so the bundle stays quick to upload); Kyverno's and Rook's (3 MB
// each) only for plans that ask for them.
const APPLICATIONS = ['ingress-nginx-1.12.1/deploy.yaml', 'nfs-subdir-external-provisioner-4.0.18/values.yaml', 'nfs-subdir-external-provisioner-4.0.18/values.yaml.tmpl'];
const OPTIONAL = { kyverno: 'kyverno-1.13.6', rook: 'rook-1.16.4/deploy/examples' } as const;

/** A chart archive as `helm package` lays it out: <name>/Chart.yaml (+ values.yaml), gzipped. */
export function writeChart(dir: string, name: string, version: string): string {
  const src = join(dir, `.chart-${name}`);
  mkdirSync(join(src, name, 'templates'), { recursive: true });
  writeFileSync(join(src, name, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: ${version}\n`);
  writeFileSync(join(src, name, 'values.yaml'), '{}\n');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${version}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', src, name]);
  return file;
}

/** Why makeFixtureBundle cannot be made here (its manifests come from the real v1.6.2 tree), or undefined. */
export const fixtureBundleMissing = (): string | undefined =>
  haveUpstream ? undefined : `the upstream trees are not at hand (${TREE_V162}; UPSTREAM_DIR overrides)`;

/**
 * Why the fixture bundle cannot be installed here by the real ansible-playbook on test hosts (no test hosts, no
 * ansible-playbook, or no v1.6.2 tree beside the clone), or undefined: the suites that run it skip on this.
 */
export function fixtureRunMissing(): string | undefined {
  const can = canRunTestHosts();
  if (!can.ok) return can.reason;
  if (spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status !== 0) return 'ansible-playbook is not installed (apt-get install -y ansible ansible-core)';
  return fixtureBundleMissing();
}

export function makeFixtureBundle(bundle: string, extra: Array<keyof typeof OPTIONAL> = []): string {
  cpSync(FIXTURE_TREE, join(bundle, 'kubespray'), { recursive: true });
  for (const a of [...APPLICATIONS, ...extra.map((e) => OPTIONAL[e])]) cpSync(join(TREE_V162, 'applications', a), join(bundle, 'applications', a), { recursive: true });
  writeChart(join(bundle, 'charts'), 'nfs-subdir-external-provisioner', '4.0.18');
  return bundle;
}
