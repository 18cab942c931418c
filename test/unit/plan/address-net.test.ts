// Address fields against the hosts' network: example values left in a real plan are named, field by field.
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../../core/plan/validate.js';

const base = {
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  hosts: [
    { name: 'master-1', address: '10.252.0.11', roles: ['control-plane'] },
    { name: 'worker-1', address: '10.252.0.12', roles: ['worker'] },
  ],
  auth: [{ name: 'default', method: 'password', user: 'ubuntu' }],
};

const outside = (plan: object) =>
  validatePlan(plan)
    .warnings.filter((w) => w.key === 'plan.warn.outsideHostNet')
    .map((w) => w.path);

describe('address fields outside the hosts\' network', () => {
  it('warns for the example MetalLB range, ingress IP and NFS server in a 10.252.0.x cluster, naming each field', () => {
    const paths = outside({ ...base, network: { metallbRange: '192.168.0.150-192.168.0.160', ingressIp: '192.168.0.161' }, storage: { type: 'nfs', nfs: { server: '192.168.0.31' } } });
    expect(paths).toEqual(['network.metallbRange', 'network.ingressIp', 'storage.nfs.server']);
    const w = validatePlan({ ...base, network: { metallbRange: '192.168.0.150-192.168.0.160' } }).warnings.find((x) => x.key === 'plan.warn.outsideHostNet');
    expect(w?.params).toMatchObject({ field: 'network.metallbRange', nets: '10.252.0.x' });
  });
  it('warns for the example cloudcore address in edge mode', () => {
    const plan = { ...base, mode: 'edge', release: 'k-paas-v1.6.2-kubeedge-1.23', edge: { cloudcoreAddress: '203.0.113.10' } };
    expect(outside(plan)).toContain('edge.cloudcoreAddress');
  });
  it('says nothing when the addresses are in the hosts\' network', () => {
    expect(outside({ ...base, network: { metallbRange: '10.252.0.200-10.252.0.210', ingressIp: '10.252.0.220' } })).toEqual([]);
  });
});
