// The platform's own checks on what a run writes: the K-PaaS v1.6.2 tree's `kubespray_defaults` and
// `validate_inventory` roles (the first play of its cluster.yml, after the legacy group mapping) run by the real
// ansible-playbook on the inventory and group_vars the inventory step writes, offline, ansible_connection=local
// (Debian's ansible-core 2.14 loads these roles; the tree's own version gate wants 2.16, so it is not imported).
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { inventoryDir, inventoryName } from '../../../core/tools/kubespray/commands.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from '../../unit/kubespray/plans.js';
import { writeRunInventory } from '../../unit/kubespray/run-inventory.js';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';

const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
const skip = !haveUpstream ? 'the upstream trees are not at hand' : ansible.status !== 0 ? 'ansible-playbook is not installed' : undefined;
if (skip) console.log(`skipping upstream validate_inventory tests: ${skip}`);

// boilerplate.yml's group mapping and check play, minus its ansible_version gate (2.16 wanted, 2.14 here).
const VALIDATE = `---
- name: Define groups for legacy less structured inventories
  hosts: all
  gather_facts: false
  tasks:
    - name: Match needed groups by their old names or definition
      vars:
        group_mappings:
          kube_control_plane: [kube-master]
          kube_node: [kube-node]
          calico_rr: [calico-rr]
          no_floating: [no-floating]
          k8s_cluster: [kube_node, kube_control_plane, calico_rr]
      group_by:
        key: "{{ (group_names | intersect(item.value) | length > 0) | ternary(item.key, '_all') }}"
      loop: "{{ group_mappings | dict2items }}"
- name: Check inventory settings
  hosts: all
  gather_facts: false
  roles:
    - kubespray_defaults
    - validate_inventory
`;

function haStacked(): Plan {
  const p = haExternalEtcd();
  return Plan.parse({
    ...p,
    hosts: p.hosts.filter((h) => !h.roles.includes('etcd')),
    cluster: { ...p.cluster, name: 'stacked', etcdType: 'stacked', loadBalancerDomain: '10.1.0.5' },
  });
}

function nfsWithServerHost(): Plan {
  const p = singleMaster();
  return Plan.parse({ ...p, cluster: { ...p.cluster, name: 'nfs', kyverno: true }, storage: { type: 'nfs' } });
}

describe.skipIf(!!skip)('the v1.6.2 tree accepts the inventory a run writes', () => {
  let work: string;
  let tree: string;
  const release = findRelease('k-paas-v1.6.2')!;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cp-upstream-validate-'));
    tree = join(work, 'standalone');
    // A writable copy: the tree's scripts and the inventory step write into it.
    cpSync(join(TREE_V162, 'standalone'), tree, { recursive: true });
    writeFileSync(join(work, 'validate.yml'), VALIDATE);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function validate(plan: Plan, tamper?: (inv: string) => void) {
    const inv = inventoryDir(inventoryName(plan));
    const { log } = writeRunInventory(plan, release, tree, inv);
    tamper?.(join(tree, inv));
    const r = spawnSync(
      'ansible-playbook',
      ['-i', join(inv, 'hosts.yaml'), '-e', JSON.stringify({ ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' }), join(work, 'validate.yml')],
      {
        cwd: tree, // its ansible.cfg, library/ and roles/
        encoding: 'utf8',
        env: {
          ...process.env,
          ANSIBLE_ROLES_PATH: join(tree, 'roles'),
          ANSIBLE_CACHE_PLUGIN: 'memory',
          ANSIBLE_CALLBACKS_ENABLED: '',
          ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
          ANSIBLE_NOCOLOR: '1',
        },
        timeout: 120_000,
      },
    );
    return { code: r.status, out: `${r.stdout}\n${r.stderr}`, log, inv: join(tree, inv) };
  }

  const accepted = (name: string, plan: () => Plan) =>
    it(`${name}: accepted by kubespray_defaults + validate_inventory`, () => {
      const r = validate(plan());
      if (r.code !== 0) console.log(r.out.slice(-4000));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/failed=0/);
      expect(r.out).not.toMatch(/failed=[1-9]/);
      // The role really ran its checks on every host.
      expect(r.out).toContain('validate_inventory : Stop if some versions have a \'v\' left at the start');
      const cluster = parse(readFileSync(join(r.inv, 'group_vars/k8s_cluster/k8s-cluster.yml'), 'utf8')) as Record<string, unknown>;
      expect(cluster.kube_encrypt_secret_data).toBe(true);
      expect(cluster.kubernetes_audit).toBe(true);
    });

  accepted('single master', singleMaster);
  accepted('HA, stacked etcd', haStacked);
  accepted('HA, external etcd', haExternalEtcd);
  accepted('NFS server host and Kyverno', nfsWithServerHost);
  accepted('Rook-Ceph offline with a private registry', rookCephOffline);

  it('negative control: the old `metallb_version: v0.14.9` is refused by the same run', () => {
    const r = validate(singleMaster(), (inv) => appendFileSync(join(inv, 'group_vars/k8s_cluster/addons.yml'), '\nmetallb_version: v0.14.9\n'));
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("All version string used in kubespray have been normalized to not use a leading 'v'");
    expect(r.out).toContain('metallb_version');
  });
});
