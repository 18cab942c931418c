// The cluster objects the edge modes add besides the affinity patches: the CNI manifest (edge mode's bare
// kubeadm cluster has none), the MetalLB pool that gives cloudcore a fixed address, and cloudcore's Service
// as a LoadBalancer with the platform's fixed NodePorts 30000–30004 (K-PaaS keadm_init role).
import { stringify } from 'yaml';
import { shellJoin } from '../../common/quote.js';
import { CLOUDCORE_PORTS } from '../kubeedge/commands.js';

export const CLOUDCORE_NAMESPACE = 'kubeedge';
export const CLOUDCORE_POOL = 'cloudcore';

/** Calico's manifest: from the offline bundle when there is one, else the release's upstream URL. */
export function calicoManifestSource(calicoVersion: string, bundlePath?: string): string {
  if (bundlePath) return `${bundlePath.replace(/\/$/, '')}/manifests/calico-v${calicoVersion}.yaml`;
  return `https://raw.githubusercontent.com/projectcalico/calico/v${calicoVersion}/manifests/calico.yaml`;
}

export function applyCommand(kubeconfig: string, file: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'apply', '-f', file]);
}

/** IPAddressPool + L2Advertisement (MetalLB ≥ 0.13 CRDs) holding only cloudcore's address. */
export function renderCloudcorePool(address: string): string {
  const cidr = address.includes(':') ? `${address}/128` : `${address}/32`;
  const pool = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: CLOUDCORE_POOL, namespace: 'metallb-system' },
    spec: { addresses: [cidr], autoAssign: false },
  };
  const l2 = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: CLOUDCORE_POOL, namespace: 'metallb-system' },
    spec: { ipAddressPools: [CLOUDCORE_POOL] },
  };
  return [pool, l2].map((d) => stringify(d)).join('---\n');
}

/** Strategic-merge patch: Service ports merge by `port`, so each keeps its name and gets a fixed NodePort. */
export function cloudcoreServicePatch(address: string): Record<string, unknown> {
  return {
    metadata: {
      annotations: { 'metallb.universe.tf/address-pool': CLOUDCORE_POOL, 'metallb.universe.tf/loadBalancerIPs': address },
    },
    spec: {
      type: 'LoadBalancer',
      ports: CLOUDCORE_PORTS.map((port, i) => ({ port, nodePort: 30000 + i })),
    },
  };
}

export function cloudcoreServicePatchCommand(kubeconfig: string, address: string): string {
  return shellJoin([
    'kubectl', '--kubeconfig', kubeconfig, 'patch', 'service', 'cloudcore', '-n', CLOUDCORE_NAMESPACE,
    '--type', 'strategic', '-p', JSON.stringify(cloudcoreServicePatch(address)),
  ]);
}

export function getServiceCommand(kubeconfig: string, name: string, namespace: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'get', 'service', name, '-n', namespace, '-o', 'json']);
}

/** Prints `daemonset.apps/<name>` when the DaemonSet exists (e.g. calico-node: the CNI is in). */
export function daemonSetExistsCommand(kubeconfig: string, name: string, namespace: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'get', 'daemonset', name, '-n', namespace, '-o', 'name']);
}

export function getPodsCommand(kubeconfig: string, namespace: string, selector?: string): string {
  const argv = ['kubectl', '--kubeconfig', kubeconfig, 'get', 'pods', '-n', namespace, '-o', 'json'];
  if (selector) argv.push('-l', selector);
  return shellJoin(argv);
}

/** The node a pod runs on, from `kubectl get pods -o json` (cloudcore's: where its host network is). */
export function podNodes(json: string): Array<{ name: string; node?: string; hostIP?: string; phase?: string }> {
  const list = JSON.parse(json) as {
    items?: Array<{ metadata?: { name?: string }; spec?: { nodeName?: string }; status?: { hostIP?: string; phase?: string } }>;
  };
  return (list.items ?? []).map((p) => {
    const out: { name: string; node?: string; hostIP?: string; phase?: string } = { name: p.metadata?.name ?? '' };
    if (p.spec?.nodeName) out.node = p.spec.nodeName;
    if (p.status?.hostIP) out.hostIP = p.status.hostIP;
    if (p.status?.phase) out.phase = p.status.phase;
    return out;
  });
}
