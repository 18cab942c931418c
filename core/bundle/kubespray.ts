// What Kubespray's download role fetches for a plan, read from the tree's own `downloads:` mapping
// (roles/kubespray_defaults/defaults/main/download.yml) with its checksums (vars/main/checksums.yml): each
// entry's `enabled`, `url`, `checksum`, `repo` and `tag` rendered for the plan's versions and architecture,
// exactly as Ansible would render them.
import { pyStr, truthy, UndefinedError, type Value } from './jinja.js';
import type { TreeReader } from './vars.js';
import { parseVarsYaml, VarScope } from './vars.js';

export const DOWNLOAD_YML = 'roles/kubespray_defaults/defaults/main/download.yml';
/** Where Kubespray before 2.16 (the 2021 release's 2.14.2) keeps `downloads:`, with its checksums beside it. */
export const LEGACY_DOWNLOAD_YML = 'roles/download/defaults/main.yml';
export const CHECKSUMS_YML = 'roles/kubespray_defaults/vars/main/checksums.yml';
export const KUBEADM_IMAGES_J2 = 'roles/download/templates/kubeadm-images.yaml.j2';

export interface KubesprayFile {
  /** The `downloads:` key, e.g. `kubeadm`. */
  key: string;
  url: string;
  /** Hex sha256 from checksums.yml (without the `sha256:` prefix). */
  sha256?: string;
  groups: string[];
}

export interface KubesprayImage {
  key: string;
  repo: string;
  tag: string;
  /** A digest the tree pins, when it does (`*_digest_checksum`). */
  digest?: string;
  groups: string[];
}

export interface KubesprayDownloads {
  files: KubesprayFile[];
  images: KubesprayImage[];
  /** Entries whose `enabled:` could not be decided, with the variable that was missing. */
  unresolved: { key: string; variable: string }[];
  /** Enabled files whose checksum the tree does not give (a version missing from checksums.yml for that arch). */
  noChecksum: { key: string; variable: string }[];
}

/** Ansible's names for an architecture: `image_arch` (amd64/arm64) and `ansible_architecture` (x86_64/aarch64). */
export const ARCHES = { amd64: 'x86_64', arm64: 'aarch64' } as const;
export type Arch = keyof typeof ARCHES;

export interface KubesprayInputs {
  kubeVersion: string;
  /** `container_manager`: crio or containerd. */
  runtime: string;
  arch: Arch;
  /** Further variables the plan decides (they beat the tree's, as extra vars do). */
  extra?: Record<string, Value>;
}

/** A Kubespray before 2.16 (the 2021 release's 2.14.2): downloads in the download role, `v`-prefixed kube_version. */
export function isLegacyKubespray(tree: TreeReader): boolean {
  return tree.read(DOWNLOAD_YML) === undefined && tree.read(LEGACY_DOWNLOAD_YML) !== undefined;
}

export function kubesprayScope(tree: TreeReader, inputs: KubesprayInputs): VarScope {
  const bare = inputs.kubeVersion.replace(/^v/, '');
  return VarScope.fromTree(tree, {
    // Kubespray 2.14 writes kube_version as `v1.18.6` (its URLs and checksum tables carry the v); later ones bare.
    kube_version: isLegacyKubespray(tree) ? `v${bare}` : inputs.kubeVersion,
    container_manager: inputs.runtime,
    host_architecture: inputs.arch,
    image_arch: inputs.arch,
    ansible_architecture: ARCHES[inputs.arch],
    ansible_system: 'Linux',
    ansible_os_family: 'Debian',
    ansible_distribution: 'Ubuntu',
    // The group names of Kubespray before 2.16 too (kube-master, k8s-cluster…), which the 2021 tree uses.
    groups: { kube_control_plane: ['cp-1'], etcd: ['cp-1'], kube_node: ['cp-1'], k8s_cluster: ['cp-1'], 'kube-master': ['cp-1'], 'kube-node': ['cp-1'], 'k8s-cluster': ['cp-1'] },
    ...inputs.extra,
  });
}

function hexOf(checksum: Value): string | undefined {
  const s = typeof checksum === 'string' ? checksum.trim() : '';
  const m = /^(?:sha256:)?([0-9a-f]{64})$/i.exec(s);
  return m?.[1]?.toLowerCase();
}

