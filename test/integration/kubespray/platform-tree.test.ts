// The platform's real tree prepared on a real host exactly as a run does (the engine's runner, the
// deployer-tree and inventory steps over SSH): the K-PaaS v1.6.2 tree from an offline bundle lands at
// ~/cp-deployment, and no placeholder its deploy script fills is left in any file cluster.yml reads.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployerSteps } from '../../../core/install/modes/deployer.js';
import { kubesprayStep } from '../../../core/install/modes/kubespray.js';
import type { InstallMode } from '../../../core/install/step.js';
import { Plan } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { runMode } from '../edge/helpers.js';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';

const can = canRunTestHosts();
const reason = !can.ok ? can.reason : !haveUpstream ? 'the upstream trees are not at hand' : undefined;
if (reason) console.log(`skipping platform tree test: ${reason}`);

/** The variables of the platform's cp-cluster-vars.sh: what its deploy script substitutes for `{NAME}`. */
function scriptVariables(): RegExp {
  const vars = readFileSync(join(TREE_V162, 'standalone', 'cp-cluster-vars.sh'), 'utf8');
  const names = [...vars.matchAll(/^export ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!.replace(/\d+/g, '\\d+'));
  names.push('ISTIO_GATEWAY_[A-Z_]+', 'ISTIO_GATEWAT_PUBLIC_IP');
  return new RegExp(`(?<!\\$)\\{(${[...new Set(names)].join('|')})\\}`, 'g');
}

/** Roles of the tree that cluster.yml never reaches (other playbooks': edge.yml, cluster_multi.yml, kubeflow.yml). */
const NOT_CLUSTER_YML = ['roles/cp/edge', 'roles/cp/istio-setting', 'roles/cp/kubeflow'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** What cluster.yml and the platform's roles read: its roles (not the *.tmpl sources), our inventory, the
 *  manifests its roles apply. */
function readByClusterYml(root: string, inventory: string): string[] {
  const standalone = join(root, 'standalone');
  const roles = files(join(standalone, 'roles')).filter((f) => {
    const rel = relative(standalone, f);
    return !f.endsWith('.tmpl') && !NOT_CLUSTER_YML.some((r) => rel.startsWith(`${r}/`));
  });
  const apps = ['ingress-nginx-1.12.1', 'nfs-subdir-external-provisioner-4.0.18', 'kyverno-1.13.6', 'rook-1.16.4/deploy/examples']
    .flatMap((a) => files(join(root, 'applications', a)))
    .filter((f) => !f.endsWith('.tmpl'));
  return [...roles, ...files(join(standalone, inventory)), ...files(join(standalone, 'playbooks')), ...apps];
}

function placeholdersLeft(root: string, inventory: string): string[] {
  const re = scriptVariables();
  const hits: string[] = [];
  for (const f of readByClusterYml(root, inventory)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(re)) hits.push(`${relative(root, f)}: ${m[0]}`);
  }
  return hits;
}

describe.skipIf(!!reason)('the platform tree prepared on a host as a run does', () => {
  let hosts: TestHosts;
  let scratch: string;

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-platform-tree-'));
    cpSync(TREE_V162, join(scratch, 'bundle', 'cp-deployment'), { recursive: true });
  });
  afterAll(async () => {
    await hosts?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the pristine tree has the placeholders (the scan has teeth), and cluster.yml reaches none of the skipped roles', () => {
    const left = placeholdersLeft(TREE_V162, 'inventory/mycluster');
    for (const expected of ['{MASTER1_NODE_PUBLIC_IP}', '{MASTER1_NODE_HOSTNAME}', '{STORAGE_TYPE}', '{INSTALL_KYVERNO}', '{NFS_SERVER_PRIVATE_IP}', '{METALLB_IP_RANGE}']) {
      expect(left.some((l) => l.endsWith(expected)), expected).toBe(true);
    }
    const playbooks = ['cluster.yml', 'boilerplate.yml', 'facts.yml', 'install_etcd.yml'].map((p) =>
      readFileSync(join(TREE_V162, 'standalone', 'playbooks', p), 'utf8'),
    );
    for (const role of NOT_CLUSTER_YML) for (const text of playbooks) expect(text).not.toContain(role.replace('roles/', ''));
  });

  it('~/cp-deployment on the deployer, every placeholder filled from the plan, the inventory on the platform\'s own', async () => {
    const h = hosts.hosts[0]!;
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'master-1', address: h.address, roles: ['control-plane', 'deployer'] },
        { name: 'worker-1', address: hosts.hosts[1]!.address, roles: ['worker'] },
      ],
      cluster: { name: 'tree-test', kyverno: true },
      network: { metallbRange: '10.20.0.200-10.20.0.210', ingressIp: '10.20.0.220' },
      storage: { type: 'nfs', nfs: { server: '10.20.0.30' } },
      bundle: { path: join(scratch, 'bundle') },
    });
    const host = plan.hosts[0]!;
    const [tree] = deployerSteps(plan, host, []);
    const [inventory] = kubesprayStep(plan, host, ['deployer-tree']);
    const mode: InstallMode = { name: 'tree-only', title: { key: 'mode.standalone' }, steps: () => [tree!, inventory!] };
    const { result, run } = await runMode({ hosts, mode, plan });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');

    const root = join(h.dir, 'home', 'cp-deployment');
    expect(existsSync(join(root, 'standalone', 'cluster.yml'))).toBe(true);
    expect(existsSync(join(root, 'applications', 'ingress-nginx-1.12.1', 'deploy.yaml'))).toBe(true);
    expect(placeholdersLeft(root, 'inventory/tree-test')).toEqual([]);

    // What was filled, as deploy-cp-cluster.sh fills it.
    const read = (p: string) => readFileSync(join(root, p), 'utf8');
    expect(read('standalone/roles/kubernetes/control-plane/tasks/kubeadm-setup.yml')).toContain(`- "${h.address}"`);
    expect(read('standalone/roles/kubernetes-apps/metrics_server/defaults/main.yml')).toContain('master_node_hostname: master-1');
    expect(parse(read('standalone/roles/cp/storage/defaults/main.yml'))).toEqual({ storage_type: 'nfs' });
    expect(parse(read('standalone/roles/cp/kyverno/defaults/main.yml'))).toEqual({ install_kyverno: 'Y' });
    const nfs = parse(read('applications/nfs-subdir-external-provisioner-4.0.18/values.yaml')) as { nfs: unknown; storageClass: Record<string, unknown> };
    expect(nfs.nfs).toEqual({ server: '10.20.0.30', path: '/home/share/nfs' });
    expect(nfs.storageClass).toMatchObject({ name: 'cp-storageclass', defaultClass: true });
    // The templates themselves are left as the tree has them (a later run renders them again).
    expect(read('standalone/roles/cp/storage/defaults/main.yml.tmpl')).toContain('{STORAGE_TYPE}');

    // The inventory: the platform's own group_vars with only the plan's keys changed.
    const inv = join(root, 'standalone', 'inventory', 'tree-test');
    const cluster = parse(readFileSync(join(inv, 'group_vars/k8s_cluster/k8s-cluster.yml'), 'utf8')) as Record<string, unknown>;
    expect(cluster.kube_encrypt_secret_data).toBe(true);
    expect(cluster.tls_cipher_suites).toHaveLength(6);
    for (const f of ['group_vars/all/containerd.yml', 'group_vars/k8s_cluster/k8s-net-calico.yml', 'group_vars/etcd.yml']) expect(existsSync(join(inv, f)), f).toBe(true);
    expect(existsSync(join(inv, 'group_vars/k8s_cluster/addons.yml.tmpl'))).toBe(false);
    // Each change is in the run's log.
    const logs = files(join(run.runDir, 'logs')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logs).toContain('group_vars/k8s_cluster/addons.yml: metallb_config:');
    expect(logs).toContain('{MASTER1_NODE_PUBLIC_IP} = ');
    expect(logs).toContain('container_manager: "crio" (kept)');
  });
});
