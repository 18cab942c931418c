// The platform's NFS values template names the guide's share literally (no placeholder): a plan with another
// share must reach the file the tree's cp/storage installs the provisioner with. Found by running the tree's
// own cp/storage on test hosts (test/integration/install/real-tree.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Plan } from '../../../core/plan/schema.js';
import { planTemplateEdits, renderTemplate, scriptValues } from '../../../core/tools/kubespray/placeholders.js';
import { singleMaster } from './plans.js';
import { haveUpstream, TREE_V162 } from './upstream.js';

const TARGET = 'applications/nfs-subdir-external-provisioner-4.0.18/values.yaml';
const withPath = (path: string | undefined) => {
  const p = singleMaster();
  return Plan.parse({ ...p, storage: { type: 'nfs', nfs: { server: '10.0.0.30', ...(path ? { path } : {}) } } });
};

describe('planTemplateEdits', () => {
  const text = 'image:\n  repository: x\n\nnfs:\n  server: 10.0.0.30\n  path: /home/share/nfs\n\nstorageClass:\n  path: keep\n';

  it("the NFS values get the plan's share, one log line; nothing else changes", () => {
    const r = planTemplateEdits(TARGET, text, withPath('/srv/nfs'));
    expect(r.text).toBe(text.replace('  path: /home/share/nfs', '  path: /srv/nfs'));
    expect(r.changes).toEqual([`${TARGET}: nfs.path /home/share/nfs -> /srv/nfs (the plan's share, as the nfs-server step exports it)`]);
  });

  it('a value YAML would misread is quoted; the same path, no path in the plan, another file or Rook: no change', () => {
    const odd = parse(planTemplateEdits(TARGET, text, withPath('/srv/nfs share #1: x')).text) as { nfs: { path: string }; storageClass: { path: string } };
    expect(odd.nfs.path).toBe('/srv/nfs share #1: x');
    expect(odd.storageClass.path).toBe('keep');
    expect(planTemplateEdits(TARGET, text, withPath('/home/share/nfs'))).toEqual({ text, changes: [] });
    expect(planTemplateEdits(TARGET, text, withPath(undefined))).toEqual({ text, changes: [] });
    expect(planTemplateEdits('standalone/roles/cp/storage/defaults/main.yml', text, withPath('/srv/nfs'))).toEqual({ text, changes: [] });
    const rook = Plan.parse({ ...singleMaster(), storage: { type: 'rook-ceph' } });
    expect(planTemplateEdits(TARGET, text, rook).changes).toEqual([]);
  });

  it.skipIf(!haveUpstream)("on the v1.6.2 tree's own template: filled server, the plan's path", () => {
    const template = `${TARGET}.tmpl`;
    const plan = withPath('/srv/nfs');
    const r = renderTemplate(template, readFileSync(join(TREE_V162, template), 'utf8'), scriptValues(plan));
    const values = parse(planTemplateEdits(r.target, r.text, plan).text) as { nfs: { server: string; path: string }; storageClass: { name: string } };
    expect(values.nfs).toEqual({ server: '10.0.0.30', path: '/srv/nfs' });
    expect(values.storageClass.name).toBe('cp-storageclass');
  });
});
