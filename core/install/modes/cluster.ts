// After Kubespray: storage, the ingress IP and verification, run on master 1 with the real helm and kubectl
// command lines against the cluster's admin kubeconfig (root-owned, hence sudo).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sleep } from '../../common/async.js';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { clusterNodes, deployerHost, hostsWithRole, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { getNodesCommand, parseNodes } from '../../tools/kubectl/nodes.js';
import { getPodsCommand, podNodes } from '../../tools/kubectl/cloud.js';
import { kubectlApply, patchServiceLoadBalancerIp, rolloutStatus, serviceLoadBalancerIp, setDefaultStorageClass } from '../../tools/kubectl/commands.js';
import { helmStatus, helmUpgradeInstall } from '../../tools/helm/commands.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { apiLbStep, hasApiLb } from './api-lb.js';
import { PLATFORM_TREE, workspace } from './deployer.js';

export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const STORAGE_CLASS = 'cp-storageclass';

const NFS_REPO = 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/';

export interface HelmRelease {
  release: string;
  chart: string;
  repo: string;
  namespace: string;
  version: string;
  values: Record<string, unknown>;
}

/** The helm releases the plan's storage needs (NFS: the platform's provisioner; Rook-Ceph is manifests, below). */
export function storageReleases(plan: Plan, versions: { nfsProvisioner?: string; rookCeph?: string }): HelmRelease[] {
  if (plan.storage.type !== 'nfs') return [];
  const server = plan.storage.nfs?.server ?? nfsServerAddress(plan);
  return [
    {
      release: 'nfs-subdir-external-provisioner',
      chart: 'nfs-subdir-external-provisioner',
      repo: NFS_REPO,
      namespace: 'default',
      version: versions.nfsProvisioner ?? '4.0.18',
      // Over the platform's values.yaml (its image, provisioner name, Retain): the plan's server and path.
      values: {
        nfs: { server: server ?? '', path: plan.storage.nfs?.path ?? '/home/share/nfs' },
        storageClass: { name: STORAGE_CLASS, defaultClass: true, reclaimPolicy: 'Retain' },
      },
    },
  ];
}

/** The NFS server's address the nodes mount: the plan's `nfs` host (its inner address). */
export function nfsServerAddress(plan: Plan): string | undefined {
  const host = hostsWithRole(plan, 'nfs')[0];
  return host ? innerAddress(host) : undefined;
}

/** /etc/exports lines as the platform's NFS guide writes them: one per cluster node, rw,no_root_squash,async. */
export function nfsExports(plan: Plan): string[] {
  const path = plan.storage.nfs?.path ?? '/home/share/nfs';
  return [...new Set(clusterNodes(plan).map(innerAddress))].map((ip) => `${path} ${ip}(rw,no_root_squash,async)`);
}

/** The NFS server on the plan's `nfs` host (the guide's nfs-server-install-guide), idempotent: packages,
 *  the shared folder, each export line appended only when missing, then exportfs re-reads them. */
export function nfsServerCommand(plan: Plan): string {
  const path = plan.storage.nfs?.path ?? '/home/share/nfs';
  const lines = nfsExports(plan);
  return [
    `{ dpkg -s nfs-kernel-server >/dev/null 2>&1 || { ${shellJoin(['apt-get', 'update'])} && ${shellJoin(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'nfs-common', 'nfs-kernel-server'])}; }; }`,
    shellJoin(['mkdir', '-p', path]),
    shellJoin(['chmod', '777', path]),
    'touch /etc/exports',
    ...lines.map((l) => `{ grep -qxF ${shq(l)} /etc/exports || printf '%s\\n' ${shq(l)} >> /etc/exports; }`),
    'exportfs -ra',
    'exportfs -v',
  ].join(' && ');
}

/** A chart shipped in the offline bundle (`<bundle>/charts/<chart>-<version>.tgz`), if there is one. */
function bundledChart(plan: Plan, r: HelmRelease): string | undefined {
  const bundle = plan.bundle?.path;
  if (!bundle) return undefined;
  const file = join(bundle, 'charts', `${r.chart}-${r.version.replace(/^v/, '')}.tgz`);
  return existsSync(file) ? file : undefined;
}

