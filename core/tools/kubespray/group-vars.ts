// group_vars for Kubespray, built on the platform's own inventory (the tree's inventory/mycluster/group_vars,
// with the *.tmpl files in place of their rendered copies, as deploy-cp-cluster.sh does) so that everything
// the platform set there survives: kube_encrypt_secret_data, kubernetes_audit, the AES-GCM/ChaCha20-only
// tls_cipher_suites (the seed's CVE-2016-2183 fix), strict ARP, CRI-O, Helm and Metrics Server on.
// Only the keys the install plan decides are changed, in place (comments and layout of the file kept), each
// marked with a comment and listed as a change so the dry run shows it. No version is written: the release's
// versions are the tree's own (the catalog is checked against the tree), so the tree's defaults decide them.
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { Release } from '../../plan/catalog.js';
import { deployerHost, innerAddress, offlineRegistry, type Plan } from '../../plan/schema.js';
import { joinsEdgeHosts } from '../../plan/validate.js';
import { containerdMirrorsVar, crioRegistriesVar, mirrorEntries, upstreamRegistries } from '../registry/mirrors.js';
import { forkImageOverrides } from './offline-images.js';
import { inventoryGroups, usesLegacyGroups } from './inventory.js';
import { apiServerHost, fillPlaceholders, scriptValues } from './placeholders.js';

/** The platform's inventory in its tree: ours starts as a copy of its group_vars. */
export const PLATFORM_INVENTORY = 'inventory/mycluster';

export interface GroupVarsLayout {
  all: string;
  offline: string;
  cluster: string;
  addons: string;
}

/** Paths (relative to the inventory folder) of the files the plan may change. Kubespray before 2.16 named the
 *  cluster group k8s-cluster. */
export function groupVarsFiles(release: Release): GroupVarsLayout {
  const k8s = usesLegacyGroups(release) ? 'k8s-cluster' : 'k8s_cluster';
  return {
    all: 'group_vars/all/all.yml',
    offline: 'group_vars/all/offline.yml',
    cluster: `group_vars/${k8s}/k8s-cluster.yml`,
    addons: `group_vars/${k8s}/addons.yml`,
  };
}

/** The current layout's paths (Kubespray 2.16 and later). */
export const GROUP_VARS_FILES: GroupVarsLayout = {
  all: 'group_vars/all/all.yml',
  offline: 'group_vars/all/offline.yml',
  cluster: 'group_vars/k8s_cluster/k8s-cluster.yml',
  addons: 'group_vars/k8s_cluster/addons.yml',
};

export interface GroupVarsOptions {
  /** HTTP mirror of Kubespray's downloads on an air-gapped site (Kubespray's files_repo). When the plan has
   *  an offline bundle and this is absent: http://<deployer's inner address>:8080 */
  filesRepo?: string;
}

/** One key the plan sets (or removes, value undefined) in one file of the platform's group_vars. */
export interface VarChange {
  file: string;
  key: string;
  value: unknown;
  why: string;
}

function versionParts(v: string): number[] {
  return v.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
}

/** Kubespray 2.28 dropped the leading `v` of kube_version (and of every other version it pins). */
export function kubeVersionFor(release: Release): string {
  const [major = 0, minor = 0] = versionParts(release.kubespray.version);
  const bare = release.kubernetes.replace(/^v/, '');
  return major > 2 || (major === 2 && minor >= 28) ? bare : `v${bare}`;
}

export { apiServerHost };

