// The offline run's edit of the platform's chart installs (core/install/offline/charts.ts), on the real v1.6.2
// tree's cp/storage task: its `helm repo add` of the internet repository gone, its `helm install` reading the
// bundle's archive from the tree, everything else of the task as it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundledChartsEdit, chartArchive, chartTreeFile } from '../../../core/install/offline/charts.js';
import { haveUpstream, TREE_V162 } from '../kubespray/upstream.js';

describe('offline: the platform roles\' charts from the bundle', () => {
  it.skipIf(!haveUpstream)('edits the real cp/storage task to install the archive beside its values, and only that', () => {
    const text = readFileSync(join(TREE_V162, 'standalone', 'roles', 'cp', 'storage', 'tasks', 'main.yml'), 'utf8');
    const e = bundledChartsEdit(text);
    expect(e.charts).toEqual([
      {
        chart: 'nfs-subdir-external-provisioner',
        version: '4.0.18',
        repo: 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner',
        file: 'applications/nfs-subdir-external-provisioner-4.0.18/nfs-subdir-external-provisioner-4.0.18.tgz',
      },
    ]);
    expect(e.left).toEqual([]);
    expect(e.text).not.toMatch(/^\s*helm repo add/m);
    expect(e.text).toContain('# cp-installer (offline): the chart comes from the bundle, not https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner');
    expect(e.text).toContain(
      'helm install nfs-subdir-external-provisioner {{ home_dir_path.stdout }}/cp-deployment/applications/nfs-subdir-external-provisioner-4.0.18/nfs-subdir-external-provisioner-4.0.18.tgz -f {{ home_dir_path.stdout }}/cp-deployment/applications//nfs-subdir-external-provisioner-4.0.18/values.yaml --version 4.0.18',
    );
    // Still the same tasks, with the same conditions: only the one shell text changed.
    const before = parse(text) as Array<Record<string, unknown>>;
    const after = parse(e.text) as Array<Record<string, unknown>>;
    expect(after.map((t) => t.name)).toEqual(before.map((t) => t.name));
    expect(after.filter((t, i) => JSON.stringify(t) !== JSON.stringify(before[i])).map((t) => t.name)).toEqual(['Deploy nfs-subdir-external-provisioner']);
    // Idempotent: the edited text has nothing left to edit.
    expect(bundledChartsEdit(e.text)).toEqual({ text: e.text, charts: [], left: [] });
  });

  it('leaves an install it cannot anchor in the tree, and the repository it reads, as they are', () => {
    const text = [
      'shell: |',
      '  helm repo add a https://charts.example.org/a',
      '  helm repo add b https://charts.example.org/b',
      '  helm install one a/one --version 1.2.3',
      '  helm upgrade --install two b/two -f {{ home }}/cp-deployment/applications/two-v2.0.0/values.yaml --version v2.0.0',
      '  helm install three c/three --version 3',
      '',
    ].join('\n');
    const e = bundledChartsEdit(text);
    expect(e.charts).toEqual([{ chart: 'two', version: 'v2.0.0', repo: 'https://charts.example.org/b', file: 'applications/two-2.0.0/two-2.0.0.tgz' }]);
    expect(e.left).toEqual(['helm install one a/one --version 1.2.3']);
    expect(e.text).toContain('  helm repo add a https://charts.example.org/a\n');
    expect(e.text).toContain('  # cp-installer (offline): the chart comes from the bundle, not https://charts.example.org/b\n');
    expect(e.text).toContain('  helm upgrade --install two {{ home }}/cp-deployment/applications/two-2.0.0/two-2.0.0.tgz -f {{ home }}/cp-deployment/applications/two-v2.0.0/values.yaml --version v2.0.0\n');
    // A chart of a repository the text does not add is not this edit's.
    expect(e.text).toContain('  helm install three c/three --version 3\n');
    expect(chartArchive('two', 'v2.0.0')).toBe('two-2.0.0.tgz');
    expect(chartTreeFile('x', '1')).toBe('applications/x-1/x-1.tgz');
  });
});
