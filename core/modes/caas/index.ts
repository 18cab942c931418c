// CaaS on PaaS-TA (the 2021 CaaS guide): the Kubespray cluster of the standalone mode, then — the BOSH part
// beside it from the start — the middleware on BOSH, registry trust on every node, the container service on
// the cluster, its broker registered with CF and its UAA client (core/modes/caas/steps.ts).
import { msg } from '../../common/messages.js';
import type { ModeDescriptor } from '../descriptor.js';
import { standaloneSteps } from '../standalone/index.js';
import { caasProfile } from './profile.js';
import { caasSteps } from './steps.js';

export const caasMode: ModeDescriptor = {
  name: 'caas',
  title: msg('mode.caas.card'),
  profile: caasProfile,
  steps(plan, release) {
    // The cluster alone: the middleware is deployed by the caas steps (with the broker's CLIs).
    const cluster = standaloneSteps(plan, release, false);
    return [...cluster, ...caasSteps(plan, { start: ['connect'], cluster: ['verify'] })];
  },
};
