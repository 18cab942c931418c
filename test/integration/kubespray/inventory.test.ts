// The generated inventory and group_vars through the real Ansible: `ansible-inventory --graph` shows
// Kubespray's group names, and `--list` sees the group_vars where Kubespray's plays will look for them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { inventoryDir, inventoryGraphCommand, inventoryName } from '../../../core/tools/kubespray/commands.js';
import { renderGroupVars } from '../../../core/tools/kubespray/group-vars.js';
import { renderInventory } from '../../../core/tools/kubespray/inventory.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from '../../unit/kubespray/plans.js';

const ansible = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' });
const missing = ansible.status !== 0 ? 'ansible-inventory is not installed (apt-get install ansible ansible-core)' : undefined;
if (missing) console.log(`skipping kubespray inventory tests: ${missing}`);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function writeInventory(plan: Plan): { tree: string; cluster: string } {
  const tree = mkdtempSync(join(tmpdir(), 'cp-inv-'));
  dirs.push(tree);
  const cluster = inventoryName(plan);
  const files: Record<string, string> = { 'hosts.yaml': renderInventory(plan), ...renderGroupVars(plan, findRelease(plan.release)!).files };
  for (const [path, text] of Object.entries(files)) {
    const full = join(tree, inventoryDir(cluster), path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { tree, cluster };
}

function graph(plan: Plan): string {
  const { tree, cluster } = writeInventory(plan);
  // The command line cp-installer runs on the deployer, run here.
  return execFileSync('sh', ['-c', inventoryGraphCommand({ kubesprayDir: tree, cluster }).line], { encoding: 'utf8' });
}

describe.skipIf(!!missing)('generated inventory through ansible-inventory', () => {
  it('single master: Kubespray groups, edge host absent', () => {
    expect(graph(singleMaster())).toBe(
      [
        '@all:',
        '  |--@ungrouped:',
        '  |--@kube_control_plane:',
        '  |  |--master1',
        '  |--@kube_node:',
        '  |  |--worker1',
        '  |--@etcd:',
        '  |  |--master1',
        '  |--@k8s_cluster:',
        '  |  |--@kube_control_plane:',
        '  |  |  |--master1',
        '  |  |--@kube_node:',
        '  |  |  |--worker1',
        '  |  |--@calico_rr:',
        '  |--@calico_rr:',
        '',
      ].join('\n'),
    );
  });

  it('HA with external etcd: etcd hosts outside k8s_cluster', () => {
    const out = graph(haExternalEtcd());
    const etcd = out.slice(out.indexOf('@etcd:'), out.indexOf('@k8s_cluster:'));
    expect(etcd).toContain('etcd1');
    expect(etcd).toContain('etcd3');
    const k8s = out.slice(out.indexOf('@k8s_cluster:'));
    expect(k8s).not.toContain('etcd1');
    expect(k8s).toContain('master3');
    expect(k8s).toContain('worker1');
  });

  it('group_vars reach the hosts they are meant for', () => {
    const plan = rookCephOffline();
    const { tree, cluster } = writeInventory(plan);
    const list = JSON.parse(
      execFileSync('ansible-inventory', ['-i', join(tree, inventoryDir(cluster), 'hosts.yaml'), '--list'], {
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True' },
      }),
    ) as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
    const w1 = list._meta.hostvars.w1!;
    // No component version is written, and strict ARP is the platform's own group_vars setting (kept, see
    // upstream-validate.test.ts): this fixture tree has neither.
    expect(w1.kube_version).toBeUndefined();
    expect(w1).toMatchObject({
      kube_pods_subnet: '10.244.0.0/16',
      container_manager: 'crio',
      registry_host: 'registry.local:5000',
      ansible_host: '192.168.10.21',
      ip: '192.168.10.21',
      access_ip: '192.168.10.21',
    });
    expect(w1.metallb_config).toMatchObject({ layer2: ['primary', 'ingress-nginx'] });
  });
});
