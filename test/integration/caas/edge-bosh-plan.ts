// The 2021 edge with BOSH middleware on four test hosts, in the order both of its integration files start them:
// master (cloudcore), cloud worker, edge node, jump box. The director and the bundle are each file's own.
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import type { TestHosts } from '../../hosts/harness.js';

export const [MASTER, WORKER, EDGE, JUMP] = [0, 1, 2, 3];

export function edgeBoshHostsPlan(hosts: TestHosts, o: { bosh: NonNullable<PlanInput['bosh']>; bundle: string }): Plan {
  const [master, worker, edge, jump] = [hosts.hosts[MASTER]!, hosts.hosts[WORKER]!, hosts.hosts[EDGE]!, hosts.hosts[JUMP]!];
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: 'paasta-v1.0',
    auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
    hosts: [
      { name: master.name, address: master.address, roles: ['control-plane'] },
      { name: worker.name, address: worker.address, roles: ['worker'] },
      { name: edge.name, address: edge.address, roles: ['edge'] },
      { name: jump.name, address: jump.address, roles: ['jumpbox'] },
    ],
    bosh: o.bosh,
    bundle: { path: o.bundle },
    storage: { type: 'nfs', nfs: { server: master.address } },
    portal: { enabled: false },
  } as PlanInput);
}
