// The platform's real trees (read-only, /work/shared/upstream; UPSTREAM_DIR overrides) and readers for what
// they pin: the versions Kubespray's defaults resolve to and the manifests the platform's roles apply.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const UPSTREAM = process.env.UPSTREAM_DIR ?? resolve(import.meta.dirname, '../../../../shared/upstream');
export const TREE_V162 = join(UPSTREAM, 'cp-deployment-v1.6.2');
export const TREE_V104 = join(UPSTREAM, 'paas-ta-container-platform-deployment-v1.0.4');
export const haveUpstream = existsSync(join(TREE_V162, 'standalone', 'cluster.yml'));

function yamlFile(path: string): Record<string, unknown> {
  return (parse(readFileSync(path, 'utf8'), { uniqueKeys: false }) ?? {}) as Record<string, unknown>;
}

function firstKey(table: unknown): string | undefined {
  const amd64 = (table as Record<string, Record<string, unknown>> | undefined)?.amd64;
  return amd64 ? Object.keys(amd64)[0] : undefined;
}

/** `applications/<name>-<version>` folders of a cp-deployment tree, by name. */
export function applicationVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const dir = join(root, 'applications');
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const m = /^(.+)-(\d+\.\d+\.\d+)$/.exec(entry);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export interface TreeVersions {
  kubespray?: string;
  kubernetes?: string;
  crio?: string;
  containerd?: string;
  calico?: string;
  helm?: string;
  metallb?: string;
  ingressNginx?: string;
  docker?: string;
}

/** What a Kubespray 2.2x tree (roles/kubespray_defaults) resolves its versions to, without a run. */
export function kubesprayDefaults(standalone: string): TreeVersions {
  const d = join(standalone, 'roles', 'kubespray_defaults');
  const checksums = yamlFile(join(d, 'vars', 'main', 'checksums.yml'));
  const download = yamlFile(join(d, 'defaults', 'main', 'download.yml'));
  const kubernetes = firstKey(checksums.kubelet_checksums);
  const major = kubernetes?.split('.').slice(0, 2).join('.');
  const crio = major ? (download.crio_supported_versions as Record<string, unknown>)[major] : undefined;
  const galaxy = yamlFile(join(standalone, 'galaxy.yml'));
  return {
    kubespray: galaxy.version ? String(galaxy.version) : undefined,
    kubernetes,
    crio: crio === undefined ? undefined : String(crio),
    containerd: firstKey(checksums.containerd_archive_checksums),
    calico: firstKey(checksums.calicoctl_binary_checksums),
    helm: firstKey(checksums.helm_archive_checksums),
    metallb: String(download.metallb_version),
    ingressNginx: String(download.ingress_nginx_version),
  };
}

/** The Kubespray 2.14-era tree of the 2021 release (roles/kubespray-defaults, roles/download, docker). */
export function legacyDefaults(standalone: string): TreeVersions {
  const cluster = yamlFile(join(standalone, 'inventory', 'mycluster', 'group_vars', 'k8s-cluster', 'k8s-cluster.yml'));
  const download = yamlFile(join(standalone, 'roles', 'download', 'defaults', 'main.yml'));
  const docker = yamlFile(join(standalone, 'roles', 'container-engine', 'docker', 'defaults', 'main.yml'));
  const strip = (v: unknown) => (v === undefined ? undefined : String(v).replace(/^v/, ''));
  return {
    kubernetes: strip(cluster.kube_version),
    calico: strip(download.calico_version),
    helm: strip(download.helm_version),
    docker: strip(docker.docker_version),
  };
}

export function yamlOf(path: string): Record<string, unknown> {
  return yamlFile(path);
}
