// group_vars for Kubespray, from the plan and the release's versions: what the platform's deploy script
// renders from its *.tmpl files (PAASTA.md §1.1 step 9) plus what the plan adds (registry, offline files).
// Each file is complete and commented. Precedence: Ansible loads the files of one group_vars/<group>/ folder
// in alphabetical order (the last one wins on a repeated key), and group_vars/k8s_cluster/ wins over
// group_vars/all/ for the cluster's hosts. No key is written twice, so the order never decides a value.
import type { Release } from '../../plan/catalog.js';
import { deployerHost, hostsWithRole, innerAddress, type Plan } from '../../plan/schema.js';
import { inventoryGroups } from './inventory.js';
import { list, scalar } from './yaml-text.js';

export const GROUP_VARS_FILES = {
  all: 'group_vars/all/all.yml',
  offline: 'group_vars/all/offline.yml',
  cluster: 'group_vars/k8s_cluster/k8s-cluster.yml',
  addons: 'group_vars/k8s_cluster/addons.yml',
} as const;

export interface GroupVarsOptions {
  /** HTTP mirror of Kubespray's downloads on an air-gapped site (Kubespray's files_repo). When the plan has
   *  an offline bundle and this is absent: http://<deployer's inner address>:8080 */
  filesRepo?: string;
}

function versionParts(v: string): number[] {
  return v.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
}

/** Kubespray 2.28 dropped the leading `v` of kube_version. */
export function kubeVersionFor(release: Release): string {
  const [major = 0, minor = 0] = versionParts(release.kubespray.version);
  const bare = release.kubernetes.replace(/^v/, '');
  return major > 2 || (major === 2 && minor >= 28) ? bare : `v${bare}`;
}

/** The address users and certificates name for the API server: the HA load balancer, else master 1's address. */
export function apiServerHost(plan: Plan): string | undefined {
  return plan.cluster.loadBalancerDomain ?? hostsWithRole(plan, 'control-plane')[0]?.address;
}

