// After Kubespray: storage, the ingress IP and verification, run on master 1 with the real helm and kubectl
// command lines against the cluster's admin kubeconfig (root-owned, hence sudo).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { msg } from '../../common/messages.js';
import { shellJoin } from '../../common/quote.js';
import { hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import { getNodesCommand, parseNodes } from '../../tools/kubectl/nodes.js';
import { getPodsCommand, podNodes } from '../../tools/kubectl/cloud.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { clusterNodes, workspace } from './deployer.js';

export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const STORAGE_CLASS = 'cp-storageclass';

const NFS_REPO = 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/';
const ROOK_REPO = 'https://charts.rook.io/release';

export interface HelmRelease {
  release: string;
  chart: string;
  repo: string;
  namespace: string;
  version: string;
  values: Record<string, unknown>;
}

/** The helm releases the plan's storage needs, in install order (values as the platform's roles set them). */
export function storageReleases(plan: Plan, versions: { nfsProvisioner?: string; rookCeph?: string }): HelmRelease[] {
  if (plan.storage.type === 'nfs') {
    const server = plan.storage.nfs?.server ?? hostsWithRole(plan, 'nfs')[0]?.privateAddress ?? hostsWithRole(plan, 'nfs')[0]?.address;
    return [
      {
        release: 'nfs-subdir-external-provisioner',
        chart: 'nfs-subdir-external-provisioner',
        repo: NFS_REPO,
        namespace: 'nfs-provisioner',
        version: versions.nfsProvisioner ?? '4.0.18',
        values: {
          nfs: { server: server ?? '', path: plan.storage.nfs?.path ?? '/home/share/nfs' },
          storageClass: { name: STORAGE_CLASS, defaultClass: true, reclaimPolicy: 'Retain', archiveOnDelete: true },
        },
      },
    ];
  }
  const v = versions.rookCeph ?? '1.16.4';
  return [
    { release: 'rook-ceph', chart: 'rook-ceph', repo: ROOK_REPO, namespace: 'rook-ceph', version: `v${v.replace(/^v/, '')}`, values: {} },
    {
      release: 'rook-ceph-cluster',
      chart: 'rook-ceph-cluster',
      repo: ROOK_REPO,
      namespace: 'rook-ceph',
      version: `v${v.replace(/^v/, '')}`,
      values: {
        operatorNamespace: 'rook-ceph',
        toolbox: { enabled: true },
        cephBlockPools: [
          {
            name: 'replicapool',
            spec: { failureDomain: 'host', replicated: { size: 3 } },
            storageClass: { enabled: true, name: STORAGE_CLASS, isDefault: true, reclaimPolicy: 'Retain', allowVolumeExpansion: true },
          },
        ],
        cephFileSystems: [],
        cephObjectStores: [],
      },
    },
  ];
}

/** A chart shipped in the offline bundle (`<bundle>/charts/<chart>-<version>.tgz`), if there is one. */
function bundledChart(plan: Plan, r: HelmRelease): string | undefined {
  const bundle = plan.bundle?.path;
  if (!bundle) return undefined;
  const file = join(bundle, 'charts', `${r.chart}-${r.version.replace(/^v/, '')}.tgz`);
  return existsSync(file) ? file : undefined;
}

export function helmInstallCommand(r: HelmRelease, valuesFile: string, chartRef: { path: string } | { repo: string }): string {
  const chart = 'path' in chartRef ? [chartRef.path] : [r.chart, '--repo', chartRef.repo];
  return shellJoin([
    'helm', 'upgrade', '--install', r.release, ...chart,
    '--kubeconfig', ADMIN_CONF,
    '--namespace', r.namespace, '--create-namespace',
    '--version', r.version,
    '--values', valuesFile,
    '--wait', '--timeout', '15m',
  ]);
}

export function helmStatusCommand(r: HelmRelease): string {
  return shellJoin(['helm', 'status', r.release, '--kubeconfig', ADMIN_CONF, '--namespace', r.namespace]);
}

export function ingressPatchCommand(ip: string): string {
  return shellJoin([
    'kubectl', '--kubeconfig', ADMIN_CONF, '-n', 'ingress-nginx', 'patch', 'svc', 'ingress-nginx-controller',
    '-p', JSON.stringify({ spec: { loadBalancerIP: ip } }),
  ]);
}

export function ingressGetCommand(): string {
  return shellJoin([
    'kubectl', '--kubeconfig', ADMIN_CONF, '-n', 'ingress-nginx', 'get', 'svc', 'ingress-nginx-controller',
    '-o', 'jsonpath={.spec.loadBalancerIP}',
  ]);
}

export interface Verdict {
  notReady: string[];
  podsNotRunning: string[];
}

/** Every planned node Ready, and every kube-system pod Running (or a finished job's Succeeded). */
export function verifyCluster(nodesJson: string, podsJson: string, expected: string[]): Verdict {
  const nodes = new Map(parseNodes(nodesJson).map((n) => [n.name, n]));
  const notReady = expected.filter((name) => !nodes.get(name)?.ready);
  const podsNotRunning = podNodes(podsJson)
    .filter((p) => p.phase !== 'Running' && p.phase !== 'Succeeded')
    .map((p) => `${p.name} (${p.phase ?? 'unknown'})`);
  return { notReady, podsNotRunning };
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function clusterSteps(plan: Plan, master: Host, needs: string[]): Step[] {
  const m = master.name;
  const ws = workspace(plan);

  const storage: Step = {
    id: 'storage',
    title: msg('step.storage', { type: plan.storage.type }),
    hosts: [m],
    needs,
    // helm upgrade --install converges to the same release when repeated.
    retry: { attempts: 2, delayMs: 5000 },
    async isDone(ctx) {
      const releases = storageReleases(ctx.plan, ctx.release.storage ?? {});
      for (const r of releases) {
        const st = await ctx.exec(m, helmStatusCommand(r), { sudo: true, check: false, quiet: true });
        if (st.code !== 0) return false;
      }
      return true;
    },
    async run(ctx) {
      await ctx.exec(m, shellJoin(['mkdir', '-p', `${ws}/storage`]));
      for (const r of storageReleases(ctx.plan, ctx.release.storage ?? {})) {
        const valuesFile = `${ws}/storage/${r.release}-values.yaml`;
        await ctx.upload(m, `# Values cp-installer passes to helm for ${r.release} ${r.version}.\n${stringify(r.values)}`, valuesFile, { mode: 0o644 });
        const local = bundledChart(ctx.plan, r);
        let chartRef: { path: string } | { repo: string } = { repo: r.repo };
        if (local) {
          const { readFileSync } = await import('node:fs');
          const remote = `${ws}/storage/${r.chart}-${r.version}.tgz`;
          await ctx.upload(m, readFileSync(local), remote, { mode: 0o644, describe: `chart ${local}` });
          chartRef = { path: remote };
        }
        await ctx.exec(m, helmInstallCommand(r, valuesFile, chartRef), { sudo: true, timeoutMs: 20 * 60_000 });
      }
    },
  };

  const ingress: Step = {
    id: 'ingress',
    title: msg('step.ingress'),
    hosts: [m],
    needs: ['storage'],
    // The service may not exist for a little while after the playbook; a patch is idempotent.
    retry: { attempts: 5, delayMs: 5000 },
    async isDone(ctx) {
      const ip = ctx.plan.network.ingressIp;
      if (!ip) return true;
      const r = await ctx.exec(m, ingressGetCommand(), { sudo: true, check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === ip;
    },
    async run(ctx) {
      const ip = ctx.plan.network.ingressIp;
      if (!ip) {
        ctx.log('no ingress IP in the plan: nothing to patch');
        return;
      }
      await ctx.exec(m, ingressPatchCommand(ip), { sudo: true });
    },
  };

  const verify: Step = {
    id: 'verify',
    title: msg('step.verify'),
    hosts: [m],
    needs: ['ingress'],
    async run(ctx: StepContext) {
      const expected = clusterNodes(ctx.plan).map((h) => h.name);
      const timeoutSec = Number(ctx.options.verifyTimeoutSec ?? 600);
      const deadline = Date.now() + timeoutSec * 1000;
      for (;;) {
        const nodes = await ctx.exec(m, getNodesCommand(ADMIN_CONF), { sudo: true, quiet: true, dryRunResult: { stdout: '{"items":[]}' } });
        const pods = await ctx.exec(m, getPodsCommand(ADMIN_CONF, 'kube-system'), { sudo: true, quiet: true, dryRunResult: { stdout: '{"items":[]}' } });
        if (ctx.dryRun) return;
        const v = verifyCluster(nodes.stdout, pods.stdout, expected);
        const ready = expected.length - v.notReady.length;
        ctx.progress(expected.length ? ready / expected.length : 1, `${ready}/${expected.length} nodes Ready`);
        if (v.notReady.length === 0 && v.podsNotRunning.length === 0) {
          ctx.log(`all ${expected.length} nodes Ready, kube-system pods Running`);
          return;
        }
        if (Date.now() >= deadline || ctx.signal.aborted) {
          if (v.notReady.length) throw new StepError(msg('install.nodes-not-ready', { nodes: v.notReady.join(', ') }), { host: m, message: `not Ready: ${v.notReady.join(', ')}` });
          throw new StepError(msg('install.pods-not-running', { pods: v.podsNotRunning.join(', ') }), { host: m, message: `not Running: ${v.podsNotRunning.join(', ')}` });
        }
        ctx.log(`waiting: not Ready [${v.notReady.join(', ')}], pods not Running [${v.podsNotRunning.join(', ')}]`);
        await wait(Math.min(10_000, Math.max(500, deadline - Date.now())), ctx.signal);
      }
    },
  };

  return [storage, ingress, verify];
}


