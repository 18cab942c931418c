// Shared by the caas unit tests: the real v1.0.4 tree and a caas plan.
import { Plan, type PlanInput } from '../../../core/plan/schema.js';

export const TREE = '/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4/bosh';
export function caasPlan(over: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'caas',
    release: 'paasta-v1.0',
    hosts: [
      { name: 'master-1', address: '10.0.0.11', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.21', roles: ['worker'] },
      { name: 'inception', address: '10.0.1.5', roles: ['jumpbox'] },
    ],
    bosh: { directorAddress: '10.0.1.6', haproxyAddress: '15.164.15.53' },
    paasta: { cfApi: 'https://api.10.0.0.120.nip.io', uaaUrl: 'https://uaa.10.0.0.120.nip.io', skipSslValidation: true },
    ...over,
  } as PlanInput);
}

