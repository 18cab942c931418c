// The 2021 release row (paasta-v1.0) against its own tree: PaaS-TA v1.0.4's Kubespray 2.14 fork
// (standalone/aws). The inventory a run writes has that Kubespray's group names (kube-master, kube-node,
// k8s-cluster, calico-rr), sits on the tree's own inventory/mycluster group_vars (its k8s-cluster/ folder) with
// Docker, and the tree's cluster.yml passes --syntax-check with it under the real ansible-playbook.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { inventoryDir, inventoryName } from '../../../core/tools/kubespray/commands.js';
import { singleMaster } from '../../unit/kubespray/plans.js';
import { writeRunInventory } from '../../unit/kubespray/run-inventory.js';
import { haveUpstream, TREE_V104 } from '../../unit/kubespray/upstream.js';

const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
const skip = !haveUpstream ? 'the upstream trees are not at hand' : ansible.status !== 0 ? 'ansible-playbook is not installed' : undefined;
const release = findRelease('paasta-v1.0');

describe.skipIf(!!skip || !release)('the 2021 tree (v1.0.4 standalone/aws) with the inventory a run writes', () => {
  let tree: string;
  let work: string;
  const plan = Plan.parse({ ...singleMaster(), release: 'paasta-v1.0' });
  const env = { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_CACHE_PLUGIN: 'memory', ANSIBLE_NOCOLOR: '1' };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cp-v104-'));
    tree = join(work, 'aws');
    cpSync(join(TREE_V104, 'standalone', release!.kubespray.subdir.replace(/^standalone\//, '')), tree, { recursive: true });
    writeRunInventory(plan, release!, tree, inventoryDir(inventoryName(plan)));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const inv = () => join(inventoryDir(inventoryName(plan)), 'hosts.yaml');

  it('the tree path and the old group names', () => {
    expect(release!.kubespray.subdir).toBe('standalone/aws');
    const r = spawnSync('ansible-inventory', ['-i', inv(), '--graph'], { cwd: tree, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    for (const g of ['@kube-master:', '@kube-node:', '@k8s-cluster:', '@etcd:']) expect(r.stdout).toContain(g);
    expect(r.stdout).not.toContain('kube_control_plane');
  });

  it('the tree\'s own settings with the plan\'s: Docker, Kubernetes v1.18.6 from the tree, MetalLB the 2.14 way', () => {
    const r = spawnSync('ansible-inventory', ['-i', inv(), '--host', 'master1'], { cwd: tree, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const vars = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(vars.container_manager).toBe('docker');
    expect(vars.kube_version).toBe('v1.18.6');
    expect(vars.metallb_enabled).toBe(true);
    expect(vars.metallb_ip_range).toEqual(['10.0.0.150-10.0.0.160']);
    expect(vars.kube_network_plugin).toBe('calico');
    expect(vars.metallb_version).toBeUndefined();
  });

  it('cluster.yml --syntax-check passes with that inventory', () => {
    const r = spawnSync('ansible-playbook', ['-i', inv(), 'cluster.yml', '--syntax-check'], { cwd: tree, encoding: 'utf8', env, timeout: 300_000 });
    if (r.status !== 0) console.log(`${r.stdout}\n${r.stderr}`.slice(-3000));
    expect(r.status).toBe(0);
  });
});
