// The single-cluster mode (PAASTA.md §1.1), as a graph of visible, resumable steps after the runner's gate:
//   deployer-tree → deployer-ansible, deployer-key → node-keys → known-hosts → inventory → kubespray →
//   storage → ingress → verify → [portal-archive → portal-vars → portal-deploy → portal-endpoints] → kubeconfig → report
// (the portal steps, portal.ts, when the plan has a portal archive; for a release whose middleware is BOSH's
// and a plan with `bosh`, the 2021 spray guide's middleware and container platform instead: bosh-middleware.ts)
// The steps themselves are in core/install/modes/ (deployer, kubespray, cluster, outputs).
import { msg } from '../../common/messages.js';
import { clusterNodes, deployerHost, hostsWithRole, type Plan } from '../../plan/schema.js';
import type { Release } from '../../plan/catalog.js';
import { StepError, type Step } from '../../install/step.js';
import { clusterSteps } from '../../install/modes/cluster.js';
import { deployerSteps } from '../../install/modes/deployer.js';
import { kubesprayStep } from '../../install/modes/kubespray.js';
import { offlineGate, offlineSteps } from '../../install/offline/steps.js';
import { outputSteps } from '../../install/modes/outputs.js';
import type { ModeDescriptor } from '../descriptor.js';
import { BOSH_LAST, standaloneBoshSteps, usesBoshMiddleware } from './bosh-middleware.js';
import { PORTAL_LAST, portalSteps } from './portal.js';
import { standaloneProfile } from './profile.js';

/**
 * The standalone run. `middleware`: whether the 2021 BOSH middleware and container platform come with it (the
 * caas mode takes the cluster alone and deploys the middleware its own way).
 */
export function standaloneSteps(plan: Plan, release: Release, middleware: boolean): Step[] {
  const deployer = deployerHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!deployer || !master || clusterNodes(plan).length === 0) throw new StepError(msg('install.no-deployer'), undefined, true);
  if (middleware && plan.bosh && !release.bosh) throw new StepError(msg('mode.standalone.bosh.release', { release: release.name }), undefined, true);
  const bosh = middleware && usesBoshMiddleware(plan, release);
  // Offline (core/install/offline/): the bundle served from the deployer, the nodes pointed at its registry;
  // the playbook waits for them.
  const gate = offlineGate(plan);
  // platform-files too: it carries the tree's application folders (with the charts offline-tree put there) to master 1.
  const kubespray = kubesprayStep(plan, deployer, ['known-hosts']).map((s) => ((s.id === 'kubespray' || s.id === 'platform-files') && gate.length ? { ...s, needs: [...s.needs, ...gate] } : s));
  return [
    ...deployerSteps(plan, deployer, ['connect']),
    ...offlineSteps(plan, deployer, ['connect']),
    ...kubespray,
    ...clusterSteps(plan, master, ['kubespray']),
    ...(bosh ? standaloneBoshSteps(plan, master, { start: ['connect'], cluster: ['verify'] }) : portalSteps(plan, master, ['verify'])),
    ...outputSteps(plan, master, [bosh ? BOSH_LAST : portalSteps(plan, master, []).length ? PORTAL_LAST : 'verify']),
  ];
}

export const standaloneMode: ModeDescriptor = {
  name: 'standalone',
  title: msg('mode.standalone'),
  profile: standaloneProfile,
  steps(plan, release) {
    return standaloneSteps(plan, release, true);
  },
};
