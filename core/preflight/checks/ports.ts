// Ports that must be free on a host before install, by role, mode and release (kubeadm's Port-* checks,
// the platform's firewall table, KubeEdge's cloudcore ports).
import type { CheckResult } from '../types.js';
import {
  atLeast,
  existingClusterHost,
  isCloudcoreHost,
  isControlPlane,
  isEdge,
  unknown,
  verdict,
  type CheckContext,
} from './context.js';

export interface PortRule {
  /** `port.6443` or `port.30000-32767` */
  id: string;
  from: number;
  to: number;
  what: string;
}

const one = (port: number, what: string): PortRule => ({ id: `port.${port}`, from: port, to: port, what });
export const NODEPORT_RANGE: PortRule = { id: 'port.30000-32767', from: 30000, to: 32767, what: 'NodePort services' };
export const CLOUDCORE_PORTS = [10000, 10001, 10002, 10003, 10004];

/** Which ports must be free on this host. */
export function requiredPorts(ctx: CheckContext): PortRule[] {
  const rules: PortRule[] = [];
  const cp = isControlPlane(ctx);
  if (!existingClusterHost(ctx)) {
    if (cp) {
      rules.push(one(6443, 'kube-apiserver'));
      // kubeadm before 1.20 checked the insecure scheduler / controller-manager ports.
      if (atLeast(ctx.kubernetes, '1.20')) rules.push(one(10259, 'kube-scheduler'), one(10257, 'kube-controller-manager'));
      else rules.push(one(10251, 'kube-scheduler'), one(10252, 'kube-controller-manager'));
    }
    if ((cp && ctx.plan.cluster.etcdType !== 'external') || ctx.roles.has('etcd')) {
      rules.push(one(2379, 'etcd client'), one(2380, 'etcd peer'));
    }
    if (cp || ctx.roles.has('worker')) rules.push(one(10250, 'kubelet'), NODEPORT_RANGE);
    if (isEdge(ctx) && !cp) rules.push(one(10350, 'edgecore stream'), one(10550, 'edgecore metaServer'));
  }
  if (isCloudcoreHost(ctx)) rules.push(...CLOUDCORE_PORTS.map((p) => one(p, 'cloudcore')));
  const seen = new Set<string>();
  return rules.filter((r) => !seen.has(r.id) && seen.add(r.id));
}

export function portChecks(ctx: CheckContext): CheckResult[] {
  const rules = requiredPorts(ctx);
  if (!rules.length) return [];
  const listening = ctx.facts.listening;
  if (!listening) return [unknown('port', ctx.facts, 'listening', 'port')];
  return rules.map((r) => {
    const busy = listening.filter((p) => p >= r.from && p <= r.to).sort((a, b) => a - b);
    const port = r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
    if (!busy.length) return verdict('port', 'pass', { port, what: r.what }, { id: r.id });
    return verdict('port', 'fail', { port, what: r.what, busy: busy.slice(0, 10).join(', ') }, { id: r.id });
  });
}
