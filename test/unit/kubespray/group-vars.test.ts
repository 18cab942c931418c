import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findRelease, type Release } from '../../../core/plan/catalog.js';
import { GROUP_VARS_FILES, kubeVersionFor, renderGroupVars } from '../../../core/tools/kubespray/group-vars.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from './plans.js';

const v162 = findRelease('k-paas-v1.6.2')!;
const v10 = findRelease('paasta-v1.0')!;

function vars(files: Record<string, string>, path: string): Record<string, unknown> {
  return parse(files[path]!) as Record<string, unknown>;
}

describe('kubeVersionFor', () => {
  it('drops the leading v from Kubespray 2.28 and keeps it before', () => {
    expect(kubeVersionFor(v162)).toBe('1.32.5');
    expect(kubeVersionFor(v10)).toBe('v1.18.6');
    expect(kubeVersionFor(findRelease('k-paas-v1.6.1')!)).toBe('v1.31.4');
  });
});

describe('renderGroupVars', () => {
  it('single master: the files and values the platform templates set', () => {
    const files = renderGroupVars(singleMaster(), v162);
    expect(Object.keys(files).sort()).toEqual([GROUP_VARS_FILES.all, GROUP_VARS_FILES.addons, GROUP_VARS_FILES.cluster].sort());
    expect(files[GROUP_VARS_FILES.all]).toMatchInlineSnapshot(`
      "---
      # group_vars/all/all.yml: settings for every host.
      # Written by cp-installer from the install plan; a complete file that replaces Kubespray's sample of the same name.

      ## Directory where the binaries will be installed
      bin_dir: /usr/local/bin

      ## Port of the local API load balancer on each node (the platform keeps it at 6443)
      loadbalancer_apiserver_port: 6443
      ## Health check port of that local load balancer
      loadbalancer_apiserver_healthcheck_port: 8081

      ## Time sync is left to the hosts, as in the platform's template
      ntp_enabled: false

      ## Keep secrets out of Ansible's output
      unsafe_show_logs: false
      "
    `);
    expect(files[GROUP_VARS_FILES.cluster]).toMatchInlineSnapshot(`
      "---
      # group_vars/k8s_cluster/k8s-cluster.yml: Kubernetes settings for every cluster node.
      # Written by cp-installer from the install plan; a complete file that replaces Kubespray's sample of the same name.

      ## Kubernetes version of release k-paas-v1.6.2 (no leading v from Kubespray 2.28)
      kube_version: 1.32.5

      ## Network plugin and the two address ranges; they must not overlap each other or the hosts' network.
      kube_network_plugin: calico
      kube_pods_subnet: 10.233.64.0/18
      kube_service_addresses: 10.233.0.0/18

      ## kube-proxy in IPVS mode with strict ARP: MetalLB's layer-2 mode needs it.
      kube_proxy_mode: ipvs
      kube_proxy_strict_arp: true

      ## Container runtime
      container_manager: crio

      ## Cluster name; kubeconfig contexts are named after it (cp-installer renames them in the copy it hands out).
      cluster_name: cluster.local

      ## etcd runs as a host service on the control planes (stacked).
      etcd_deployment_type: host

      ## Extra names and addresses in the API server certificate: the address users reach it by.
      supplementary_addresses_in_ssl_keys:
        - 203.0.113.10
      "
    `);
    expect(files[GROUP_VARS_FILES.addons]).toMatchInlineSnapshot(`
      "---
      # group_vars/k8s_cluster/addons.yml: cluster add-ons Kubespray installs.
      # Written by cp-installer from the install plan; a complete file that replaces Kubespray's sample of the same name.

      ## Helm, used later for the storage provisioner and the portal
      helm_enabled: true

      ## Metrics Server, as the platform enables it
      metrics_server_enabled: true

      ## ingress-nginx stays off here: cp-installer applies the platform's own manifest after the cluster is up.
      ingress_nginx_enabled: false

      ## Storage provisioners are installed after Kubespray (NFS provisioner or Rook-Ceph), not by it.
      local_path_provisioner_enabled: false

      ## MetalLB: pool "primary" hands out LoadBalancer addresses; pool "ingress-nginx" holds only the ingress
      ## address and is never handed out on its own (auto_assign false).
      metallb_enabled: true
      metallb_speaker_enabled: "{{ metallb_enabled }}"
      metallb_version: v0.14.9
      metallb_protocol: layer2
      metallb_config:
        address_pools:
          primary:
            ip_range:
              - 10.0.0.150-10.0.0.160
            auto_assign: true
          ingress-nginx:
            ip_range:
              - 10.0.0.170/32
            auto_assign: false
        layer2:
          - primary
          - ingress-nginx
      "
    `);
    const cluster = vars(files, GROUP_VARS_FILES.cluster);
    expect(cluster.kube_version).toBe('1.32.5');
    expect(cluster.supplementary_addresses_in_ssl_keys).toEqual(['203.0.113.10']);
    const addons = vars(files, GROUP_VARS_FILES.addons);
    expect(addons.metallb_config).toEqual({
      address_pools: {
        primary: { ip_range: ['10.0.0.150-10.0.0.160'], auto_assign: true },
        'ingress-nginx': { ip_range: ['10.0.0.170/32'], auto_assign: false },
      },
      layer2: ['primary', 'ingress-nginx'],
    });
    expect(vars(files, GROUP_VARS_FILES.all).loadbalancer_apiserver).toBeUndefined();
  });

  it('HA with external etcd: load balancer and etcd endpoints in all.yml', () => {
    const files = renderGroupVars(haExternalEtcd(), v162);
    expect(files[GROUP_VARS_FILES.all]).toMatchInlineSnapshot(`
      "---
      # group_vars/all/all.yml: settings for every host.
      # Written by cp-installer from the install plan; a complete file that replaces Kubespray's sample of the same name.

      ## Directory where the binaries will be installed
      bin_dir: /usr/local/bin

      ## Port of the local API load balancer on each node (the platform keeps it at 6443)
      loadbalancer_apiserver_port: 6443
      ## Health check port of that local load balancer
      loadbalancer_apiserver_healthcheck_port: 8081

      ## Time sync is left to the hosts, as in the platform's template
      ntp_enabled: false

      ## Keep secrets out of Ansible's output
      unsafe_show_logs: false

      ## HA Control Plane: every node reaches the API servers through this external load balancer.
      apiserver_loadbalancer_domain_name: k8s-api.example.internal
      loadbalancer_apiserver:
        # No address: the name resolves through DNS on every node.
        port: 6443
      ## The external load balancer replaces the per-node local proxy.
      loadbalancer_apiserver_localhost: false
      ## Kubernetes reaches etcd on these members directly; their certificates carry these addresses.
      etcd_access_addresses: "https://10.1.0.21:2379,https://10.1.0.22:2379,https://10.1.0.23:2379"
      etcd_client_url: "https://10.1.0.21:2379,https://10.1.0.22:2379,https://10.1.0.23:2379"
      etcd_cert_alt_ips:
        - 10.1.0.21
        - 10.1.0.22
        - 10.1.0.23
      "
    `);
    const all = vars(files, GROUP_VARS_FILES.all);
    expect(all.apiserver_loadbalancer_domain_name).toBe('k8s-api.example.internal');
    expect(all.loadbalancer_apiserver).toEqual({ port: 6443 });
    expect(all.loadbalancer_apiserver_localhost).toBe(false);
    expect(all.etcd_cert_alt_ips).toEqual(['10.1.0.21', '10.1.0.22', '10.1.0.23']);
    const cluster = vars(files, GROUP_VARS_FILES.cluster);
    expect(cluster.container_manager).toBe('containerd');
    expect(cluster.etcd_deployment_type).toBe('host');
    expect(cluster.supplementary_addresses_in_ssl_keys).toEqual(['k8s-api.example.internal', '10.1.0.11', '10.1.0.12', '10.1.0.13']);
  });

  it('an HA load balancer given as an address also becomes loadbalancer_apiserver.address', () => {
    const plan = haExternalEtcd();
    plan.cluster.loadBalancerDomain = '10.1.0.5';
    const all = vars(renderGroupVars(plan, v162), GROUP_VARS_FILES.all);
    expect(all.loadbalancer_apiserver).toEqual({ address: '10.1.0.5', port: 6443 });
  });

  it('rook-ceph behind a private registry with a bundle: offline.yml and the CIDRs', () => {
    const files = renderGroupVars(rookCephOffline(), v162);
    expect(files[GROUP_VARS_FILES.offline]).toMatchInlineSnapshot(`
      "---
      # group_vars/all/offline.yml: where Kubespray takes images and files from on a site without internet.
      # Written by cp-installer from the install plan; a complete file that replaces Kubespray's sample of the same name.
      # Shape: Kubespray's inventory/sample/group_vars/all/offline.yml and docs/operations/offline-environment.md.

      ## Private container image registry: every image Kubespray pulls comes from here.
      registry_host: registry.local:5000
      kube_image_repo: "{{ registry_host }}"
      gcr_image_repo: "{{ registry_host }}"
      github_image_repo: "{{ registry_host }}"
      docker_image_repo: "{{ registry_host }}"
      quay_image_repo: "{{ registry_host }}"
      ## The registry has no trusted TLS certificate: the runtimes may pull from it over plain HTTP / unverified TLS.
      crio_insecure_registries:
        - "{{ registry_host }}"
      containerd_registries_mirrors:
        - prefix: "{{ registry_host }}"
          mirrors:
            - host: "http://{{ registry_host }}"
              capabilities: ["pull", "resolve"]
              skip_verify: true

      ## HTTP mirror of the files Kubespray downloads, laid out by original domain (dl.k8s.io/, github.com/, ...).
      files_repo: http://192.168.10.11:8080
      kubeadm_download_url: "{{ files_repo }}/dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubeadm"
      kubectl_download_url: "{{ files_repo }}/dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubectl"
      kubelet_download_url: "{{ files_repo }}/dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubelet"
      cni_download_url: "{{ files_repo }}/github.com/containernetworking/plugins/releases/download/v{{ cni_version }}/cni-plugins-linux-{{ image_arch }}-v{{ cni_version }}.tgz"
      crictl_download_url: "{{ files_repo }}/github.com/kubernetes-sigs/cri-tools/releases/download/v{{ crictl_version }}/crictl-v{{ crictl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz"
      etcd_download_url: "{{ files_repo }}/github.com/etcd-io/etcd/releases/download/v{{ etcd_version }}/etcd-v{{ etcd_version }}-linux-{{ image_arch }}.tar.gz"
      calicoctl_download_url: "{{ files_repo }}/github.com/projectcalico/calico/releases/download/v{{ calico_ctl_version }}/calicoctl-linux-{{ image_arch }}"
      calico_crds_download_url: "{{ files_repo }}/github.com/projectcalico/calico/archive/v{{ calico_version }}.tar.gz"
      helm_download_url: "{{ files_repo }}/get.helm.sh/helm-v{{ helm_version }}-linux-{{ image_arch }}.tar.gz"
      runc_download_url: "{{ files_repo }}/github.com/opencontainers/runc/releases/download/v{{ runc_version }}/runc.{{ image_arch }}"
      crio_download_url: "{{ files_repo }}/storage.googleapis.com/cri-o/artifacts/cri-o.{{ image_arch }}.v{{ crio_version }}.tar.gz"
      containerd_download_url: "{{ files_repo }}/github.com/containerd/containerd/releases/download/v{{ containerd_version }}/containerd-{{ containerd_version }}-linux-{{ image_arch }}.tar.gz"
      nerdctl_download_url: "{{ files_repo }}/github.com/containerd/nerdctl/releases/download/v{{ nerdctl_version }}/nerdctl-{{ nerdctl_version }}-{{ ansible_system | lower }}-{{ image_arch }}.tar.gz"
      "
    `);
    const offline = vars(files, GROUP_VARS_FILES.offline);
    expect(offline.registry_host).toBe('registry.local:5000');
    expect(offline.files_repo).toBe('http://192.168.10.11:8080');
    expect(offline.kubeadm_download_url).toBe('{{ files_repo }}/dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubeadm');
    const cluster = vars(files, GROUP_VARS_FILES.cluster);
    expect(cluster).toMatchObject({ kube_pods_subnet: '10.244.0.0/16', kube_service_addresses: '10.96.0.0/12', container_manager: 'crio' });
    const withRepo = vars(renderGroupVars(rookCephOffline(), v162, { filesRepo: 'http://mirror:80' }), GROUP_VARS_FILES.offline);
    expect(withRepo.files_repo).toBe('http://mirror:80');
  });

  it('Kubespray before 2.21: MetalLB in metallb_ip_range / metallb_additional_address_pools, kube_version with v', () => {
    const files = renderGroupVars(singleMaster(), v10 as Release);
    const addons = vars(files, GROUP_VARS_FILES.addons);
    expect(addons.metallb_config).toBeUndefined();
    expect(addons.metallb_ip_range).toEqual(['10.0.0.150-10.0.0.160']);
    expect(addons.metallb_additional_address_pools).toEqual({
      'ingress-nginx': { ip_range: ['10.0.0.170/32'], protocol: 'layer2', auto_assign: false },
    });
    expect(vars(files, GROUP_VARS_FILES.cluster).kube_version).toBe('v1.18.6');
    const offline = renderGroupVars(rookCephOffline(), v10 as Release)[GROUP_VARS_FILES.offline]!;
    expect(offline).toContain('/dl.k8s.io/release/{{ kube_version }}/bin/');
  });

  it('every file is a YAML mapping with comments and no key written twice', () => {
    for (const plan of [singleMaster(), haExternalEtcd(), rookCephOffline()]) {
      for (const [path, text] of Object.entries(renderGroupVars(plan, v162))) {
        expect(text.startsWith('---\n# ' + path)).toBe(true);
        const keys = text.split('\n').filter((l) => /^[a-z_]+:/.test(l)).map((l) => l.split(':')[0]);
        expect(new Set(keys).size, path).toBe(keys.length);
        expect(typeof parse(text)).toBe('object');
      }
    }
  });
});
