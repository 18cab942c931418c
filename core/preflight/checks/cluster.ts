// What an earlier or foreign install leaves behind (kubeadm's FileAvailable / DirAvailable checks), and
// what an edge host needs (issue 6: a runtime, no kubelet or kube-proxy, an architecture KubeEdge ships).
import type { CheckResult } from '../types.js';
import { atLeast, isControlPlane, isEdge, unknown, verdict, type CheckContext } from './context.js';

/** Files under /etc/kubernetes that kubeadm refuses to overwrite, on init (control planes) or join. */
const KUBEADM_FILES_INIT = [
  'manifests/kube-apiserver.yaml',
  'manifests/kube-controller-manager.yaml',
  'manifests/kube-scheduler.yaml',
  'manifests/etcd.yaml',
  'admin.conf',
];
const KUBEADM_FILES_JOIN = ['kubelet.conf', 'bootstrap-kubelet.conf', 'pki/ca.crt'];

export function leftoversCheck(ctx: CheckContext): CheckResult {
  const left = ctx.facts.leftovers;
  if (!left) return unknown('leftovers', ctx.facts, 'leftovers');
  const files = new Set(left.etcKubernetes ?? []);
  const watch = isControlPlane(ctx) ? [...KUBEADM_FILES_INIT, ...KUBEADM_FILES_JOIN] : KUBEADM_FILES_JOIN;
  const found = watch.filter((f) => files.has(f)).map((f) => `/etc/kubernetes/${f}`);
  const etcd = (isControlPlane(ctx) || ctx.roles.has('etcd')) && left.varLibEtcd === true;
  if (etcd) found.push('/var/lib/etcd');
  // On an edge host a running kubelet / kube-proxy is edge.kubelet's finding; here it would be said twice.
  const procs = ctx.facts.processes ?? {};
  const running = (isEdge(ctx) ? ['kube-apiserver', 'etcd'] : ['kube-apiserver', 'etcd', 'kube-proxy']).filter((p) => procs[p]);
  if (ctx.facts.kubelet?.running && !isEdge(ctx)) running.unshift('kubelet');
  if (found.length || running.length) {
    return verdict('leftovers', 'fail', { found: [...found, ...running].join(', ') });
  }
  return verdict('leftovers', 'pass');
}

export function edgeRuntimeCheck(ctx: CheckContext): CheckResult {
  const rt = ctx.facts.runtimes;
  if (!rt) return unknown('edge.runtime', ctx.facts, 'runtimes');
  const present = Object.entries(rt).filter(([, v]) => v !== null && v !== undefined);
  const kubeedge = ctx.release?.kubeedge?.version ?? '0';
  // KubeEdge 1.15+ needs containerd 1.6+ (its CRI v1 client).
  const containerd = rt.containerd;
  if (containerd && atLeast(kubeedge, '1.15') && !atLeast(containerd, '1.6')) {
    return verdict('edge.runtime', 'fail', { runtime: `containerd ${containerd}`, kubeedge }, { variant: 'old', remedyVariant: 'old' });
  }
  if (present.length) {
    return verdict('edge.runtime', 'pass', { runtime: present.map(([k, v]) => (v ? `${k} ${v}` : k)).join(', ') });
  }
  // The release's edge flow installs CRI-O itself when it names a version for it.
  const installs = ctx.release?.kubeedge?.edgeCrio;
  if (installs) return verdict('edge.runtime', 'pass', { version: installs }, { variant: 'install' });
  return verdict('edge.runtime', 'fail', { kubeedge });
}

/** edgecore refuses to start next to a kubelet; a running kube-proxy means the host already is a node. */
export function edgeKubeletCheck(ctx: CheckContext): CheckResult {
  const k = ctx.facts.kubelet;
  if (!k) return unknown('edge.kubelet', ctx.facts, 'kubelet');
  const running: string[] = [];
  if (k.running) running.push('kubelet');
  if (ctx.facts.processes?.['kube-proxy']) running.push('kube-proxy');
  if (running.length) return verdict('edge.kubelet', 'fail', { running: running.join(', ') });
  if (k.installed) return verdict('edge.kubelet', 'warn', { version: k.version ?? '?' }, { variant: 'installed', remedyVariant: 'installed' });
  return verdict('edge.kubelet', 'pass');
}

/** edgecore already running: the host is joined (or half-joined) to some cloudcore. */
export function edgeCoreCheck(ctx: CheckContext): CheckResult {
  if (ctx.facts.processes?.edgecore) return verdict('edge.edgecore', 'fail');
  return verdict('edge.edgecore', 'pass');
}

/** keadm joins the host; without it every join fails host by host, late. The probe looks on root's PATH. */
export function edgeKeadmCheck(ctx: CheckContext): CheckResult {
  const bins = ctx.facts.binaries;
  if (!bins) return unknown('edge.keadm', ctx.facts, 'binaries');
  if (bins.keadm) return verdict('edge.keadm', 'pass');
  const version = ctx.release?.kubeedge?.version ?? '?';
  // With a bundle the run puts keadm there itself (the kubeadm edge's host preparation, the 2021 edge's copy of
  // the tree's edge/keadm): a host without it is expected, not a fault.
  if (ctx.plan.bundle) return verdict('edge.keadm', 'pass', { version }, { variant: 'fromBundle' });
  return verdict('edge.keadm', 'fail', { version });
}