// The helm and kubectl command lines are the tool adapters' (core/tools/helm, core/tools/kubectl); these
// bind them to the cluster's admin kubeconfig.
export function helmInstallCommand(r: HelmRelease, valuesFiles: string | string[], chartRef: { path: string } | { repo: string }): string {
  return helmUpgradeInstall(ADMIN_CONF, r, valuesFiles, chartRef);
}

/** `kubectl apply` of manifests, server-side (Kyverno's and Rook's CRDs are too big for the last-applied annotation). */
export function applyCommand(files: string[], opts: { serverSide?: boolean } = {}): string {
  return kubectlApply(ADMIN_CONF, files, opts);
}

/** The manifests the platform's cp/storage role applies for Rook-Ceph, in its order, with CephFS (the guide's). */
export const ROOK_MANIFESTS = {
  operator: ['crds.yaml', 'common.yaml', 'operator.yaml'],
  cluster: ['cluster.yaml', 'toolbox.yaml', 'filesystem.yaml', 'csi/cephfs/storageclass.yaml'],
};

export function defaultStorageClassCommand(): string {
  return setDefaultStorageClass(ADMIN_CONF, STORAGE_CLASS);
}

export function helmStatusCommand(r: HelmRelease): string {
  return helmStatus(ADMIN_CONF, r.release, r.namespace);
}

export function ingressPatchCommand(ip: string): string {
  return patchServiceLoadBalancerIp(ADMIN_CONF, 'ingress-nginx', 'ingress-nginx-controller', ip);
}

