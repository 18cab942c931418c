// The single-cluster mode (PAASTA.md §1.1), as a graph of visible, resumable steps after the runner's gate:
//   deployer-tree → deployer-ansible, deployer-key → node-keys → known-hosts → inventory → kubespray →
//   storage → ingress → verify → [portal-archive → portal-vars → portal-deploy → portal-endpoints] → kubeconfig → report
// (the portal steps, portal.ts, when the plan has a portal archive)
// The steps themselves are in core/install/modes/ (deployer, kubespray, cluster, outputs).
import { msg } from '../../common/messages.js';
import { clusterNodes, deployerHost, hostsWithRole } from '../../plan/schema.js';
import { StepError } from '../../install/step.js';
import { clusterSteps } from '../../install/modes/cluster.js';
import { deployerSteps } from '../../install/modes/deployer.js';
import { kubesprayStep } from '../../install/modes/kubespray.js';
import { outputSteps } from '../../install/modes/outputs.js';
import type { ModeDescriptor } from '../descriptor.js';
import { PORTAL_LAST, portalSteps } from './portal.js';
import { standaloneProfile } from './profile.js';

export const standaloneMode: ModeDescriptor = {
  name: 'standalone',
  title: msg('mode.standalone'),
  profile: standaloneProfile,
  steps(plan) {
    const deployer = deployerHost(plan);
    const master = hostsWithRole(plan, 'control-plane')[0];
    if (!deployer || !master || clusterNodes(plan).length === 0) throw new StepError(msg('install.no-deployer'), undefined, true);
    return [
      ...deployerSteps(plan, deployer, ['connect']),
      ...kubesprayStep(plan, deployer, ['known-hosts']),
      ...clusterSteps(plan, master, ['kubespray']),
      ...portalSteps(plan, master, ['verify']),
      ...outputSteps(plan, master, [portalSteps(plan, master, []).length ? PORTAL_LAST : 'verify']),
    ];
  },
};
