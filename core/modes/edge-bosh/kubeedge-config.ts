// The 2021 edge guide's 2.6–2.7 as pure editors of KubeEdge 1.6's own files: cloudcore.yaml on the master
// (dynamicController for the edge nodes' metaServer, cloudStream for `kubectl logs`), edgecore.yaml on each edge
// node (CNI networking, the cluster's DNS, metaServer, edgeStream) and edgecore.service (the guide's
// CHECK_EDGECORE_ENVIRONMENT). Text in, text out: the `yaml` Document API keeps the file's comments and order,
// a field the file lacks is added, and a file that already says it all comes back unchanged (so a rerun writes
// nothing and restarts nothing). Field names are KubeEdge's (pkg/apis/componentconfig/*/v1alpha1): the guide's
// `mataServer` is a misspelling edgecore ignores, so the real `metaServer` is what gets set.
import { isDeepStrictEqual } from 'node:util';
import { parse, parseDocument, type Document } from 'yaml';

export const CLOUDCORE_YAML = '/etc/kubeedge/config/cloudcore.yaml';
export const EDGECORE_YAML = '/etc/kubeedge/config/edgecore.yaml';
/** Where keadm 1.6 writes the unit (the guide edits it there); keadm links it into /etc/systemd/system. */
export const EDGECORE_SERVICE = '/etc/kubeedge/edgecore.service';
export const EDGECORE_SYSTEMD_UNIT = '/etc/systemd/system/edgecore.service';
/** cloudStream's port for the API server's log/exec requests, and the tunnel edge nodes' edgeStream dials. */
export const STREAM_PORT = 10003;
export const TUNNEL_PORT = 10004;
/** The kubelet port `kubectl logs` asks on; the guide's DNAT sends it to cloudStream. */
export const KUBELET_LOG_PORT = 10350;
export const STREAM_CA = '/etc/kubeedge/ca/streamCA.crt';
export const STREAM_CERT = '/etc/kubeedge/certs/stream.crt';
export const STREAM_KEY = '/etc/kubeedge/certs/stream.key';
/** The CNI plugins the guide installs on edge nodes (flannel's CNI config calls `flannel` and `portmap`): the
 *  bundle lists the archive (core/bundle/manifest.ts). */
export { EDGE_CNI_PLUGINS_VERSION as CNI_PLUGINS_VERSION, edgeCniPluginsUrl as cniPluginsUrl } from '../../bundle/manifest.js';
export const CNI_BIN_DIR = '/opt/cni/bin';
export const CNI_PLUGINS_NEEDED = ['flannel', 'portmap', 'bridge', 'host-local', 'loopback'];
export const CHECK_ENV_LINE = 'Environment="CHECK_EDGECORE_ENVIRONMENT=false"';

export interface EdgecoreSettings {
  /** Kubespray's skydns_server: clusterDnsOf(the service CIDR). */
  clusterDNS: string;
  clusterDomain: string;
  /** cloudcore's address as edge nodes dial it (the tunnel is `<address>:10004`). */
  cloudcoreAddress: string;
}

type Path = ReadonlyArray<string>;
type Edits = ReadonlyArray<readonly [Path, unknown]>;

function load(text: string, what: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${what}: not YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  if (doc.contents !== null && typeof doc.toJS() !== 'object') throw new Error(`${what}: not a YAML mapping`);
  return doc;
}

