import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findRelease } from '../../../core/plan/catalog.js';
import {
  applyVarChanges,
  GROUP_VARS_FILES,
  groupVarChanges,
  groupVarsFiles,
  kubeVersionFor,
  PLATFORM_INVENTORY,
  renderGroupVars,
} from '../../../core/tools/kubespray/group-vars.js';
import { fillPlaceholders, scriptValues } from '../../../core/tools/kubespray/placeholders.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from './plans.js';
import { haveUpstream, TREE_V162 } from './upstream.js';

const v162 = findRelease('k-paas-v1.6.2')!;
const v10 = findRelease('paasta-v1.0')!;
const STANDALONE = join(TREE_V162, 'standalone');

/** The platform's own files, as the inventory step reads them (a *.tmpl standing for its rendered file). */
function platformBase(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.values(GROUP_VARS_FILES)) {
    const p = join(STANDALONE, PLATFORM_INVENTORY, file);
    for (const candidate of [`${p}.tmpl`, p]) {
      try {
        out[file] = readFileSync(candidate, 'utf8');
        break;
      } catch {
        // next candidate
      }
    }
  }
  return out;
}

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

describe('groupVarChanges', () => {
  it('writes no version of any component: the tree decides them (no metallb_version, no kube_version)', () => {
    for (const plan of [singleMaster(), haExternalEtcd(), rookCephOffline()]) {
      const keys = groupVarChanges(plan, v162).map((c) => c.key);
      expect(keys.filter((k) => /_version$/.test(k))).toEqual([]);
    }
  });

  it('single master: only the CIDRs, runtime, certificate names and MetalLB pools; all.yml untouched', () => {
    const changes = groupVarChanges(singleMaster(), v162);
    expect(changes.map((c) => `${c.file} ${c.key}`)).toEqual([
      'group_vars/k8s_cluster/k8s-cluster.yml kube_pods_subnet',
      'group_vars/k8s_cluster/k8s-cluster.yml kube_service_addresses',
      'group_vars/k8s_cluster/k8s-cluster.yml container_manager',
      'group_vars/k8s_cluster/k8s-cluster.yml supplementary_addresses_in_ssl_keys',
      'group_vars/k8s_cluster/addons.yml metallb_enabled',
      'group_vars/k8s_cluster/addons.yml metallb_config',
    ]);
    for (const c of changes) expect(c.why).toBeTruthy();
  });

  it('HA: the block deploy-cp-cluster.sh adds after "## HA Control Plane"', () => {
    const all = Object.fromEntries(groupVarChanges(haExternalEtcd(), v162).filter((c) => c.file === GROUP_VARS_FILES.all).map((c) => [c.key, c.value]));
    expect(all).toEqual({
      apiserver_loadbalancer_domain_name: 'k8s-api.example.internal',
      loadbalancer_apiserver: { port: 6443 },
      loadbalancer_apiserver_localhost: false,
      download_container: true,
      etcd_access_addresses: 'https://10.1.0.21:2379,https://10.1.0.22:2379,https://10.1.0.23:2379',
      etcd_client_url: 'https://10.1.0.21:2379,https://10.1.0.22:2379,https://10.1.0.23:2379',
      etcd_cert_alt_ips: ['10.1.0.21', '10.1.0.22', '10.1.0.23'],
    });
  });

  it('an HA load balancer given as an address also becomes loadbalancer_apiserver.address', () => {
    const plan = haExternalEtcd();
    plan.cluster.loadBalancerDomain = '10.1.0.5';
    const lb = groupVarChanges(plan, v162).find((c) => c.key === 'loadbalancer_apiserver');
    expect(lb?.value).toEqual({ address: '10.1.0.5', port: 6443 });
  });

  it('Kubespray before 2.21 (the 2021 tree): metallb_ip_range and the legacy k8s-cluster folder, Docker', () => {
    const changes = groupVarChanges(singleMaster(), v10);
    expect(groupVarsFiles(v10).addons).toBe('group_vars/k8s-cluster/addons.yml');
    const addons = Object.fromEntries(changes.filter((c) => c.file === groupVarsFiles(v10).addons).map((c) => [c.key, c.value]));
    expect(addons.metallb_ip_range).toEqual(['10.0.0.150-10.0.0.160']);
    expect(addons.metallb_config).toBeUndefined();
    expect(changes.find((c) => c.key === 'container_manager')?.value).toBe('docker');
  });
});

