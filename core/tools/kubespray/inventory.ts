// Kubespray's inventory (docs/ansible/inventory.md): hosts.yaml with the groups kube_control_plane, kube_node,
// etcd, k8s_cluster (children kube_control_plane, kube_node, calico_rr) and calico_rr. The inventory is the
// user's: it is written to be read, changed and run by hand, so it is commented and in the documented shape.
import type { Release } from '../../plan/catalog.js';
import { hostsWithRole, innerAddress, loginUser, type Host, type Plan } from '../../plan/schema.js';
import { commentText, key, scalar } from './yaml-text.js';

export const KUBESPRAY_GROUPS = ['kube_control_plane', 'kube_node', 'etcd', 'k8s_cluster', 'calico_rr'] as const;

/** Kubespray before 2.16 (the 2021 release's 2.14) names its groups kube-master, kube-node, k8s-cluster, calico-rr. */
export function usesLegacyGroups(release: Pick<Release, 'kubespray'>): boolean {
  const [major = 0, minor = 0] = release.kubespray.version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  return major < 2 || (major === 2 && minor < 16);
}

const LEGACY: Record<string, string> = {
  kube_control_plane: 'kube-master',
  kube_node: 'kube-node',
  k8s_cluster: 'k8s-cluster',
  calico_rr: 'calico-rr',
};

export interface InventoryGroups {
  controlPlanes: Host[];
  nodes: Host[];
  etcd: Host[];
  /** Every host that enters the inventory, in plan order. */
  all: Host[];
}

/** Which plan hosts go in which Kubespray group. Edge hosts never do: Kubespray would put kubelet on them. */
export function inventoryGroups(plan: Plan): InventoryGroups {
  const notEdge = (h: Host) => !h.roles.includes('edge');
  const controlPlanes = hostsWithRole(plan, 'control-plane').filter(notEdge);
  const workers = hostsWithRole(plan, 'worker').filter(notEdge);
  // A cluster without workers schedules on its control planes (Kubespray's all-in-one layout).
  const nodes = workers.length > 0 ? workers : controlPlanes;
  const etcd =
    plan.cluster.etcdType === 'external' ? hostsWithRole(plan, 'etcd').filter(notEdge) : controlPlanes;
  const members = new Set([...controlPlanes, ...nodes, ...etcd]);
  return { controlPlanes, nodes, etcd, all: plan.hosts.filter((h) => members.has(h)) };
}

export interface InventoryOptions {
  /** Private key on the deployer that every node accepts; Ansible's default key when absent. */
  privateKeyFile?: string;
  /** Write the group names of Kubespray before 2.16 (usesLegacyGroups). */
  legacyGroups?: boolean;
}

function groupBlock(name: string, hosts: Host[], comment: string): string[] {
  const lines = [`    # ${comment}`, `    ${name}:`];
  if (hosts.length === 0) lines.push('      hosts: {}');
  else lines.push('      hosts:', ...hosts.map((h) => `        ${key(h.name)}:`));
  return lines;
}

export function renderInventory(plan: Plan, options: InventoryOptions = {}): string {
  const groups = inventoryGroups(plan);
  const out: string[] = [
    `# Kubespray inventory for cluster ${commentText(plan.cluster.name)}, written by cp-installer from the install plan.`,
    '# It is an ordinary Kubespray inventory: check it with',
    '#   ansible-inventory -i hosts.yaml --graph',
    '# and run Kubespray by hand from the Kubespray folder with',
    '#   ansible-playbook -i inventory/<cluster>/hosts.yaml --become --become-user=root cluster.yml',
    '#',
    '# Per host: ansible_host is where the deployer connects over SSH; ip is the address Kubernetes binds to;',
    '# access_ip is the address the other nodes use to reach it. All three are the private (inner) address:',
    '# the deployer runs inside the cluster network, as in the platform\'s own scripts.',
    'all:',
  ];
  if (options.privateKeyFile) {
    out.push('  vars:', `    ansible_ssh_private_key_file: ${scalar(options.privateKeyFile)}`);
  }
  out.push('  hosts:');
  for (const host of groups.all) {
    const address = innerAddress(host);
    out.push(`    ${key(host.name)}:`);
    out.push(`      ansible_host: ${scalar(address)}`);
    if (host.port !== 22) out.push(`      ansible_port: ${host.port}`);
    out.push(`      ansible_user: ${scalar(loginUser(plan, host))}`);
    out.push(`      ip: ${scalar(address)}`);
    out.push(`      access_ip: ${scalar(address)}`);
    if (plan.cluster.etcdType === 'external' && groups.etcd.includes(host)) {
      out.push(`      etcd_member_name: ${scalar(`etcd${groups.etcd.indexOf(host) + 1}`)}`);
    }
  }
  out.push('  children:');
  const body: string[] = [];
  body.push(...groupBlock('kube_control_plane', groups.controlPlanes, 'Control plane nodes (the first one initializes the cluster).'));
  body.push(
    ...groupBlock(
      'kube_node',
      groups.nodes,
      groups.nodes === groups.controlPlanes ? 'Nodes that run workloads: the control planes, as the plan has no workers.' : 'Worker nodes.',
    ),
  );
  body.push(
    ...groupBlock(
      'etcd',
      groups.etcd,
      plan.cluster.etcdType === 'external' ? 'External etcd: its own hosts.' : 'Stacked etcd: on the control planes.',
    ),
  );
  body.push(
    '    # Every Kubernetes node (not the external etcd hosts).',
    '    k8s_cluster:',
    '      children:',
    '        kube_control_plane:',
    '        kube_node:',
    '        calico_rr:',
  );
  body.push(...groupBlock('calico_rr', [], 'Calico route reflectors: none.'));
  const rename = options.legacyGroups
    ? (line: string) => line.replace(/^(\s+)(kube_control_plane|kube_node|k8s_cluster|calico_rr):$/, (_m, sp: string, g: string) => `${sp}${LEGACY[g]}:`)
    : (line: string) => line;
  out.push(...body.map(rename));
  return out.join('\n') + '\n';
}
