// What the wizard needs to know about each mode, from the modes' profiles (core/modes/<mode>/profile.ts),
// so the renderer holds no mode list of its own.
import { PROFILES, profileOf } from '../modes/profiles.js';
import type { ModeProfile } from '../modes/profile.js';
import type { Plan } from '../plan/schema.js';
import type { Mode, ModeInfo, ModeVariantInfo } from './types.js';

/** Every mode in the registry's order; `available` when the engine bound to this service can run it. */
export function modeInfos(available: readonly Mode[]): ModeInfo[] {
  return Object.values(PROFILES).map((p) => {
    // A plan's `bosh` section may pick another profile of the same mode (the 2021 edge): the wizard gets its
    // roles and sections too, so the Hosts and Settings screens follow the toggle without a round trip.
    const boshVariant = profileOf(p.name, { bosh: {} } as Pick<Plan, 'bosh'>);
    return {
      name: p.name,
      title: p.wizard.title,
      description: p.wizard.description,
      icon: p.wizard.icon,
      // A mode the engine runs but the wizard cannot set up yet (notYet without apply) stays a card only.
      available: available.includes(p.name) && !p.notYet,
      ...(p.notYet ? { unavailable: p.notYet.card } : {}),
      ...variantInfo(p),
      outputs: [...p.outputs],
      ...(boshVariant !== p ? { withBosh: variantInfo(boshVariant) } : {}),
    };
  });
}

function variantInfo(p: ModeProfile): ModeVariantInfo {
  return {
    roles: [...p.roles],
    sections: [...p.wizard.sections],
    ...(p.wizard.hostsHint ? { hostsHint: p.wizard.hostsHint } : {}),
  };
}
