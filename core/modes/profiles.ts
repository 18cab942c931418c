// The plan-level registry: one line per mode. core/plan and core/preflight read a mode's profile from here
// (the engine-level registry, with the steps, is core/modes/index.ts). Plain data: the renderer bundles
// the messages through core/api/messages.ts.
import { mergeCatalogs } from '../common/messages.js';
import type { Mode, Plan } from '../plan/schema.js';
import type { ModeProfile } from './profile.js';
import { caasProfile } from './caas/profile.js';
import { edgeProfile } from './edge/profile.js';
import { edgeBoshProfile } from './edge-bosh/profile.js';
import { expandEdgeProfile } from './expand-edge/profile.js';
import { standaloneProfile } from './standalone/profile.js';

export const PROFILES: { readonly [M in Mode]: ModeProfile } = {
  standalone: standaloneProfile,
  edge: edgeProfile,
  'expand-edge': expandEdgeProfile,
  caas: caasProfile,
};

/**
 * A mode's profile; with the plan, its variant for that plan: an edge plan with the `bosh` section is the 2021
 * edge (Kubespray cloud, BOSH middleware), whose roles, rules and preflight differ from the kubeadm edge's.
 */
export function profileOf(mode: Mode, plan?: Pick<Plan, 'bosh'>): ModeProfile {
  return (plan && VARIANTS[mode]?.(plan)) || PROFILES[mode];
}

/** Variants a plan selects within a mode (the plan's `mode` word stays the same). */
const VARIANTS: { readonly [M in Mode]?: (plan: Pick<Plan, 'bosh'>) => ModeProfile | undefined } = {
  edge: (plan) => (plan.bosh ? edgeBoshProfile : undefined),
};

export const modeMessages = mergeCatalogs(...[...Object.values(PROFILES), edgeBoshProfile].map((p) => p.messages));
