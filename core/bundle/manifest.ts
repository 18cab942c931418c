// The bundle's manifest: every artifact a run of a plan needs on a site without internet, derived from the
// catalog (versions, the tree's git URL and ref) and from the release's tree itself (Kubespray's downloads
// and checksums, the platform's roles, the Python requirements) — never a list typed by hand. Pure: the tree
// comes in as a reader, so it is tested against the real tree's files.
import type { Release } from '../plan/catalog.js';
import type { Plan } from '../plan/schema.js';
import { profileOf } from '../modes/profiles.js';
import { atLeast } from '../common/version.js';
import { isLegacyKubespray, kubesprayDownloads, kubesprayScope, treeChecksum, type Arch } from './kubespray.js';
import { pyStr } from './jinja.js';
import { normalizeImage, scanImages, scanPlaybook, type PlatformScan } from './platform.js';
import type { TreeReader } from './vars.js';

export type ArtifactKind = 'tree' | 'tree-file' | 'file' | 'image' | 'chart' | 'wheels';

export interface Artifact {
  /** Unique within a manifest: `file:<url>`, `image:<ref>`, `chart:<name>-<version>`, `tree`, `tree-file:<path>`, `wheels`. */
  id: string;
  kind: ArtifactKind;
  /** Where it comes from: a URL, an image reference (`registry/repo:tag`), a Helm repo, `tree` for files of the tree. */
  source: string;
  /** Where it sits inside the bundle (and in the unpacked bundle folder). */
  path: string;
  /** Hex SHA-256 known before fetching (checksums.yml, a Helm index); the built bundle records it for all. */
  sha256?: string;
  /** Image: its digest when pinned; chart: the chart name and version. */
  digest?: string;
  chart?: { repo: string; name: string; version: string };
  /** Requirements for `wheels` (pip's lines). */
  requirements?: string[];
  size?: number;
  /** What in the tree or catalog it was read from, for a reader who wants to check. */
  from: string;
  /** Which hosts need it, in the tree's group names (k8s_cluster, kube_control_plane, edge_node…). */
  neededBy: string[];
}

export interface BundleManifest {
  format: 'cp-installer-bundle/v1';
  release: string;
  mode: string;
  arch: Arch[];
  runtime: string;
  artifacts: Artifact[];
  /** Things the tree decides on the hosts' state at run time (a role that builds podman when it is missing…). */
  notes: { role: string; variable: string; task: string }[];
}

export interface ManifestInputs {
  release: Release;
  /**
   * The plan, or undefined for the release's default standalone run (CRI-O, NFS, no Kyverno). Its `bosh`
   * section picks the mode's variant (an edge plan with it is the 2021 edge: Kubespray, not kubeadm).
   */
  plan?: Pick<Plan, 'mode' | 'cluster' | 'storage'> & Partial<Pick<Plan, 'hosts' | 'bosh'>>;
  /** The platform's whole tree (cp-deployment/…); Kubespray is its `release.kubespray.subdir`. */
  tree: TreeReader;
  arch?: Arch[];
}

/** The registry the deployer runs for the site (github.com/distribution/distribution's release build). */
export const DISTRIBUTION_VERSION = '2.8.3';

/** Its release archive for one architecture (holds the static `registry` binary at its top). */
export function registryUrl(arch: Arch): string {
  return `https://github.com/distribution/distribution/releases/download/v${DISTRIBUTION_VERSION}/registry_${DISTRIBUTION_VERSION}_linux_${arch}.tar.gz`;
}

/** The CNI plugins the 2021 edge guide (2.6) unpacks into /opt/cni/bin on edge nodes (flannel, portmap…). */
export const EDGE_CNI_PLUGINS_VERSION = '0.9.1';
export function edgeCniPluginsUrl(arch: string): string {
  const v = EDGE_CNI_PLUGINS_VERSION;
  return `https://github.com/containernetworking/plugins/releases/download/v${v}/cni-plugins-linux-${arch}-v${v}.tgz`;
}

