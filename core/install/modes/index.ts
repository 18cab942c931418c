// The install modes the engine knows, by plan mode name. Each mode module exports a factory that takes the
// dependencies the facade wires in (preflight lives in its own layer, so it is handed in, not imported).
import type { InstallMode } from '../step.js';
import { edgeModeFactory } from './edge.js';
import { expandEdgeModeFactory } from './expand-edge.js';
import { standaloneMode, type StandaloneDeps } from './standalone.js';

export type ModeDeps = StandaloneDeps;

const factories: Record<string, (deps: ModeDeps) => InstallMode> = {
  standalone: standaloneMode,
  edge: edgeModeFactory,
  'expand-edge': expandEdgeModeFactory,
};

/** Adds a mode (edge, expand-edge, caas register themselves here from their own modules). */
export function registerMode(name: string, factory: (deps: ModeDeps) => InstallMode): void {
  factories[name] = factory;
}

export function modeFor(name: string, deps: ModeDeps = {}): InstallMode | undefined {
  return factories[name]?.(deps);
}

export function modeNames(): string[] {
  return Object.keys(factories);
}
