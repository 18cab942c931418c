// A mode as the engine and the API see it: its profile (plain data: roles, plan rules, preflight profile,
// wizard text, outputs) plus its steps. One per mode in core/modes/<mode>/index.ts, listed in
// core/modes/index.ts.
import type { InstallMode } from '../install/step.js';
import type { ModeProfile } from './profile.js';

export interface ModeDescriptor extends InstallMode {
  name: ModeProfile['name'];
  profile: ModeProfile;
}
