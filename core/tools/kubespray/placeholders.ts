// The platform's placeholders: deploy-cp-cluster.sh copies each `*.tmpl` of its tree over the file beside it
// and fills `{MASTER1_NODE_HOSTNAME}`, `{MASTER1_NODE_PUBLIC_IP}`, `{STORAGE_TYPE}`, `{INSTALL_KYVERNO}`,
// `{NFS_SERVER_PRIVATE_IP}`, `{METALLB_IP_RANGE}`, `{INGRESS_NGINX_IP}` with `sed` before it runs the playbook.
// The installer does the same from the plan, as a pure renderer: without it kubeadm is handed the literal SAN
// "{MASTER1_NODE_PUBLIC_IP}" and metrics-server a node selector no node has.
import { hostsWithRole, innerAddress, type Plan } from '../../plan/schema.js';
import { scalar } from './yaml-text.js';

/** The address users and certificates name for the API server: the HA load balancer, else master 1's address. */
export function apiServerHost(plan: Plan): string | undefined {
  return plan.cluster.loadBalancerDomain ?? hostsWithRole(plan, 'control-plane')[0]?.address;
}

/** A placeholder as the platform writes them: `{NAME}` with an upper-case name. */
export const PLACEHOLDER = /\{([A-Z][A-Z0-9_]*)\}/g;

/** The values of cp-cluster-vars.sh, from the plan (the names are the script's). */
export function scriptValues(plan: Plan): Record<string, string> {
  const masters = hostsWithRole(plan, 'control-plane').filter((h) => !h.roles.includes('edge'));
  const master1 = masters[0];
  const nfsHost = hostsWithRole(plan, 'nfs')[0];
  const values: Record<string, string> = {
    STORAGE_TYPE: plan.storage.type,
    INSTALL_KYVERNO: plan.cluster.kyverno ? 'Y' : 'N',
    METALLB_IP_RANGE: plan.network.metallbRange ?? '',
    INGRESS_NGINX_IP: plan.network.ingressIp ?? '',
    NFS_SERVER_PRIVATE_IP: plan.storage.type === 'nfs' ? (plan.storage.nfs?.server ?? (nfsHost ? innerAddress(nfsHost) : '')) : '',
  };
  if (master1) {
    values.MASTER1_NODE_HOSTNAME = master1.name;
    // The script puts LOADBALANCER_DOMAIN here when there is more than one control plane.
    values.MASTER1_NODE_PUBLIC_IP = apiServerHost(plan) ?? master1.address;
    values.MASTER1_NODE_PRIVATE_IP = innerAddress(master1);
  }
  if (plan.cluster.loadBalancerDomain) values.LOADBALANCER_DOMAIN = plan.cluster.loadBalancerDomain;
  return values;
}

/** The placeholders left in a text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Fills every `{NAME}` it has a value for; `missing` lists those it had none for (left as they were). */
export function fillPlaceholders(text: string, values: Record<string, string>): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    if (Object.hasOwn(values, name)) return values[name]!;
    missing.add(name);
    return whole;
  });
  return { text: out, missing: [...missing] };
}

/**
 * The `*.tmpl` files (relative to the cp-deployment root) that deploy-cp-cluster.sh renders for `cluster.yml`,
 * by the folder of the Kubespray tree (`standalone`). The inventory's own templates (all.yml, addons.yml,
 * inventory.ini) are the inventory step's; `roles/cp/istio-setting` and the `multi/` and `single/` trees
 * belong to other playbooks (cluster_multi.yml, the single-node flow) and are left as the tree has them.
 */
export function clusterTemplates(subdir: string): string[] {
  const s = subdir ? `${subdir}/` : '';
  return [
    `${s}roles/cp/storage/defaults/main.yml.tmpl`,
    `${s}roles/kubernetes/control-plane/tasks/kubeadm-setup.yml.tmpl`,
    `${s}roles/kubernetes-apps/metrics_server/defaults/main.yml.tmpl`,
    `${s}roles/cp/kyverno/defaults/main.yml.tmpl`,
  ];
}

/** The applications/ templates (found on the deployer, as their folder carries a version): the NFS values. */
export const APPLICATION_TEMPLATE_GLOB = 'applications/nfs-subdir-external-provisioner-*/values.yaml.tmpl';

/** A rendered template: the file the playbooks read, and what was filled. */
export interface RenderedTemplate {
  target: string;
  text: string;
  filled: string[];
  missing: string[];
}

export function renderTemplate(templatePath: string, templateText: string, values: Record<string, string>): RenderedTemplate {
  const { text, missing } = fillPlaceholders(templateText, values);
  const filled = placeholdersIn(templateText).filter((n) => !missing.includes(n));
  return { target: templatePath.replace(/\.tmpl$/, ''), text, filled, missing };
}

/**
 * What the plan decides in a filled template that the platform's script leaves as it is: the NFS
 * provisioner's `nfs.path` (values.yaml.tmpl writes the guide's /home/share/nfs, while the nfs-server step
 * exports the plan's path and the tree's cp/storage installs the provisioner with this file). Pure: the
 * text with the plan's value, and one line per change for the run's log (also in a dry run).
 */
export function planTemplateEdits(target: string, text: string, plan: Plan): { text: string; changes: string[] } {
  const path = plan.storage.type === 'nfs' ? plan.storage.nfs?.path : undefined;
  if (!path || !/^applications\/nfs-subdir-external-provisioner-[^/]+\/values\.yaml$/.test(target)) return { text, changes: [] };
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^nfs:\s*(#.*)?$/.test(l));
  if (start < 0) return { text, changes: [] };
  // The block's lines: indented (or blank) until the next top-level key.
  for (let i = start + 1; i < lines.length && !/^\S/.test(lines[i]!); i++) {
    const m = /^(\s+)path:\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const next = `${m[1]}path: ${scalar(path)}`;
    if (lines[i] === next) return { text, changes: [] };
    lines[i] = next;
    return { text: lines.join('\n'), changes: [`${target}: nfs.path ${m[2]} -> ${scalar(path)} (the plan's share, as the nfs-server step exports it)`] };
  }
  return { text, changes: [] };
}
