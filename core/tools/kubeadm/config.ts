// The kubeadm configuration file for `kubeadm init --config`: InitConfiguration + ClusterConfiguration +
// KubeletConfiguration, in the API version the release's kubeadm reads (TOOLS.md §1.2): v1beta3 for
// Kubernetes 1.22–1.30, v1beta4 from 1.31 (extraArgs become a list of {name, value}); v1beta3 is gone in
// 1.35 and nothing before 1.22 reads either, so those releases are refused rather than guessed.
import { stringify } from 'yaml';
import type { Message } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import { innerAddress, offlineRegistry, type Host, type Plan } from '../../plan/schema.js';
import { atLeastMinor as atLeast, compareMinor } from '../../common/version.js';
import { withV } from './version.js';

export type KubeadmApiVersion = 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4';

export const CRI_SOCKETS = {
  crio: 'unix:///var/run/crio/crio.sock',
  containerd: 'unix:///run/containerd/containerd.sock',
} as const;
export type Runtime = keyof typeof CRI_SOCKETS;

/** Where the product writes the file on the control plane (/etc/kubernetes is kubeadm's own folder). */
export const KUBEADM_CONFIG_PATH = '/etc/kubernetes/kubeadm-config.yaml';
export const API_SERVER_PORT = 6443;

export class KubeadmConfigError extends Error {
  constructor(readonly error: Message) {
    super(`${error.key} ${JSON.stringify(error.params ?? {})}`);
    this.name = 'KubeadmConfigError';
  }
}

/** The config API the kubeadm of this Kubernetes version reads, or undefined when it reads neither. */
export function kubeadmApiVersion(kubernetes: string): KubeadmApiVersion | undefined {
  if (!atLeast(kubernetes, '1.22')) return undefined;
  return atLeast(kubernetes, '1.31') ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/** Whether this kubeadm still reads the given API version (for checking a file someone else wrote). */
export function kubeadmReads(kubernetes: string, apiVersion: string): boolean {
  if (apiVersion === 'kubeadm.k8s.io/v1beta4') return atLeast(kubernetes, '1.31');
  if (apiVersion === 'kubeadm.k8s.io/v1beta3') return atLeast(kubernetes, '1.22') && compareMinor(kubernetes, '1.35') < 0;
  return false;
}

export interface KubeadmConfigInput {
  kubernetesVersion: string;
  /** nodeRegistration.name: the Kubernetes node name. */
  nodeName: string;
  /** The address the API server advertises (the node's inner address). */
  advertiseAddress: string;
  /** host or host:port; :6443 is added when missing. */
  controlPlaneEndpoint: string;
  podSubnet: string;
  serviceSubnet: string;
  runtime: Runtime;
  /** Extra names/addresses on the API server certificate (the public address, the LB domain). */
  certSANs: string[];
  /** A private registry mirror of registry.k8s.io. */
  imageRepository?: string;
  apiServerExtraArgs?: Record<string, string>;
  kubeletExtraArgs?: Record<string, string>;
  dnsDomain?: string;
}

function withPort(endpoint: string): string {
  if (/^\[.*\]:\d+$/.test(endpoint) || /^[^:]+:\d+$/.test(endpoint)) return endpoint;
  return endpoint.includes(':') ? `[${endpoint}]:${API_SERVER_PORT}` : `${endpoint}:${API_SERVER_PORT}`;
}

/** map in v1beta3, list of {name, value} in v1beta4 (sorted, so the file is stable). */
function extraArgs(api: KubeadmApiVersion, args: Record<string, string>): Record<string, string> | Array<{ name: string; value: string }> {
  const names = Object.keys(args).sort();
  if (api === 'kubeadm.k8s.io/v1beta4') return names.map((name) => ({ name, value: args[name]! }));
  return Object.fromEntries(names.map((n) => [n, args[n]!]));
}

export function renderKubeadmConfig(input: KubeadmConfigInput): string {
  const api = kubeadmApiVersion(input.kubernetesVersion);
  if (!api) {
    throw new KubeadmConfigError({
      key: 'kubeadm.config.unsupported-version',
      params: { version: input.kubernetesVersion },
    });
  }
  const kubeletArgs = { 'node-ip': input.advertiseAddress, ...input.kubeletExtraArgs };
  const init = {
    apiVersion: api,
    kind: 'InitConfiguration',
    localAPIEndpoint: { advertiseAddress: input.advertiseAddress, bindPort: API_SERVER_PORT },
    nodeRegistration: {
      name: input.nodeName,
      criSocket: CRI_SOCKETS[input.runtime],
      imagePullPolicy: 'IfNotPresent',
      kubeletExtraArgs: extraArgs(api, kubeletArgs),
    },
  };
  const apiServer: Record<string, unknown> = { certSANs: [...new Set(input.certSANs)] };
  if (input.apiServerExtraArgs && Object.keys(input.apiServerExtraArgs).length > 0) {
    apiServer.extraArgs = extraArgs(api, input.apiServerExtraArgs);
  }
  const cluster: Record<string, unknown> = {
    apiVersion: api,
    kind: 'ClusterConfiguration',
    // Pinned: unpinned, kubeadm asks dl.k8s.io for "stable-1", which an air-gapped site cannot reach.
    kubernetesVersion: withV(input.kubernetesVersion),
    controlPlaneEndpoint: withPort(input.controlPlaneEndpoint),
    networking: {
      podSubnet: input.podSubnet,
      serviceSubnet: input.serviceSubnet,
      dnsDomain: input.dnsDomain ?? 'cluster.local',
    },
    apiServer,
  };
  if (input.imageRepository) {
    cluster.imageRepository = input.imageRepository;
    // Under a repository of its own kubeadm names CoreDNS `<repo>/coredns:<tag>`, dropping the `coredns/`
    // of registry.k8s.io/coredns/coredns; the site registry keeps the upstream path, so it is said here.
    cluster.dns = { imageRepository: `${input.imageRepository}/coredns` };
  }
  const kubelet = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // CRI-O and containerd (SystemdCgroup=true) as the platform sets them up both use the systemd driver.
    cgroupDriver: 'systemd',
  };
  const header = `# Generated by cp-installer for kubeadm ${withV(input.kubernetesVersion)} (${api}).\n`;
  return header + [init, cluster, kubelet].map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}

/** The kubeadm config of the plan's cloud control plane (edge mode: the single one). */
export function kubeadmConfigFromPlan(plan: Plan, release: Release, host: Host): KubeadmConfigInput {
  const inner = innerAddress(host);
  const endpoint = plan.cluster.loadBalancerDomain ?? inner;
  const sans = [inner, host.address, host.name];
  if (plan.cluster.loadBalancerDomain) sans.push(plan.cluster.loadBalancerDomain);
  return {
    kubernetesVersion: release.kubernetes,
    nodeName: host.name,
    advertiseAddress: inner,
    controlPlaneEndpoint: endpoint,
    podSubnet: plan.cluster.podCidr,
    serviceSubnet: plan.cluster.serviceCidr,
    runtime: plan.cluster.runtime,
    certSANs: sans,
    // The site registry (the plan's, or the deployer's serving the bundle) holds registry.k8s.io's images
    // under their upstream path.
    ...(offlineRegistry(plan) ? { imageRepository: offlineRegistry(plan)!.address } : {}),
  };
}
