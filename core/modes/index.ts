// The engine-level registry: one line per mode (the plan-level one, read by validation and preflight, is
// profiles.ts; the word a plan file uses is in core/plan/schema.ts MODES). Both are typed by Mode, so a
// mode missing from either does not compile. docs/adding-a-mode.md walks through adding one.
import type { Mode } from '../plan/schema.js';
import type { ModeDescriptor } from './descriptor.js';
import { caasMode } from './caas/index.js';
import { edgeMode } from './edge/index.js';
import { withEdgeBosh } from './edge-bosh/index.js';
import { expandEdgeMode } from './expand-edge/index.js';
import { standaloneMode } from './standalone/index.js';

export const MODE_DESCRIPTORS: { readonly [M in Mode]: ModeDescriptor } = {
  standalone: standaloneMode,
  edge: withEdgeBosh(edgeMode),
  'expand-edge': expandEdgeMode,
  caas: caasMode,
};

export type { ModeDescriptor } from './descriptor.js';

export function descriptorOf(mode: Mode): ModeDescriptor {
  return MODE_DESCRIPTORS[mode];
}

export function modeNames(): Mode[] {
  return Object.keys(MODE_DESCRIPTORS) as Mode[];
}