/** The tree as one archive: GitHub's tag tarball for a GitHub repository. */
export function treeArchiveUrl(release: Release): string {
  const git = release.kubespray.git.replace(/\.git$/, '');
  const gh = /^https:\/\/github\.com\/([^/]+\/[^/]+)$/.exec(git);
  if (gh) return `https://github.com/${gh[1]}/archive/refs/tags/${release.kubespray.ref}.tar.gz`;
  return `${git}/archive/${release.kubespray.ref}.tar.gz`;
}

export const TREE_PATH = 'tree/cp-deployment.tar.gz';
export const MANIFEST_PATH = 'bundle-manifest.json';
export const MANIFEST_SUM_PATH = 'bundle-manifest.json.sha256';

/** A URL's place in the files repo: host and path, as Kubespray's offline.yml expects `{{ files_repo }}/<host>/<path>`. */
export function filesRepoPath(url: string): string {
  const u = new URL(url);
  return `files/${u.host}${decodeURIComponent(u.pathname)}`;
}

/** An image's archive in the bundle: `images/<registry>/<repo>/<tag>.oci.tar`. */
export function imagePath(ref: string): string {
  const full = normalizeImage(ref);
  const at = full.indexOf('@');
  const colon = full.lastIndexOf(':');
  const slash = full.lastIndexOf('/');
  const [name, tag] = at > 0 ? [full.slice(0, at), full.slice(at + 1).replace(':', '-')] : colon > slash ? [full.slice(0, colon), full.slice(colon + 1)] : [full, 'latest'];
  return `images/${name}/${tag}.oci.tar`;
}

function subPrefix(release: Release): string {
  return release.kubespray.subdir ? `${release.kubespray.subdir}/` : '';
}

function sub(tree: TreeReader, prefix: string): TreeReader {
  return { read: (p) => tree.read(`${prefix}${p}`), list: (p) => tree.list(`${prefix}${p}`) };
}

class Collector {
  readonly list: Artifact[] = [];
  add(a: Artifact): void {
    const old = this.list.find((x) => x.id === a.id);
    if (old) {
      for (const g of a.neededBy) if (!old.neededBy.includes(g)) old.neededBy.push(g);
      old.sha256 ??= a.sha256;
      return;
    }
    this.list.push(a);
  }
  file(url: string, from: string, neededBy: string[], sha256?: string): void {
    this.add({ id: `file:${url}`, kind: 'file', source: url, path: filesRepoPath(url), ...(sha256 ? { sha256 } : {}), from, neededBy });
  }
  image(ref: string, from: string, neededBy: string[], digest?: string): void {
    const full = normalizeImage(ref);
    this.add({ id: `image:${full}`, kind: 'image', source: full, path: imagePath(full), ...(digest ? { digest: `sha256:${digest}` } : {}), from, neededBy });
  }
}

