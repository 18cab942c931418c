// The files host preparation writes, rendered from values (pure): what kubeadm's preflight needs of a node
// (the kernel modules and sysctls of the Kubernetes container-runtime guide), the runtime's own config and
// systemd unit, and the kubelet unit with kubeadm's drop-in — the files a package would have brought.
import type { Runtime } from '../kubeadm/config.js';
import { CRI_SOCKETS } from '../kubeadm/config.js';

/** Where binaries go: Kubespray's bin_dir, on root's sudo secure_path. */
export const BIN_DIR = '/usr/local/bin';
export const MODULES_FILE = '/etc/modules-load.d/cp-installer-kubernetes.conf';
export const SYSCTL_FILE = '/etc/sysctl.d/99-cp-installer-kubernetes.conf';
export const KERNEL_MODULES = ['overlay', 'br_netfilter'] as const;
/** Network sysctls only: they are per network namespace, and nothing here touches the kernel's global ones. */
export const KUBERNETES_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
};
export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
export const CONTAINERD_UNIT = '/etc/systemd/system/containerd.service';
export const KUBELET_UNIT = '/etc/systemd/system/kubelet.service';
export const KUBELET_DROPIN = '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf';
export const CRICTL_CONFIG = '/etc/crictl.yaml';
export const CNI_BIN_DIR = '/opt/cni/bin';
/** CRI-O reads its drop-ins from /etc/crio/crio.conf.d after crio.conf (crio.conf.d(5)). */
export const CRIO_PAUSE_DROPIN = '/etc/crio/crio.conf.d/10-cp-installer-pause.conf';

const HEADER = '# Written by cp-installer (host preparation from the offline bundle).\n';

export function renderModules(modules: readonly string[] = KERNEL_MODULES): string {
  return `${HEADER}${modules.join('\n')}\n`;
}

export function renderSysctl(values: Readonly<Record<string, string>> = KUBERNETES_SYSCTLS): string {
  return `${HEADER}${Object.entries(values)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n')}\n`;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * containerd's config for kubeadm: the systemd cgroup driver (kubeadm's default since 1.22), the bundle's
 * runc, the pause image kubeadm's images name, and hosts.toml files under certs.d for registry mirrors.
 * containerd 2 reads config version 3 (its CRI plugin split in two); 1.x reads version 2.
 */
export function renderContainerdConfig(o: {
  containerdVersion: string;
  sandboxImage: string;
  runc?: string;
}): string {
  const runc = o.runc ?? `${BIN_DIR}/runc`;
  const major = Number(/^v?(\d+)/.exec(o.containerdVersion)?.[1] ?? '2');
  if (major >= 2) {
    return [
      HEADER.trimEnd(),
      'version = 3',
      '',
      "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
      `  sandbox = ${tomlString(o.sandboxImage)}`,
      '',
      "[plugins.'io.containerd.cri.v1.images'.registry]",
      `  config_path = "/etc/containerd/certs.d"`,
      '',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
      `  runtime_type = "io.containerd.runc.v2"`,
      '',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
      `  BinaryName = ${tomlString(runc)}`,
      '  SystemdCgroup = true',
      '',
    ].join('\n');
  }
  return [
    HEADER.trimEnd(),
    'version = 2',
    '',
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = ${tomlString(o.sandboxImage)}`,
    '',
    '[plugins."io.containerd.grpc.v1.cri".registry]',
    `  config_path = "/etc/containerd/certs.d"`,
    '',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    `  runtime_type = "io.containerd.runc.v2"`,
    '',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    `  BinaryName = ${tomlString(runc)}`,
    '  SystemdCgroup = true',
    '',
  ].join('\n');
}

/** containerd's upstream unit (containerd.service of its repository), with the binary where the tarball puts it. */
export function renderContainerdUnit(): string {
  return `${HEADER}[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target dbus.service

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=${BIN_DIR}/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;
}

/** The kubelet unit of the Kubernetes packages (kubernetes/release), for the binary in BIN_DIR. */
export function renderKubeletUnit(): string {
  return `${HEADER}[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=${BIN_DIR}/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;
}

/** kubeadm's drop-in (10-kubeadm.conf of the kubeadm package): the flags kubeadm init/join write for the kubelet. */
export function renderKubeadmDropIn(): string {
  return `${HEADER}[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=${BIN_DIR}/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;
}

export function renderCrictlConfig(runtime: Runtime): string {
  const socket = CRI_SOCKETS[runtime];
  return `runtime-endpoint: ${socket}\nimage-endpoint: ${socket}\ntimeout: 30\n`;
}

/** CRI-O's pod sandbox image, as a crio.conf.d drop-in (the `[crio.image]` table of crio.conf(5)). */
export function renderCrioPause(image: string): string {
  return `${HEADER}[crio.image]\npause_image = ${tomlString(image)}\n`;
}
