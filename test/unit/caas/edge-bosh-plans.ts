// The 2021 edge with BOSH middleware as the unit tests write it: a master, a cloud worker, edge hosts, the BOSH
// inception VM as jump box, the director and HAProxy, a bundle. One place, so the three test files that need it
// (plan rules and dry run, guide 2.6–2.7, the tree's keadm) agree on what such a plan is.
import type { PlanInput } from '../../../core/plan/schema.js';

export function edgeBoshPlanInput(bundle: string, over: Partial<PlanInput> = {}, edgeHosts = 1): PlanInput {
  const edges = Array.from({ length: edgeHosts }, (_, i) => ({ name: `edge${i + 1}`, address: `10.0.2.${31 + i}`, roles: ['edge'] }));
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: 'paasta-v1.0',
    auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_rsa', user: 'ubuntu' }],
    hosts: [
      { name: 'master1', address: '10.0.1.11', roles: ['control-plane'] },
      { name: 'worker1', address: '10.0.1.21', roles: ['worker'] },
      ...edges,
      { name: 'inception', address: '10.0.1.6', roles: ['jumpbox'] },
    ],
    storage: { type: 'nfs', nfs: { server: '10.0.1.11' } },
    bosh: { directorAddress: '10.0.0.6', caCertFile: '/home/ubuntu/director.crt', haproxyAddress: '10.0.0.120' },
    bundle: { path: bundle },
    portal: { enabled: false },
    ...over,
  } as PlanInput;
}
