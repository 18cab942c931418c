// The engine's view of core/outputs: the kubeconfig users get and the run's HTML report.
import { parse, stringify } from 'yaml';
import { hostsWithRole, type Plan } from '../../plan/schema.js';
import type { StepContext } from '../step.js';

/** The API server address users reach: the HA load balancer's domain, else master 1's address. */
export function userServer(plan: Plan): string {
  const host = plan.cluster.loadBalancerDomain ?? hostsWithRole(plan, 'control-plane')[0]?.address ?? '127.0.0.1';
  return `https://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:6443`;
}

interface Kubeconfig {
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
  [k: string]: unknown;
}

/** admin.conf with the server rewritten and cluster, user and context named after the plan's cluster. */
export function kubeconfigFor(plan: Plan, adminConf: string): { text: string; server: string; context: string } {
  const doc = parse(adminConf) as Kubeconfig;
  const name = plan.cluster.name;
  const server = userServer(plan);
  const user = `${name}-admin`;
  const cluster = doc.clusters?.[0]?.cluster ?? {};
  const credentials = doc.users?.[0]?.user ?? {};
  const out: Kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { ...cluster, server } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
    preferences: {},
  };
  return { text: stringify(out), server, context: name };
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function reportHtml(ctx: StepContext): string {
  const p = ctx.plan;
  const rows = p.hosts.map((h) => `<tr><td>${esc(h.name)}</td><td>${esc(h.address)}</td><td>${esc(h.roles.join(', '))}</td></tr>`).join('');
  const outputs = Object.entries(ctx.outputs.all())
    .filter(([k]) => !['deployerPublicKey', 'inventoryHash'].includes(k))
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(p.cluster.name)}: cp-installer report</title></head><body>
<h1>${esc(p.cluster.name)}</h1><p>Run ${esc(ctx.runId)}, release ${esc(ctx.release.title)} (Kubernetes ${esc(ctx.release.kubernetes)})</p>
<h2>Hosts</h2><table><tr><th>name</th><th>address</th><th>roles</th></tr>${rows}</table>
<h2>Outputs</h2><table>${outputs}</table></body></html>
`;
}
