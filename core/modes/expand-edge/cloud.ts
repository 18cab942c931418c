// The steps only expand-edge runs on the existing cluster: make its kubeconfig usable on the control plane,
// and, when a load balancer fronts cloudcore, MetalLB's pool for it and cloudcore's Service as a LoadBalancer.
import { existsSync, readFileSync } from 'node:fs';
import { msg } from '../../common/messages.js';
import type { Host, Plan } from '../../plan/schema.js';
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
import type { Step } from '../../install/step.js';
import { execExpect, fail, kubectlJson } from '../edge/exec.js';
import { HOST_STATE_DIR } from '../edge/state.js';

/** Where a kubeconfig given in the plan is put on the control plane (root only). */
export const REMOTE_KUBECONFIG = `${HOST_STATE_DIR}/edge/kubeconfig`;

/** The kubeconfig kubectl and keadm use there: the plan's, else kubeadm's admin.conf of a cluster we made. */
export function cloudKubeconfig(plan: Plan): string {
  return plan.edge?.kubeconfig ? REMOTE_KUBECONFIG : ADMIN_KUBECONFIG;
}

export function kubeconfigStep(plan: Plan, cloud: Host, needs: string[]): Step {
  const local = plan.edge?.kubeconfig;
  return {
    id: 'edge-kubeconfig',
    title: msg('edge.step.kubeconfig', { host: cloud.name }),
    hosts: [cloud.name],
    needs,
    async run(ctx) {
      if (local) {
        if (!ctx.dryRun && !existsSync(local)) fail(msg('edge.kubeconfig-missing', { path: local }), undefined, true);
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

export function cloudcorePoolStep(cloud: Host, kubeconfig: string, address: string, needs: string[]): Step {
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

export function cloudcoreServiceStep(cloud: Host, kubeconfig: string, address: string, needs: string[]): Step {
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
