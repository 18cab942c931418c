// Puts the fake kubeadm / keadm / kubectl into a test host's /usr/local/bin (its `bin/` folder) with the
// recorded outputs they print, and seeds or reads the fake cluster a control plane keeps in
// /var/lib/cp-installer/fake-k8s (its `lib/` folder). Tests only: the product never ships these.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', 'fixtures');

export interface FakeVersions {
  /** The kubeadm / kubectl version (the release's Kubernetes). */
  kubernetes: string;
  /** keadm's own version (the release's KubeEdge). */
  kubeedge: string;
  /** What edge nodes report as their kubelet (the catalog's edgeKubelet). */
  edgeKubelet?: string;
}

export interface HostDirs {
  dir: string;
}

export function installFakes(host: HostDirs, versions: FakeVersions): void {
  const bin = join(host.dir, 'bin');
  const data = join(bin, '.fakes');
  mkdirSync(data, { recursive: true });
  for (const tool of ['kubeadm', 'keadm', 'kubectl']) {
    copyFileSync(join(HERE, tool), join(bin, tool));
    chmodSync(join(bin, tool), 0o755);
  }
  copyFileSync(join(HERE, 'fakek8s.py'), join(bin, 'fakek8s.py'));
  copyFileSync(join(HERE, 'fake-cloudcore.py'), join(data, 'fake-cloudcore.py'));
  // KubeEdge before 1.11: the files keadm writes (its 1.6 defaults) and edgecore, a process of its own.
  copyFileSync(join(HERE, 'fake-edgecore.py'), join(data, 'fake-edgecore.py'));
  for (const f of readdirSync(join(FIXTURES, 'kubeedge-1.6'))) copyFileSync(join(FIXTURES, 'kubeedge-1.6', f), join(data, `kubeedge-1.6-${f}`));
  for (const sub of ['kubeadm', 'keadm']) {
    for (const f of readdirSync(join(FIXTURES, sub))) {
      if (f.endsWith('.txt')) copyFileSync(join(FIXTURES, sub, f), join(data, f));
    }
  }
  writeFileSync(join(data, 'versions.json'), JSON.stringify(versions));
}

function stateDir(host: HostDirs): string {
  return join(host.dir, 'lib', 'fake-k8s');
}

export interface SeedNode {
  name: string;
  ip: string;
  roles: string[];
}

/**
 * A cluster that exists before the installer touches it, as Kubespray leaves one: nodes Ready, calico-node,
 * kube-proxy, nodelocaldns, MetalLB, the admin kubeconfig in /etc/kubernetes.
 */
export function seedExistingCluster(host: HostDirs, kubernetes: string, nodes: SeedNode[]): void {
  mkdirSync(stateDir(host), { recursive: true });
  mkdirSync(join(host.dir, 'kube'), { recursive: true });
  const node = (n: SeedNode) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...Object.fromEntries(n.roles.map((r) => [`node-role.kubernetes.io/${r}`, ''])),
      },
    },
    spec: { taints: n.roles.includes('control-plane') ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [] },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      nodeInfo: { kubeletVersion: `v${kubernetes}` },
    },
  });
  const wl = (kind: string, namespace: string, name: string) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace },
    spec: { template: { spec: { containers: [{ name }], tolerations: [{ operator: 'Exists' }] } } },
  });
  const state = {
    kubernetes,
    nodes: nodes.map(node),
    workloads: [
      wl('DaemonSet', 'kube-system', 'calico-node'),
      wl('DaemonSet', 'kube-system', 'kube-proxy'),
      wl('DaemonSet', 'kube-system', 'nodelocaldns'),
      wl('Deployment', 'kube-system', 'coredns'),
      wl('Deployment', 'kube-system', 'calico-kube-controllers'),
      wl('DaemonSet', 'metallb-system', 'speaker'),
      wl('Deployment', 'metallb-system', 'controller'),
      wl('Deployment', 'nfs-provisioner', 'nfs-subdir-external-provisioner'),
    ],
    services: [],
    pods: [],
    objects: [],
    bootstrapToken: null,
    cloudcore: null,
    endpoint: `${nodes[0]?.ip}:6443`,
  };
  writeFileSync(join(stateDir(host), 'cluster.json'), JSON.stringify(state, null, 1));
  writeFileSync(
    join(host.dir, 'kube', 'admin.conf'),
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${nodes[0]?.ip}:6443\n  name: cluster.local\n`,
    { mode: 0o600 },
  );
}

export interface FakeCluster {
  nodes: Array<{ metadata: { name: string; labels: Record<string, string> }; status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } } }>;
  workloads: Array<{ kind: string; metadata: { name: string; namespace: string }; spec: { template: { spec: { affinity?: unknown } } } }>;
  services: Array<{ metadata: { name: string; annotations?: Record<string, string> }; spec: { type: string; ports: Array<{ port: number; nodePort?: number }> } }>;
  objects: Array<{ kind: string; metadata: { name: string } }>;
  cloudcore: { advertise: string[]; version: string; values: Record<string, string> } | null;
}

export function readCluster(host: HostDirs): FakeCluster | undefined {
  const file = join(stateDir(host), 'cluster.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FakeCluster) : undefined;
}

/** Makes the next `keadm join` on this edge host fail at the image pull, as with no registry reachable. */
export function failNextJoin(host: HostDirs, fail: boolean): void {
  mkdirSync(stateDir(host), { recursive: true });
  const file = join(stateDir(host), 'fail-join');
  if (fail) writeFileSync(file, 'pull\n');
  else rmSync(file, { force: true });
}

/** How long the fake image pull of `keadm join` takes on this host (default 0). */
export function setPullSeconds(host: HostDirs, seconds: number): void {
  mkdirSync(stateDir(host), { recursive: true });
  writeFileSync(join(stateDir(host), 'pull-seconds'), String(seconds));
}

/** The pid of the fake cloudcore on this host, if one runs (for cleanup by pid). */
export function cloudcorePid(host: HostDirs): number | undefined {
  const file = join(stateDir(host), 'cloudcore.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** Stops the fake cloudcore of this host by its pid (afterAll, also after a failed test). */
export function stopCloudcore(host: HostDirs): void {
  const pid = cloudcorePid(host);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
