import { describe, expect, it } from 'vitest';
import { render, LANGS } from '../../../core/common/messages.js';
import { findRelease } from '../../../core/plan/catalog.js';
import type { PlanIssue } from '../../../core/plan/issues.js';
import { planMessages } from '../../../core/plan/messages.js';
import { validatePlan } from '../../../core/plan/validate.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function base(): Obj {
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    hosts: [
      { name: 'master1', address: '192.168.0.11', roles: ['control-plane'] },
      { name: 'worker1', address: '192.168.0.21', roles: ['worker'] },
      { name: 'worker2', address: '192.168.0.22', roles: ['worker'] },
    ],
    auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_rsa' }],
    network: { metallbRange: '192.168.0.150-192.168.0.160', ingressIp: '192.168.0.161' },
    storage: { type: 'nfs', nfs: { server: '192.168.0.31' } },
    portal: { domain: 'portal.example.com' },
  };
}

function edgeBase(): Obj {
  return {
    ...base(),
    mode: 'edge',
    release: 'k-paas-v1.6.2-kubeedge-1.23',
    hosts: [
      { name: 'master1', address: '192.168.0.11', roles: ['control-plane'] },
      { name: 'edge1', address: '198.51.100.21', roles: ['edge'] },
    ],
  };
}

const addWorker = (p: Obj, n: number): void => {
  p.hosts.push({ name: `worker${n}`, address: `192.168.0.${20 + n}`, roles: ['worker'] });
};
const threeMasters = (p: Obj): void => {
  p.hosts.push(
    { name: 'master2', address: '192.168.0.12', roles: ['control-plane'] },
    { name: 'master3', address: '192.168.0.13', roles: ['control-plane'] },
  );
};

function issuesOf(plan: unknown): PlanIssue[] {
  const r = validatePlan(plan);
  return [...r.errors, ...r.warnings];
}

interface Case {
  rule: string;
  key: string;
  severity?: 'error' | 'warning';
  path?: string;
  fail: (p: Obj) => Obj | void;
  pass: (p: Obj) => Obj | void;
  start?: () => Obj;
}

const ATTACKER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl attacker@evil';

