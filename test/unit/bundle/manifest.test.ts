// The bundle's manifest derived from the real v1.6.2 tree: Kubespray's downloads with their checksums, the
// platform roles' manifests, charts and files, per plan (runtime, storage, Kyverno, mode, architecture).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeFromDir } from '../../../core/bundle/archive.js';
import { kubesprayDownloads } from '../../../core/bundle/kubespray.js';
import { bundleManifest, filesRepoPath, imagePath, registryUrl, treeArchiveUrl, type ManifestInputs } from '../../../core/bundle/manifest.js';
import { manifestImages, normalizeImage, playbookRoles } from '../../../core/bundle/platform.js';
import { coversPlan } from '../../../core/bundle/covers.js';
import { hostPrepPlan } from '../../../core/tools/hostprep/plan.js';
import type { TreeReader } from '../../../core/bundle/vars.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { haveUpstream, TREE_V104, TREE_V162 } from '../kubespray/upstream.js';

const tree = treeFromDir(TREE_V162);
const standalone: TreeReader = { read: (p) => tree.read(`standalone/${p}`), list: (p) => tree.list(`standalone/${p}`) };
const release = findRelease('k-paas-v1.6.2')!;

/** A checksum as the tree writes it, read with a plain regex (independently of the evaluator). */
function checksumLine(table: string, arch: string, version: string): string {
  const text = readFileSync(join(TREE_V162, 'standalone/roles/kubespray_defaults/vars/main/checksums.yml'), 'utf8');
  const block = text.slice(text.indexOf(`\n${table}:`) + 1);
  const archBlock = block.slice(block.indexOf(`\n  ${arch}:`));
  const m = new RegExp(`\\n    ${version.replace(/\./g, '\\.')}: sha256:([0-9a-f]{64})`).exec(archBlock);
  return m![1]!;
}

function plan(mode: 'standalone' | 'edge' | 'expand-edge', runtime: 'crio' | 'containerd' = 'crio', storage: 'nfs' | 'rook-ceph' = 'nfs', kyverno = false): ManifestInputs['plan'] {
  return { mode, cluster: { runtime, kyverno } as never, storage: { type: storage } as never };
}

// Deriving a manifest evaluates much of the tree (a second or more of CPU): each edge shape once per file.
const derived = new Map<string, ReturnType<typeof bundleManifest>>();
function edgeManifest(mode: 'edge' | 'expand-edge', runtime: 'crio' | 'containerd' = 'crio'): ReturnType<typeof bundleManifest> {
  const key = `${mode}/${runtime}`;
  let m = derived.get(key);
  if (!m) derived.set(key, (m = bundleManifest({ release, tree, plan: plan(mode, runtime) })));
  return m;
}

