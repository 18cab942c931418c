// Plans for the edge unit tests.
import { Plan, type PlanInput } from '../../../core/plan/schema.js';

export function edgePlan(over: Partial<PlanInput> = {}, edges = 2): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: 'k-paas-v1.6.2-kubeedge-1.23',
    auth: [{ name: 'default', method: 'key', keyPath: '/k', user: 'ubuntu' }],
    hosts: [
      { name: 'cp1', address: '203.0.113.5', privateAddress: '10.0.0.10', roles: ['control-plane'] },
      ...Array.from({ length: edges }, (_, i) => ({ name: `edge-${i + 1}`, address: `10.0.1.${i + 1}`, roles: ['edge'] })),
    ],
    ...over,
  } as PlanInput);
}
