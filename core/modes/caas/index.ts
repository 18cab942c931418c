// CaaS on PaaS-TA: the descriptor without steps yet (they come with the CaaS issue). A run refuses the plan
// while building its steps, so `apply` ends with the mode's own message and changes nothing.
import { msg } from '../../common/messages.js';
import { StepError } from '../../install/step.js';
import type { ModeDescriptor } from '../descriptor.js';
import { caasProfile } from './profile.js';

export const caasMode: ModeDescriptor = {
  name: 'caas',
  title: msg('mode.caas.card'),
  profile: caasProfile,
  steps() {
    throw new StepError(caasProfile.notYet!.apply, undefined, true);
  },
};