describe.skipIf(!haveUpstream)('Kubespray downloads read from the v1.6.2 tree', () => {
  it('kubeadm, kubelet and kubectl for 1.32.5 with the checksums of checksums.yml, per architecture', () => {
    for (const arch of ['amd64', 'arm64'] as const) {
      const d = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'crio', arch });
      for (const tool of ['kubeadm', 'kubelet', 'kubectl']) {
        const f = d.files.find((x) => x.key === tool)!;
        expect(f.url).toBe(`https://dl.k8s.io/release/v1.32.5/bin/linux/${arch}/${tool}`);
        expect(f.sha256).toBe(checksumLine(`${tool}_checksums`, arch, '1.32.5'));
      }
    }
  });

  it('the runtime decides: CRI-O brings cri-o and skopeo; containerd brings containerd, runc and nerdctl', () => {
    const crio = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'crio', arch: 'amd64' }).files.map((f) => f.key);
    const ctrd = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'containerd', arch: 'amd64' }).files.map((f) => f.key);
    expect(crio).toEqual(expect.arrayContaining(['crio', 'skopeo']));
    expect(crio).not.toContain('containerd');
    expect(ctrd).toEqual(expect.arrayContaining(['containerd', 'runc', 'nerdctl']));
    expect(ctrd).not.toContain('crio');
    const crioFile = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'crio', arch: 'amd64' }).files.find((f) => f.key === 'crio')!;
    expect(crioFile.url).toBe('https://storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.32.0.tar.gz');
  });

  it('images come from the fork\'s registry, kubeadm\'s from the imageRepository its template hard-codes', () => {
    const d = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'crio', arch: 'amd64' });
    const refs = d.images.map((i) => `${i.repo}:${i.tag}`);
    expect(refs).toEqual(
      expect.arrayContaining([
        'registry.k-paas.org/k8s/pause:3.10',
        'registry.k-paas.org/coredns/coredns:v1.11.3',
        'registry.k-paas.org/calico/node:v3.29.3',
        'registry.k-paas.org/metallb/controller:v0.14.9',
        'registry.k-paas.org/k8s/kube-apiserver:v1.32.5',
        'registry.k-paas.org/k8s/kube-proxy:v1.32.5',
      ]),
    );
    // Disabled in the tree's inventory: no cilium, no ingress-nginx addon (the platform applies its own).
    expect(refs.some((r) => r.includes('cilium'))).toBe(false);
    expect(d.unresolved).toEqual([]);
  });

  it('a version the tree has no arm64 checksum for is reported, not guessed (helm 3.17.0)', () => {
    const d = kubesprayDownloads(standalone, { kubeVersion: '1.32.5', runtime: 'crio', arch: 'arm64' });
    expect(d.files.find((f) => f.key === 'helm')?.sha256).toBeUndefined();
    expect(d.noChecksum).toEqual([{ key: 'helm', variable: expect.stringContaining('helm_archive_checksums') }]);
  });
});