export function ingressGetCommand(): string {
  return serviceLoadBalancerIp(ADMIN_CONF, 'ingress-nginx', 'ingress-nginx-controller');
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

/** A folder of the platform's tree (applications/<name>-<version>): the release's version, else the one the tree has. */
async function applicationDir(ctx: StepContext, host: string, name: string, version: string | undefined): Promise<string> {
  if (version) return `applications/${name}-${version}`;
  const r = await ctx.exec(host, `cd ${shq(PLATFORM_TREE)} && ls -d applications/${name}-* | sort -V | tail -n 1`, {
    quiet: true,
    describe: `find applications/${name}-* in ~/${PLATFORM_TREE}`,
    dryRunResult: { stdout: `applications/${name}-<version>\n` },
  });
  return r.stdout.trim();
}

/**
 * The tree's files on master 1, where the platform's roles (and these steps) read them: the deployer has the
 * tree, and when master 1 is another host the platform-files step (kubespray.ts) put the folders these read
 * there before the playbook, at the same path.
 */
async function onMaster(_ctx: StepContext, _deployer: string, _master: string, rel: string[]): Promise<string[]> {
  return rel.map((r) => `${PLATFORM_TREE}/${r}`);
}

/** The steps of clusterSteps that Kubespray's playbook must wait for (the platform's roles use them). */
export function beforeKubespray(plan: Plan): string[] {
  const ids: string[] = [];
  if (plan.storage.type === 'nfs' && hostsWithRole(plan, 'nfs').length > 0) ids.push('nfs-server');
  if (hasApiLb(plan)) ids.push('api-lb');
  return ids;
}

export function clusterSteps(plan: Plan, master: Host, needs: string[]): Step[] {
  const m = master.name;
  const ws = workspace(plan);
  const d = deployerHost(plan)?.name ?? m;
  const steps: Step[] = [];

  // Before Kubespray: the NFS server the provisioner mounts (the platform's cp/storage role installs the
  // provisioner inside cluster.yml, so the export must exist by then).
  const pre = beforeKubespray(plan);
  const nfsHost = hostsWithRole(plan, 'nfs')[0];
  if (nfsHost && pre.includes('nfs-server')) {
    steps.push({
      id: 'nfs-server',
      title: msg('step.nfs-server'),
      hosts: [nfsHost.name],
      needs: [],
      retry: { attempts: 2, delayMs: 5000 },
      async run(ctx) {
        for (const line of nfsExports(ctx.plan)) ctx.log(`export: ${line}`, { host: nfsHost.name });
        await ctx.exec(nfsHost.name, nfsServerCommand(ctx.plan), { sudo: true, timeoutMs: 15 * 60_000, describe: `NFS server: ${nfsExports(ctx.plan).join('; ')}` });
      },
    });
  }

  // Before Kubespray: the HA API load balancer on the `lb` hosts (api-lb.ts).
  const lb = pre.includes('api-lb') ? apiLbStep(plan, ws) : undefined;
  if (lb) steps.push(lb);

  const storage: Step = {
    id: 'storage',
    title: msg('step.storage', { type: plan.storage.type }),
    hosts: [m],
    needs,
    // helm upgrade --install and kubectl apply converge to the same state when repeated.
    retry: { attempts: 2, delayMs: 5000 },
    async isDone(ctx) {
      if (ctx.plan.storage.type !== 'nfs') return false;
      for (const r of storageReleases(ctx.plan, ctx.release.storage ?? {})) {
        const st = await ctx.exec(m, helmStatusCommand(r), { sudo: true, check: false, quiet: true });
        if (st.code !== 0) return false;
      }
      return true;
    },
    async run(ctx) {
      await ctx.exec(m, shellJoin(['mkdir', '-p', `${ws}/storage`]));
      if (ctx.plan.storage.type === 'rook-ceph') {
        // The tree's Rook manifests, as the platform's cp/storage role applies them, with CephFS and its
        // StorageClass cp-storageclass made the default.
        const dir = await applicationDir(ctx, d, 'rook', ctx.release.storage?.rookCeph);
        const all = [...ROOK_MANIFESTS.operator, ...ROOK_MANIFESTS.cluster].map((f) => `${dir}/deploy/examples/${f}`);
        const paths = await onMaster(ctx, d, m, all);
        const operator = paths.slice(0, ROOK_MANIFESTS.operator.length);
        const cluster = paths.slice(ROOK_MANIFESTS.operator.length);
        await ctx.exec(m, applyCommand(operator, { serverSide: true }), { sudo: true, timeoutMs: 10 * 60_000 });
        await ctx.exec(m, rolloutStatus(ADMIN_CONF, 'rook-ceph', 'rook-ceph-operator'), { sudo: true, timeoutMs: 11 * 60_000 });
        await ctx.exec(m, applyCommand(cluster), { sudo: true, timeoutMs: 10 * 60_000 });
        await ctx.exec(m, defaultStorageClassCommand(), { sudo: true });
        return;
      }
      const dir = await applicationDir(ctx, d, 'nfs-subdir-external-provisioner', ctx.release.storage?.nfsProvisioner);
      const [platformValues] = await onMaster(ctx, d, m, [`${dir}/values.yaml`]);
      for (const r of storageReleases(ctx.plan, ctx.release.storage ?? {})) {
        const valuesFile = `${ws}/storage/${r.release}-values.yaml`;
        await ctx.upload(m, `# The plan's values over the platform's ${dir}/values.yaml, for ${r.release} ${r.version}.\n${stringify(r.values)}`, valuesFile, { mode: 0o644 });
        const local = bundledChart(ctx.plan, r);
        let chartRef: { path: string } | { repo: string } = { repo: r.repo };
        if (local) {
          const { readFileSync } = await import('node:fs');
          const remote = `${ws}/storage/${r.chart}-${r.version}.tgz`;
          await ctx.upload(m, readFileSync(local), remote, { mode: 0o644, describe: `chart ${local}` });
          chartRef = { path: remote };
        }
        await ctx.exec(m, helmInstallCommand(r, [platformValues!, valuesFile], chartRef), { sudo: true, timeoutMs: 20 * 60_000 });
      }
    },
  };
  steps.push(storage);

  const ingress: Step = {
    id: 'ingress',
    title: msg('step.ingress'),
    hosts: [m],
    needs: ['storage'],
    retry: { attempts: 3, delayMs: 5000 },
    async isDone(ctx) {
      const ip = ctx.plan.network.ingressIp;
      if (!ip) return false;
      const r = await ctx.exec(m, ingressGetCommand(), { sudo: true, check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === ip;
    },
    async run(ctx) {
      // The platform's ingress-nginx manifest (its cp/ingress-nginx role applies the same file; apply converges).
      const dir = await applicationDir(ctx, d, 'ingress-nginx', ctx.release.ingressNginx);
      const [manifest] = await onMaster(ctx, d, m, [`${dir}/deploy.yaml`]);
      await ctx.exec(m, applyCommand([manifest!]), { sudo: true, timeoutMs: 5 * 60_000 });
      const ip = ctx.plan.network.ingressIp;
      if (!ip) {
        ctx.log('no ingress IP in the plan: MetalLB hands the controller an address from its primary pool');
        return;
      }
      await ctx.exec(m, ingressPatchCommand(ip), { sudo: true });
    },
  };
  steps.push(ingress);
  let last = 'ingress';

  if (plan.cluster.kyverno) {
    steps.push({
      id: 'kyverno',
      title: msg('step.kyverno'),
      hosts: [m],
      needs: ['ingress'],
      retry: { attempts: 2, delayMs: 10_000 },
      async run(ctx) {
        // What the platform's cp/kyverno role does (INSTALL_KYVERNO=Y): Kyverno, its Pod Security Standards and
        // the platform's namespace-isolation policies (its script reads kubectl's default kubeconfig).
        const dir = await applicationDir(ctx, d, 'kyverno', ctx.release.kyverno);
        const [kyverno, pss, script] = await onMaster(ctx, d, m, [`${dir}/kyverno.yaml`, `${dir}/pod-security-standards.yaml`, `${dir}/deploy-cp-kyverno-policies.sh`]);
        await ctx.exec(m, applyCommand([kyverno!], { serverSide: true }), { sudo: true, timeoutMs: 10 * 60_000 });
        await ctx.exec(m, rolloutStatus(ADMIN_CONF, 'kyverno', 'kyverno-admission-controller'), { sudo: true, timeoutMs: 11 * 60_000 });
        await ctx.exec(m, applyCommand([pss!]), { sudo: true });
        await ctx.exec(m, `cd ${shq(dir ? `${PLATFORM_TREE}/${dir}` : PLATFORM_TREE)} && ${shellJoin(['env', `KUBECONFIG=${ADMIN_CONF}`, 'bash', script!.split('/').pop()!])}`, { sudo: true, timeoutMs: 10 * 60_000 });
      },
    });
    last = 'kyverno';
  }

  const verify: Step = {
    id: 'verify',
    title: msg('step.verify'),
    hosts: [m],
    needs: [last],
    async run(ctx: StepContext) {
      const expected = clusterNodes(ctx.plan).map((h) => h.name);
      const timeoutSec = Number(ctx.options.verifyTimeoutSec ?? 600);
      const deadline = Date.now() + timeoutSec * 1000;
      for (;;) {
        // The step's limit holds each call too: a kubectl that hangs (API server stuck) is stopped at the deadline.
        const left = () => Math.max(1_000, deadline - Date.now());
        const nodes = await ctx.exec(m, getNodesCommand(ADMIN_CONF), { sudo: true, quiet: true, timeoutMs: left(), dryRunResult: { stdout: '{"items":[]}' } });
        const pods = await ctx.exec(m, getPodsCommand(ADMIN_CONF, 'kube-system'), { sudo: true, quiet: true, timeoutMs: left(), dryRunResult: { stdout: '{"items":[]}' } });
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
        await sleep(Math.min(10_000, Math.max(500, deadline - Date.now())), ctx.signal);
      }
    },
  };

  steps.push(verify);
  return steps;
}


