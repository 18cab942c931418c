// The kubeconfig handed to the user: kubeadm's admin.conf from a control plane, with the server rewritten to
// the address users reach (master 1's address or the HA load balancer, port 6443) and cluster, user and
// context named after the plan's cluster, so it can sit next to other clusters in one kubeconfig.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { hostsWithRole, type Plan } from '../plan/schema.js';

export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const API_PORT = 6443;

export interface KubeconfigNames {
  cluster: string;
  user: string;
  context: string;
}

/** What the rewritten kubeconfig calls things: cluster and context = the plan's cluster name, user = `<name>-admin`. */
export function kubeconfigNames(plan: Plan): KubeconfigNames {
  const name = plan.cluster.name;
  return { cluster: name, user: `${name}-admin`, context: name };
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** https://<LB domain | master 1's address>:6443 */
export function apiServerUrl(plan: Plan): string {
  const host = plan.cluster.loadBalancerDomain ?? hostsWithRole(plan, 'control-plane')[0]?.address;
  if (!host) throw new Error('The plan has no control plane and no load balancer: no API server address');
  return `https://${hostForUrl(host)}:${API_PORT}`;
}

function entries(doc: Document, key: string): YAMLMap[] {
  const seq = doc.get(key);
  if (!isSeq(seq)) return [];
  return seq.items.filter((i): i is YAMLMap => isMap(i));
}

/**
 * admin.conf (one cluster, one user, one context, as kubeadm writes it) → the user's kubeconfig: server
 * replaced, entries renamed, current-context set. Certificates and every other field stay as they are.
 */
export function rewriteAdminConf(adminConf: string, options: { server: string; names: KubeconfigNames }): string {
  const doc = parseDocument(adminConf);
  if (doc.errors.length > 0) throw new Error(`admin.conf is not valid YAML: ${doc.errors[0]!.message}`);
  const clusters = entries(doc, 'clusters');
  const users = entries(doc, 'users');
  const contexts = entries(doc, 'contexts');
  if (clusters.length !== 1 || users.length !== 1 || contexts.length < 1) {
    throw new Error(`admin.conf should have one cluster and one user; it has ${clusters.length} and ${users.length}`);
  }
  const { names, server } = options;
  clusters[0]!.set('name', names.cluster);
  clusters[0]!.setIn(['cluster', 'server'], server);
  users[0]!.set('name', names.user);
  // kubeadm writes exactly one context; keep the first and drop any other, which would point at old names.
  const context = contexts[0]!;
  context.set('name', names.context);
  context.setIn(['context', 'cluster'], names.cluster);
  context.setIn(['context', 'user'], names.user);
  const seq = doc.get('contexts');
  if (isSeq(seq)) seq.items.splice(1);
  doc.set('current-context', names.context);
  return doc.toString({ lineWidth: 0 });
}

/** admin.conf rewritten for this plan. */
export function userKubeconfig(plan: Plan, adminConf: string): string {
  return rewriteAdminConf(adminConf, { server: apiServerUrl(plan), names: kubeconfigNames(plan) });
}

function named(list: YAMLMap[]): Map<string, YAMLMap> {
  const out = new Map<string, YAMLMap>();
  for (const item of list) {
    const name = item.get('name');
    if (typeof name === 'string') out.set(name, item);
  }
  return out;
}

/**
 * Adds the incoming kubeconfig's clusters, users and contexts to an existing kubeconfig, replacing only
 * entries of the same name; every other entry, comment and field of the existing file stays. The existing
 * current-context is kept unless `makeCurrent` (or the existing file has none).
 */
export function mergeKubeconfig(existing: string | undefined, incoming: string, options: { makeCurrent?: boolean } = {}): string {
  const inc = parseDocument(incoming);
  if (inc.errors.length > 0) throw new Error(`The new kubeconfig is not valid YAML: ${inc.errors[0]!.message}`);
  if (!existing || existing.trim() === '') return inc.toString({ lineWidth: 0 });
  const doc = parseDocument(existing);
  if (doc.errors.length > 0) throw new Error(`The existing kubeconfig is not valid YAML: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new Error('The existing kubeconfig is not a mapping');
  for (const key of ['clusters', 'users', 'contexts']) {
    let seq = doc.get(key);
    if (!isSeq(seq)) {
      doc.set(key, doc.createNode([]));
      seq = doc.get(key);
    }
    if (!isSeq(seq)) continue;
    const have = named(seq.items.filter((i): i is YAMLMap => isMap(i)));
    for (const item of entries(inc, key)) {
      const name = item.get('name');
      const node = doc.createNode(item.toJSON());
      const old = typeof name === 'string' ? have.get(name) : undefined;
      if (old) seq.items[seq.items.indexOf(old)] = node;
      else seq.items.push(node);
    }
  }
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1');
  if (!doc.has('kind')) doc.set('kind', 'Config');
  const current = inc.get('current-context');
  if (typeof current === 'string' && (options.makeCurrent || !doc.get('current-context'))) doc.set('current-context', current);
  return doc.toString({ lineWidth: 0 });
}

/** Writes a file only its owner can read (0600), atomically, creating its folder (0700) if needed. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; set it exactly.
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeKubeconfig(path: string, text: string): Promise<void> {
  await writePrivateFile(path, text);
}

/** A kubeconfig as plain data (for tests and the report). */
export function kubeconfigSummary(text: string): { contexts: string[]; clusters: Array<{ name: string; server?: string }>; current?: string } {
  const doc = parseDocument(text);
  const clusters = entries(doc, 'clusters').map((c) => ({ name: String(c.get('name')), server: c.getIn(['cluster', 'server']) as string | undefined }));
  const contexts = entries(doc, 'contexts').map((c) => String(c.get('name')));
  const current = doc.get('current-context');
  return { contexts, clusters, current: typeof current === 'string' ? current : undefined };
}

