// `kubectl get nodes -o json` → what verification needs: Ready, roles (from node-role.kubernetes.io/<role>
// labels, as kubectl's ROLES column shows them), the kubelet version (edge nodes report e.g.
// v1.30.7-kubeedge-v1.20.0).
import { shellJoin } from '../../common/quote.js';

export interface NodeStatus {
  name: string;
  ready: boolean;
  roles: string[];
  kubeletVersion?: string;
  internalIp?: string;
}

interface NodeJson {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: {
    conditions?: Array<{ type?: string; status?: string }>;
    nodeInfo?: { kubeletVersion?: string };
    addresses?: Array<{ type?: string; address?: string }>;
  };
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export function parseNodes(json: string): NodeStatus[] {
  const list = JSON.parse(json) as { items?: NodeJson[] };
  return (list.items ?? []).map((n) => {
    const labels = n.metadata?.labels ?? {};
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length)
      .map((k) => k.slice(ROLE_PREFIX.length))
      .sort();
    const node: NodeStatus = {
      name: n.metadata?.name ?? '',
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      roles,
    };
    const version = n.status?.nodeInfo?.kubeletVersion;
    if (version) node.kubeletVersion = version;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) node.internalIp = ip;
    return node;
  });
}

/** kubectl's ROLES column: roles joined with commas, `<none>` when there is none. */
export function rolesColumn(node: NodeStatus): string {
  return node.roles.length ? node.roles.join(',') : '<none>';
}

export interface EdgeVerdict {
  ready: string[];
  /** Planned edge hosts missing from the cluster, not Ready, or without roles agent,edge. */
  problems: Array<{ name: string; reason: 'missing' | 'not-ready' | 'roles'; detail?: string }>;
}

export function verifyEdgeNodes(nodes: NodeStatus[], expected: string[]): EdgeVerdict {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const verdict: EdgeVerdict = { ready: [], problems: [] };
  for (const name of expected) {
    const node = byName.get(name);
    if (!node) verdict.problems.push({ name, reason: 'missing' });
    else if (!node.ready) verdict.problems.push({ name, reason: 'not-ready' });
    else if (rolesColumn(node) !== 'agent,edge') verdict.problems.push({ name, reason: 'roles', detail: rolesColumn(node) });
    else verdict.ready.push(name);
  }
  return verdict;
}

export function getNodesCommand(kubeconfig: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'json']);
}