describe('applyVarChanges', () => {
  it('a missing base file becomes a mapping of just the changes', () => {
    const { text, log } = applyVarChanges('f.yml', undefined, [{ file: 'f.yml', key: 'a', value: [1, 2], why: 'test' }]);
    expect(parse(text)).toEqual({ a: [1, 2] });
    expect(text).toContain('# cp-installer: test');
    expect(log).toEqual(['f.yml: a: (unset) → [1,2] — test']);
  });

  it('keeps every other key and comment, changes in place, removes on undefined, and is idempotent', () => {
    const base = '---\n# top\nkeep: 1  # why\nx: old\n# about y\ny: {A}\n';
    const changes = [
      { file: 'f.yml', key: 'x', value: 'new', why: 'plan: x' },
      { file: 'f.yml', key: 'y', value: undefined, why: 'gone' },
    ];
    const once = applyVarChanges('f.yml', base, changes);
    expect(parse(once.text)).toEqual({ keep: 1, x: 'new' });
    expect(once.text).toContain('keep: 1 # why');
    expect(once.text).toContain('# top');
    expect(once.log).toEqual(['f.yml: x: "old" → "new" — plan: x', 'f.yml: y: {"A":null} → (removed) — gone']);
    const twice = applyVarChanges('f.yml', once.text, changes);
    expect(twice.text).toBe(once.text);
    expect(twice.log).toEqual(['f.yml: x: "new" (kept) — plan: x']);
  });
});

describe.skipIf(!haveUpstream)('renderGroupVars on the platform\'s own inventory (v1.6.2 tree)', () => {
  it('single master: the platform\'s hardening survives; placeholders replaced by the plan\'s pools', () => {
    const { files, log } = renderGroupVars(singleMaster(), v162, platformBase());
    const cluster = vars(files, GROUP_VARS_FILES.cluster);
    // The platform's settings, kept.
    expect(cluster.kube_encrypt_secret_data).toBe(true);
    expect(cluster.kubernetes_audit).toBe(true);
    expect(cluster.tls_cipher_suites).toEqual([
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    ]);
    expect(cluster.kube_proxy_strict_arp).toBe(true);
    expect(cluster.kube_version).toBeUndefined();
    // The plan's.
    expect(cluster.supplementary_addresses_in_ssl_keys).toEqual(['203.0.113.10']);
    const addons = vars(files, GROUP_VARS_FILES.addons);
    expect(addons.helm_enabled).toBe(true);
    expect(addons.metrics_server_enabled).toBe(true);
    expect(addons.ingress_nginx_enabled).toBe(false);
    expect(addons.metallb_version).toBeUndefined();
    expect(addons.metallb_config).toEqual({
      address_pools: {
        primary: { ip_range: ['10.0.0.150-10.0.0.160'], auto_assign: true },
        'ingress-nginx': { ip_range: ['10.0.0.170/32'], auto_assign: false },
      },
      layer2: ['primary', 'ingress-nginx'],
    });
    expect(files[GROUP_VARS_FILES.addons]).not.toMatch(/\{[A-Z_]+\}/);
    // Single master: the platform's all.yml is not touched at all.
    expect(files[GROUP_VARS_FILES.all]).toBeUndefined();
    expect(log.some((l) => l.includes('container_manager: "crio" (kept)'))).toBe(true);
    expect(log.some((l) => l.startsWith('group_vars/k8s_cluster/addons.yml: metallb_config:'))).toBe(true);
  });

  it('every key of the platform\'s files that the plan does not decide is kept with its value', { timeout: 60_000 }, () => {
    const base = platformBase();
    for (const plan of [singleMaster(), haExternalEtcd(), rookCephOffline()]) {
      const { files, changes } = renderGroupVars(plan, v162, base);
      for (const [file, text] of Object.entries(files)) {
        const before = (parse(fillPlaceholders(base[file] ?? '', scriptValues(plan)).text) ?? {}) as Record<string, unknown>;
        const after = parse(text) as Record<string, unknown>;
        const decided = new Set(changes.filter((c) => c.file === file).map((c) => c.key));
        for (const [k, v] of Object.entries(before)) if (!decided.has(k)) expect(after[k], `${file} ${k}`).toEqual(v);
      }
    }
  });

  it('rook-ceph offline: offline.yml is the platform\'s sample plus the registry and the file mirror', () => {
    const { files } = renderGroupVars(rookCephOffline(), v162, platformBase());
    const offline = vars(files, GROUP_VARS_FILES.offline);
    expect(offline.registry_host).toBe('registry.local:5000');
    expect(offline.files_repo).toBe('http://192.168.10.11:8080');
    expect(offline.kubeadm_download_url).toBe('{{ files_repo }}/dl.k8s.io/release/v{{ kube_version }}/bin/linux/{{ image_arch }}/kubeadm');
    expect(offline.crio_insecure_registries).toEqual(['{{ registry_host }}']);
    const cluster = vars(files, GROUP_VARS_FILES.cluster);
    expect([cluster.kube_pods_subnet, cluster.kube_service_addresses]).toEqual(['10.244.0.0/16', '10.96.0.0/12']);
  });
});
