// Plans the Kubespray adapter tests share: a single master, an HA cluster with external etcd, and a
// Rook-Ceph cluster behind a private registry with an offline bundle.
import { Plan, type PlanInput } from '../../../core/plan/schema.js';

const base = { apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2' } as const;

export function singleMaster(): Plan {
  const input: PlanInput = {
    ...base,
    hosts: [
      { name: 'master1', address: '203.0.113.10', privateAddress: '10.0.0.10', roles: ['control-plane'] },
      { name: 'worker1', address: '10.0.0.21', roles: ['worker'] },
      { name: 'nfs1', address: '10.0.0.30', roles: ['nfs'] },
      { name: 'edge1', address: '10.0.0.40', roles: ['edge'] },
    ],
    auth: [{ name: 'default', method: 'key', user: 'ubuntu', keyPath: '~/.ssh/id_rsa' }],
    cluster: { name: 'cp-cluster' },
    network: { metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.170' },
    storage: { type: 'nfs', nfs: { server: '10.0.0.30' } },
  };
  return Plan.parse(input);
}

export function haExternalEtcd(): Plan {
  const hosts: PlanInput['hosts'] = [];
  for (let i = 1; i <= 3; i++) hosts.push({ name: `master${i}`, address: `10.1.0.1${i}`, roles: ['control-plane'] });
  for (let i = 1; i <= 3; i++) hosts.push({ name: `etcd${i}`, address: `10.1.0.2${i}`, roles: ['etcd'] });
  hosts.push({ name: 'worker1', address: '10.1.0.31', port: 2222, user: 'cp', roles: ['worker'] });
  hosts.push({ name: 'lb1', address: '10.1.0.5', roles: ['lb'] });
  return Plan.parse({
    ...base,
    hosts,
    auth: [{ name: 'default', method: 'password', user: 'ubuntu' }],
    cluster: { name: 'prod', loadBalancerDomain: 'k8s-api.example.internal', etcdType: 'external', runtime: 'containerd' },
    network: { metallbRange: '10.1.0.150-10.1.0.160', ingressIp: '10.1.0.170' },
  } satisfies PlanInput);
}

export function rookCephOffline(): Plan {
  const hosts: PlanInput['hosts'] = [{ name: 'cp1', address: '192.168.10.11', roles: ['control-plane', 'deployer'] }];
  for (let i = 1; i <= 3; i++) hosts.push({ name: `w${i}`, address: `192.168.10.2${i}`, roles: ['worker'] });
  return Plan.parse({
    ...base,
    hosts,
    cluster: { name: 'ceph', podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' },
    network: { metallbRange: '192.168.10.200-192.168.10.210', ingressIp: '192.168.10.220' },
    storage: { type: 'rook-ceph' },
    registry: { address: 'registry.local:5000', insecure: true },
    bundle: { path: '/srv/cp-bundle' },
  } satisfies PlanInput);
}
