// How the nodes' runtimes reach the site's one registry (the deployer's, or the plan's site registry) for
// every image the platform names by its upstream registry: per upstream registry, a containerd
// `certs.d/<upstream>/hosts.toml` and a CRI-O `registries.conf.d` drop-in with the site registry as mirror.
// The same entries become Kubespray's own `containerd_registries_mirrors` / `crio_registries`, so its
// container-engine roles write exactly these files again instead of their defaults. Images are loaded into
// the site registry under their path without the upstream host (Kubespray's offline convention:
// `{{ registry_host }}/<path>`), which is what a mirror request for `<upstream>/<path>` asks for.
// Pure: renderers and names only.
import { registryHasCa, type OfflineRegistry } from '../../plan/schema.js';

/** Where the platform's images come from upstream: the fork's registry and those Kubespray's defaults name. */
export const UPSTREAM_REGISTRIES = ['registry.k-paas.org', 'docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io'] as const;

export const CONTAINERD_CERTS_DIR = '/etc/containerd/certs.d';
export const CRIO_REGISTRIES_DIR = '/etc/containers/registries.conf.d';
/** containers-certs.d(5): where CRI-O (containers/image) looks for a registry's CA. */
export const CONTAINERS_CERTS_DIR = '/etc/containers/certs.d';

/** The registry host of a full image reference (`docker.io/library/nginx:1` → `docker.io`). */
export function registryOf(ref: string): string {
  return ref.split('/')[0] as string;
}

/** An upstream image's name in the site registry: its path without the upstream host. */
export function siteRef(ref: string, address: string): string {
  const slash = ref.indexOf('/');
  return `${address}/${slash < 0 ? ref : ref.slice(slash + 1)}`;
}

/** The upstream registries to mirror: the known ones and any other the images name, never the site registry itself. */
export function upstreamRegistries(imageRefs: readonly string[], address: string): string[] {
  const out = new Set<string>(UPSTREAM_REGISTRIES);
  for (const r of imageRefs) out.add(registryOf(r));
  out.delete(address);
  return [...out];
}

export interface MirrorEntry {
  /** The registry an image reference names (an upstream one, or the site registry itself). */
  prefix: string;
  /** Where the runtime would go without the mirror (containerd's `server`). */
  server: string;
  /** The site registry as containerd names a host: with its scheme. */
  mirrorHost: string;
  /** The site registry as CRI-O names a mirror: host and port. */
  mirrorLocation: string;
  insecure: boolean;
  /** The CA on the node, for containerd's `ca` (CRI-O finds it in containers' certs.d by itself). */
  ca?: string;
}

/** The CA's place on a node for containerd (the plan's registry.caFile, or the deployer's registry's CA, copied there). */
export function containerdCaPath(address: string): string {
  return `${CONTAINERD_CERTS_DIR}/${address}/ca.crt`;
}

export function containersCaPath(address: string): string {
  return `${CONTAINERS_CERTS_DIR}/${address}/ca.crt`;
}

function serverOf(prefix: string): string {
  // docker.io's API is served at registry-1.docker.io (containerd's own default for it).
  return prefix === 'docker.io' ? 'https://registry-1.docker.io' : `https://${prefix}`;
}

/** One entry per upstream registry, and one for the site registry itself (how it is reached: HTTP or its CA). */
export function mirrorEntries(reg: OfflineRegistry, upstreams: readonly string[]): MirrorEntry[] {
  const mirrorHost = `${reg.insecure ? 'http' : 'https'}://${reg.address}`;
  const base = { mirrorHost, mirrorLocation: reg.address, insecure: reg.insecure, ...(registryHasCa(reg) ? { ca: containerdCaPath(reg.address) } : {}) };
  return [{ prefix: reg.address, server: mirrorHost, ...base }, ...upstreams.filter((u) => u !== reg.address).map((u) => ({ prefix: u, server: serverOf(u), ...base }))];
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * containerd's `certs.d/<prefix>/hosts.toml`, line for line what Kubespray's hosts.toml.j2 writes for the
 * same entry (roles/container-engine/containerd/templates/hosts.toml.j2).
 */
export function containerdHostsToml(e: MirrorEntry): string {
  const lines = [
    `server = ${tomlString(e.server)}`,
    `[host.${tomlString(e.mirrorHost)}]`,
    '  capabilities = ["pull","resolve"]',
    `  skip_verify = ${e.insecure}`,
    '  override_path = false',
  ];
  if (e.ca) lines.push(`  ca = [${tomlString(e.ca)}]`);
  return `${lines.join('\n')}\n`;
}

export function containerdHostsPath(prefix: string): string {
  return `${CONTAINERD_CERTS_DIR}/${prefix}/hosts.toml`;
}

/** The drop-in's name as Kubespray's cri-o role gives it (`10-<prefix with : and / as _>.conf`). */
export function crioDropInPath(prefix: string): string {
  return `${CRIO_REGISTRIES_DIR}/10-${prefix.replace(/[:/]/g, '_')}.conf`;
}

/** A CRI-O `registries.conf.d` drop-in, as Kubespray's registry.conf.j2 writes it for the same entry. */
export function crioRegistryConf(e: MirrorEntry): string {
  const self = e.prefix === e.mirrorLocation;
  const lines = ['[[registry]]', `prefix = ${tomlString(e.prefix)}`, `insecure = ${self ? e.insecure : false}`, 'blocked = false', `location = ${tomlString(e.prefix)}`];
  if (!self) lines.push('', '[[registry.mirror]]', `location = ${tomlString(e.mirrorLocation)}`, `insecure = ${e.insecure}`);
  return `${lines.join('\n')}\n`;
}

/** Kubespray's `containerd_registries_mirrors` for the same entries (its role then writes the same hosts.toml). */
export function containerdMirrorsVar(entries: readonly MirrorEntry[]): unknown[] {
  return entries.map((e) => ({
    prefix: e.prefix,
    server: e.server,
    mirrors: [{ host: e.mirrorHost, capabilities: ['pull', 'resolve'], skip_verify: e.insecure, ...(e.ca ? { ca: [e.ca] } : {}) }],
  }));
}

/** Kubespray's `crio_registries` for the same entries (its cri-o role writes the same drop-ins). */
export function crioRegistriesVar(entries: readonly MirrorEntry[]): unknown[] {
  return entries.map((e) =>
    e.prefix === e.mirrorLocation
      ? { prefix: e.prefix, location: e.prefix, insecure: e.insecure, unqualified: false }
      : { prefix: e.prefix, location: e.prefix, insecure: false, unqualified: false, mirrors: [{ location: e.mirrorLocation, insecure: e.insecure }] },
  );
}

/** Every file a node gets for its runtime: path → text. */
export function runtimeRegistryFiles(runtime: 'crio' | 'containerd', entries: readonly MirrorEntry[]): Array<[string, string]> {
  return entries.map((e): [string, string] => (runtime === 'containerd' ? [containerdHostsPath(e.prefix), containerdHostsToml(e)] : [crioDropInPath(e.prefix), crioRegistryConf(e)]));
}
