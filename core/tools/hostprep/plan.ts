// What host preparation puts on one host, decided from the offline bundle's manifest (pure): the platform's
// edge flow (roles/cp/edge: keadm from the tree's edge/keadm/<arch>/keadm.tar.gz, CRI-O from the tarball
// cri_install fetches, run with its own `install`), plus what a kubeadm control plane needs that the
// platform leaves to Kubespray (the runtime, kubeadm/kubelet/kubectl, the kubelet unit, modules and
// sysctls) — each taken from the artifact the manifest read from the tree (downloads.<key>), never typed.
import type { Runtime } from '../kubeadm/config.js';
import {
  BIN_DIR,
  CNI_BIN_DIR,
  CONTAINERD_CONFIG,
  CONTAINERD_UNIT,
  CRICTL_CONFIG,
  CRIO_PAUSE_DROPIN,
  KERNEL_MODULES,
  KUBELET_DROPIN,
  KUBELET_UNIT,
  KUBERNETES_SYSCTLS,
  MODULES_FILE,
  renderContainerdConfig,
  renderContainerdUnit,
  renderCrictlConfig,
  renderCrioPause,
  renderKubeadmDropIn,
  renderKubeletUnit,
  renderModules,
  renderSysctl,
  SYSCTL_FILE,
} from './render.js';

export type PrepArch = 'amd64' | 'arm64';
/** cloud: a kubeadm control plane with cloudcore; edge: an edge node; keadm: only keadm (an existing cluster's control plane). */
export type PrepRole = 'cloud' | 'edge' | 'keadm';

/** The manifest fields the planner reads (the unpacked bundle's bundle-manifest.json). */
export interface PrepArtifact {
  id: string;
  kind: string;
  source: string;
  path: string;
  sha256?: string;
  from: string;
}

export type PrepItem =
  | { kind: 'binary'; id: string; artifact: string; sha256?: string; dest: string }
  | {
      kind: 'archive';
      id: string;
      artifact: string;
      sha256?: string;
      /** Extract into this folder (a staging folder when `install` or `run` takes it from there). */
      into: string;
      /** Copy the one regular file of this name found in the archive to `dest` (0755), then drop the staging folder. */
      install?: { member: string; dest: string };
      /** Run this script of the archive (relative to `into`) in its folder, as the platform's cri_install does. */
      run?: string;
      /** A path that exists once installed. */
      check: string;
    }
  | { kind: 'file'; id: string; dest: string; content: string; mode: number }
  | { kind: 'modules'; id: string; file: string; content: string; modules: string[] }
  | { kind: 'sysctl'; id: string; file: string; content: string; values: Record<string, string> }
  | {
      kind: 'service';
      id: string;
      unit: string;
      /** Started too (else only enabled: kubeadm starts the kubelet itself). */
      start: boolean;
      /** Items whose change means the running service must restart (its binary, config, unit). */
      after: string[];
    };

export interface PrepInput {
  artifacts: PrepArtifact[];
  role: PrepRole;
  runtime: Runtime;
  arch: PrepArch;
}

/** What the bundle lacks for this host, each named as the manifest would name it. */
export class HostPrepMissing extends Error {
  constructor(readonly missing: string[]) {
    super(`the bundle has no ${missing.join(', ')}`);
    this.name = 'HostPrepMissing';
  }
}

export const HOSTPREP_DIR = '/var/lib/cp-installer/hostprep';

function hasArch(source: string, arch: PrepArch): boolean {
  return new RegExp(`(^|[^a-z0-9])${arch}([^a-z0-9]|$)`).test(source);
}

function versionIn(source: string, re: RegExp): string {
  return re.exec(source)?.[1] ?? '';
}

class Picker {
  readonly missing: string[] = [];
  constructor(
    private readonly input: PrepInput,
    private readonly staging: string = HOSTPREP_DIR,
  ) {}

