// The catalog's versions are the ones the release's own tree ships: read from that tree (Kubespray's defaults
// and the platform's applications/ and roles/cp/) and compared, so a row cannot claim what no tree installs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRelease, loadCatalog, type Release } from '../../../core/plan/catalog.js';
import { applicationVersions, haveUpstream, kubesprayDefaults, legacyDefaults, TREE_V104, TREE_V162 } from './upstream.js';

const bare = (v: string | undefined) => v?.replace(/^v/, '');

function expectMatchesV162(release: Release) {
  const tree = kubesprayDefaults(join(TREE_V162, 'standalone'));
  const apps = applicationVersions(TREE_V162);
  expect(release.kubespray.version).toBe(tree.kubespray);
  expect(release.kubespray.ref).toBe('v1.6.2');
  expect(release.kubespray.subdir).toBe('standalone');
  expect(release.kubernetes).toBe(tree.kubernetes);
  expect(release.runtimes.crio).toBe(tree.crio);
  expect(release.runtimes.containerd).toBe(tree.containerd);
  expect(release.calico).toBe(tree.calico);
  expect(release.helm).toBe(tree.helm);
  expect(release.metallb).toBe(tree.metallb);
  // Kubespray's own ingress-nginx default and the manifest the platform's role applies agree, and so does the row.
  expect(release.ingressNginx).toBe(tree.ingressNginx);
  expect(release.ingressNginx).toBe(apps['ingress-nginx']);
  expect(release.istio).toBe(apps.istio);
  expect(release.kyverno).toBe(apps.kyverno);
  expect(release.storage?.nfsProvisioner).toBe(apps['nfs-subdir-external-provisioner']);
  expect(release.storage?.rookCeph).toBe(apps.rook);
  // The roles name the same folders (a release bump that forgets a role would show here).
  const roles = (p: string) => readFileSync(join(TREE_V162, 'standalone', 'roles', 'cp', p, 'tasks', 'main.yml'), 'utf8');
  expect(roles('ingress-nginx')).toContain(`applications/ingress-nginx-${release.ingressNginx}/deploy.yaml`);
  expect(roles('storage')).toContain(`nfs-subdir-external-provisioner-${release.storage?.nfsProvisioner}/values.yaml --version ${release.storage?.nfsProvisioner}`);
  expect(roles('storage')).toContain(`applications/rook-${release.storage?.rookCeph}/`);
  expect(roles('kyverno')).toContain(`applications/kyverno-${release.kyverno}/`);
}

describe.skipIf(!haveUpstream)('catalog against the release trees', () => {
  it('k-paas-v1.6.2: every version is the one the v1.6.2 tree ships', () => {
    expectMatchesV162(findRelease('k-paas-v1.6.2')!);
  });

  it('k-paas-v1.6.2-kubeedge-1.23: the same cluster tree (only KubeEdge differs)', () => {
    expectMatchesV162(findRelease('k-paas-v1.6.2-kubeedge-1.23')!);
  });

  it('k-paas-v1.6.1 claims no version only its (absent) tree could confirm', () => {
    const r = findRelease('k-paas-v1.6.1')!;
    expect(r.kubespray.ref).toBe('v1.6.1');
    // The guide table's values stay; the tree-only ones (once 0.13.9 / 3.28.1 / 1.11.1, wrong) are gone.
    expect([r.kubernetes, r.kubespray.version, r.runtimes.crio, r.helm]).toEqual(['1.31.4', '2.27.0', '1.31.0', '3.16.4']);
    expect([r.metallb, r.calico, r.ingressNginx]).toEqual([undefined, undefined, undefined]);
    expect(r.source).toMatch(/not at hand/);
  });

  it('paasta-v1.0: the 2021 tree (standalone/aws of v1.0.4) pins the same Kubernetes, Calico, Helm and Docker', () => {
    const r = findRelease('paasta-v1.0');
    if (!r) return; // retired rows are checked by the README test instead
    const tree = legacyDefaults(join(TREE_V104, 'standalone', 'aws'));
    expect(r.kubernetes).toBe(tree.kubernetes);
    expect(bare(r.calico)).toBe(tree.calico);
    expect(bare(r.helm)).toBe(tree.helm);
    expect(bare(r.runtimes.docker)?.startsWith(tree.docker ?? '?')).toBe(true);
  });

  it('every row names where its versions come from', () => {
    for (const r of loadCatalog().values()) expect(r.source, r.name).toBeTruthy();
  });
});
