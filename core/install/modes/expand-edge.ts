// Expand-edge mode: add KubeEdge to a cluster that exists — one this installer made (the plan of its run,
// whose control plane keeps kubeadm's admin.conf) or any cluster given by a kubeconfig plus SSH to one of
// its control planes (plan.edge.kubeconfig, copied there for kubectl and keadm). Edge hosts never enter
// the Kubespray inventory; the affinity patches go on first, then MetalLB's pool for cloudcore, keadm init,
// cloudcore's Service as a LoadBalancer, the joins and the check.
//
// Running it again with more edge hosts in the plan runs only the new joins: every cloud step has an isDone
// (cloudcore running, no workload left without the affinity, the Service already a LoadBalancer) and each
// join's isDone asks the cluster whether that node is already Ready as agent,edge.
//
// After any later Kubespray run (cluster.yml / upgrade-cluster.yml re-template calico-node and nodelocaldns,
// kubeadm upgrade re-applies kube-proxy) the patches are lost. `edgeAffinityFollowUp()` is the step the
// standalone mode appends after its Kubespray step whenever the plan has edge hosts; re-running this mode
// does the same, since its affinity step finds the re-templated DaemonSets without the rule.
import { existsSync, readFileSync } from 'node:fs';
import { msg } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import { hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import { ADMIN_KUBECONFIG } from '../../tools/kubeadm/commands.js';
import {
  applyCommand,
  CLOUDCORE_NAMESPACE,
  CLOUDCORE_POOL,
  cloudcoreServicePatchCommand,
  getServiceCommand,
  renderCloudcorePool,
} from '../../tools/kubectl/cloud.js';
import { getNodesCommand } from '../../tools/kubectl/nodes.js';
import { StepError, type InstallMode, type Step } from '../step.js';
import {
  advertiseAddresses,
  affinityStep,
  edgeHostsFor,
  edgePlanStep,
  execExpect,
  EdgeRunState,
  gettokenStep,
  HOST_STATE_DIR,
  joinStep,
  keadmInitStep,
  kubectlJson,
  toolsStep,
  verifyStep,
  withPreflightGate,
} from './edge.js';
import type { StandaloneDeps } from './standalone.js';

/** Where a kubeconfig given in the plan is put on the control plane (root only). */
export const REMOTE_KUBECONFIG = `${HOST_STATE_DIR}/edge/kubeconfig`;

export function cloudKubeconfig(plan: Plan): string {
  return plan.edge?.kubeconfig ? REMOTE_KUBECONFIG : ADMIN_KUBECONFIG;
}

function kubeconfigStep(plan: Plan, cloud: Host, needs: string[]): Step {
  const local = plan.edge?.kubeconfig;
  return {
    id: 'edge-kubeconfig',
    title: msg('edge.step.kubeconfig', { host: cloud.name }),
    hosts: [cloud.name],
    needs,
    async run(ctx) {
      if (local) {
        if (!ctx.dryRun && !existsSync(local)) throw new StepError(msg('edge.kubeconfig-missing', { path: local }), undefined, true);
        await ctx.upload(cloud.name, ctx.dryRun && !existsSync(local) ? '' : readFileSync(local), REMOTE_KUBECONFIG, {
          sudo: true,
          mode: 0o600,
          describe: `kubeconfig ${local}`,
        });
      }
      await kubectlJson(ctx, cloud.name, getNodesCommand(cloudKubeconfig(plan)));
    },
  };
}

function cloudcorePoolStep(cloud: Host, kubeconfig: string, address: string, needs: string[]): Step {
  const file = `${HOST_STATE_DIR}/edge/cloudcore-pool.yaml`;
  return {
    id: 'cloudcore-pool',
    title: msg('edge.step.cloudcore-pool'),
    hosts: [cloud.name],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async run(ctx) {
      await ctx.upload(cloud.name, renderCloudcorePool(address), file, { sudo: true, mode: 0o644 });
      await execExpect(ctx, cloud.name, applyCommand(kubeconfig, file), / (created|configured|unchanged)$/m);
    },
  };
}

function cloudcoreServiceStep(cloud: Host, kubeconfig: string, address: string, needs: string[]): Step {
  return {
    id: 'cloudcore-service',
    title: msg('edge.step.cloudcore-service'),
    hosts: [cloud.name],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async isDone(ctx) {
      const r = await ctx.exec(cloud.name, getServiceCommand(kubeconfig, 'cloudcore', CLOUDCORE_NAMESPACE), { sudo: true, check: false, quiet: true });
      if (!r.stdout.trim().startsWith('{')) return false;
      const svc = JSON.parse(r.stdout) as { spec?: { type?: string }; metadata?: { annotations?: Record<string, string> } };
      return svc.spec?.type === 'LoadBalancer' && svc.metadata?.annotations?.['metallb.universe.tf/address-pool'] === CLOUDCORE_POOL;
    },
    async run(ctx) {
      await execExpect(ctx, cloud.name, cloudcoreServicePatchCommand(kubeconfig, address), / patched$/m);
    },
  };
}

/** The affinity step under its own id, for a mode that re-runs Kubespray on a cluster with edge nodes. */
export function edgeAffinityFollowUp(plan: Plan, needs: string[]): Step | undefined {
  const cloud = hostsWithRole(plan, 'control-plane')[0];
  if (!cloud || hostsWithRole(plan, 'edge').length === 0) return undefined;
  const state = new EdgeRunState(cloud, () => cloudKubeconfig(plan));
  return { ...affinityStep(state, needs), id: 'edge-affinity-reapply' };
}

export function expandEdgeSteps(plan: Plan, release: Release, options: Parameters<InstallMode['steps']>[2]): Step[] {
  const planStep = edgePlanStep(plan, release, 'expand-edge');
  const cloud = hostsWithRole(plan, 'control-plane')[0];
  if (!cloud) return [planStep];
  const kubeconfig = cloudKubeconfig(plan);
  const edges = edgeHostsFor(plan, options);
  const state = new EdgeRunState(cloud, () => kubeconfig);
  const lb = plan.edge?.cloudcorePrivateAddress;
  const steps: Step[] = [
    planStep,
    toolsStep(cloud, edges, ['kubectl', 'keadm'], ['edge-plan']),
    kubeconfigStep(plan, cloud, ['edge-tools']),
    affinityStep(state, ['edge-kubeconfig']),
  ];
  let before = 'edge-affinity';
  if (lb) {
    steps.push(cloudcorePoolStep(cloud, kubeconfig, lb, [before]));
    before = 'cloudcore-pool';
  }
  steps.push(keadmInitStep(plan, release, state, { tolerateControlPlane: true, loadBalanced: !!lb }, [before]));
  before = 'keadm-init';
  if (lb) {
    steps.push(cloudcoreServiceStep(cloud, kubeconfig, lb, [before]));
    before = 'cloudcore-service';
  }
  steps.push(
    gettokenStep(state, [before]),
    joinStep(plan, release, state, edges, ['keadm-gettoken']),
    { ...affinityStep(state, ['edge-join']), id: 'edge-affinity-after-join' },
    verifyStep(state, edges, ['edge-affinity-after-join']),
  );
  return steps;
}

export const expandEdgeMode: InstallMode = {
  name: 'expand-edge',
  title: msg('mode.expand-edge'),
  steps: expandEdgeSteps,
};

export function expandEdgeModeFactory(deps: StandaloneDeps = {}): InstallMode {
  return withPreflightGate(expandEdgeMode, deps);
}

/** For the dry run and the UI: what edges are told to dial. */
export function cloudcoreEndpoint(plan: Plan): string | undefined {
  const cloud = hostsWithRole(plan, 'control-plane')[0];
  return cloud ? `${advertiseAddresses(plan, cloud)[0]}:10000` : undefined;
}