  /** A Kubespray download of this architecture (the manifest says `(downloads.<key>)`). */
  download(key: string): PrepArtifact | undefined {
    const a = this.input.artifacts.find(
      (x) => x.kind === 'file' && x.from.includes(`(downloads.${key})`) && hasArch(x.source, this.input.arch),
    );
    if (!a) this.missing.push(`${key} (${this.input.arch}, Kubespray's downloads.${key})`);
    return a;
  }

  /** The CRI-O tarball the platform's edge role fetches (roles/cp/edge/cri_install). */
  edgeCrio(): PrepArtifact | undefined {
    const a = this.input.artifacts.find(
      (x) =>
        x.kind === 'file' &&
        x.from.includes('roles/cp/edge/cri_install') &&
        hasArch(x.source, this.input.arch),
    );
    if (!a) this.missing.push(`cri-o (${this.input.arch}, roles/cp/edge/cri_install)`);
    return a;
  }

  keadm(): PrepArtifact | undefined {
    const path = `edge/keadm/${this.input.arch}/keadm.tar.gz`;
    const a = this.input.artifacts.find((x) => x.kind === 'tree-file' && x.id === `tree-file:${path}`);
    if (!a) this.missing.push(`keadm (${path} of the platform's tree)`);
    return a;
  }

  pauseImage(): string | undefined {
    // The tree's own (Kubespray's pod_infra_version), not KubeEdge's kubeedge/pause that keadm join pulls.
    const a = this.input.artifacts.find((x) => x.kind === 'image' && /\/pause:[^/]+$/.test(x.source) && x.from.includes('pod_infra_version'));
    if (!a) this.missing.push("the pause image (kubeadm's images)");
    return a?.source;
  }

  stage(id: string): string {
    return `${this.staging}/${id}`;
  }
}

function binary(id: string, a: PrepArtifact, dest: string): PrepItem {
  return { kind: 'binary', id, artifact: a.path, ...(a.sha256 ? { sha256: a.sha256 } : {}), dest };
}

function archive(
  id: string,
  a: PrepArtifact,
  rest: Omit<Extract<PrepItem, { kind: 'archive' }>, 'kind' | 'id' | 'artifact' | 'sha256'>,
): PrepItem {
  return { kind: 'archive', id, artifact: a.path, ...(a.sha256 ? { sha256: a.sha256 } : {}), ...rest };
}

function containerdItems(p: Picker, out: PrepItem[]): void {
  const containerd = p.download('containerd');
  const runc = p.download('runc');
  const cni = p.download('cni');
  const pause = p.pauseImage();
  if (cni) out.push(archive('cni-plugins', cni, { into: CNI_BIN_DIR, check: `${CNI_BIN_DIR}/loopback` }));
  if (runc) out.push(binary('runc', runc, `${BIN_DIR}/runc`));
  // The release tarball holds bin/containerd…: extracted into /usr/local as containerd's guide says.
  if (containerd)
    out.push(archive('containerd', containerd, { into: '/usr/local', check: `${BIN_DIR}/containerd` }));
  const version = containerd ? versionIn(containerd.source, /containerd-(\d+\.\d+\.\d+)-linux/) : '2';
  out.push(
    {
      kind: 'file',
      id: 'containerd-config',
      dest: CONTAINERD_CONFIG,
      content: renderContainerdConfig({ containerdVersion: version, sandboxImage: pause ?? '' }),
      mode: 0o644,
    },
    {
      kind: 'file',
      id: 'containerd-unit',
      dest: CONTAINERD_UNIT,
      content: renderContainerdUnit(),
      mode: 0o644,
    },
    {
      kind: 'service',
      id: 'containerd-service',
      unit: 'containerd',
      start: true,
      after: ['runc', 'containerd', 'containerd-config', 'containerd-unit'],
    },
  );
}