const cases: Case[] = [
  {
    rule: 'security #1: a newline in cluster.name (an SSH key smuggled in)',
    key: 'plan.text.control',
    path: 'cluster.name',
    fail: (p) => void (p.cluster = { name: `x\n${ATTACKER_KEY}` }),
    pass: (p) => void (p.cluster = { name: 'x' }),
  },
  {
    rule: 'security #1: a NUL in a host label key',
    key: 'plan.text.control',
    path: 'hosts[0].labels.a\u0000b',
    fail: (p) => void (p.hosts[0].labels = { 'a\u0000b': 'x' }),
    pass: (p) => void (p.hosts[0].labels = { ab: 'x' }),
  },
  {
    rule: 'security #1: cluster.name is a DNS label',
    key: 'plan.cluster.name',
    path: 'cluster.name',
    fail: (p) => void (p.cluster = { name: "x' -C y" }),
    pass: (p) => void (p.cluster = { name: 'prod-1' }),
  },
  {
    rule: 'security #1: a user is a POSIX login name',
    key: 'plan.user.invalid',
    path: 'hosts[0].user',
    fail: (p) => void (p.hosts[0].user = '-oProxyCommand=touch'),
    pass: (p) => void (p.hosts[0].user = 'ubuntu'),
  },
  {
    rule: 'security #1: a jump host user is a POSIX login name',
    key: 'plan.user.invalid',
    path: 'auth[0].jumpHost.user',
    fail: (p) => void (p.auth[0].jumpHost = { address: '192.168.0.5', user: 'a b' }),
    pass: (p) => void (p.auth[0].jumpHost = { address: '192.168.0.5', user: 'gw' }),
  },
  {
    rule: 'security #1: an auth profile name is a plain name',
    key: 'plan.name.invalid',
    path: 'auth[0].name',
    fail: (p) => {
      p.auth[0].name = 'de fault';
      for (const h of p.hosts) h.auth = 'de fault';
    },
    pass: (p) => void (p.auth[0].name = 'default'),
  },
  {
    rule: 'security #1: a local path is absolute or under ~/',
    key: 'plan.path.invalid',
    path: 'auth[0].keyPath',
    fail: (p) => void (p.auth[0].keyPath = 'id_rsa'),
    pass: (p) => void (p.auth[0].keyPath = '/home/me/.ssh/id_rsa'),
  },
  {
    rule: 'security #1: the NFS export is an absolute path',
    key: 'plan.path.remote',
    path: 'storage.nfs.path',
    fail: (p) => void (p.storage.nfs.path = '~/share'),
    pass: (p) => void (p.storage.nfs.path = '/srv/nfs'),
  },
  {
    rule: 'security #1: a comma in a label value (would add a label through keadm --labels)',
    key: 'plan.label.value',
    path: 'hosts[0].labels.zone',
    fail: (p) => void (p.hosts[0].labels = { zone: 'a,node-role.kubernetes.io/control-plane=' }),
    pass: (p) => void (p.hosts[0].labels = { zone: 'a' }),
  },
  {
    rule: 'security #1: a label key is a Kubernetes label key',
    key: 'plan.label.key',
    path: 'hosts[0].labels.a=b',
    fail: (p) => void (p.hosts[0].labels = { 'a=b': 'x' }),
    pass: (p) => void (p.hosts[0].labels = { 'example.com/a': 'x' }),
  },
  {
    rule: 'security #1: paasta.systemDomain is a domain',
    key: 'plan.domain.invalid',
    path: 'paasta.systemDomain',
    fail: (p) => void (p.paasta = { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com', systemDomain: 'sys example' }),
    pass: (p) => void (p.paasta = { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com', systemDomain: 'sys.example.com' }),
  },
  {
    rule: 'security #3: 10.250.0.014 (octal to the resolver)',
    key: 'plan.ip.leadingZero',
    path: 'hosts[0].address',
    fail: (p) => void (p.hosts[0].address = '10.250.0.014'),
    pass: (p) => void (p.hosts[0].address = '10.250.0.14'),
  },
  {
    rule: 'security #3: 010.250.0.012',
    key: 'plan.ip.leadingZero',
    path: 'hosts[1].address',
    fail: (p) => void (p.hosts[1].address = '010.250.0.012'),
    pass: (p) => void (p.hosts[1].address = '10.250.0.12'),
  },
  {
    rule: 'security #3: 10.250.0.256',
    key: 'plan.ip.invalid',
    path: 'hosts[0].address',
    fail: (p) => void (p.hosts[0].address = '10.250.0.256'),
    pass: (p) => void (p.hosts[0].address = '10.250.0.25'),
  },
  {
    rule: 'security #3 and #4: 0x0a.250.0.12 is not a host name',
    key: 'plan.ip.numericForm',
    path: 'hosts[0].address',
    fail: (p) => void (p.hosts[0].address = '0x0a.250.0.12'),
    pass: (p) => void (p.hosts[0].address = '10.250.0.12'),
  },
  {
    rule: 'security #3: 167772172 is not a host name',
    key: 'plan.ip.numericForm',
    path: 'hosts[2].address',
    fail: (p) => void (p.hosts[2].address = '167772172'),
    pass: (p) => void (p.hosts[2].address = '10.0.0.12'),
  },
  {
    rule: 'security #3: 10.1 is not an address',
    key: 'plan.ip.numericForm',
    path: 'auth[0].jumpHost.address',
    fail: (p) => void (p.auth[0].jumpHost = { address: '10.1' }),
    pass: (p) => void (p.auth[0].jumpHost = { address: '10.0.0.1' }),
  },
  {
    rule: 'security #4: a numeric form in the registry address',
    key: 'plan.registry.invalid',
    path: 'registry.address',
    fail: (p) => void (p.registry = { address: '0x7f.1:5000' }),
    pass: (p) => void (p.registry = { address: 'registry.local:5000' }),
  },
  {
    rule: 'malformed address',
    key: 'plan.address.invalid',
    path: 'hosts[0].address',
    fail: (p) => void (p.hosts[0].address = 'node_1!'),
    pass: (p) => void (p.hosts[0].address = 'master1.example.com'),
  },
  {
    rule: 'malformed IPv4',
    key: 'plan.ip.invalid',
    path: 'hosts[0].address',
    fail: (p) => void (p.hosts[0].address = '192.168.0.300'),
    pass: (p) => void (p.hosts[0].address = 'fd00::11'),
  },
  {
    rule: 'malformed IPv6',
    key: 'plan.address.invalid',
    path: 'hosts[1].address',
    fail: (p) => void (p.hosts[1].address = 'fd00:::1'),
    pass: (p) => void (p.hosts[1].address = 'fd00::21'),
  },
  {
    rule: 'private address must be an IP',
    key: 'plan.privateAddress.notIp',
    path: 'hosts[0].privateAddress',
    fail: (p) => void (p.hosts[0].privateAddress = 'master1.internal'),
    pass: (p) => void (p.hosts[0].privateAddress = '10.0.0.11'),
  },
  {
    rule: 'port range',
    key: 'plan.port.invalid',
    path: 'hosts[0].port',
    fail: (p) => void (p.hosts[0].port = 70000),
    pass: (p) => void (p.hosts[0].port = 2222),
  },
  {
    rule: 'node name Kubernetes refuses',
    key: 'plan.host.nodeName',
    path: 'hosts[0].name',
    fail: (p) => void (p.hosts[0].name = 'Master_1'),
    pass: (p) => void (p.hosts[0].name = 'master-1'),
  },
  {
    rule: 'duplicate host name',
    key: 'plan.host.duplicateName',
    path: 'hosts[2].name',
    fail: (p) => void (p.hosts[2].name = 'worker1'),
    pass: (p) => void (p.hosts[2].name = 'worker3'),
  },
  {
    rule: 'duplicate address',
    key: 'plan.host.duplicateAddress',
    path: 'hosts[2].address',
    fail: (p) => void (p.hosts[2].address = '192.168.0.21'),
    pass: (p) => {
      // One NAT address, two ports, two private addresses: allowed.
      Object.assign(p.hosts[1], { address: '203.0.113.5', port: 2201, privateAddress: '192.168.0.21' });
      Object.assign(p.hosts[2], { address: '203.0.113.5', port: 2202, privateAddress: '192.168.0.22' });
    },
  },
  {
    rule: 'duplicate private address',
    key: 'plan.host.duplicateAddress',
    path: 'hosts[2].privateAddress',
    fail: (p) => {
      Object.assign(p.hosts[1], { address: '203.0.113.5', port: 2201, privateAddress: '192.168.0.21' });
      Object.assign(p.hosts[2], { address: '203.0.113.5', port: 2202, privateAddress: '192.168.0.21' });
    },
    pass: () => undefined,
  },
  {
    rule: 'missing auth profile',
    key: 'plan.auth.missing',
    path: 'hosts[1].auth',
    fail: (p) => void (p.hosts[1].auth = 'ops'),
    pass: (p) => {
      p.hosts[1].auth = 'ops';
      p.auth.push({ name: 'ops', method: 'password' });
    },
  },
  {
    rule: 'key profile without keyPath',
    key: 'plan.auth.keyPath',
    path: 'auth[0].keyPath',
    fail: (p) => void delete p.auth[0].keyPath,
    pass: (p) => void (p.auth[0] = { name: 'default', method: 'agent' }),
  },
  {
    rule: 'duplicate auth profile',
    key: 'plan.auth.duplicate',
    path: 'auth[1].name',
    fail: (p) => void p.auth.push({ name: 'default', method: 'agent' }),
    pass: (p) => void p.auth.push({ name: 'other', method: 'agent' }),
  },
  {
    rule: 'unknown release',
    key: 'plan.release.unknown',
    path: 'release',
    fail: (p) => void (p.release = 'k-paas-v9.9'),
    pass: (p) => void (p.release = 'k-paas-v1.6.1'),
  },
  {
    rule: 'runtime the release lacks',
    key: 'plan.release.runtime',
    path: 'cluster.runtime',
    fail: (p) => Object.assign(p, { release: 'k-paas-v1.6.1', cluster: { runtime: 'containerd' } }),
    pass: (p) => Object.assign(p, { release: 'k-paas-v1.6.2', cluster: { runtime: 'containerd' } }),
  },
  {
    rule: 'standalone without control plane',
    key: 'plan.roles.noControlPlane',
    path: 'hosts',
    fail: (p) => void (p.hosts[0].roles = ['worker']),
    pass: () => undefined,
  },
  {
    rule: 'standalone without worker',
    key: 'plan.roles.noWorker',
    path: 'hosts',
    fail: (p) => void p.hosts.splice(1, 2),
    pass: (p) => void p.hosts.splice(2, 1),
  },
  {
    rule: 'HA without load balancer',
    key: 'plan.ha.loadBalancer',
    path: 'cluster.loadBalancerDomain',
    fail: (p) => threeMasters(p),
    pass: (p) => {
      threeMasters(p);
      p.cluster = { loadBalancerDomain: 'api.example.com', etcdType: 'stacked' };
    },
  },
  {
    rule: 'HA without etcdType',
    key: 'plan.ha.etcdType',
    path: 'cluster.etcdType',
    fail: (p) => {
      threeMasters(p);
      p.cluster = { loadBalancerDomain: '192.168.0.100' };
    },
    pass: (p) => {
      threeMasters(p);
      p.cluster = { loadBalancerDomain: '192.168.0.100', etcdType: 'external' };
      p.hosts.push({ name: 'etcd1', address: '192.168.0.41', roles: ['etcd'] });
    },
  },
  {
    rule: 'external etcd: even count',
    key: 'plan.etcd.even',
    fail: (p) => {
      p.cluster = { etcdType: 'external' };
      p.hosts.push(
        { name: 'etcd1', address: '192.168.0.41', roles: ['etcd'] },
        { name: 'etcd2', address: '192.168.0.42', roles: ['etcd'] },
      );
    },
    pass: (p) => {
      p.cluster = { etcdType: 'external' };
      for (let i = 1; i <= 3; i++)
        p.hosts.push({ name: `etcd${i}`, address: `192.168.0.4${i}`, roles: ['etcd'] });
    },
  },
  {
    rule: 'external etcd: at most 7',
    key: 'plan.etcd.tooMany',
    fail: (p) => {
      p.cluster = { etcdType: 'external' };
      for (let i = 1; i <= 9; i++)
        p.hosts.push({ name: `etcd${i}`, address: `192.168.0.4${i}`, roles: ['etcd'] });
    },
    pass: (p) => {
      p.cluster = { etcdType: 'external' };
      for (let i = 1; i <= 7; i++)
        p.hosts.push({ name: `etcd${i}`, address: `192.168.0.4${i}`, roles: ['etcd'] });
    },
  },
  {
    rule: 'external etcd: none',
    key: 'plan.etcd.none',
    fail: (p) => void (p.cluster = { etcdType: 'external' }),
    pass: (p) => void (p.cluster = { etcdType: 'stacked' }),
  },
  {
    rule: 'rook-ceph needs 3 workers',
    key: 'plan.storage.rookWorkers',
    path: 'storage.type',
    fail: (p) => void (p.storage = { type: 'rook-ceph' }),
    pass: (p) => {
      p.storage = { type: 'rook-ceph' };
      addWorker(p, 3);
    },
  },
  {
    rule: 'nfs needs a server',
    key: 'plan.storage.nfsServer',
    path: 'storage.nfs.server',
    fail: (p) => void (p.storage = { type: 'nfs' }),
    pass: (p) => {
      p.storage = { type: 'nfs' };
      p.hosts.push({ name: 'nfs', address: '192.168.0.31', roles: ['nfs'] });
    },
  },
  {
    rule: 'edge needs an edge host',
    key: 'plan.edge.noEdgeHost',
    start: edgeBase,
    fail: (p) => void p.hosts.pop(),
    pass: () => undefined,
  },
  {
    rule: 'expand-edge needs an edge host',
    key: 'plan.edge.noEdgeHost',
    start: () => ({ ...edgeBase(), mode: 'expand-edge' }),
    fail: (p) => void p.hosts.pop(),
    pass: () => undefined,
  },
  {
    rule: 'edge: exactly one cloud control plane',
    key: 'plan.edge.controlPlaneCount',
    start: edgeBase,
    fail: (p) => void p.hosts.push({ name: 'master2', address: '192.168.0.12', roles: ['control-plane'] }),
    pass: (p) => void p.hosts.push({ name: 'edge2', address: '198.51.100.22', roles: ['edge'] }),
  },
  {
    rule: 'expand-edge needs a control plane to reach',
    key: 'plan.expandEdge.noControlPlane',
    start: () => ({ ...edgeBase(), mode: 'expand-edge' }),
    fail: (p) => void p.hosts.shift(),
    pass: () => undefined,
  },
  {
    rule: 'edge role with cluster roles',
    key: 'plan.edge.roleConflict',
    path: 'hosts[1].roles',
    start: edgeBase,
    fail: (p) => void (p.hosts[1].roles = ['edge', 'worker']),
    pass: () => undefined,
  },
  {
    rule: 'KubeEdge/Kubernetes pair outside the matrix',
    key: 'plan.edge.incompatible',
    path: 'release',
    start: edgeBase,
    fail: (p) => void (p.release = 'k-paas-v1.6.2'),
    pass: () => undefined,
  },
  {
    rule: 'caas needs bosh and paasta',
    key: 'plan.caas.bosh',
    path: 'bosh',
    fail: (p) => void (p.mode = 'caas'),
    pass: (p) => {
      p.mode = 'caas';
      p.bosh = { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120' };
      p.paasta = { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com' };
      p.bundle = { path: '/srv/bundle' };
      (p.hosts as unknown[]).push({ name: 'inception', address: '10.0.0.99', roles: ['jumpbox'] });
    },
  },
  {
    rule: 'caas needs paasta',
    key: 'plan.caas.paasta',
    path: 'paasta',
    fail: (p) => Object.assign(p, { mode: 'caas', bosh: { directorAddress: '10.0.0.6' } }),
    pass: (p) =>
      Object.assign(p, {
        mode: 'caas',
        bosh: { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120' },
        paasta: { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com' },
        bundle: { path: '/srv/bundle' },
        hosts: [...(p.hosts as unknown[]), { name: 'inception', address: '10.0.0.99', roles: ['jumpbox'] }],
      }),
  },
  {
    rule: 'CIDR syntax',
    key: 'plan.cidr.invalid',
    path: 'cluster.podCidr',
    fail: (p) => void (p.cluster = { podCidr: '10.233.64.0' }),
    pass: (p) => void (p.cluster = { podCidr: '10.244.0.0/16' }),
  },
  {
    rule: 'CIDR with host bits',
    key: 'plan.cidr.hostBits',
    path: 'cluster.serviceCidr',
    fail: (p) => void (p.cluster = { serviceCidr: '10.233.0.1/18' }),
    pass: (p) => void (p.cluster = { serviceCidr: '10.96.0.0/12' }),
  },
  {
    rule: 'pod and service CIDRs overlap',
    key: 'plan.cidr.overlap',
    path: 'cluster.serviceCidr',
    fail: (p) => void (p.cluster = { podCidr: '10.233.0.0/16', serviceCidr: '10.233.0.0/18' }),
    pass: (p) => void (p.cluster = { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' }),
  },
  {
    rule: 'MetalLB range overlaps a CIDR',
    key: 'plan.cidr.overlap',
    path: 'network.metallbRange',
    fail: (p) => void (p.network = { metallbRange: '10.233.1.10-10.233.1.20', ingressIp: '192.168.0.161' }),
    pass: () => undefined,
  },
  {
    rule: 'host address inside the pod CIDR',
    key: 'plan.cidr.hostInside',
    path: 'hosts[1].address',
    fail: (p) => void (p.hosts[1].address = '10.233.70.5'),
    pass: (p) => void (p.hosts[1].address = '10.234.0.5'),
  },
  {
    rule: 'host address inside the MetalLB range',
    key: 'plan.metallb.containsHost',
    path: 'hosts[2].address',
    fail: (p) => void (p.hosts[2].address = '192.168.0.155'),
    pass: (p) => void (p.hosts[2].address = '192.168.0.149'),
  },
  {
    rule: 'ingress IP inside the MetalLB range',
    key: 'plan.metallb.containsVip',
    path: 'network.ingressIp',
    fail: (p) => void (p.network.ingressIp = '192.168.0.160'),
    pass: (p) => void (p.network.ingressIp = '192.168.0.149'),
  },
  {
    rule: 'ingress IP syntax',
    key: 'plan.ip.invalid',
    path: 'network.ingressIp',
    fail: (p) => void (p.network.ingressIp = 'ingress.example.com'),
    pass: () => undefined,
  },
  {
    rule: 'MetalLB range syntax',
    key: 'plan.metallb.invalid',
    path: 'network.metallbRange',
    fail: (p) => void (p.network.metallbRange = '192.168.0.160-192.168.0.150'),
    pass: (p) => void (p.network.metallbRange = '192.168.0.192/27'),
  },
  {
    rule: 'portal needs a domain or an ingress IP',
    key: 'plan.portal.noDomain',
    path: 'portal.domain',
    fail: (p) => {
      delete p.portal.domain;
      delete p.network.ingressIp;
    },
    pass: (p) => void delete p.portal.domain,
  },
  {
    rule: 'provided TLS needs files',
    key: 'plan.portal.tlsFile',
    path: 'portal.tls.keyFile',
    fail: (p) => void (p.portal.tls = { mode: 'provided', certFile: '/etc/tls/tls.crt' }),
    pass: (p) =>
      void (p.portal.tls = { mode: 'provided', certFile: '/etc/tls/tls.crt', keyFile: '/etc/tls/tls.key' }),
  },
  {
    rule: 'portal domain syntax',
    key: 'plan.hostname.invalid',
    path: 'portal.domain',
    fail: (p) => void (p.portal.domain = 'portal_example.com'),
    pass: () => undefined,
  },
  {
    rule: 'registry address',
    key: 'plan.registry.invalid',
    path: 'registry.address',
    fail: (p) => void (p.registry = { address: 'https://registry.example.com:5000' }),
    pass: (p) => void (p.registry = { address: 'registry.example.com:5000' }),
  },
  {
    rule: 'PaaS-TA URLs',
    key: 'plan.url.invalid',
    path: 'paasta.cfApi',
    fail: (p) => void (p.paasta = { cfApi: 'api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com' }),
    pass: (p) =>
      void (p.paasta = { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com' }),
  },
  {
    rule: 'BOSH director address',
    key: 'plan.address.invalid',
    path: 'bosh.directorAddress',
    fail: (p) => void (p.bosh = { directorAddress: 'director:25555/x' }),
    // A standalone plan with `bosh` deploys the 2021 middleware: it needs HAProxy's address, a jump box and the bundle too.
    pass: (p) =>
      Object.assign(p, {
        bosh: { directorAddress: 'https://10.0.0.6:25555', haproxyAddress: '10.0.0.120' },
        bundle: { path: '/srv/bundle' },
        hosts: [...(p.hosts as unknown[]), { name: 'inception', address: '10.0.0.99', roles: ['jumpbox'] }],
      }),
  },
  {
    rule: 'jump host address',
    key: 'plan.address.invalid',
    path: 'auth[0].jumpHost.address',
    fail: (p) => void (p.auth[0].jumpHost = { address: 'bastion host' }),
    pass: (p) => void (p.auth[0].jumpHost = { address: 'bastion.example.com' }),
  },
  {
    rule: 'password in the plan',
    key: 'plan.secret.key',
    path: 'auth[0].password',
    fail: (p) => void (p.auth[0].password = 'hunter2'),
    pass: (p) => void (p.auth[0].passphrase = true),
  },
  {
    rule: 'private key pasted into the plan',
    key: 'plan.secret.value',
    path: 'hosts[0].labels.note',
    fail: (p) => void (p.hosts[0].labels = { note: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc' }),
    pass: (p) => void (p.hosts[0].labels = { note: 'rack-3' }),
  },
  {
    rule: 'structure: required field',
    key: 'plan.schema.required',
    path: 'apiVersion',
    fail: (p) => void delete p.apiVersion,
    pass: () => undefined,
  },
  {
    rule: 'structure: unknown key',
    key: 'plan.schema.unknownKey',
    path: 'hosts[0].adress',
    fail: (p) => void (p.hosts[0].adress = '1.2.3.4'),
    pass: () => undefined,
  },
  {
    rule: 'structure: wrong type',
    key: 'plan.schema.type',
    path: 'hosts[0].port',
    fail: (p) => void (p.hosts[0].port = '22'),
    pass: (p) => void (p.hosts[0].port = 22),
  },
  {
    rule: 'structure: value outside an enum',
    key: 'plan.schema.value',
    path: 'mode',
    fail: (p) => void (p.mode = 'multi'),
    pass: () => undefined,
  },
  // Warnings
  {
    rule: 'one control plane',
    key: 'plan.warn.singleControlPlane',
    severity: 'warning',
    fail: () => undefined,
    pass: (p) => {
      threeMasters(p);
      p.cluster = { loadBalancerDomain: 'api.example.com', etcdType: 'stacked' };
    },
  },
  {
    rule: 'even control planes with stacked etcd',
    key: 'plan.warn.evenControlPlanes',
    severity: 'warning',
    fail: (p) => {
      p.hosts.push({ name: 'master2', address: '192.168.0.12', roles: ['control-plane'] });
      p.cluster = { loadBalancerDomain: 'api.example.com', etcdType: 'stacked' };
    },
    pass: (p) => {
      threeMasters(p);
      p.cluster = { loadBalancerDomain: 'api.example.com', etcdType: 'stacked' };
    },
  },
  {
    rule: 'etcd count differs from control planes',
    key: 'plan.warn.etcdCount',
    severity: 'warning',
    fail: (p) => {
      p.cluster = { etcdType: 'external' };
      for (let i = 1; i <= 3; i++)
        p.hosts.push({ name: `etcd${i}`, address: `192.168.0.4${i}`, roles: ['etcd'] });
    },
    pass: (p) => {
      p.cluster = { etcdType: 'external' };
      p.hosts.push({ name: 'etcd1', address: '192.168.0.41', roles: ['etcd'] });
    },
  },
  {
    rule: 'etcd role with stacked etcd',
    key: 'plan.warn.etcdRoleUnused',
    severity: 'warning',
    fail: (p) => void p.hosts.push({ name: 'etcd1', address: '192.168.0.41', roles: ['etcd'] }),
    pass: () => undefined,
  },
  {
    rule: 'host without roles',
    key: 'plan.warn.noRoles',
    severity: 'warning',
    path: 'hosts[3].roles',
    fail: (p) => void p.hosts.push({ name: 'spare', address: '192.168.0.99' }),
    pass: (p) => void p.hosts.push({ name: 'spare', address: '192.168.0.99', roles: ['deployer'] }),
  },
  {
    rule: 'memory advice for a control plane that is also a worker',
    key: 'plan.warn.sharedControlPlane',
    severity: 'warning',
    path: 'hosts[0].roles',
    fail: (p) => void (p.hosts[0].roles = ['control-plane', 'worker']),
    pass: () => undefined,
  },
  {
    rule: 'edge role outside the edge modes',
    key: 'plan.warn.edgeIgnored',
    severity: 'warning',
    fail: (p) => void p.hosts.push({ name: 'edge1', address: '198.51.100.21', roles: ['edge'] }),
    pass: () => undefined,
  },
  {
    rule: 'a role the edge mode leaves idle, named with its host',
    key: 'plan.warn.roleIgnored',
    severity: 'warning',
    path: 'hosts[2].roles',
    start: edgeBase,
    fail: (p) => void p.hosts.push({ name: 'spare', address: '192.168.0.41', roles: ['worker'] }),
    pass: (p) => void p.hosts.push({ name: 'edge2', address: '198.51.100.22', roles: ['edge'] }),
  },
  {
    rule: 'rook-ceph disks',
    key: 'plan.warn.rookDisks',
    severity: 'warning',
    fail: (p) => {
      p.storage = { type: 'rook-ceph' };
      addWorker(p, 3);
    },
    pass: () => undefined,
  },
  {
    rule: 'no MetalLB range',
    key: 'plan.warn.noMetallb',
    severity: 'warning',
    fail: (p) => void delete p.network.metallbRange,
    pass: () => undefined,
  },
  {
    rule: 'nip.io default domain needs internet DNS',
    key: 'plan.warn.nipio',
    severity: 'warning',
    path: 'portal.domain',
    fail: (p) => void delete p.portal.domain,
    pass: () => undefined,
  },
  {
    rule: 'nip.io on an offline site',
    key: 'plan.warn.nipioOffline',
    severity: 'warning',
    fail: (p) => {
      delete p.portal.domain;
      p.bundle = { path: '/srv/cp-bundle.tar' };
    },
    pass: (p) => void (p.bundle = { path: '/srv/cp-bundle.tar' }),
  },
  {
    rule: 'release from before CRI-O',
    key: 'plan.warn.legacyRuntime',
    severity: 'warning',
    fail: (p) => void (p.release = 'paasta-v1.0'),
    pass: () => undefined,
  },
];

describe('validatePlan', () => {
  it('accepts the base plans it mutates', () => {
    expect(validatePlan(base()).errors).toEqual([]);
    expect(validatePlan(edgeBase()).errors).toEqual([]);
  });

  describe.each(cases)('$rule', (c) => {
    const make = (mutate: (p: Obj) => Obj | void): PlanIssue[] => {
      const p = (c.start ?? base)();
      return issuesOf(mutate(p) ?? p);
    };

    it(`reports ${c.key} on a failing plan`, () => {
      const found = make(c.fail).filter((i) => i.key === c.key);
      expect(found.length, JSON.stringify(make(c.fail))).toBeGreaterThan(0);
      expect(found[0]?.severity).toBe(c.severity ?? 'error');
      if (c.path !== undefined) expect(found.map((i) => i.path)).toContain(c.path);
    });

    it(`does not report ${c.key} once fixed`, () => {
      const issues = make(c.pass);
      expect(issues.filter((i) => i.key === c.key)).toEqual([]);
      if ((c.severity ?? 'error') === 'error')
        expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    });

    it.each(LANGS)('renders the message in %s with every placeholder filled', (lang) => {
      const found = make(c.fail).filter((i) => i.key === c.key);
      for (const i of found) {
        expect(planMessages[lang][i.key], `${lang} ${i.key}`).toBeDefined();
        const text = render(planMessages, lang, i);
        expect(text).not.toMatch(/\{\{/);
        expect(text.length).toBeGreaterThan(20);
      }
    });
  });

  it('names the value and what to do', () => {
    const p = base();
    p.hosts[2].address = '192.168.0.300';
    const [e] = validatePlan(p).errors;
    expect(render(planMessages, 'en', e!)).toContain('"192.168.0.300"');
    expect(render(planMessages, 'ko', e!)).toContain('"192.168.0.300"');
  });

  it('suggests a node name Kubernetes accepts', () => {
    const p = base();
    p.hosts[0].name = 'Master_1';
    const e = validatePlan(p).errors.find((i) => i.key === 'plan.host.nodeName');
    expect(e?.params?.suggestion).toBe('master-1');
  });

  it('names the release that fits when the KubeEdge pair does not', () => {
    const p = edgeBase();
    p.release = 'k-paas-v1.6.2';
    const e = validatePlan(p).errors.find((i) => i.key === 'plan.edge.incompatible');
    expect(e?.params).toMatchObject({ kubeedge: '1.20.0', kubernetes: '1.32.5', range: '1.28–1.30' });
    expect(String(e?.params?.fits)).toContain('k-paas-v1.6.2-kubeedge-1.23');
  });

  it('refuses edge modes on a release without KubeEdge', () => {
    const p = edgeBase();
    const release = findRelease('k-paas-v1.6.2-kubeedge-1.23')!;
    const { kubeedge: _dropped, ...withoutKubeEdge } = release;
    const result = validatePlan(p, { findRelease: () => withoutKubeEdge });
    expect(result.errors.map((i) => i.key)).toContain('plan.edge.noKubeEdge');
    expect(validatePlan(p).errors.map((i) => i.key)).not.toContain('plan.edge.noKubeEdge');
  });

  it('reports a secret key once, as a secret rather than an unknown key', () => {
    const p = base();
    p.auth[0].password = 'hunter2';
    const { errors } = validatePlan(p);
    expect(errors.filter((i) => i.path === 'auth[0].password').map((i) => i.key)).toEqual([
      'plan.secret.key',
    ]);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  it('refuses what is not a mapping', () => {
    expect(validatePlan(null).errors[0]?.key).toBe('plan.notObject');
    expect(validatePlan([1]).errors[0]?.key).toBe('plan.notObject');
  });

  it('returns the plan with defaults when the structure is sound', () => {
    const r = validatePlan(base());
    expect(r.plan?.hosts[0]?.port).toBe(22);
    expect(r.plan?.cluster.podCidr).toBe('10.233.64.0/18');
  });
});

describe('security #1: every plan string has its character set', () => {
  it('cluster.name = "x\\n" + a public key fails validate, naming cluster.name', () => {
    const p = base();
    p.cluster = { name: `x\n${ATTACKER_KEY}` };
    const r = validatePlan(p);
    expect(r.valid).toBe(false);
    expect(r.errors).toContainEqual(
      expect.objectContaining({ path: 'cluster.name', key: 'plan.text.control', params: expect.objectContaining({ field: 'cluster.name', char: 'U+000A (newline)' }) }),
    );
    expect(render(planMessages, 'ko', r.errors.find((e) => e.path === 'cluster.name')!)).toContain('cluster.name');
  });

  it('a control character anywhere is refused, also in a field the schema does not know', () => {
    const p = base();
    p.hosts[1].name = 'worker1\r';
    p.portal.domain = 'portal.example.com\u0000';
    const paths = validatePlan(p).errors.filter((e) => e.key === 'plan.text.control').map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['hosts[1].name', 'portal.domain']));
  });
});
