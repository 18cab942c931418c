// The edge mode's descriptor with its 2021 variant: a plan with the `bosh` section runs the edge with BOSH
// middleware (steps.ts), any other the kubeadm edge unchanged. One `mode: edge` as the guides and the plan
// file name it; the profile follows the same choice (profiles.ts).
import type { ModeDescriptor } from '../descriptor.js';
import { edgeBoshSteps } from './steps.js';

export function withEdgeBosh(edge: ModeDescriptor): ModeDescriptor {
  return {
    ...edge,
    steps(plan, release, options) {
      return plan.bosh ? edgeBoshSteps(plan, release, options) : edge.steps(plan, release, options);
    },
  };
}

export { edgeBoshSteps, edgeTrustStep, EDGE_TRUST } from './steps.js';
export { edgeBoshProfile } from './profile.js';