describe.skipIf(!haveUpstream)('the bundle manifest for a plan', () => {
  it('standalone with NFS: the tree, Kubespray\'s files and images, ingress-nginx\'s images, the NFS chart, the wheels', () => {
    const m = bundleManifest({ release, tree, plan: plan('standalone') });
    expect(m.artifacts[0]).toMatchObject({ kind: 'tree', source: 'https://github.com/K-PaaS/cp-deployment/archive/refs/tags/v1.6.2.tar.gz' });
    const ids = m.artifacts.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['image:registry.k-paas.org/ingress-nginx/controller:v1.12.1', 'chart:nfs-subdir-external-provisioner-4.0.18', 'wheels']));
    expect(m.artifacts.find((a) => a.kind === 'chart')).toMatchObject({ chart: { repo: 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner', name: 'nfs-subdir-external-provisioner', version: '4.0.18' } });
    // The provisioner's image: repository from the platform's values.yaml, tag left to the chart.
    expect(m.artifacts.find((a) => a.id.startsWith('image:registry.k-paas.org/k8s/nfs-subdir-external-provisioner'))?.chart).toMatchObject({ name: 'nfs-subdir-external-provisioner' });
    expect(m.artifacts.find((a) => a.kind === 'wheels')?.requirements).toEqual(['ansible==9.13.0', 'cryptography==45.0.2', 'jmespath==1.0.1', 'netaddr==1.3.0']);
    expect(ids.some((i) => i.includes('rook') || i.includes('kyverno'))).toBe(false);
    // Every file the tree downloads carries the sha256 the tree gives it; nothing is typed here. The
    // deployer's registry is not the tree's: its sha256 is recorded when the bundle is built.
    for (const a of m.artifacts.filter((x) => x.kind === 'file' && x.source !== registryUrl('amd64'))) expect(a.sha256, a.source).toMatch(/^[0-9a-f]{64}$/);
    expect(m.artifacts.find((a) => a.source === registryUrl('amd64'))).toMatchObject({ path: `files/github.com/distribution/distribution/releases/download/v2.8.3/registry_2.8.3_linux_amd64.tar.gz`, neededBy: ['deployer'] });
    // The deployer loads the images with the tree's pinned skopeo build, also for a containerd plan.
    const ctrd = bundleManifest({ release, tree, plan: plan('standalone', 'containerd') });
    const skopeo = ctrd.artifacts.find((a) => /lework\/skopeo-binary\/.*skopeo-linux-amd64$/.test(a.source));
    expect(skopeo?.neededBy).toEqual(['deployer']);
    expect(skopeo?.sha256).toBe(checksumLine('skopeo_binary_checksums', 'amd64', skopeo!.source.replace(/.*\/v([\d.]+)\/.*/, '$1')));
  });

  it('rook-ceph and Kyverno bring their manifests\' images and drop the NFS chart', () => {
    const m = bundleManifest({ release, tree, plan: plan('standalone', 'crio', 'rook-ceph', true) });
    const ids = m.artifacts.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['image:registry.k-paas.org/rook-ceph/ceph:v1.16.4', 'image:registry.k-paas.org/rook-ceph/cephcsi:v3.13.0', 'image:registry.k-paas.org/rook-ceph/ceph:v19.2.1', 'image:registry.k-paas.org/kyverno/kyverno:v1.13.6']));
    expect(ids.some((i) => i.startsWith('chart:'))).toBe(false);
    // Only the manifests the storage role applies: no example workloads (wordpress, mysql).
    expect(ids.some((i) => i.includes('wordpress') || i.includes('mysql'))).toBe(false);
  });

  it('edge: the kubeadm binaries and upstream images, Calico\'s manifest, keadm from the tree, the edge CRI-O the role wgets', () => {
    const m = bundleManifest({ release, tree, plan: plan('edge'), arch: ['amd64', 'arm64'] });
    const ids = m.artifacts.map((a) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'file:https://dl.k8s.io/release/v1.32.5/bin/linux/arm64/kubeadm',
        'image:registry.k8s.io/kube-apiserver:v1.32.5',
        'image:registry.k8s.io/pause:3.10',
        'image:registry.k8s.io/etcd:3.5.16-0',
        'file:https://raw.githubusercontent.com/projectcalico/calico/v3.29.3/manifests/calico.yaml',
        'tree-file:edge/keadm/amd64/keadm.tar.gz',
        'tree-file:edge/keadm/arm64/keadm.tar.gz',
        'image:docker.io/kubeedge/edgemesh-agent:v1.16.0',
        'image:docker.io/kubeedge/cloudcore:v1.20.0',
        'image:docker.io/kubeedge/installation-package:v1.20.0',
      ]),
    );
    expect(m.artifacts.find((a) => a.id.endsWith('manifests/calico.yaml'))?.path).toBe('manifests/calico-v3.29.3.yaml');
    const edgeCrio = m.artifacts.find((a) => a.source === 'https://storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.30.0.tar.gz')!;
    expect(edgeCrio.sha256).toBe(checksumLine('crio_archive_checksums', 'amd64', '1.30.0'));
    expect(ids.some((i) => i.includes('registry.k-paas.org'))).toBe(false);
  });

  it('edge: what keadm and its chart pull by themselves (the sandbox image, the MQTT broker) and the deployer\'s registry and skopeo', () => {
    const m = edgeManifest('edge');
    const byId = (id: string) => m.artifacts.find((a) => a.id === id);
    for (const id of ['image:docker.io/kubeedge/pause:3.6', 'image:docker.io/library/eclipse-mosquitto:1.6.15', 'image:docker.io/kubeedge/installation-package:v1.20.0']) {
      expect(byId(id)?.neededBy, id).toEqual(['edge_node']);
    }
    expect(byId('image:docker.io/kubeedge/iptables-manager:v1.20.0')?.neededBy).toEqual(['cloudcore_node']);
    expect(byId('image:docker.io/library/eclipse-mosquitto:1.6.15')?.from).toContain("keadm init's chart");
    // The runtime's sandbox image on edge nodes too (the tree's pause); the deployer's registry and skopeo.
    expect(byId('image:registry.k8s.io/pause:3.10')?.neededBy).toEqual(expect.arrayContaining(['cloudcore_node', 'edge_node']));
    expect(byId(`file:${registryUrl('amd64')}`)?.neededBy).toEqual(['deployer']);
    expect(m.artifacts.some((a) => a.kind === 'file' && a.source.endsWith('/skopeo-linux-amd64'))).toBe(true);
  });

  it('expand-edge with containerd: the edge nodes\' runtime, runc, the CNI plugins and the sandbox image (the gap host preparation hit)', () => {
    const m = edgeManifest('expand-edge', 'containerd');
    const dl = (key: string) => m.artifacts.find((a) => a.from.includes(`(downloads.${key})`));
    for (const key of ['containerd', 'runc', 'cni']) expect(dl(key)?.neededBy, key).toEqual(['edge_node']);
    expect(dl('kubeadm')).toBeUndefined();
    // Host preparation of an edge node finds everything it needs in it (it threw HostPrepMissing before).
    const items = hostPrepPlan({ artifacts: m.artifacts, role: 'edge', runtime: 'containerd', arch: 'amd64' });
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining(['containerd', 'runc', 'cni-plugins', 'containerd-config', 'keadm']));
    const config = items.find((i) => i.id === 'containerd-config') as { content: string };
    // The tree's pause, not KubeEdge's kubeedge/pause that keadm join pulls for itself.
    expect(config.content).toContain('sandbox = "registry.k8s.io/pause:3.10"');
  });

  it('bundle covers names the MQTT broker when a bundle lacks it', () => {
    const needed = edgeManifest('edge');
    const id = 'image:docker.io/library/eclipse-mosquitto:1.6.15';
    const bundle = {
      ...needed,
      createdAt: '2026-01-01T00:00:00Z',
      createdBy: 'test',
      artifacts: needed.artifacts.filter((a) => a.id !== id).map((a) => ({ ...a, entries: [{ path: a.path, sha256: 'a'.repeat(64), size: 1 }] })),
    };
    const treeFiles = new Set(needed.artifacts.filter((a) => a.kind === 'tree-file').map((a) => a.id.slice('tree-file:'.length)));
    expect(coversPlan(bundle as never, needed, treeFiles).map((x) => x.id)).toEqual([id]);
  });

  it('expand-edge needs only the edge side; caas has no bundle', () => {
    const m = edgeManifest('expand-edge');
    expect(m.artifacts.every((a) => ['tree', 'tree-file', 'image', 'file'].includes(a.kind))).toBe(true);
    expect(m.artifacts.some((a) => a.source.includes('dl.k8s.io'))).toBe(false);
    expect(() => bundleManifest({ release, tree, plan: { ...plan('standalone')!, mode: 'caas' } })).toThrow(/caas/);
  });
});

