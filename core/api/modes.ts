// What the wizard needs to know about each mode, from the modes' profiles (core/modes/<mode>/profile.ts),
// so the renderer holds no mode list of its own.
import { PROFILES } from '../modes/profiles.js';
import type { Mode, ModeInfo } from './types.js';

/** Every mode in the registry's order; `available` when the engine bound to this service can run it. */
export function modeInfos(available: readonly Mode[]): ModeInfo[] {
  return Object.values(PROFILES).map((p) => ({
    name: p.name,
    title: p.wizard.title,
    description: p.wizard.description,
    icon: p.wizard.icon,
    // A mode the engine runs but the wizard cannot set up yet (notYet without apply) stays a card only.
    available: available.includes(p.name) && !p.notYet,
    ...(p.notYet ? { unavailable: p.notYet.card } : {}),
    roles: [...p.roles],
    sections: [...p.wizard.sections],
    ...(p.wizard.hostsHint ? { hostsHint: p.wizard.hostsHint } : {}),
    outputs: [...p.outputs],
  }));
}
