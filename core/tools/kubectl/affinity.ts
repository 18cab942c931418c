// Keeping cloud DaemonSets off edge nodes (TOOLS.md §2.6). Edge nodes register with
// node-role.kubernetes.io/edge and no taint, and kube-proxy, calico-node and nodelocaldns tolerate every
// taint, so only a required nodeAffinity `node-role.kubernetes.io/edge DoesNotExist` keeps them away — the
// patch KubeEdge's docs and the platform's playbook apply. The list of objects comes from what the cluster
// has (`kubectl get ds,deploy -A -o json`): every DaemonSet outside KubeEdge's own namespace, plus the
// Deployments the platform patches; objects already carrying the rule are skipped, so re-applying is cheap
// and safe (after a Kubespray run re-templates calico-node / nodelocaldns, or kubeadm upgrade re-applies
// kube-proxy, the next run of this step finds them without the rule and patches them again).
import { shellJoin } from '../../common/quote.js';

export const EDGE_ROLE_LABEL = 'node-role.kubernetes.io/edge';

export const EDGE_NODE_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: EDGE_ROLE_LABEL, operator: 'DoesNotExist' }] }],
    },
  },
} as const;

/** A JSON patch (RFC 6902) that sets the pod template's affinity, replacing whatever was there. */
export const EDGE_AFFINITY_JSON_PATCH = [{ op: 'add', path: '/spec/template/spec/affinity', value: EDGE_NODE_AFFINITY }];

export interface WorkloadRef {
  kind: 'daemonset' | 'deployment';
  namespace: string;
  name: string;
}

/** Namespaces whose workloads are meant for edge nodes: never patched. */
const EDGE_NAMESPACES = new Set(['kubeedge', 'edgemesh']);

/** Deployments that must stay in the cloud (the platform's list): cloudcore's peers, MetalLB, storage, ingress. */
const CLOUD_DEPLOYMENTS: Array<{ namespace?: string; name: string }> = [
  { namespace: 'metallb-system', name: 'controller' },
  { name: 'nfs-subdir-external-provisioner' },
  { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
];

interface K8sObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { template?: { spec?: { affinity?: unknown; nodeSelector?: Record<string, string> } } };
}

/** Whether the pod template already requires nodes without the edge label (any term would do). */
export function hasEdgeAffinity(obj: K8sObject): boolean {
  type Terms = Array<{ matchExpressions?: Array<{ key?: string; operator?: string }> }>;
  const affinity = obj.spec?.template?.spec?.affinity as
    | { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Terms } } }
    | undefined;
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return false;
  // Terms are ORed: every term must exclude edge nodes.
  return terms.every((t) => t.matchExpressions?.some((e) => e.key === EDGE_ROLE_LABEL && e.operator === 'DoesNotExist'));
}

/** A workload pinned to edge nodes by its own selector (edgemesh agents, mosquitto): leave it alone. */
function targetsEdge(obj: K8sObject): boolean {
  const sel = obj.spec?.template?.spec?.nodeSelector ?? {};
  return EDGE_ROLE_LABEL in sel || 'node-role.kubernetes.io/agent' in sel;
}

/** From `kubectl get ds,deploy -A -o json`: what needs the patch now. */
export function affinityTargets(listJson: string): WorkloadRef[] {
  const list = JSON.parse(listJson) as { items?: K8sObject[] };
  const out: WorkloadRef[] = [];
  for (const obj of list.items ?? []) {
    const name = obj.metadata?.name;
    const namespace = obj.metadata?.namespace ?? 'default';
    if (!name || EDGE_NAMESPACES.has(namespace) || targetsEdge(obj) || hasEdgeAffinity(obj)) continue;
    if (obj.kind === 'DaemonSet') out.push({ kind: 'daemonset', namespace, name });
    else if (obj.kind === 'Deployment' && CLOUD_DEPLOYMENTS.some((d) => d.name === name && (!d.namespace || d.namespace === namespace))) {
      out.push({ kind: 'deployment', namespace, name });
    }
  }
  return out.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
}

export function listWorkloadsCommand(kubeconfig: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'get', 'daemonsets,deployments', '--all-namespaces', '-o', 'json']);
}

export function affinityPatchCommand(kubeconfig: string, ref: WorkloadRef): string {
  return shellJoin([
    'kubectl', '--kubeconfig', kubeconfig, 'patch', ref.kind, ref.name, '-n', ref.namespace,
    '--type', 'json', '-p', JSON.stringify(EDGE_AFFINITY_JSON_PATCH),
  ]);
}