/** A checksum as the 2021 tree (Kubespray 2.14.2) writes it in roles/download/defaults/main.yml, read with a plain regex. */
function checksumLineV104(table: string, arch: string, version: string): string {
  const text = readFileSync(join(TREE_V104, 'standalone/aws/roles/download/defaults/main.yml'), 'utf8');
  const block = text.slice(text.indexOf(`\n${table}:`) + 1);
  const archBlock = block.slice(block.indexOf(`\n  ${arch}:`));
  const m = new RegExp(`\\n    ${version.replace(/\./g, '\\.')}: ([0-9a-f]{64})`).exec(archBlock);
  return m![1]!;
}

describe.skipIf(!haveUpstream)('the bundle manifest for the 2021 edge (edge + bosh on paasta-v1.0, the v1.0.4 tree)', () => {
  const tree104 = treeFromDir(TREE_V104);
  const release104 = findRelease('paasta-v1.0')!;
  // The plan says containerd (the schema's default); the 2021 tree runs Docker whatever the plan says.
  const edge2021 = (bosh: boolean) =>
    bundleManifest({ release: release104, tree: tree104, plan: { ...plan('edge', 'containerd')!, ...(bosh ? { bosh: { directorAddress: '10.0.0.6' } as never } : {}) } });
  // Derived once, on first use (the describe's body runs even when the upstream trees are missing).
  let derived2021: ReturnType<typeof bundleManifest> | undefined;
  const manifest = () => (derived2021 ??= edge2021(true));

  it('lists the v1.0.4 tree and its Kubespray 2.14.2 downloads with the tree\'s checksums, flannel as the guide sets it', () => {
    const m = manifest();
    const ids = m.artifacts.map((a) => a.id);
    expect(m.artifacts[0]).toMatchObject({ kind: 'tree', source: 'https://github.com/PaaS-TA/paas-ta-container-platform-deployment/archive/refs/tags/v1.0.4.tar.gz' });
    expect(m.runtime).toBe('docker');
    for (const [tool, table] of [['kubeadm', 'kubeadm_checksums'], ['kubelet', 'kubelet_checksums'], ['kubectl', 'kubectl_checksums']] as const) {
      const a = m.artifacts.find((x) => x.id === `file:https://storage.googleapis.com/kubernetes-release/release/v1.18.6/bin/linux/amd64/${tool}`);
      expect(a?.sha256, tool).toBe(checksumLineV104(table, 'amd64', 'v1.18.6'));
      // Kubespray's own group names (2.14: k8s-cluster, kube-master), not the kubeadm edge's cloudcore_node.
      expect(a?.from, tool).toBe(`standalone/aws/roles/kubespray_defaults (downloads.${tool})`);
      expect(a?.neededBy.some((g) => g === 'k8s-cluster' || g === 'kube-master'), tool).toBe(true);
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        'file:https://github.com/containernetworking/plugins/releases/download/v0.9.0/cni-plugins-linux-amd64-v0.9.0.tgz',
        'image:quay.io/coreos/flannel:v0.13.0',
        'image:k8s.gcr.io/kube-apiserver:v1.18.6',
        'image:quay.io/coreos/etcd:v3.4.13',
        'wheels',
      ]),
    );
    expect(ids.some((i) => i.includes('calico'))).toBe(false);
    expect(m.artifacts.find((a) => a.kind === 'wheels')?.from).toBe('standalone/aws/requirements.txt');
  });

  it('lists KubeEdge 1.6.1\'s files: the tree\'s edge/keadm and what that keadm downloads, not the Helm-era images', () => {
    const m = manifest();
    const ids = m.artifacts.map((a) => a.id);
    const dl = 'https://github.com/kubeedge/kubeedge/releases/download/v1.6.1';
    const raw = 'https://raw.githubusercontent.com/kubeedge/kubeedge/release-1.6/build';
    expect(ids).toEqual(
      expect.arrayContaining([
        'tree-file:edge/keadm',
        `file:${dl}/kubeedge-v1.6.1-linux-amd64.tar.gz`,
        `file:${dl}/checksum_kubeedge-v1.6.1-linux-amd64.tar.gz.txt`,
        `file:${raw}/crds/devices/devices_v1alpha2_device.yaml`,
        `file:${raw}/crds/reliablesyncs/objectsync_v1alpha1.yaml`,
        `file:${raw}/tools/cloudcore.service`,
        `file:${raw}/tools/edgecore.service`,
        'image:docker.io/kubeedge/pause:3.1',
      ]),
    );
    expect(m.artifacts.find((a) => a.id === 'tree-file:edge/keadm')).toMatchObject({ path: 'cp-deployment/edge/keadm', neededBy: ['cloudcore_node', 'edge_node'] });
    expect(m.artifacts.find((a) => a.id === `file:${dl}/kubeedge-v1.6.1-linux-amd64.tar.gz`)?.neededBy).toEqual(['cloudcore_node', 'edge_node']);
    // keadm 1.6 downloads a release tarball and starts cloudcore as a process: no cloudcore or installation-package image.
    expect(ids.some((i) => /kubeedge\/(cloudcore|iptables-manager|installation-package)/.test(i))).toBe(false);
  });

  it('lists nothing of the kubeadm edge\'s: no kubeadm side for the cloudcore node, no Calico manifest', () => {
    const m = manifest();
    const ids = m.artifacts.map((a) => a.id);
    expect(m.artifacts.some((a) => a.neededBy.includes('cloudcore_node') && a.from.includes('(downloads.'))).toBe(false);
    expect(ids.some((i) => i.endsWith('/manifests/calico.yaml'))).toBe(false);
    // The same plan without `bosh` is the kubeadm edge: its profile, its files (Calico's manifest, kubeadm for the cloud node).
    const kubeadmEdge = edge2021(false);
    expect(kubeadmEdge.artifacts.some((a) => a.id.endsWith('/manifests/calico.yaml'))).toBe(true);
    expect(kubeadmEdge.artifacts.find((a) => a.from.includes('(downloads.kubeadm)'))?.neededBy).toEqual(['cloudcore_node']);
  });

  it('the kubeadm edge of v1.6.2 keeps its manifest with or without a plan for the variant to read', () => {
    const withPlan = bundleManifest({ release, tree, plan: { ...plan('edge')!, hosts: [] } });
    expect(withPlan.artifacts.map((a) => a.id)).toEqual(edgeManifest('edge').artifacts.map((a) => a.id));
  });
});

