// The 2021 edge with BOSH middleware as a graph of steps, in the guides' order (v1.4.x cp-edge-deployment-guide
// for the cluster, cp-bosh-deployment-edge-guide for the rest), built from the steps other modes already have:
//   cluster (edge guide 2.2, Kubespray of the release, the standalone's steps):
//     deployer-tree → deployer-ansible, deployer-key → node-keys → known-hosts → inventory → kubespray → storage →
//     ingress → verify
//   KubeEdge (edge guide 2.3–2.5, the edge mode's steps, the release's KubeEdge):
//     edge-tools (keadm on the master and the edge nodes) → edge-affinity (cloud DaemonSets such as kube-flannel
//     and ingress-nginx kept off edge nodes) → keadm-init (cloudcore on the master, a process: edge/cloudcore-process.ts) →
//     keadm-gettoken → edge-join
//     (keadm join on every edge node) → cloudcore-config → edgecore-config (guide 2.6–2.7: kubeedge-steps.ts) →
//     edge-flannel (kube-flannel-edge, flannel.ts) → edge-affinity-after-join →
//     edge-verify (edge nodes Ready as agent,edge)
//   BOSH middleware (edge BOSH guide 2, 5.1; core/modes/bosh-middleware.ts through the standalone's steps):
//     bosh-jumpbox → bosh-bosh-tree; after edge-verify bosh-k8s-token → bosh-middleware → bosh-vms →
//     bosh-registry-trust (master, workers) → bosh-node-reach, and bosh-edge-trust (edge nodes, this file)
//   container platform (edge BOSH guide 3–4): cp-images → cp-deploy → cp-endpoints (portals on a cloud worker)
//   → kubeconfig → report
import { msg } from '../../common/messages.js';
import { clusterNodes, deployerHost, hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import type { Release } from '../../plan/catalog.js';
import { StepError, type RunOptions, type Step } from '../../install/step.js';
import { clusterSteps } from '../../install/modes/cluster.js';
import { deployerSteps } from '../../install/modes/deployer.js';
import { kubesprayStep } from '../../install/modes/kubespray.js';
import { offlineGate, offlineSteps } from '../../install/offline/steps.js';
import { outputSteps } from '../../install/modes/outputs.js';
import { ADMIN_KUBECONFIG } from '../../tools/kubeadm/commands.js';
import { trustRuntime } from '../bosh-middleware.js';
import { probeDown, tcpProbeScript } from '../caas/probe.js';
import { registryTrustScript } from '../caas/registry-trust.js';
import { affinityStep, checkEdgePlan, gettokenStep, toolsStep, verifyStep } from '../edge/cloud.js';
import { joinStep } from '../edge/join.js';
import { edgeHostsFor, EdgeRunState } from '../edge/state.js';
import { edgeFlannelStep } from './flannel.js';
import { cloudcoreConfigStep, edgecoreConfigStep } from './kubeedge-steps.js';
import { cloudcoreStep } from '../edge/cloudcore-process.js';
import { treeKeadmStep } from '../edge/tree-keadm.js';
import { BOSH_LAST, BOSH_PX, standaloneBoshSteps } from '../standalone/bosh-middleware.js';

/** The edge nodes' registry trust: after the middleware's addresses are known and the edge nodes have joined. */
export const EDGE_TRUST = `${BOSH_PX}-edge-trust`;

/**
 * Registry trust on the edge nodes (their Docker too: edged pulls through it), and each edge node reaching
 * `<HAProxy>:5001`. The guide's 3.1 names the master and workers; an edge node pulls an image from the
 * repository only when a workload placed there uses one, and then needs the same entry.
 */
export function edgeTrustStep(plan: Plan, edges: Host[], needs: string[]): Step {
  return {
    id: EDGE_TRUST,
    title: msg('mode.edgeBosh.step.edgeTrust'),
    hosts: edges.map((h) => h.name),
    needs,
    perHost: true,
    async run(ctx) {
      const host = ctx.host!.name;
      const registry = ctx.outputs.require<string>(`${BOSH_PX}.registry`);
      const runtime = trustRuntime(ctx);
      await ctx.exec(host, registryTrustScript(runtime, registry), { sudo: true, describe: `trust ${registry} in the ${runtime} configuration (insecure registry) and restart it if changed` });
      const target = { name: 'registry', host: ctx.outputs.require<string>(`${BOSH_PX}.haproxy`), port: plan.bosh!.registry.port };
      const r = await ctx.exec(host, tcpProbeScript([target]), { quiet: true, dryRunResult: { stdout: 'ok registry' } });
      if (probeDown([target], r.stdout).length)
        throw new StepError(msg('mode.edgeBosh.edgeReach', { host, endpoint: `${target.host}:${target.port}` }), { host, message: `cannot reach ${target.host}:${target.port}` });
    },
  };
}

export function edgeBoshSteps(plan: Plan, release: Release, options: RunOptions): Step[] {
  if (!release.bosh) throw new StepError(msg('mode.edgeBosh.release', { release: release.name }), undefined, true);
  const deployer = deployerHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!deployer || !master || clusterNodes(plan).length === 0) throw new StepError(msg('install.no-deployer'), undefined, true);
  const edges = edgeHostsFor(plan, options);
  // The release's KubeEdge must fit its Kubernetes; cloudcore goes on the master.
  const cloud = checkEdgePlan(plan, release, edges);
  const state = new EdgeRunState(cloud, () => ADMIN_KUBECONFIG);
  const cloudNodes = clusterNodes(plan).map((h) => h.name);

  const gate = offlineGate(plan);
  const kubespray = kubesprayStep(plan, deployer, ['known-hosts']).map((s) => (s.id === 'kubespray' && gate.length ? { ...s, needs: [...s.needs, ...gate] } : s));
  const kubeedge = [
    // keadm is the release's, installed from the v1.0.4 tree's edge/keadm (guide 2.3, tree-keadm.ts); kubectl is Kubespray's.
    treeKeadmStep(plan, cloud, edges, ['verify']),
    toolsStep(cloud, edges, ['keadm', 'kubectl'], ['edge-keadm']),
    affinityStep(state, ['edge-tools']),
    // The release's keadm starts cloudcore as a process on the master (a pod only from KubeEdge 1.11).
    cloudcoreStep(plan, release, state, { tolerateControlPlane: true, loadBalanced: false }, ['edge-affinity']),
    gettokenStep(state, ['keadm-init']),
    // The release's Docker on the edge nodes too (edge guide 2.5): keadm join names no runtime then.
    joinStep(plan, release, state, edges, ['keadm-gettoken'], release.runtimes.docker ? 'docker' : plan.cluster.runtime),
    // Guide 2.6–2.7: cloudcore's dynamicController and cloudStream, each edge node's CNI, metaServer and
    // edgeStream (kubeedge-steps.ts); without them kube-flannel-edge never reaches the API on an edge node.
    cloudcoreConfigStep(plan, state, ['edge-join']),
    edgecoreConfigStep(plan, state, edges, ['cloudcore-config']),
    // Guide 2.5: flannel on the edge nodes too, through edgecore's metaServer.
    edgeFlannelStep(state, ['edgecore-config'], edges),
    affinityStep(state, ['edge-flannel'], 'edge-affinity-after-join'),
    verifyStep(state, edges, ['edge-affinity-after-join'], cloudNodes),
  ];
  const trust = edgeTrustStep(plan, edges, [`${BOSH_PX}-vms`, 'edge-verify']);
  // The images are pushed once every node, edge ones included, trusts the repository (guide 3.1 before 3.2).
  const middleware = standaloneBoshSteps(plan, master, { start: ['connect'], cluster: ['edge-verify'] }).map((s) =>
    s.id === 'cp-images' ? { ...s, needs: [...s.needs, trust.id] } : s,
  );
  return [
    ...deployerSteps(plan, deployer, ['connect']),
    ...offlineSteps(plan, deployer, ['connect']),
    ...kubespray,
    ...clusterSteps(plan, master, ['kubespray']),
    ...kubeedge,
    ...middleware,
    trust,
    ...outputSteps(plan, master, [BOSH_LAST]),
  ];
}
