// An unpacked offline bundle for the edge tests, laid out as `cp-installer bundle unpack` leaves one: its
// manifest is the real one the installer derives from the v1.6.2 tree for the plan (every URL, path and
// `from` as the product computes them), and at each path the host preparation reads sits a stand-in of the
// same shape — the tarballs built the way upstream ships them (containerd's bin/, crictl at the top, the
// CNI plugins flat, CRI-O's cri-o/ with its own `install` script, the platform's keadm.tar.gz with keadm at
// the top), the binaries being the strict fakes of kubeadm/kubectl/keadm. The manifest records each file's
// sha256, as a built bundle does.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256, treeFromDir, writeBundle, type BuiltArtifact, type BuiltManifest } from '../../../core/bundle/archive.js';
import { bundleManifest, MANIFEST_PATH, registryUrl, type Artifact, type BundleManifest } from '../../../core/bundle/manifest.js';
import type { Release } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { installFakes, type FakeVersions } from '../../fakes/install.js';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';

const FAKES = fileURLToPath(new URL('../../fakes/', import.meta.url));
const HERE_FAKES = fileURLToPath(new URL('./fakes/', import.meta.url));
export const haveTree = haveUpstream && existsSync(join(TREE_V162, 'standalone/playbooks/edge.yml'));

function script(body: string): string {
  return `#!/bin/sh\n${body}\n`;
}