function requirements(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** Where an image of KubeEdge's is pulled: on the cloud (the chart keadm init installs) or on edge nodes. */
export interface KubeedgeImage {
  ref: string;
  neededBy: Array<'cloudcore_node' | 'edge_node'>;
  /** Who pulls it, for the manifest's `from`. */
  by: string;
}

/**
 * What keadm ≥ 1.11 and the chart it embeds pull by themselves (none of it is in the platform's tree): the
 * chart's cloudcore and iptables-manager; `keadm join`'s installation-package and edgecore's pod sandbox
 * image (common/constants DefaultPodSandboxImage, `kubeedge/pause:3.6` since 1.12, pulled by join under
 * `--image-repository`); the MQTT broker the edge needs (constants DefaultMosquittoImage,
 * `eclipse-mosquitto:1.6.15`: `keadm join --with-mqtt` before 1.16, the chart's edge DaemonSet from 1.16).
 */
export function kubeedgeImages(version: string): KubeedgeImage[] {
  const v = `v${version.replace(/^v/, '')}`;
  const [major = 0, minor = 0] = v.slice(1).split('.').map(Number);
  const at = (m: number) => major > 1 || (major === 1 && minor >= m);
  const chart = "keadm init's chart";
  return [
    { ref: `docker.io/kubeedge/cloudcore:${v}`, neededBy: ['cloudcore_node'], by: chart },
    { ref: `docker.io/kubeedge/iptables-manager:${v}`, neededBy: ['cloudcore_node'], by: chart },
    { ref: `docker.io/kubeedge/installation-package:${v}`, neededBy: ['edge_node'], by: 'keadm join' },
    { ref: `docker.io/kubeedge/pause:${at(12) ? '3.6' : '3.1'}`, neededBy: ['edge_node'], by: "keadm join (edgecore's pod sandbox image)" },
    { ref: 'docker.io/library/eclipse-mosquitto:1.6.15', neededBy: ['edge_node'], by: at(16) ? "keadm init's chart (the edge MQTT DaemonSet)" : 'keadm join (--with-mqtt)' },
  ];
}

function platformArtifacts(c: Collector, tree: TreeReader, release: Release, scan: PlatformScan, neededBy: string[]): void {
  for (const p of scan.treeFiles) {
    // Everything the roles read from the tree travels inside the tree archive; files the snapshot of a tree
    // may lack (binaries such as keadm.tar.gz) are named so `bundle covers` checks they are really there.
    if (/\.(tar\.gz|tgz)$/.test(p)) c.add({ id: `tree-file:${p}`, kind: 'tree-file', source: 'tree', path: `cp-deployment/${p}`, from: 'roles/cp (tasks)', neededBy });
  }
  for (const i of scan.images) c.image(i.ref, i.from, neededBy);
  for (const ch of scan.charts) {
    c.add({
      id: `chart:${ch.chart}-${ch.version}`,
      kind: 'chart',
      source: ch.repo,
      path: `charts/${ch.chart}-${ch.version}.tgz`,
      chart: { repo: ch.repo, name: ch.chart, version: ch.version },
      from: `roles/${ch.role}/tasks/main.yml`,
      neededBy,
    });
  }
  for (const ci of scan.chartImages) {
    // The values file names the repository only; the tag is the chart's default, read from the chart at build.
    c.add({ id: `image:${normalizeImage(ci.repository)}:<${ci.chart}-${ci.version}>`, kind: 'image', source: normalizeImage(ci.repository), path: `images/${normalizeImage(ci.repository)}/<${ci.chart}-${ci.version}>.oci.tar`, chart: { repo: '', name: ci.chart, version: ci.version }, from: ci.from, neededBy });
  }
  for (const f of scan.files) {
    // The edge CRI-O tarball: checked against Kubespray's table of CRI-O checksums when it has the version.
    const crio = /cri-o\.(amd64|arm64)\.v([\d.]+)\.tar\.gz$/.exec(f.url);
    const sha = crio ? treeChecksum(sub(tree, subPrefix(release)), 'crio_archive_checksums', crio[1] as string, crio[2] as string) : undefined;
    c.file(f.url, `roles/${f.role}/tasks/main.yml`, neededBy, sha);
  }
}

/** The CRDs keadm before 1.11 applies from KubeEdge's branch (keadm/app/cmd/util: installCRDs). */
const LEGACY_CRDS = [
  'devices/devices_v1alpha2_device.yaml',
  'devices/devices_v1alpha2_devicemodel.yaml',
  'reliablesyncs/cluster_objectsync_v1alpha1.yaml',
  'reliablesyncs/objectsync_v1alpha1.yaml',
  'router/router_v1_rule.yaml',
  'router/router_v1_ruleEndpoint.yaml',
];

/**
 * KubeEdge before 1.11 (the 2021 release's 1.6.1): the platform tree's own `edge/keadm` (the guide copies it to
 * the master and the edge nodes), and what that keadm downloads itself (keadm/app/cmd/util/common.go): the
 * release tarball with its checksum file (init and join), the CRDs (init) and the systemd unit files from the
 * release branch. The edge's pod sandbox image is edged's default (kubeedge/pause, per architecture).
 */
export function legacyKubeedgeFiles(version: string, arch: Arch): { url: string; neededBy: string[]; by: string }[] {
  const v = version.replace(/^v/, '');
  const branch = `release-${v.split('.').slice(0, 2).join('.')}`;
  const dl = `https://github.com/kubeedge/kubeedge/releases/download/v${v}`;
  const tarball = `kubeedge-v${v}-linux-${arch}.tar.gz`;
  const both = ['cloudcore_node', 'edge_node'];
  return [
    { url: `${dl}/${tarball}`, neededBy: both, by: 'keadm init and keadm join' },
    { url: `${dl}/checksum_${tarball}.txt`, neededBy: both, by: 'keadm init and keadm join (checksum)' },
    ...LEGACY_CRDS.map((f) => ({ url: `https://raw.githubusercontent.com/kubeedge/kubeedge/${branch}/build/crds/${f}`, neededBy: ['cloudcore_node'], by: 'keadm init (CRDs)' })),
    { url: `https://raw.githubusercontent.com/kubeedge/kubeedge/${branch}/build/tools/cloudcore.service`, neededBy: ['cloudcore_node'], by: 'keadm init (systemd unit)' },
    { url: `https://raw.githubusercontent.com/kubeedge/kubeedge/${branch}/build/tools/edgecore.service`, neededBy: ['edge_node'], by: 'keadm join (systemd unit)' },
  ];
}

function legacyKubeedge(c: Collector, release: Release, arch: Arch): void {
  const version = release.kubeedge!.version;
  c.add({ id: 'tree-file:edge/keadm', kind: 'tree-file', source: 'tree', path: 'cp-deployment/edge/keadm', from: `the tree's edge/keadm (KubeEdge ${version}; guide 2.3)`, neededBy: ['cloudcore_node', 'edge_node'] });
  for (const f of legacyKubeedgeFiles(version, arch)) c.file(f.url, `catalog ${release.name} (kubeedge ${version}; ${f.by})`, f.neededBy);
  c.image(arch === 'amd64' ? 'kubeedge/pause:3.1' : `kubeedge/pause-${arch}:3.1`, `catalog ${release.name} (kubeedge ${version}; edged's pod sandbox image)`, ['edge_node']);
}

/**
 * Whether the bundle can list what a mode's run needs. A mode with BOSH middleware cannot yet: its releases
 * and stemcell come from the 2021 tree's own offline files, which the manifest does not read.
 */
export function bundleSupports(mode: Plan['mode'], plan?: Pick<Plan, 'bosh'>): boolean {
  return !profileOf(mode, plan).bosh;
}

/** Every artifact a run of the plan needs, for each architecture asked for (amd64 by default). */
export function bundleManifest(inputs: ManifestInputs): BundleManifest {
  const { release, tree } = inputs;
  const mode = inputs.plan?.mode ?? 'standalone';
  if (!bundleSupports(mode, inputs.plan)) throw new Error(`${mode}: the BOSH middleware's releases are not in the offline bundle yet`);
  // What a mode's run fetches follows from how its cluster comes to be (profile data, not its name): Kubespray
  // downloads and the platform's cluster roles; kubeadm's own binaries and images; KubeEdge's side.
  const profile = profileOf(mode, inputs.plan);
  const kubespray = profile.cluster === 'kubespray';
  const kubeadm = profile.cluster === 'kubeadm';
  const prefix = subPrefix(release);
  const ks = sub(tree, prefix);
  // Kubespray 2.14 (the 2021 release) runs Docker whatever the plan says, and its edge cloud flannel (the
  // installer's inventory sets both: tools/kubespray/group-vars.ts).
  const legacy = isLegacyKubespray(ks);
  const runtime = legacy ? 'docker' : (inputs.plan?.cluster.runtime ?? 'crio');
  const extra = legacy && profile.kubeedge && kubespray ? { kube_network_plugin: 'flannel' } : undefined;
  const storage = inputs.plan?.storage.type ?? 'nfs';
  const kyverno = inputs.plan?.cluster.kyverno ?? false;
  const arches = inputs.arch?.length ? inputs.arch : (['amd64'] as Arch[]);
  const c = new Collector();
  const notes: BundleManifest['notes'] = [];

  c.add({ id: 'tree', kind: 'tree', source: treeArchiveUrl(release), path: TREE_PATH, from: `catalog ${release.name}: ${release.kubespray.git} ${release.kubespray.ref}`, neededBy: ['deployer'] });

  for (const arch of arches) {
    const facts = {
      storage_type_reg: { stdout: storage },
      install_kyverno: kyverno ? 'Y' : 'N',
      ansible_architecture: arch === 'arm64' ? 'aarch64' : 'x86_64',
      // The installer starts ansible-playbook itself and sets no CSP_TYPE: the NHN-only role stays off.
      __env__: {},
    };
    // Reading Kubespray's downloads evaluates much of its defaults: once per architecture, shared below.
    let downloads: ReturnType<typeof kubesprayDownloads> | undefined;
    let crioDownloads: ReturnType<typeof kubesprayDownloads> | undefined;
    let ksScope: ReturnType<typeof kubesprayScope> | undefined;
    const ksInputs = { kubeVersion: release.kubernetes, runtime, arch, ...(extra ? { extra } : {}) };
    const dlOf = () => (downloads ??= kubesprayDownloads(ks, ksInputs));
    // Kubespray 2.14 has no skopeo download (and no CRI-O to read one from).
    const crioDlOf = () => (runtime === 'crio' || legacy ? dlOf() : (crioDownloads ??= kubesprayDownloads(ks, { ...ksInputs, runtime: 'crio' })));
    const scopeOf = () => (ksScope ??= kubesprayScope(ks, ksInputs));
    if (kubespray) {
      const dl = dlOf();
      for (const f of dl.files) c.file(f.url, `${prefix}roles/kubespray_defaults (downloads.${f.key})`, f.groups, f.sha256);
      for (const i of dl.images) c.image(`${i.repo}:${i.tag}`, `${prefix}roles/kubespray_defaults (downloads.${i.key})`, i.groups, i.digest);
      for (const u of dl.unresolved) notes.push({ role: 'kubespray download', variable: u.variable, task: u.key });
      for (const u of dl.noChecksum) notes.push({ role: `kubespray download (${arch}): no checksum`, variable: u.variable, task: u.key });
      // The deployer loads the images into its registry with skopeo: the tree's own pinned static build
      // (CRI-O's nodes need it anyway; a containerd plan carries it for the deployer only).
      const skopeo = crioDlOf().files.find((f) => f.key === 'skopeo');
      if (skopeo) c.file(skopeo.url, `${prefix}roles/kubespray_defaults (downloads.skopeo)`, ['deployer'], skopeo.sha256);
      c.file(registryUrl(arch), `the distribution registry ${DISTRIBUTION_VERSION}, run on the deployer when the plan names no site registry`, ['deployer']);
      // The platform's own roles (cp/…): the 2021 tree has none, its Kubespray is the whole cluster.
      if (ks.read('playbooks/cluster.yml') !== undefined) {
        const scan = scanPlaybook(ks, 'playbooks/cluster.yml', facts);
        scanImages(tree, scan);
        platformArtifacts(c, tree, release, scan, ['kube_control_plane']);
        for (const u of scan.unresolved) if (!notes.some((n) => n.role === u.role && n.variable === u.variable)) notes.push(u);
      }
    }
    if (kubeadm) {
      // Edge mode builds the cloud side with kubeadm itself: the same binaries Kubespray would fetch (URLs and
      // checksums from the tree), the upstream control-plane images, and Calico's manifest.
      const dl = dlOf();
      const wanted = new Set(['kubeadm', 'kubelet', 'kubectl', 'crictl', 'cni', runtime === 'crio' ? 'crio' : 'containerd', ...(runtime === 'containerd' ? ['runc', 'nerdctl'] : [])]);
      for (const f of dl.files) if (wanted.has(f.key)) c.file(f.url, `${prefix}roles/kubespray_defaults (downloads.${f.key})`, ['cloudcore_node'], f.sha256);
      const scope = scopeOf();
      const repo = pyStr(scope.get('kube_image_repo'));
      const v = `v${release.kubernetes.replace(/^v/, '')}`;
      const from = `${prefix}roles/kubespray_defaults (kube_image_repo, pod_infra_version, coredns_version, etcd_version)`;
      for (const n of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy']) c.image(`${repo}/${n}:${v}`, from, ['cloudcore_node']);
      c.image(`${repo}/pause:${pyStr(scope.get('pod_infra_version'))}`, from, ['cloudcore_node']);
      c.image(`${repo}/coredns/coredns:v${pyStr(scope.get('coredns_version'))}`, from, ['cloudcore_node']);
      c.image(`${repo}/etcd:${pyStr(scope.get('etcd_version'))}-0`, from, ['cloudcore_node']);
      if (release.calico) {
        const url = `https://raw.githubusercontent.com/projectcalico/calico/v${release.calico}/manifests/calico.yaml`;
        c.add({ id: `file:${url}`, kind: 'file', source: url, path: `manifests/calico-v${release.calico}.yaml`, from: `catalog ${release.name} (calico ${release.calico})`, neededBy: ['cloudcore_node'] });
        for (const n of ['node', 'cni', 'kube-controllers']) c.image(`docker.io/calico/${n}:v${release.calico}`, `calico.yaml v${release.calico}`, ['k8s_cluster']);
      }
    }
    if (profile.kubeedge && release.kubeedge && !atLeast(release.kubeedge.version, '1.11')) {
      legacyKubeedge(c, release, arch);
      // The 2021 edge with BOSH middleware unpacks these into /opt/cni/bin on edge nodes (edge guide 2.6).
      if (inputs.plan?.bosh) c.file(edgeCniPluginsUrl(arch), `edge guide v1.4.x 2.6 (CNI plugins v${EDGE_CNI_PLUGINS_VERSION} for edgecore)`, ['edge_node']);
    } else if (profile.kubeedge && release.kubeedge) {
      const scan = scanPlaybook(ks, 'playbooks/edge.yml', facts);
      scanImages(tree, scan);
      platformArtifacts(c, tree, release, scan, ['edge_node']);
      for (const u of scan.unresolved) if (!notes.some((n) => n.role === u.role && n.variable === u.variable)) notes.push(u);
      for (const i of kubeedgeImages(release.kubeedge.version)) c.image(i.ref, `catalog ${release.name} (kubeedge ${release.kubeedge.version}; ${i.by})`, i.neededBy);
      // Edge nodes' runtime from the bundle: the platform's CRI-O (the scan above) or containerd with runc and
      // the CNI plugins (the tree's downloads, as the cloud side takes them), and the pod sandbox image the
      // runtime is set to (the tree's pause) — for expand-edge too, whose cloud side brings nothing.
      const dl = dlOf();
      if (runtime === 'containerd') {
        for (const f of dl.files) if (['containerd', 'runc', 'cni'].includes(f.key)) c.file(f.url, `${prefix}roles/kubespray_defaults (downloads.${f.key})`, ['edge_node'], f.sha256);
      }
      const scope = scopeOf();
      c.image(`${pyStr(scope.get('kube_image_repo'))}/pause:${pyStr(scope.get('pod_infra_version'))}`, `${prefix}roles/kubespray_defaults (kube_image_repo, pod_infra_version)`, ['edge_node']);
      // The deployer serves the site's images when the plan carries the bundle file: its registry and skopeo.
      const skopeo = crioDlOf().files.find((f) => f.key === 'skopeo');
      if (skopeo) c.file(skopeo.url, `${prefix}roles/kubespray_defaults (downloads.skopeo)`, ['deployer'], skopeo.sha256);
      c.file(registryUrl(arch), `the distribution registry ${DISTRIBUTION_VERSION}, run on the deployer when the plan names no site registry`, ['deployer']);
    }
  }
  if (kubespray) {
    const reqs = requirements(ks.read('requirements.txt'));
    c.add({ id: 'wheels', kind: 'wheels', source: 'pypi', path: 'wheels/', requirements: reqs.length ? reqs : [release.ansible.pip], from: `${prefix}requirements.txt`, neededBy: ['deployer'] });
  }
  return { format: 'cp-installer-bundle/v1', release: release.name, mode, arch: arches, runtime, artifacts: c.list, notes };
}
