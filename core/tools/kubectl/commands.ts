// General kubectl command lines the steps run on a control plane (the edge-specific ones are in cloud.ts,
// affinity.ts and nodes.ts). Built with shellJoin: every value is quoted.
import { shellJoin } from '../../common/quote.js';

/** `kubectl apply` of manifests; server-side for CRDs too big for the last-applied annotation (Kyverno, Rook). */
export function kubectlApply(kubeconfig: string, files: string[], opts: { serverSide?: boolean } = {}): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, 'apply', ...(opts.serverSide ? ['--server-side', '--force-conflicts'] : []), ...files.flatMap((f) => ['-f', f])]);
}

export function setDefaultStorageClass(kubeconfig: string, name: string): string {
  return shellJoin([
    'kubectl', '--kubeconfig', kubeconfig, 'patch', 'storageclass', name,
    '-p', JSON.stringify({ metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }),
  ]);
}

export function patchServiceLoadBalancerIp(kubeconfig: string, namespace: string, service: string, ip: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, '-n', namespace, 'patch', 'svc', service, '-p', JSON.stringify({ spec: { loadBalancerIP: ip } })]);
}

/** Prints the Service's spec.loadBalancerIP. */
export function serviceLoadBalancerIp(kubeconfig: string, namespace: string, service: string): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, '-n', namespace, 'get', 'svc', service, '-o', 'jsonpath={.spec.loadBalancerIP}']);
}

/** Waits until the Deployment has rolled out (exits non-zero after `timeout`). */
export function rolloutStatus(kubeconfig: string, namespace: string, deployment: string, timeout = '10m'): string {
  return shellJoin(['kubectl', '--kubeconfig', kubeconfig, '-n', namespace, 'rollout', 'status', `deployment/${deployment}`, `--timeout=${timeout}`]);
}