/** Applies the edits; the original text when the file already holds every value (no rewrite, no reformat). */
function apply(text: string, what: string, edits: Edits, drop: Path[] = []): string {
  const doc = load(text, what);
  for (const [path, value] of edits) {
    if (!isDeepStrictEqual(doc.getIn(path), value)) doc.setIn(path, value);
  }
  for (const path of drop) if (doc.hasIn(path)) doc.deleteIn(path);
  // Go's YAML (what KubeEdge writes) puts a list at its key's indentation; keep whichever style the file has.
  const out = doc.toString({ indentSeq: !/^( *)[^\s#-][^\n]*:\n\1- /m.test(text) });
  return isDeepStrictEqual(parse(out), parse(text)) ? text : out;
}

function holds(text: string, what: string, edits: Edits, drop: Path[] = []): boolean {
  const doc = load(text, what);
  return edits.every(([path, value]) => isDeepStrictEqual(doc.getIn(path), value)) && drop.every((p) => !doc.hasIn(p));
}

function cloudcoreEdits(): Edits {
  const m = ['modules'];
  return [
    [[...m, 'dynamicController', 'enable'], true],
    [[...m, 'cloudStream', 'enable'], true],
    [[...m, 'cloudStream', 'streamPort'], STREAM_PORT],
    [[...m, 'cloudStream', 'tlsStreamCAFile'], STREAM_CA],
    [[...m, 'cloudStream', 'tlsStreamCertFile'], STREAM_CERT],
    [[...m, 'cloudStream', 'tlsStreamPrivateKeyFile'], STREAM_KEY],
    [[...m, 'cloudStream', 'tlsTunnelCAFile'], '/etc/kubeedge/ca/rootCA.crt'],
    [[...m, 'cloudStream', 'tlsTunnelCertFile'], '/etc/kubeedge/certs/server.crt'],
    [[...m, 'cloudStream', 'tlsTunnelPrivateKeyFile'], '/etc/kubeedge/certs/server.key'],
    [[...m, 'cloudStream', 'tunnelPort'], TUNNEL_PORT],
  ];
}

/** Guide 2.6 (dynamicController) and 2.7 (cloudStream with the stream certificates) in cloudcore.yaml. */
export function editCloudcoreYaml(text: string): string {
  return apply(text, CLOUDCORE_YAML, cloudcoreEdits());
}

export function cloudcoreYamlDone(text: string): boolean {
  return holds(text, CLOUDCORE_YAML, cloudcoreEdits());
}

function edgecoreEdits(text: string, s: EdgecoreSettings): Edits {
  const m = ['modules'];
  const current = load(text, EDGECORE_YAML);
  // edgeStream's timeouts and tunnel certificates: KubeEdge's defaults where the file lacks them (a minconfig).
  const streamDefaults: Array<[string, unknown]> = [
    ['handshakeTimeout', 30],
    ['readDeadline', 15],
    ['tlsTunnelCAFile', '/etc/kubeedge/ca/rootCA.crt'],
    ['tlsTunnelCertFile', '/etc/kubeedge/certs/server.crt'],
    ['tlsTunnelPrivateKeyFile', '/etc/kubeedge/certs/server.key'],
    ['writeDeadline', 15],
  ];
  return [
    [[...m, 'edgeMesh', 'enable'], false],
    [[...m, 'edged', 'networkPluginName'], 'cni'],
    [[...m, 'edged', 'clusterDNS'], s.clusterDNS],
    [[...m, 'edged', 'clusterDomain'], s.clusterDomain],
    [[...m, 'metaManager', 'metaServer', 'enable'], true],
    [[...m, 'edgeStream', 'enable'], true],
    [[...m, 'edgeStream', 'server'], `${s.cloudcoreAddress}:${TUNNEL_PORT}`],
    ...streamDefaults
      .map(([k, v]) => [[...m, 'edgeStream', k], current.getIn([...m, 'edgeStream', k]) ?? v] as const),
  ];
}

/** The guide's misspelt key, where someone followed it by hand: it does nothing, so it goes. */
const MISSPELT: Path[] = [['modules', 'metaManager', 'mataServer']];

/** Guide 2.6 (CNI, DNS, metaServer, no edgeMesh) and 2.7 (edgeStream to cloudcore's tunnel) in edgecore.yaml. */
export function editEdgecoreYaml(text: string, s: EdgecoreSettings): string {
  return apply(text, EDGECORE_YAML, edgecoreEdits(text, s), MISSPELT);
}

export function edgecoreYamlDone(text: string, s: EdgecoreSettings): boolean {
  return holds(text, EDGECORE_YAML, edgecoreEdits(text, s), MISSPELT);
}

/**
 * `Environment="CHECK_EDGECORE_ENVIRONMENT=false"` in the unit's [Service] (guide 2.7: edgecore 1.6 refuses to
 * start where kube-proxy runs). An earlier setting of the same variable is replaced; a unit without [Service]
 * gets one.
 */
export function editEdgecoreService(text: string): string {
  const lines = text.split('\n');
  const isCheck = (l: string) => /^\s*Environment\s*=\s*"?CHECK_EDGECORE_ENVIRONMENT=/.test(l);
  if (lines.some((l) => l.trim() === CHECK_ENV_LINE) && lines.filter(isCheck).length === 1) return text;
  const kept = lines.filter((l) => !isCheck(l));
  const start = kept.findIndex((l) => l.trim() === '[Service]');
  if (start < 0) {
    const body = kept.join('\n').replace(/\n*$/, '');
    return `${body}${body ? '\n\n' : ''}[Service]\n${CHECK_ENV_LINE}\n`;
  }
  // At the end of [Service]: after its last non-blank line, before the next section.
  let end = kept.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  if (end < 0) end = kept.length;
  let at = end;
  while (at > start + 1 && kept[at - 1]!.trim() === '') at--;
  return [...kept.slice(0, at), CHECK_ENV_LINE, ...kept.slice(at)].join('\n');
}

export function edgecoreServiceDone(text: string): boolean {
  return editEdgecoreService(text) === text;
}

/**
 * Kubespray's `skydns_server`: the service network's third address
 * (`kube_service_addresses | ipaddr('net') | ipaddr(3)`), 10.233.0.3 for its default 10.233.0.0/18.
 */
export function clusterDnsOf(serviceCidr: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(serviceCidr.trim());
  if (!m) throw new Error(`service CIDR ${serviceCidr}: not an IPv4 network`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30) throw new Error(`service CIDR ${serviceCidr}: not an IPv4 network with room for a DNS address`);
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const dns = ip - (ip % size) + 3;
  return [24, 16, 8, 0].map((s) => Math.floor(dns / 2 ** s) % 256).join('.');
}