describe('paths and names', () => {
  it('files sit in Kubespray\'s files_repo layout, <host>/<path>, as offline.yml builds its URLs', () => {
    expect(filesRepoPath('https://dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm')).toBe('files/dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm');
    expect(filesRepoPath('https://get.helm.sh/helm-v3.17.0-linux-amd64.tar.gz')).toBe('files/get.helm.sh/helm-v3.17.0-linux-amd64.tar.gz');
  });

  it('image references are normalized (docker.io/library) and stored by registry, repository and tag', () => {
    expect(normalizeImage('kubeedge/edgemesh-agent:v1.16.0')).toBe('docker.io/kubeedge/edgemesh-agent:v1.16.0');
    expect(normalizeImage('alpine:3.16.2')).toBe('docker.io/library/alpine:3.16.2');
    expect(normalizeImage('127.0.0.1:5000/k8s/pause:3.10')).toBe('127.0.0.1:5000/k8s/pause:3.10');
    expect(imagePath('registry.k-paas.org/k8s/pause:3.10')).toBe('images/registry.k-paas.org/k8s/pause/3.10.oci.tar');
  });

  it('reads image: lines and the rook operator\'s CSI image settings, skipping comments and templates', () => {
    const text = 'spec:\n  image: quay.io/a/b:v1\n  # image: quay.io/c/d:v2\n  ROOK_CSI_CEPH_IMAGE: "quay.io/cephcsi/cephcsi:v3"\n  # ROOK_CSIADDONS_IMAGE: "x/y:z"\n  - image: "{{ .Values.x }}"\n  image:\n';
    expect(manifestImages(text)).toEqual(['quay.io/a/b:v1', 'quay.io/cephcsi/cephcsi:v3']);
  });

  it('reads the platform playbook\'s roles with their conditions', () => {
    expect(playbookRoles('    - { role: kubespray_defaults }\n    - { role: cp/edge/keadm_amd64, when: ansible_architecture == "x86_64" }\n')).toEqual([{ role: 'cp/edge/keadm_amd64', when: 'ansible_architecture == "x86_64"' }]);
  });

  it('reads them in the block style too (a playbook a tool wrote back), plain role names and listed conditions included', () => {
    const text = '- name: Storage\n  hosts: kube_control_plane[0]\n  roles:\n    - role: kubespray_defaults\n    - role: cp/storage\n      when:\n        - storage_type == "nfs"\n        - not skip\n- name: Istio\n  hosts: all\n  roles:\n    - cp/istio\n';
    expect(playbookRoles(text)).toEqual([{ role: 'cp/storage', when: '(storage_type == "nfs") and (not skip)' }, { role: 'cp/istio' }]);
  });

  it('the tree archive is GitHub\'s tag tarball of the catalog\'s repository and ref', () => {
    expect(treeArchiveUrl(release)).toBe('https://github.com/K-PaaS/cp-deployment/archive/refs/tags/v1.6.2.tar.gz');
  });
});