/** Kubespray 2.21 moved MetalLB's settings into metallb_config (address_pools, layer2, layer3). */
function usesMetallbConfig(release: Release): boolean {
  const [major = 0, minor = 0] = versionParts(release.kubespray.version);
  return major > 2 || (major === 2 && minor >= 21);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** What the plan decides, file by file, in the order the platform's deploy script applies its own edits. */
export function groupVarChanges(plan: Plan, release: Release, options: GroupVarsOptions = {}): VarChange[] {
  const f = groupVarsFiles(release);
  const groups = inventoryGroups(plan);
  const out: VarChange[] = [];
  const set = (file: string, key: string, value: unknown, why: string) => out.push({ file, key, value, why });

  // all.yml: the HA block deploy-cp-cluster.sh adds after "## HA Control Plane" when there is more than one
  // control plane (the load balancer, and etcd reached on its members directly).
  const lb = plan.cluster.loadBalancerDomain;
  if (groups.controlPlanes.length > 1 || lb) {
    const why = 'HA control plane (deploy-cp-cluster.sh: KUBE_CONTROL_HOSTS > 1)';
    if (lb) {
      set(f.all, 'apiserver_loadbalancer_domain_name', lb, `${why}: the API load balancer (LOADBALANCER_DOMAIN)`);
      set(f.all, 'loadbalancer_apiserver', IPV4.test(lb) ? { address: lb, port: 6443 } : { port: 6443 }, `${why}: the load balancer's port`);
    }
    set(f.all, 'loadbalancer_apiserver_localhost', false, `${why}: the external load balancer replaces the per-node proxy`);
    set(f.all, 'download_container', true, why);
    const etcdUrls = groups.etcd.map((h) => `https://${innerAddress(h)}:2379`).join(',');
    set(f.all, 'etcd_access_addresses', etcdUrls, `${why}: etcd ${plan.cluster.etcdType ?? 'stacked'} members`);
    set(f.all, 'etcd_client_url', etcdUrls, why);
    set(f.all, 'etcd_cert_alt_ips', groups.etcd.map(innerAddress), `${why}: etcd certificates carry the members' addresses`);
  }

  // k8s-cluster.yml: the address ranges, runtime and API certificate names are the plan's.
  set(f.cluster, 'kube_pods_subnet', plan.cluster.podCidr, 'plan: cluster.podCidr');
  set(f.cluster, 'kube_service_addresses', plan.cluster.serviceCidr, 'plan: cluster.serviceCidr');
  set(f.cluster, 'container_manager', usesLegacyGroups(release) ? 'docker' : plan.cluster.runtime, usesLegacyGroups(release) ? 'the 2021 release runs Docker' : 'plan: cluster.runtime');
  // The 2021 edge guide (2.2) changes calico to flannel before Kubespray runs: a CNI edge nodes can carry too.
  // Only where the edge hosts are joined: a standalone plan ignores its edge-role hosts and keeps calico.
  if (usesLegacyGroups(release) && joinsEdgeHosts(plan))
    set(f.cluster, 'kube_network_plugin', 'flannel', 'the 2021 edge guide 2.2: flannel for a cloud with edge nodes');
  const sans = [...new Set([apiServerHost(plan), ...groups.controlPlanes.map((h) => h.address)].filter((a): a is string => !!a))];
  set(f.cluster, 'supplementary_addresses_in_ssl_keys', sans, 'plan: the addresses users reach the API server by');

  // addons.yml: MetalLB's pools (METALLB_IP_RANGE, INGRESS_NGINX_IP). ingress-nginx stays off here, as in the
  // platform's inventory: its own role (and cp-installer's ingress step) applies the tree's manifest.
  const metallb = !!(plan.network.metallbRange || plan.network.ingressIp);
  set(f.addons, 'metallb_enabled', metallb, metallb ? 'plan: network.metallbRange / ingressIp' : 'plan: no MetalLB range or ingress IP');
  if (!usesMetallbConfig(release)) {
    // Kubespray before 2.21 (MetalLB 0.12 and older, ConfigMap-based) has no metallb_config.
    if (metallb) {
      set(f.addons, 'metallb_protocol', 'layer2', 'MetalLB in layer-2 mode');
      if (plan.network.metallbRange) set(f.addons, 'metallb_ip_range', [plan.network.metallbRange], 'plan: network.metallbRange');
      if (plan.network.ingressIp) {
        set(
          f.addons,
          'metallb_additional_address_pools',
          { 'ingress-nginx': { ip_range: [`${plan.network.ingressIp}/32`], protocol: 'layer2', auto_assign: false } },
          'plan: network.ingressIp, a pool never handed out on its own',
        );
      }
    }
  } else if (metallb) {
    const pools: Record<string, unknown> = {};
    const l2: string[] = [];
    if (plan.network.metallbRange) {
      pools.primary = { ip_range: [plan.network.metallbRange], auto_assign: true };
      l2.push('primary');
    }
    if (plan.network.ingressIp) {
      pools['ingress-nginx'] = { ip_range: [`${plan.network.ingressIp}/32`], auto_assign: false };
      l2.push('ingress-nginx');
    }
    set(f.addons, 'metallb_config', { address_pools: pools, layer2: l2 }, 'plan: network.metallbRange (pool primary) and ingressIp (pool ingress-nginx, never handed out on its own)');
  } else {
    // The platform's file carries pools with {METALLB_IP_RANGE} placeholders; without MetalLB they go.
    set(f.addons, 'metallb_config', undefined, 'plan: no MetalLB (its placeholder pools removed)');
  }

  // offline.yml: where images and files come from on a site without internet.
  // The plan's site registry, or the deployer's own one serving the bundle (core/install/offline/).
  const r = offlineRegistry(plan);
  if (r) {
    set(f.offline, 'registry_host', r.address, r.local ? `plan: bundle.file, the deployer's registry` : 'plan: registry.address');
    for (const k of ['kube_image_repo', 'gcr_image_repo', 'github_image_repo', 'docker_image_repo', 'quay_image_repo']) {
      set(f.offline, k, '{{ registry_host }}', 'plan: every image comes from the private registry');
    }
    for (const o of forkImageOverrides()) set(f.offline, o.key, o.value, o.why);
    // Every upstream registry mirrored by the site registry on the nodes' runtimes (tools/registry/mirrors.ts).
    const entries = mirrorEntries(r, upstreamRegistries([], r.address));
    set(f.offline, 'containerd_registries_mirrors', containerdMirrorsVar(entries), 'plan: offline, every upstream registry mirrored by the site registry');
    set(f.offline, 'crio_registries', crioRegistriesVar(entries), 'plan: offline, every upstream registry mirrored by the site registry');
    if (r.insecure) {
      set(f.offline, 'crio_insecure_registries', ['{{ registry_host }}'], 'plan: registry.insecure');
    }
  }
  if (plan.bundle) {
    const deployer = deployerHost(plan);
    const repo = options.filesRepo ?? (deployer ? `http://${innerAddress(deployer)}:8080` : undefined);
    if (repo) {
      // Before 2.28 kube_version carries its own `v`.
      const v = kubeVersionFor(release).startsWith('v') ? '' : 'v';
      const why = 'plan: offline bundle, files from the deployer\'s HTTP mirror';
      set(f.offline, 'files_repo', repo, why);
      const urls: Record<string, string> = {
        kubeadm_download_url: `{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubeadm`,
        kubectl_download_url: `{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubectl`,
        kubelet_download_url: `{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubelet`,
        cni_download_url: '{{ files_repo }}/github.com/containernetworking/plugins/releases/download/v{{ cni_version }}/cni-plugins-linux-{{ image_arch }}-v{{ cni_version }}.tgz',
        crictl_download_url: '{{ files_repo }}/github.com/kubernetes-sigs/cri-tools/releases/download/v{{ crictl_version }}/crictl-v{{ crictl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz',
        etcd_download_url: '{{ files_repo }}/github.com/etcd-io/etcd/releases/download/v{{ etcd_version }}/etcd-v{{ etcd_version }}-linux-{{ image_arch }}.tar.gz',
        calicoctl_download_url: '{{ files_repo }}/github.com/projectcalico/calico/releases/download/v{{ calico_ctl_version }}/calicoctl-linux-{{ image_arch }}',
        calico_crds_download_url: '{{ files_repo }}/github.com/projectcalico/calico/archive/v{{ calico_version }}.tar.gz',
        helm_download_url: '{{ files_repo }}/get.helm.sh/helm-v{{ helm_version }}-linux-{{ image_arch }}.tar.gz',
        runc_download_url: '{{ files_repo }}/github.com/opencontainers/runc/releases/download/v{{ runc_version }}/runc.{{ image_arch }}',
        crio_download_url: '{{ files_repo }}/storage.googleapis.com/cri-o/artifacts/cri-o.{{ image_arch }}.v{{ crio_version }}.tar.gz',
        containerd_download_url: '{{ files_repo }}/github.com/containerd/containerd/releases/download/v{{ containerd_version }}/containerd-{{ containerd_version }}-linux-{{ image_arch }}.tar.gz',
        nerdctl_download_url: '{{ files_repo }}/github.com/containerd/nerdctl/releases/download/v{{ nerdctl_version }}/nerdctl-{{ nerdctl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz',
        // CRI-O's role installs skopeo too (the bundle carries the tree's pinned static build).
        skopeo_download_url: '{{ files_repo }}/github.com/lework/skopeo-binary/releases/download/v{{ skopeo_version }}/skopeo-linux-{{ image_arch }}',
      };
      for (const [k, url] of Object.entries(urls)) set(f.offline, k, url, why);
    }
  }
  return out;
}

const MARK = ' cp-installer:';

function plain(doc: Document, key: string): unknown {
  const node = doc.get(key, true);
  return isScalar(node) ? node.value : (node as { toJSON?: () => unknown } | undefined)?.toJSON?.();
}

/**
 * One file of the platform's group_vars with the plan's changes applied in place: its comments, order and
 * every other key kept. `base` undefined or empty: the file did not exist in the tree.
 * Returns the text and one line per change ("key: old → new") for the run's log.
 */
export function applyVarChanges(file: string, base: string | undefined, changes: VarChange[]): { text: string; log: string[] } {
  const doc = parseDocument(base ?? '');
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  // A file of nothing but comments (the platform's offline.yml) has no mapping yet.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const comment = doc.contents?.commentBefore ?? doc.contents?.comment;
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
    if (comment && doc.contents) doc.contents.commentBefore = comment;
  }
  if (!isMap(doc.contents)) throw new Error(`${file}: not a YAML mapping`);
  const log: string[] = [];
  // yaml prints no comment before a mapping's first key: its mark goes in the document's opening comment.
  let firstMark: string | undefined;
  for (const c of changes.filter((ch) => ch.file === file)) {
    const before = doc.has(c.key) ? JSON.stringify(plain(doc, c.key)) : '(unset)';
    if (c.value === undefined) {
      if (!doc.has(c.key)) continue;
      doc.delete(c.key);
      log.push(`${file}: ${c.key}: ${before} → (removed) — ${c.why}`);
      continue;
    }
    const items = doc.contents.items;
    let pair = items.find((p) => isScalar(p.key) && p.key.value === c.key);
    if (pair) pair.value = doc.createNode(c.value) as typeof pair.value;
    else {
      pair = doc.createPair(c.key, c.value) as unknown as (typeof items)[number];
      items.push(pair);
    }
    if (pair && isScalar(pair.key)) {
      if (items[0] === pair) firstMark = `${MARK} ${c.why}`;
      else {
        const prior = (pair.key.commentBefore ?? '').split('\n').filter((l) => !l.startsWith(MARK) && l !== '');
        pair.key.commentBefore = [...prior, `${MARK} ${c.why}`].join('\n');
      }
    }
    const after = JSON.stringify(c.value);
    log.push(`${file}: ${c.key}: ${before === after ? `${after} (kept)` : `${before} → ${after}`} — ${c.why}`);
  }
  const head = `${MARK} the platform's ${PLATFORM_INVENTORY}/${file}; only the keys marked "cp-installer:" come from the install plan.`;
  const prior = (doc.commentBefore ?? '').split('\n').filter((l) => !l.startsWith(MARK));
  while (prior[0] === '') prior.shift();
  doc.commentBefore = [head, ...prior, ...(firstMark ? [firstMark] : [])].join('\n');
  return { text: doc.toString({ lineWidth: 0 }), log };
}

