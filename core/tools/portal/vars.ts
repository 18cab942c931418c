// cp-portal-vars.sh from the plan, edited in place like the platform's group_vars: only the variables the
// guide's §3.2 asks a person to set are changed, each marked `# cp-installer:` and reported (old → new), so
// everything else the archive's file defines (and its comments) stays the platform's. Plus the runtime in
// values_orig/chaos-mesh.yaml (the guide's note for a runtime other than CRI-O). Pure.
import { parseDocument } from 'yaml';
import { msg, type Message } from '../../common/messages.js';
import { shq } from '../../common/quote.js';
import { PORTAL_STORAGE_CLASS, PORTAL_URL_ORDER } from './components.js';

export interface PortalVarsInput {
  /** Master 1's address users reach (K8S_MASTER_NODE_IP). */
  masterIp: string;
  /** The API server URL (`https://<master or LB>:6443`). */
  apiServer: string;
  hostDomain: string;
  storageClass?: string;
  /** Own certificate: absolute paths on master 1 (TLS_CERT_AUTO_GENERATED="N"). */
  tls: { mode: 'auto' } | { mode: 'provided'; certPath: string; keyPath: string };
}

export interface VarChange {
  name: string;
  old?: string;
  value: string;
}

/** The variables the installer decides, in the order the guide lists them. */
export function portalVarValues(input: PortalVarsInput): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['K8S_MASTER_NODE_IP', input.masterIp],
    ['K8S_CLUSTER_API_SERVER', input.apiServer],
    ['K8S_STORAGECLASS', input.storageClass ?? PORTAL_STORAGE_CLASS],
    ['HOST_DOMAIN', input.hostDomain],
  ];
  if (input.tls.mode === 'provided') {
    out.push(['TLS_CERT_AUTO_GENERATED', 'N'], ['TLS_CERT_PATH', input.tls.certPath], ['TLS_KEY_PATH', input.tls.keyPath]);
  } else {
    out.push(['TLS_CERT_AUTO_GENERATED', 'Y']);
  }
  return out;
}

const ASSIGN = /^(\s*(?:export\s+)?)([A-Z_][A-Z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#]*)(.*)$/;

/**
 * The archive's cp-portal-vars.sh with the plan's values: an assignment of each variable replaced where it
 * is (its first one; later ones are the script's own derivations and are left alone), one the file lacks
 * appended in a marked block. Values are single-quoted (shq): nothing in them is expanded when sourced.
 */
export function renderPortalVars(original: string, input: PortalVarsInput): { text: string; changes: VarChange[] } {
  const lines = original.split('\n');
  const changes: VarChange[] = [];
  const appended: string[] = [];
  for (const [name, value] of portalVarValues(input)) {
    const quoted = shq(value).startsWith("'") ? shq(value) : `'${value}'`;
    const i = lines.findIndex((l) => ASSIGN.exec(l)?.[2] === name);
    if (i < 0) {
      appended.push(`${name}=${quoted}   # cp-installer: from the plan`);
      changes.push({ name, value });
      continue;
    }
    const m = ASSIGN.exec(lines[i]!)!;
    const old = m[3]!.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
    lines[i] = `${m[1]}${name}=${quoted}   # cp-installer: was ${m[3] === '' ? '(empty)' : m[3]}`;
    changes.push({ name, old, value });
  }
  let text = lines.join('\n');
  if (appended.length) text = `${text.replace(/\n*$/, '\n')}\n# cp-installer: variables this archive's file did not define\n${appended.join('\n')}\n`;
  return { text, changes };
}

export const RUNTIME_SOCKETS: Record<'crio' | 'containerd', string> = {
  crio: '/var/run/crio/crio.sock',
  containerd: '/run/containerd/containerd.sock',
};

/** values_orig/chaos-mesh.yaml with chaosDaemon.runtime and socketPath for the cluster's runtime (comments kept). */
export function chaosMeshValues(original: string, runtime: 'crio' | 'containerd'): { text: string; changed: boolean } {
  const doc = parseDocument(original);
  const before = { runtime: doc.getIn(['chaosDaemon', 'runtime']), socketPath: doc.getIn(['chaosDaemon', 'socketPath']) };
  if (before.runtime === runtime && before.socketPath === RUNTIME_SOCKETS[runtime]) return { text: original, changed: false };
  doc.setIn(['chaosDaemon', 'runtime'], runtime);
  doc.setIn(['chaosDaemon', 'socketPath'], RUNTIME_SOCKETS[runtime]);
  return { text: doc.toString(), changed: true };
}

export interface HostDomain {
  domain: string;
  source: 'plan' | 'nip.io';
  /** nip.io answers only through public DNS: said once, with the hosts-file lines to use instead. */
  warning?: Message;
  /** `/etc/hosts` lines that make every portal name resolve to the ingress IP without DNS. */
  hostsSnippet?: string;
}

/** Every ingress host the portal makes on a domain (`portal.<domain>` …), in the guide's order. */
export function portalHostNames(domain: string): string[] {
  return PORTAL_URL_ORDER.map((h) => `${h}.${domain}`);
}

/** `<ip> portal.<domain> keycloak.<domain> …`: one hosts-file line a user can paste. */
export function hostsFileSnippet(ip: string, domain: string): string {
  return `${ip} ${portalHostNames(domain).join(' ')}`;
}

/** HOST_DOMAIN: the plan's portal domain, else the ingress IP's nip.io name (with a warning); undefined without either. */
export function portalHostDomain(opts: { domain?: string; ingressIp?: string }): HostDomain | undefined {
  if (opts.domain) return { domain: opts.domain, source: 'plan', hostsSnippet: opts.ingressIp ? hostsFileSnippet(opts.ingressIp, opts.domain) : undefined };
  if (!opts.ingressIp) return undefined;
  const domain = `${opts.ingressIp}.nip.io`;
  const hostsSnippet = hostsFileSnippet(opts.ingressIp, domain);
  return { domain, source: 'nip.io', warning: msg('cp-portal.nipio', { domain, snippet: hostsSnippet }), hostsSnippet };
}
