// `bundle covers`, pure: what a plan needs against what a bundle's manifest holds.
import { describe, expect, it } from 'vitest';
import type { BuiltManifest } from '../../../core/bundle/archive.js';
import { coversPlan, distOf } from '../../../core/bundle/covers.js';
import { chartFromIndex, sourceUrl } from '../../../core/bundle/build.js';
import { parseContentRange } from '../../../core/bundle/fetch.js';
import type { Artifact, BundleManifest } from '../../../core/bundle/manifest.js';

const e = (path: string) => [{ path, sha256: 'a'.repeat(64), size: 1 }];
const art = (id: string, kind: Artifact['kind'], source: string, path: string): Artifact => ({ id, kind, source, path, from: 't', neededBy: [] });

const needed: BundleManifest = {
  format: 'cp-installer-bundle/v1',
  release: 'k-paas-v1.6.2',
  mode: 'standalone',
  arch: ['amd64'],
  runtime: 'crio',
  notes: [],
  artifacts: [
    art('tree', 'tree', 'https://x/tree.tar.gz', 'tree/cp-deployment.tar.gz'),
    art('image:registry.k-paas.org/k8s/pause:3.10', 'image', 'registry.k-paas.org/k8s/pause:3.10', 'images/p.oci.tar'),
    art('file:https://dl.k8s.io/kubeadm', 'file', 'https://dl.k8s.io/kubeadm', 'files/dl.k8s.io/kubeadm'),
    art('tree-file:edge/keadm/amd64/keadm.tar.gz', 'tree-file', 'tree', 'cp-deployment/edge/keadm/amd64/keadm.tar.gz'),
    { ...art('wheels', 'wheels', 'pypi', 'wheels/'), requirements: ['ansible==9.13.0', 'jmespath==1.0.1'] },
  ],
};

function built(drop: string[] = [], wheels = ['wheels/ansible-9.13.0-py3-none-any.whl', 'wheels/jmespath-1.0.1-py3-none-any.whl']): BuiltManifest {
  return {
    ...needed,
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: 'test',
    artifacts: needed.artifacts
      .filter((a) => !drop.includes(a.id))
      .map((a) => ({ ...a, entries: a.kind === 'wheels' ? wheels.flatMap(e) : a.kind === 'tree-file' ? [] : e(a.path) })),
  };
}

describe('covers', () => {
  const treeFiles = new Set(['edge/keadm/amd64/keadm.tar.gz', 'standalone/cluster.yml']);

  it('a complete bundle covers the plan', () => {
    expect(coversPlan(built(), needed, treeFiles)).toEqual([]);
  });

  it('names the one image a bundle lacks', () => {
    expect(coversPlan(built(['image:registry.k-paas.org/k8s/pause:3.10']), needed, treeFiles)).toEqual([
      { id: 'image:registry.k-paas.org/k8s/pause:3.10', kind: 'image', name: 'registry.k-paas.org/k8s/pause:3.10', reason: 'absent' },
    ]);
  });

  it('a file of the tree is looked for in the tree itself (keadm\'s tarball is missing from some snapshots)', () => {
    expect(coversPlan(built(), needed, new Set(['standalone/cluster.yml'])).map((m) => m.name)).toEqual(['cp-deployment/edge/keadm/amd64/keadm.tar.gz']);
  });

  it('each Python requirement must have its distribution at that version among the wheels', () => {
    const gaps = coversPlan(built([], ['wheels/ansible-9.12.0-py3-none-any.whl', 'wheels/jmespath-1.0.1.tar.gz']), needed, treeFiles);
    expect(gaps).toEqual([{ id: 'wheels:ansible==9.13.0', kind: 'wheels', name: 'ansible==9.13.0', reason: 'absent' }]);
    expect(distOf('wheels/ansible_core-2.16.14-py3-none-any.whl')).toEqual({ name: 'ansible-core', version: '2.16.14' });
  });

  it('a bundle of another release covers nothing of this plan', () => {
    const other = { ...built(), release: 'k-paas-v1.6.1' };
    expect(coversPlan(other, needed, treeFiles).every((m) => m.reason === 'other-release')).toBe(true);
  });
});

describe('sources', () => {
  it('a mirror keeps each URL under <mirror>/<host>/<path>', () => {
    expect(sourceUrl('https://dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm', 'http://m:8080/')).toBe('http://m:8080/dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm');
    expect(sourceUrl('https://dl.k8s.io/x')).toBe('https://dl.k8s.io/x');
  });

  it('a chart\'s URL and digest come from its repository index (relative URLs against the repository)', () => {
    const index = 'apiVersion: v1\nentries:\n  c:\n    - version: 1.0.0\n      digest: abc\n      urls: [c-1.0.0.tgz]\n    - version: 0.9.0\n      urls: [https://x/c-0.9.0.tgz]\n';
    expect(chartFromIndex(index, 'https://repo/charts/', 'c', '1.0.0')).toEqual({ url: 'https://repo/charts/c-1.0.0.tgz', sha256: 'abc' });
    expect(chartFromIndex(index, 'https://repo', 'c', '0.9.0')).toEqual({ url: 'https://x/c-0.9.0.tgz' });
    expect(chartFromIndex(index, 'https://repo', 'c', '2.0.0')).toBeUndefined();
  });

  it('reads Content-Range as a resume needs it', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, total: 1000 });
    expect(parseContentRange('bytes 5-9/*')).toEqual({ start: 5 });
    expect(parseContentRange(null)).toBeUndefined();
  });
});