/** Kubespray 2.21 moved MetalLB's settings into metallb_config (address_pools, layer2, layer3). */
function usesMetallbConfig(release: Release): boolean {
  const [major = 0, minor = 0] = versionParts(release.kubespray.version);
  return major > 2 || (major === 2 && minor >= 21);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function header(path: string, what: string): string[] {
  return [
    '---',
    `# ${path}: ${what}`,
    '# Written by cp-installer from the install plan; a complete file that replaces Kubespray\'s sample of the same name.',
  ];
}

function renderAll(plan: Plan): string {
  const groups = inventoryGroups(plan);
  const out = header(GROUP_VARS_FILES.all, 'settings for every host.');
  out.push(
    '',
    '## Directory where the binaries will be installed',
    'bin_dir: /usr/local/bin',
    '',
    '## Port of the local API load balancer on each node (the platform keeps it at 6443)',
    'loadbalancer_apiserver_port: 6443',
    '## Health check port of that local load balancer',
    'loadbalancer_apiserver_healthcheck_port: 8081',
    '',
    '## Time sync is left to the hosts, as in the platform\'s template',
    'ntp_enabled: false',
    '',
    '## Keep secrets out of Ansible\'s output',
    'unsafe_show_logs: false',
  );
  const lb = plan.cluster.loadBalancerDomain;
  if (groups.controlPlanes.length > 1 || lb) {
    out.push('', '## HA Control Plane: every node reaches the API servers through this external load balancer.');
    if (lb) {
      out.push(`apiserver_loadbalancer_domain_name: ${scalar(lb)}`);
      out.push('loadbalancer_apiserver:');
      if (IPV4.test(lb)) out.push(`  address: ${scalar(lb)}`);
      else out.push('  # No address: the name resolves through DNS on every node.');
      out.push('  port: 6443');
    }
    out.push('## The external load balancer replaces the per-node local proxy.', 'loadbalancer_apiserver_localhost: false');
    const etcdUrls = groups.etcd.map((h) => `https://${innerAddress(h)}:2379`).join(',');
    out.push(
      '## Kubernetes reaches etcd on these members directly; their certificates carry these addresses.',
      `etcd_access_addresses: ${scalar(etcdUrls)}`,
      `etcd_client_url: ${scalar(etcdUrls)}`,
      'etcd_cert_alt_ips:',
      ...list(groups.etcd.map(innerAddress), '  '),
    );
  }
  return out.join('\n') + '\n';
}

function renderOffline(plan: Plan, release: Release, options: GroupVarsOptions): string | undefined {
  if (!plan.registry && !plan.bundle) return undefined;
  const out = header(GROUP_VARS_FILES.offline, 'where Kubespray takes images and files from on a site without internet.');
  out.push('# Shape: Kubespray\'s inventory/sample/group_vars/all/offline.yml and docs/operations/offline-environment.md.');
  if (plan.registry) {
    out.push(
      '',
      '## Private container image registry: every image Kubespray pulls comes from here.',
      `registry_host: ${scalar(plan.registry.address)}`,
      'kube_image_repo: "{{ registry_host }}"',
      'gcr_image_repo: "{{ registry_host }}"',
      'github_image_repo: "{{ registry_host }}"',
      'docker_image_repo: "{{ registry_host }}"',
      'quay_image_repo: "{{ registry_host }}"',
    );
    if (plan.registry.insecure) {
      out.push(
        '## The registry has no trusted TLS certificate: the runtimes may pull from it over plain HTTP / unverified TLS.',
        'crio_insecure_registries:',
        '  - "{{ registry_host }}"',
        'containerd_registries_mirrors:',
        '  - prefix: "{{ registry_host }}"',
        '    mirrors:',
        '      - host: "http://{{ registry_host }}"',
        '        capabilities: ["pull", "resolve"]',
        '        skip_verify: true',
      );
    }
  }
  if (plan.bundle) {
    const deployer = deployerHost(plan);
    const repo = options.filesRepo ?? (deployer ? `http://${innerAddress(deployer)}:8080` : undefined);
    if (repo) {
      // Before 2.28 kube_version carries its own `v`.
      const v = kubeVersionFor(release).startsWith('v') ? '' : 'v';
      out.push(
        '',
        '## HTTP mirror of the files Kubespray downloads, laid out by original domain (dl.k8s.io/, github.com/, ...).',
        `files_repo: ${scalar(repo)}`,
        `kubeadm_download_url: "{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubeadm"`,
        `kubectl_download_url: "{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubectl"`,
        `kubelet_download_url: "{{ files_repo }}/dl.k8s.io/release/${v}{{ kube_version }}/bin/linux/{{ image_arch }}/kubelet"`,
        'cni_download_url: "{{ files_repo }}/github.com/containernetworking/plugins/releases/download/v{{ cni_version }}/cni-plugins-linux-{{ image_arch }}-v{{ cni_version }}.tgz"',
        'crictl_download_url: "{{ files_repo }}/github.com/kubernetes-sigs/cri-tools/releases/download/v{{ crictl_version }}/crictl-v{{ crictl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz"',
        'etcd_download_url: "{{ files_repo }}/github.com/etcd-io/etcd/releases/download/v{{ etcd_version }}/etcd-v{{ etcd_version }}-linux-{{ image_arch }}.tar.gz"',
        'calicoctl_download_url: "{{ files_repo }}/github.com/projectcalico/calico/releases/download/v{{ calico_ctl_version }}/calicoctl-linux-{{ image_arch }}"',
        'calico_crds_download_url: "{{ files_repo }}/github.com/projectcalico/calico/archive/v{{ calico_version }}.tar.gz"',
        'helm_download_url: "{{ files_repo }}/get.helm.sh/helm-v{{ helm_version }}-linux-{{ image_arch }}.tar.gz"',
        'runc_download_url: "{{ files_repo }}/github.com/opencontainers/runc/releases/download/v{{ runc_version }}/runc.{{ image_arch }}"',
        'crio_download_url: "{{ files_repo }}/storage.googleapis.com/cri-o/artifacts/cri-o.{{ image_arch }}.v{{ crio_version }}.tar.gz"',
        'containerd_download_url: "{{ files_repo }}/github.com/containerd/containerd/releases/download/v{{ containerd_version }}/containerd-{{ containerd_version }}-linux-{{ image_arch }}.tar.gz"',
        'nerdctl_download_url: "{{ files_repo }}/github.com/containerd/nerdctl/releases/download/v{{ nerdctl_version }}/nerdctl-{{ nerdctl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz"',
      );
    }
  }
  return out.join('\n') + '\n';
}

function renderCluster(plan: Plan, release: Release): string {
  const groups = inventoryGroups(plan);
  const out = header(GROUP_VARS_FILES.cluster, 'Kubernetes settings for every cluster node.');
  const sans = [...new Set([apiServerHost(plan), ...groups.controlPlanes.map((h) => h.address)].filter((a): a is string => !!a))];
  out.push(
    '',
    `## Kubernetes version of release ${release.name}${kubeVersionFor(release).startsWith('v') ? '' : ' (no leading v from Kubespray 2.28)'}`,
    `kube_version: ${scalar(kubeVersionFor(release))}`,
    '',
    '## Network plugin and the two address ranges; they must not overlap each other or the hosts\' network.',
    'kube_network_plugin: calico',
    `kube_pods_subnet: ${scalar(plan.cluster.podCidr)}`,
    `kube_service_addresses: ${scalar(plan.cluster.serviceCidr)}`,
    '',
    '## kube-proxy in IPVS mode with strict ARP: MetalLB\'s layer-2 mode needs it.',
    'kube_proxy_mode: ipvs',
    'kube_proxy_strict_arp: true',
    '',
    '## Container runtime',
    `container_manager: ${scalar(plan.cluster.runtime)}`,
    '',
    '## Cluster name; kubeconfig contexts are named after it (cp-installer renames them in the copy it hands out).',
    'cluster_name: cluster.local',
    '',
    plan.cluster.etcdType === 'external'
      ? '## etcd runs as a host service on its own hosts (the inventory\'s etcd group).'
      : '## etcd runs as a host service on the control planes (stacked).',
    'etcd_deployment_type: host',
    '',
    '## Extra names and addresses in the API server certificate: the address users reach it by.',
    'supplementary_addresses_in_ssl_keys:',
    ...list(sans, '  '),
  );
  return out.join('\n') + '\n';
}

function renderAddons(plan: Plan, release: Release): string {
  const out = header(GROUP_VARS_FILES.addons, 'cluster add-ons Kubespray installs.');
  const metallb = !!(plan.network.metallbRange || plan.network.ingressIp);
  out.push(
    '',
    '## Helm, used later for the storage provisioner and the portal',
    'helm_enabled: true',
    '',
    '## Metrics Server, as the platform enables it',
    'metrics_server_enabled: true',
    '',
    '## ingress-nginx stays off here: cp-installer applies the platform\'s own manifest after the cluster is up.',
    'ingress_nginx_enabled: false',
    '',
    '## Storage provisioners are installed after Kubespray (NFS provisioner or Rook-Ceph), not by it.',
    'local_path_provisioner_enabled: false',
    '',
    '## MetalLB: pool "primary" hands out LoadBalancer addresses; pool "ingress-nginx" holds only the ingress',
    '## address and is never handed out on its own (auto_assign false).',
    `metallb_enabled: ${metallb}`,
    'metallb_speaker_enabled: "{{ metallb_enabled }}"',
  );
  if (release.metallb) out.push(`metallb_version: ${scalar(`v${release.metallb.replace(/^v/, '')}`)}`);
  if (metallb && !usesMetallbConfig(release)) {
    // Kubespray before 2.21 (MetalLB 0.12 and older, ConfigMap-based) has no metallb_config.
    out.push('metallb_protocol: layer2');
    if (plan.network.metallbRange) out.push('metallb_ip_range:', ...list([plan.network.metallbRange], '  '));
    if (plan.network.ingressIp) {
      out.push(
        'metallb_additional_address_pools:',
        '  ingress-nginx:',
        '    ip_range:',
        ...list([`${plan.network.ingressIp}/32`], '      '),
        '    protocol: layer2',
        '    auto_assign: false',
      );
    }
  } else if (metallb) {
    out.push('metallb_protocol: layer2', 'metallb_config:', '  address_pools:');
    const l2: string[] = [];
    if (plan.network.metallbRange) {
      out.push('    primary:', '      ip_range:', ...list([plan.network.metallbRange], '        '), '      auto_assign: true');
      l2.push('primary');
    }
    if (plan.network.ingressIp) {
      out.push('    ingress-nginx:', '      ip_range:', ...list([`${plan.network.ingressIp}/32`], '        '), '      auto_assign: false');
      l2.push('ingress-nginx');
    }
    out.push('  layer2:', ...list(l2, '    '));
  }
  return out.join('\n') + '\n';
}

/** Relative path (under inventory/<cluster>/) → file text. */
export function renderGroupVars(plan: Plan, release: Release, options: GroupVarsOptions = {}): Record<string, string> {
  const files: Record<string, string> = {
    [GROUP_VARS_FILES.all]: renderAll(plan),
    [GROUP_VARS_FILES.cluster]: renderCluster(plan, release),
    [GROUP_VARS_FILES.addons]: renderAddons(plan, release),
  };
  const offline = renderOffline(plan, release, options);
  if (offline) files[GROUP_VARS_FILES.offline] = offline;
  return files;
}
