// The standalone dry run on the platform's own tree (an offline bundle holding the v1.6.2 tree): it shows the
// tree placed at ~/cp-deployment, every placeholder filled, each change the plan makes to the platform's
// inventory, the hardening kept, the NFS export, the ingress manifest applied, Kyverno and the API LB.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDryRun } from '../../../core/install/dryrun.js';
import { InstallRun } from '../../../core/install/runner.js';
import { standaloneMode } from '../../../core/modes/standalone/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { haveUpstream, TREE_V162 } from './upstream.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function bundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cp-dry-bundle-'));
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  symlinkSync(TREE_V162, join(dir, 'cp-deployment'));
  return dir;
}

async function dryRun(plan: Plan): Promise<{ text: string; logs: string }> {
  const run = new InstallRun({
    runId: 'dry', workdir: '/nonexistent-workdir', mode: standaloneMode, plan, release: findRelease(plan.release)!,
    options: { overrides: [] }, secrets: {}, dryRun: true,
  });
  const lines: string[] = [];
  run.subscribe((e) => {
    if (e.type === 'log') lines.push(e.line);
  });
  const r = await run.start();
  expect(r.status, JSON.stringify(r.failure)).toBe('succeeded');
  return { text: formatDryRun(r.dryRun ?? []), logs: lines.join('\n') };
}

describe.skipIf(!haveUpstream)('standalone dry run on the v1.6.2 tree', () => {
  // Packs the 31 MB tree like a real run does: seconds on a quiet machine, more under load.
  it('NFS, Kyverno, HA with an API load balancer: every platform step visible', { timeout: 120_000 }, async () => {
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', user: 'ubuntu', keyPath: '/k', sudo: 'nopasswd' }],
      hosts: [
        { name: 'master1', address: '10.0.0.11', roles: ['control-plane', 'deployer'] },
        { name: 'master2', address: '10.0.0.12', roles: ['control-plane'] },
        { name: 'master3', address: '10.0.0.13', roles: ['control-plane'] },
        { name: 'worker1', address: '10.0.0.21', roles: ['worker'] },
        { name: 'nfs1', address: '10.0.0.30', roles: ['nfs'] },
        { name: 'lb1', address: '10.0.0.5', roles: ['lb'] },
      ],
      cluster: { name: 'ha', loadBalancerDomain: '10.0.0.100', etcdType: 'stacked', kyverno: true },
      network: { metallbRange: '10.0.0.200-10.0.0.210', ingressIp: '10.0.0.220' },
      storage: { type: 'nfs' },
      bundle: { path: bundle() },
    });
    const { text, logs } = await dryRun(plan);
    const all = `${text}\n${logs}`;
    // The tree where its roles look for it; the platform's templates filled.
    expect(text).toContain('mv cp-deployment.new cp-deployment');
    expect(all).toMatch(/kubeadm-setup\.yml: from .*kubeadm-setup\.yml\.tmpl, \{MASTER1_NODE_PUBLIC_IP\} = "10\.0\.0\.100"/);
    expect(all).toMatch(/storage\/defaults\/main\.yml: from .*, \{STORAGE_TYPE\} = "nfs"/);
    expect(all).toMatch(/kyverno\/defaults\/main\.yml: from .*, \{INSTALL_KYVERNO\} = "Y"/);
    // The inventory on the platform's: each change, and the hardening kept.
    expect(all).toContain('group_vars/all/all.yml: apiserver_loadbalancer_domain_name: (unset) → "10.0.0.100"');
    expect(all).toContain('group_vars/k8s_cluster/k8s-cluster.yml: kube_encrypt_secret_data: true (the platform\'s, kept)');
    expect(all).toContain('group_vars/k8s_cluster/k8s-cluster.yml: kubernetes_audit: true (the platform\'s, kept)');
    expect(all).toContain('tls_cipher_suites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"');
    // The NFS server and its export, before Kubespray.
    expect(all).toContain('/home/share/nfs 10.0.0.21(rw,no_root_squash,async)');
    expect(text).toContain('exportfs -ra');
    // The API load balancer.
    expect(text).toContain('bind 10.0.0.100:6443');
    expect(text).toContain('server master3 10.0.0.13:6443 check check-ssl verify none inter 10000');
    // After Kubespray: the platform's ingress-nginx manifest applied, then the ingress IP.
    expect(text).toContain('kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f cp-deployment/applications/ingress-nginx-1.12.1/deploy.yaml');
    expect(text).toContain('"loadBalancerIP":"10.0.0.220"');
    expect(text).toContain('--values cp-deployment/applications/nfs-subdir-external-provisioner-4.0.18/values.yaml');
    expect(text).toContain('cp-deployment/applications/kyverno-1.13.6/kyverno.yaml');
    const order = ['nfs-server', 'api-lb', 'kubespray', 'storage', 'ingress', 'kyverno', 'verify'].map((s) => text.indexOf(`## step ${s}`));
    for (let i = 1; i < order.length; i++) expect(order[i]!, `step ${i}`).toBeGreaterThan(order[i - 1]!);
    expect(text.indexOf('## step nfs-server')).toBeGreaterThan(-1);
  });
});