function crioItems(p: Picker, out: PrepItem[], a: PrepArtifact | undefined): void {
  // The tarball's own `install` (as cri_install runs it) puts crio, conmon, crun/runc, crictl, the CNI
  // plugins, /etc/crio and crio.service in place; its staging folder is removed afterwards, like the role does.
  if (a)
    out.push(archive('cri-o', a, { into: p.stage('cri-o'), run: 'cri-o/install', check: `${BIN_DIR}/crio` }));
  // CRI-O's compiled-in pause image follows its own release (1.30: pause:3.9), not the tree's: set to the
  // one the bundle carries, or every pod sandbox would ask for an image the site does not have.
  const pause = p.pauseImage();
  out.push(
    { kind: 'file', id: 'crio-pause', dest: CRIO_PAUSE_DROPIN, content: renderCrioPause(pause ?? ''), mode: 0o644 },
    { kind: 'service', id: 'crio-service', unit: 'crio', start: true, after: ['cri-o', 'crio-pause'] },
  );
}

function systemItems(out: PrepItem[]): void {
  out.push(
    {
      kind: 'modules',
      id: 'kernel-modules',
      file: MODULES_FILE,
      content: renderModules(),
      modules: [...KERNEL_MODULES],
    },
    {
      kind: 'sysctl',
      id: 'sysctls',
      file: SYSCTL_FILE,
      content: renderSysctl(),
      values: { ...KUBERNETES_SYSCTLS },
    },
  );
}

function keadmItem(p: Picker, out: PrepItem[]): void {
  const k = p.keadm();
  if (k)
    out.push(
      archive('keadm', k, {
        into: p.stage('keadm'),
        install: { member: 'keadm', dest: `${BIN_DIR}/keadm` },
        check: `${BIN_DIR}/keadm`,
      }),
    );
}

/**
 * The ordered items for one host. Throws HostPrepMissing naming every artifact the bundle lacks for it, so
 * a user learns all of them at once rather than one per run.
 */
export function hostPrepPlan(input: PrepInput): PrepItem[] {
  const p = new Picker(input);
  const out: PrepItem[] = [];
  if (input.role === 'keadm') {
    keadmItem(p, out);
  } else if (input.role === 'cloud') {
    systemItems(out);
    if (input.runtime === 'containerd') containerdItems(p, out);
    else crioItems(p, out, p.download('crio'));
    const crictl = p.download('crictl');
    if (crictl) out.push(archive('crictl', crictl, { into: BIN_DIR, check: `${BIN_DIR}/crictl` }));
    out.push({
      kind: 'file',
      id: 'crictl-config',
      dest: CRICTL_CONFIG,
      content: renderCrictlConfig(input.runtime),
      mode: 0o644,
    });
    for (const tool of ['kubeadm', 'kubelet', 'kubectl']) {
      const a = p.download(tool);
      if (a) out.push(binary(tool, a, `${BIN_DIR}/${tool}`));
    }
    out.push(
      { kind: 'file', id: 'kubelet-unit', dest: KUBELET_UNIT, content: renderKubeletUnit(), mode: 0o644 },
      {
        kind: 'file',
        id: 'kubelet-dropin',
        dest: KUBELET_DROPIN,
        content: renderKubeadmDropIn(),
        mode: 0o644,
      },
      // Enabled only: kubeadm init starts it once its configuration is written.
      {
        kind: 'service',
        id: 'kubelet-service',
        unit: 'kubelet',
        start: false,
        after: ['kubelet', 'kubelet-unit', 'kubelet-dropin'],
      },
    );
    keadmItem(p, out);
  } else {
    // The platform's edge node: its runtime and keadm (edgecore itself comes with `keadm join`).
    systemItems(out);
    if (input.runtime === 'containerd') containerdItems(p, out);
    else crioItems(p, out, p.edgeCrio());
    keadmItem(p, out);
  }
  if (p.missing.length) throw new HostPrepMissing(p.missing);
  return out;
}

/** `uname -m` → the bundle's architecture name. */
export function archOf(machine: string): PrepArch | undefined {
  const m = machine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'amd64';
  if (m === 'aarch64' || m === 'arm64') return 'arm64';
  return undefined;
}
