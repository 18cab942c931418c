// Edge mode (PAASTA.md §1.4–1.5 with current versions): one cloud control plane made with kubeadm from a
// generated config, Calico, cloudcore via keadm, and every edge host joined with keadm in parallel; cloud
// DaemonSets are kept off edge nodes and the run ends only when every edge host is Ready as agent,edge.
// The runner puts the preflight gate in front. Steps by job: cloud.ts (shared with expand-edge),
// kubeadm.ts, join.ts; state.ts holds what one run's steps share.
import { msg } from '../../common/messages.js';
import { hostsWithRole } from '../../plan/schema.js';
import { ADMIN_KUBECONFIG } from '../../tools/kubeadm/commands.js';
import type { ModeDescriptor } from '../descriptor.js';
import { affinityStep, checkEdgePlan, gettokenStep, toolsStep, verifyStep } from './cloud.js';
import { cloudcoreStep } from './cloudcore-process.js';
import { fail } from './exec.js';
import { joinStep } from './join.js';
import { cniStep, kubeadmConfigStep, kubeadmConfigText, kubeadmInitStep } from './kubeadm.js';
import { portalSteps } from '../standalone/portal.js';
import { edgeOfflineSteps } from './offline.js';
import { prepareSteps } from './prepare.js';
import { edgeProfile } from './profile.js';
import { edgeHostsFor, EdgeRunState } from './state.js';

export const edgeMode: ModeDescriptor = {
  name: 'edge',
  title: msg('mode.edge'),
  profile: edgeProfile,
  steps(plan, release, options) {
    const edges = edgeHostsFor(plan, options);
    const cloud = checkEdgePlan(plan, release, edges);
    const cps = hostsWithRole(plan, 'control-plane').length;
    if (cps !== 1) fail(msg('edge.control-plane-count', { count: cps }), undefined, true);
    kubeadmConfigText(plan, release, cloud);
    const state = new EdgeRunState(cloud, () => ADMIN_KUBECONFIG);
    // With an offline bundle the hosts get their tools from it first; the tools step then checks the result.
    const prepare = prepareSteps(plan, cloud, edges, 'cloud', []);
    // On a site without internet the cloud work also waits for the registry to hold every image (offline.ts).
    const offline = edgeOfflineSteps(plan, cloud, edges, prepare.map((s) => s.id));
    return [
      ...prepare,
      ...offline.steps,
      toolsStep(cloud, edges, ['kubeadm', 'kubectl', 'keadm'], [...prepare.map((s) => s.id), ...offline.gate]),
      kubeadmConfigStep(plan, release, cloud, ['edge-tools']),
      kubeadmInitStep(cloud, ['kubeadm-config']),
      cniStep(plan, release, cloud, ['kubeadm-init']),
      affinityStep(state, ['cni']),
      // keadm before 1.11 starts cloudcore as a process, not a pod: then its ports say it runs.
      cloudcoreStep(plan, release, state, { tolerateControlPlane: true, loadBalanced: false }, ['edge-affinity']),
      gettokenStep(state, ['keadm-init']),
      joinStep(plan, release, state, edges, ['keadm-gettoken']),
      // Re-applied after the joins too: cheap (isDone) and it catches a DaemonSet created meanwhile.
      affinityStep(state, ['edge-join'], 'edge-affinity-after-join'),
      verifyStep(state, edges, ['edge-affinity-after-join'], [cloud.name]),
      // The portal when the plan names its archive (the cluster must have cp-storageclass and an ingress).
      ...portalSteps(plan, hostsWithRole(plan, 'control-plane')[0]!, ['edge-verify']),
    ];
  },
};
