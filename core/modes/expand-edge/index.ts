// Expand-edge mode: add KubeEdge to a cluster that exists — one this installer made (the plan of its run,
// whose control plane keeps kubeadm's admin.conf) or any cluster given by a kubeconfig plus SSH to one of
// its control planes (plan.edge.kubeconfig, copied there for kubectl and keadm). Edge hosts never enter
// the Kubespray inventory; the affinity patches go on first, then MetalLB's pool for cloudcore, keadm init,
// cloudcore's Service as a LoadBalancer, the joins and the check.
//
// Running it again with more edge hosts in the plan runs only the new joins: every cloud step has an isDone
// (cloudcore running, no workload left without the affinity, the Service already a LoadBalancer) and each
// join's isDone asks the cluster whether that node is already Ready as agent,edge. After a later Kubespray
// run (cluster.yml / upgrade-cluster.yml re-template calico-node and nodelocaldns; kubeadm upgrade
// re-applies kube-proxy) the affinity patches are lost: running this mode again puts them back, since its
// affinity step finds the re-templated DaemonSets without the rule.
import { msg } from '../../common/messages.js';
import type { Step } from '../../install/step.js';
import type { ModeDescriptor } from '../descriptor.js';
import { affinityStep, checkEdgePlan, gettokenStep, keadmInitStep, toolsStep, verifyStep } from '../edge/cloud.js';
import { joinStep } from '../edge/join.js';
import { edgeHostsFor, EdgeRunState } from '../edge/state.js';
import { edgeOfflineSteps } from '../edge/offline.js';
import { prepareSteps } from '../edge/prepare.js';
import { cloudcorePoolStep, cloudcoreServiceStep, cloudKubeconfig, kubeconfigStep } from './cloud.js';
import { expandEdgeProfile } from './profile.js';

export const expandEdgeMode: ModeDescriptor = {
  name: 'expand-edge',
  title: msg('mode.expand-edge'),
  profile: expandEdgeProfile,
  steps(plan, release, options) {
    const edges = edgeHostsFor(plan, options);
    const cloud = checkEdgePlan(plan, release, edges);
    const kubeconfig = cloudKubeconfig(plan);
    const state = new EdgeRunState(cloud, () => kubeconfig);
    const lb = plan.edge?.cloudcorePrivateAddress;
    // The cluster's control plane only gets keadm from the bundle; edge hosts their runtime and keadm.
    const prepare = prepareSteps(plan, cloud, edges, 'keadm', []);
    // Served from the control plane the installer reaches; its runtime and the edge hosts' pointed there.
    const offline = edgeOfflineSteps(plan, cloud, edges, prepare.map((s) => s.id));
    const steps: Step[] = [
      ...prepare,
      ...offline.steps,
      toolsStep(cloud, edges, ['kubectl', 'keadm'], [...prepare.map((s) => s.id), ...offline.gate]),
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
      affinityStep(state, ['edge-join'], 'edge-affinity-after-join'),
      verifyStep(state, edges, ['edge-affinity-after-join']),
    );
    return steps;
  },
};