/** Every file and image the download role fetches for these inputs, in the tree's order. */
export function kubesprayDownloads(tree: TreeReader, inputs: KubesprayInputs): KubesprayDownloads {
  if (tree.read(DOWNLOAD_YML) === undefined && tree.read(LEGACY_DOWNLOAD_YML) === undefined) throw new Error(`the tree has no ${DOWNLOAD_YML}: is it a Kubespray tree?`);
  const scope = kubesprayScope(tree, inputs);
  const downloads = scope.rawValue('downloads') as Record<string, Record<string, Value>>;
  const defaults = (scope.has('download_defaults') ? scope.rawValue('download_defaults') : {}) as Record<string, Value>;
  const out: KubesprayDownloads = { files: [], images: [], unresolved: [], noChecksum: [] };
  for (const [key, raw] of Object.entries(downloads)) {
    const entry = { ...defaults, ...raw };
    const field = (name: string) => scope.render(entry[name]);
    let enabled: boolean;
    try {
      enabled = truthy(field('enabled'));
    } catch (e) {
      if (e instanceof UndefinedError) {
        out.unresolved.push({ key, variable: e.variable });
        continue;
      }
      throw e;
    }
    if (!enabled) continue;
    const groups = Array.isArray(entry.groups) ? entry.groups.map(String) : [];
    if (truthy(field('file'))) {
      let sha: string | undefined;
      try {
        // `checksum:` since Kubespray 2.16, `sha256:` before.
        sha = hexOf(field('checksum' in entry ? 'checksum' : 'sha256'));
      } catch (e) {
        // The tree has no checksum for this version on this architecture: Kubespray itself would stop there.
        if (!(e instanceof UndefinedError)) throw e;
        out.noChecksum.push({ key, variable: e.variable });
      }
      out.files.push({ key, url: pyStr(field('url')), ...opt('sha256', sha), groups });
    }
    if (truthy(field('container'))) {
      let digest: string | undefined;
      try {
        digest = hexOf(field('checksum'));
      } catch (e) {
        if (!(e instanceof UndefinedError)) throw e;
      }
      out.images.push({ key, repo: pyStr(field('repo')), tag: pyStr(field('tag')), ...opt('digest', digest), groups });
    }
  }
  out.images.push(...kubeadmImages(tree, scope));
  return out;
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

/**
 * The control-plane images `kubeadm config images list` gives for the tree's kubeadm-images template (the
 * download role runs that command and drops coredns and pause, which `downloads:` lists itself): the
 * template's `imageRepository` (the platform's fork writes its own registry there) with kube-apiserver,
 * kube-controller-manager, kube-scheduler and, unless kubeadm skips its phase, kube-proxy, tagged
 * `v<kube_version>`; etcd too when kubeadm runs it.
 */
export function kubeadmImages(tree: TreeReader, scope: VarScope): KubesprayImage[] {
  const template = tree.read(KUBEADM_IMAGES_J2);
  const line = template ? /^imageRepository:\s*(.+?)\s*$/m.exec(template)?.[1] : undefined;
  const repo = line ? pyStr(scope.render(line.replace(/^["']|["']$/g, ''))) : pyStr(scope.get('kube_image_repo'));
  const version = pyStr(scope.get('kube_version')).replace(/^v/, '');
  const names = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
  let proxy = true;
  try {
    proxy = truthy(scope.get('kube_proxy_deployed'));
  } catch (e) {
    if (!(e instanceof UndefinedError)) throw e;
  }
  if (proxy) names.push('kube-proxy');
  const images: KubesprayImage[] = names.map((n) => ({ key: `kubeadm_${n.replace(/-/g, '_')}`, repo: `${repo}/${n}`, tag: `v${version}`, groups: ['k8s_cluster'] }));
  let etcdType = 'host';
  try {
    etcdType = pyStr(scope.get('etcd_deployment_type'));
  } catch (e) {
    if (!(e instanceof UndefinedError)) throw e;
  }
  if (etcdType === 'kubeadm') {
    images.push({ key: 'kubeadm_etcd', repo: pyStr(scope.get('etcd_image_repo')), tag: pyStr(scope.get('etcd_image_tag')), groups: ['etcd'] });
  }
  return images;
}

/** The sha256 checksums.yml gives one file of a mapping (`crio_archive_checksums`, arch, version). */
export function treeChecksum(tree: TreeReader, mapping: string, arch: string, version: string): string | undefined {
  const text = tree.read(CHECKSUMS_YML);
  if (!text) return undefined;
  const table = parseVarsYaml(text)[mapping] as Record<string, Record<string, Value>> | undefined;
  return hexOf(table?.[arch]?.[version]);
}
