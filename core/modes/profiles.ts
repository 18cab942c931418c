// The plan-level registry: one line per mode. core/plan and core/preflight read a mode's profile from here
// (the engine-level registry, with the steps, is core/modes/index.ts). Plain data: the renderer bundles
// the messages through core/api/messages.ts.
import { mergeCatalogs } from '../common/messages.js';
import type { Mode } from '../plan/schema.js';
import type { ModeProfile } from './profile.js';
import { caasProfile } from './caas/profile.js';
import { edgeProfile } from './edge/profile.js';
import { expandEdgeProfile } from './expand-edge/profile.js';
import { standaloneProfile } from './standalone/profile.js';

export const PROFILES: { readonly [M in Mode]: ModeProfile } = {
  standalone: standaloneProfile,
  edge: edgeProfile,
  'expand-edge': expandEdgeProfile,
  caas: caasProfile,
};

export function profileOf(mode: Mode): ModeProfile {
  return PROFILES[mode];
}

export const modeMessages = mergeCatalogs(...Object.values(PROFILES).map((p) => p.messages));