/** The platform's hardening in its inventory, which the plan never changes: named in the run's log as kept. */
export const PLATFORM_HARDENING = ['kube_encrypt_secret_data', 'kubernetes_audit', 'tls_cipher_suites', 'kube_proxy_strict_arp', 'remove_anonymous_access'];

/** "kept" lines for the platform's hardening keys found in the base files (what the dry run shows as kept). */
export function keptHardening(base: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [file, text] of Object.entries(base)) {
    if (!text) continue;
    const doc = parseDocument(text.replace(/\{([A-Z][A-Z0-9_]*)\}/g, '$1'));
    if (doc.errors.length || !isMap(doc.contents)) continue;
    for (const key of PLATFORM_HARDENING) if (doc.has(key)) out.push(`${file}: ${key}: ${JSON.stringify(plain(doc, key))} (the platform's, kept)`);
  }
  return out;
}

/** The files of the inventory's group_vars the plan touches, whole, built on `base` (path → the tree's text). */
export function renderGroupVars(
  plan: Plan,
  release: Release,
  base: Record<string, string | undefined> = {},
  options: GroupVarsOptions = {},
): { files: Record<string, string>; log: string[]; changes: VarChange[] } {
  const changes = groupVarChanges(plan, release, options);
  const files: Record<string, string> = {};
  const log: string[] = [];
  // The platform's addons.yml carries {METALLB_IP_RANGE} and {INGRESS_NGINX_IP} (not even valid YAML until
  // filled): filled first, as its deploy script does, then the plan's changes.
  const values = scriptValues(plan);
  for (const file of [...new Set(changes.map((c) => c.file))]) {
    const text = base[file];
    const r = applyVarChanges(file, text === undefined ? undefined : fillPlaceholders(text, values).text, changes);
    files[file] = r.text;
    log.push(...r.log);
  }
  return { files, log, changes };
}
