// CaaS on PaaS-TA (the 2021 CaaS guide): the Kubespray cluster of the standalone mode, then — the BOSH part
// beside it from the start — the middleware on BOSH, registry trust on every node, the container service on
// the cluster, its broker registered with CF and its UAA client (core/modes/caas/steps.ts); the kubeconfig and
// the report last, so the Done screen and the report show the container service's endpoints with the API server.
import { msg } from '../../common/messages.js';
import { hostsWithRole } from '../../plan/schema.js';
import { outputSteps } from '../../install/modes/outputs.js';
import type { ModeDescriptor } from '../descriptor.js';
import { standaloneSteps } from '../standalone/index.js';
import { caasProfile } from './profile.js';
import { caasSteps } from './steps.js';

/** The step the kubeconfig and report wait for. */
export const CAAS_LAST = 'caas-uaa-client';

export const caasMode: ModeDescriptor = {
  name: 'caas',
  title: msg('mode.caas.card'),
  profile: caasProfile,
  steps(plan, release) {
    // The cluster alone: the middleware is deployed by the caas steps (with the broker's CLIs).
    const outputs = new Set(['kubeconfig', 'report']);
    const cluster = standaloneSteps(plan, release, false).filter((s) => !outputs.has(s.id));
    const master = hostsWithRole(plan, 'control-plane')[0]!;
    return [...cluster, ...caasSteps(plan, { start: ['connect'], cluster: ['verify'] }), ...outputSteps(plan, master, [CAAS_LAST])];
  },
};