/** A .tar.gz of `files` (relative path → content, all 0755 unless a .conf/.service/.yaml). */
function tarball(out: string, files: Record<string, string | Buffer>): void {
  const stage = mkdtempSync(join(tmpdir(), 'cp-offline-tar-'));
  try {
    for (const [rel, content] of Object.entries(files)) {
      const p = join(stage, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      chmodSync(p, /\.(conf|service|yaml|json)$/.test(rel) ? 0o644 : 0o755);
    }
    mkdirSync(dirname(out), { recursive: true });
    const r = spawnSync('tar', [
      '-czf',
      out,
      '-C',
      stage,
      ...Object.keys(files)
        .map((f) => f.split('/')[0]!)
        .filter((v, i, a) => a.indexOf(v) === i),
    ]);
    if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** CRI-O's release tarball in small: cri-o/{bin,contrib,etc,cni-plugins} and its `install` (its variables and defaults). */
function crioTarball(out: string, version: string): void {
  const install = `#!/usr/bin/env bash
set -euo pipefail
DESTDIR=\${DESTDIR:-}
PREFIX=\${PREFIX:-/usr/local}
ETCDIR=\${ETCDIR:-/etc}
BINDIR=\${BINDIR:-$PREFIX/bin}
SYSTEMDDIR=\${SYSTEMDDIR:-$PREFIX/lib/systemd/system}
OPT_CNI_BIN_DIR=\${OPT_CNI_BIN_DIR:-/opt/cni/bin}
cd "$(dirname "$0")"
install -D -m 755 -t "$DESTDIR$OPT_CNI_BIN_DIR" cni-plugins/*
install -D -m 755 -t "$DESTDIR$BINDIR" bin/*
install -D -m 644 -t "$DESTDIR$ETCDIR/crio" etc/crio.conf
install -D -m 644 -t "$DESTDIR$ETCDIR/containers" etc/policy.json
install -D -m 644 -t "$DESTDIR$SYSTEMDDIR" contrib/crio.service
`;
  tarball(out, {
    'cri-o/install': install,
    'cri-o/bin/crio': script(`echo "crio version ${version}"`),
    'cri-o/bin/pinns': script('exit 0'),
    'cri-o/bin/conmon': script('exit 0'),
    'cri-o/bin/crun': script('exit 0'),
    'cri-o/bin/crictl': script('echo "crictl version v1.30.0"'),
    'cri-o/cni-plugins/loopback': script('exit 0'),
    'cri-o/cni-plugins/bridge': script('exit 0'),
    'cri-o/etc/crio.conf': '[crio]\n',
    'cri-o/etc/policy.json': '{"default":[{"type":"insecureAcceptAnything"}]}\n',
    'cri-o/contrib/crio.service':
      '[Unit]\nDescription=Container Runtime Interface for OCI (CRI-O)\n\n[Service]\nType=notify\nExecStart=/usr/local/bin/crio\n\n[Install]\nWantedBy=multi-user.target\n',
  });
}

export interface OfflineBundle {
  dir: string;
  manifest: BundleManifest;
  /** The bundle paths written, by what they stand for. */
  files: Record<string, string>;
}

/**
 * Writes the unpacked bundle for an edge-mode plan into a new folder. `leaveOut` names bundle paths to
 * leave out (a bundle missing a file), `drop` artifact ids to remove from the manifest.
 */
export function offlineBundle(
  release: Release,
  plan: Pick<Plan, 'mode' | 'cluster' | 'storage'>,
  versions: FakeVersions,
): OfflineBundle {
  const dir = mkdtempSync(join(tmpdir(), 'cp-offline-bundle-'));
  const m = bundleManifest({ release, tree: treeFromDir(TREE_V162), plan, arch: ['amd64'] });
  const files: Record<string, string> = {};
  const at = (a: Artifact | undefined, what: string) => {
    if (!a) throw new Error(`the manifest has no ${what}`);
    files[what] = a.path;
    return join(dir, a.path);
  };
  const dl = (key: string) => m.artifacts.find((a) => a.from.includes(`(downloads.${key})`));
  const write = (p: string, content: string | Buffer, mode = 0o755) => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    chmodSync(p, mode);
  };
  // The cloud side's files exist in the manifest only for the mode that builds its cluster with kubeadm.
  const kubeadm = !!dl('kubeadm');
  if (kubeadm) {
    for (const tool of ['kubeadm', 'kubectl']) write(at(dl(tool), tool), readFileSync(join(FAKES, tool)));
    write(
      at(dl('kubelet'), 'kubelet'),
      script(
        `[ "$1" = --version ] && echo "Kubernetes v${versions.kubernetes}" && exit 0\necho "kubelet (fake): not run by the tests" >&2; exit 1`,
      ),
    );
    tarball(at(dl('crictl'), 'crictl'), { crictl: script('echo "crictl version v1.32.0"') });
    tarball(at(dl('cni'), 'cni'), {
      loopback: script('exit 0'),
      bridge: script('exit 0'),
      'host-local': script('exit 0'),
    });
  }
  if (plan.cluster.runtime === 'containerd') {
    tarball(at(dl('containerd'), 'containerd'), {
      'bin/containerd': script('echo "containerd github.com/containerd/containerd/v2 v2.0.5"'),
      'bin/ctr': script('exit 0'),
      'bin/containerd-shim-runc-v2': script('exit 0'),
    });
    write(at(dl('runc'), 'runc'), script('echo "runc version 1.2.6"'));
  } else {
    if (kubeadm) crioTarball(at(dl('crio'), 'crio'), '1.32.0');
    crioTarball(
      at(
        m.artifacts.find((a) => a.from.includes('roles/cp/edge/cri_install') && a.source.includes('amd64')),
        'edge-crio',
      ),
      '1.30.0',
    );
  }
  tarball(
    at(
      m.artifacts.find((a) => a.id === 'tree-file:edge/keadm/amd64/keadm.tar.gz'),
      'keadm',
    ),
    { keadm: readFileSync(join(FAKES, 'keadm')) },
  );
  const calico = m.artifacts.find((a) => a.path.startsWith('manifests/calico-v'));
  if (calico)
    write(
      at(calico, 'calico'),
      [
        'apiVersion: apps/v1',
        'kind: DaemonSet',
        'metadata:',
        '  name: calico-node',
        '  namespace: kube-system',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `      - name: calico-node`,
        `        image: docker.io/calico/node:v${release.calico}`,
        '',
      ].join('\n'),
      0o644,
    );
  // A built bundle records every file's sha256: these are the stand-ins', not the upstream checksums.
  for (const a of m.artifacts) {
    const p = join(dir, a.path);
    if (existsSync(p) && statSync(p).isFile()) a.sha256 = sha256(readFileSync(p));
  }
  writeFileSync(
    join(dir, MANIFEST_PATH),
    `${JSON.stringify({ ...m, createdAt: new Date(0).toISOString(), createdBy: 'test' }, null, 2)}\n`,
  );
  return { dir, manifest: m, files };
}

/**
 * What a test host needs besides what the bundle brings: the fakes' shared code and recorded outputs
 * (installFakes, minus kubeadm/kubectl/keadm themselves), and the strict systemctl and modprobe.
 */
export function prepareBareHost(host: { dir: string }, versions: FakeVersions): void {
  installFakes(host, versions);
  for (const tool of ['kubeadm', 'kubectl', 'keadm']) rmSync(join(host.dir, 'bin', tool));
  for (const tool of ['systemctl', 'modprobe']) {
    copyFileSync(join(HERE_FAKES, tool), join(host.dir, 'bin', tool));
    chmodSync(join(host.dir, 'bin', tool), 0o755);
  }
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** What a bundle file with real images needs on this machine, or why it cannot be made here. */
export function bundleFileMissing(): string | undefined {
  for (const [tool, pkg] of [
    ['docker-registry', 'docker-registry'],
    ['skopeo', 'skopeo'],
    ['buildah', 'buildah'],
    ['containerd', 'containerd'],
    ['ctr', 'containerd'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install -y ${pkg})`;
  }
  if (!existsSync('/bin/busybox')) return 'busybox is not installed (apt-get install -y busybox-static)';
  return undefined;
}

/**
 * The bundle file (`bundle build`'s format, written by the bundle's own writer) of an unpacked edge bundle:
 * every file there, the images `images` names (each a real OCI archive: busybox, made with buildah, one
 * archive under every name), Debian's docker-registry as the distribution registry the bundle ships and
 * this machine's skopeo as the bundle's. Returns the file and the images' digest.
 */
export async function offlineBundleFile(b: OfflineBundle, images: (ref: string) => boolean, out: string): Promise<{ file: string; digest: string; images: string[] }> {
  const work = mkdtempSync(join(tmpdir(), 'cp-offline-img-'));
  try {
    const storage = ['--storage-driver', 'vfs', '--root', join(work, 'root'), '--runroot', join(work, 'run')];
    const c = run('buildah', [...storage, 'from', 'scratch']).trim();
    run('buildah', [...storage, 'copy', c, '/bin/busybox', '/bin/busybox']);
    const archive = join(work, 'image.oci.tar');
    run('buildah', [...storage, 'commit', '--quiet', c, `oci-archive:${archive}`]);
    run('buildah', [...storage, 'rm', c]);
    const digest = `sha256:${sha256(Buffer.from(run('skopeo', ['inspect', '--raw', `oci-archive:${archive}`])))}`;
    const chosen = b.manifest.artifacts.filter((a) => a.kind === 'image' && images(a.source));
    for (const a of chosen) {
      mkdirSync(dirname(join(b.dir, a.path)), { recursive: true });
      copyFileSync(archive, join(b.dir, a.path));
      a.digest = digest;
    }
    const reg = b.manifest.artifacts.find((a) => a.source === registryUrl('amd64'));
    const skopeo = b.manifest.artifacts.find((a) => a.kind === 'file' && a.source.endsWith('/skopeo-linux-amd64'));
    if (!reg || !skopeo) throw new Error('the manifest has no registry or skopeo for the deployer');
    mkdirSync(join(work, 'regpkg'), { recursive: true });
    copyFileSync('/usr/bin/docker-registry', join(work, 'regpkg', 'registry'));
    mkdirSync(dirname(join(b.dir, reg.path)), { recursive: true });
    run('tar', ['-czf', join(b.dir, reg.path), '-C', join(work, 'regpkg'), 'registry']);
    mkdirSync(dirname(join(b.dir, skopeo.path)), { recursive: true });
    copyFileSync('/usr/bin/skopeo', join(b.dir, skopeo.path));
    const artifacts: BuiltArtifact[] = [];
    for (const a of b.manifest.artifacts) {
      const p = join(b.dir, a.path);
      if (a.kind === 'tree' || a.kind === 'tree-file' || !existsSync(p) || !statSync(p).isFile()) continue;
      const data = readFileSync(p);
      artifacts.push({ ...a, entries: [{ path: a.path, sha256: sha256(data), size: data.length }] });
    }
    const manifest: BuiltManifest = { ...b.manifest, artifacts, createdAt: new Date(0).toISOString(), createdBy: 'test' };
    await writeBundle(out, manifest, b.dir);
    return { file: out, digest, images: chosen.map((a) => a.source) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
