import { describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { evaluate } from '../../../core/preflight/checks/index.js';
import { requiredPorts } from '../../../core/preflight/checks/ports.js';
import { contextFor } from '../../../core/preflight/checks/context.js';
import type { Facts, Verdict } from '../../../core/preflight/types.js';
import { find, healthy, plan, text } from './helpers.js';

const K162 = findRelease('k-paas-v1.6.2')!;
const OLD = findRelease('paasta-v1.0')!; // Kubernetes 1.18.6
const GIB = 1024 * 1024;

const edgePlan = (): Plan =>
  plan({
    mode: 'edge',
    hosts: [
      { name: 'master1', address: '10.0.0.11', roles: ['control-plane'] },
      { name: 'edge1', address: '10.0.1.5', roles: ['edge'] },
    ],
  });

interface Case {
  name: string;
  facts?: Partial<Facts>;
  host?: string;
  plan?: () => Plan;
  old?: boolean;
  id: string;
  status: Verdict;
  /** Appears in the English and in the Korean text. */
  both?: string;
  en?: RegExp;
  ko?: RegExp;
}

const cases: Case[] = [
  { name: 'healthy CPUs', id: 'cpu', status: 'pass', both: '4' },
  { name: 'CP with 2 CPUs warns (4 advised)', facts: { cpus: 2 }, id: 'cpu', status: 'warn', en: /advises 4/, ko: /4개를 권장/ },
  { name: 'CP with 1 CPU fails', facts: { cpus: 1 }, id: 'cpu', status: 'fail', en: /at least 2/, ko: /최소 2개/ },
  { name: 'worker with 1 CPU passes', facts: { cpus: 1 }, host: 'worker1', id: 'cpu', status: 'pass' },
  { name: 'memory 16 GB passes', id: 'memory', status: 'pass', both: '15984 MB' },
  { name: 'memory 4 GB warns (8 GB asked)', facts: { memoryKb: 4 * GIB }, id: 'memory', status: 'warn', both: '8192 MB' },
  { name: 'memory 1.5 GB on a CP fails (kubeadm 1700 MB)', facts: { memoryKb: 1536 * 1024 }, id: 'memory', status: 'fail', both: '1700 MB' },
  { name: 'memory 1.5 GB on a worker warns (floor 1024 MB)', facts: { memoryKb: 1536 * 1024 }, host: 'worker1', id: 'memory', status: 'warn' },
  { name: 'edge host with 512 MB warns', plan: edgePlan, host: 'edge1', facts: { memoryKb: 512 * 1024 }, id: 'memory', status: 'warn', both: '1024 MB' },
  { name: 'edge host with 128 MB fails', plan: edgePlan, host: 'edge1', facts: { memoryKb: 128 * 1024 }, id: 'memory', status: 'fail', both: '256 MB' },
  { name: 'disk 5 GiB fails', facts: { disk: { rootFreeKb: 5 * GIB, varFreeKb: 5 * GIB } }, id: 'disk', status: 'fail', both: '5.0 GiB' },
  { name: 'disk 20 GiB warns', facts: { disk: { rootFreeKb: 20 * GIB, varFreeKb: 20 * GIB } }, id: 'disk', status: 'warn', both: '20.0 GiB' },
  { name: 'disk unknown warns with the probe error', facts: { disk: undefined, errors: { disk: 'df: not found' } }, id: 'disk', status: 'warn', both: 'df: not found' },
  { name: 'Ubuntu 22.04 supported', id: 'os', status: 'pass', both: 'Ubuntu 22.04.4 LTS' },
  { name: 'Debian 12 not supported by v1.6.2', facts: { os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12' } }, id: 'os', status: 'fail', both: 'ubuntu-22.04, ubuntu-24.04' },
  { name: 'Ubuntu 20.04 is fine on an edge host', plan: edgePlan, host: 'edge1', facts: { os: { id: 'ubuntu', versionId: '20.04', prettyName: 'Ubuntu 20.04' } }, id: 'os', status: 'pass' },
  { name: 'Ubuntu 20.04 is not for a cluster node', facts: { os: { id: 'ubuntu', versionId: '20.04', prettyName: 'Ubuntu 20.04' } }, id: 'os', status: 'fail' },
  { name: 'arch s390x fails', facts: { arch: 's390x' }, id: 'arch', status: 'fail', both: 's390x' },
  { name: 'arm64 edge host passes', plan: edgePlan, host: 'edge1', facts: { arch: 'arm64' }, id: 'arch', status: 'pass' },
  { name: 'kernel 4.15 warns', facts: { kernel: '4.15.0-20-generic' }, id: 'kernel', status: 'warn', both: '4.19' },
  { name: 'kernel 3.2 fails', facts: { kernel: '3.2.0' }, id: 'kernel', status: 'fail', both: '3.10' },
  { name: 'swap on warns from 1.23', facts: { swapKb: 2 * GIB }, id: 'swap', status: 'warn', both: '2048 MB' },
  { name: 'swap on fails before 1.23', old: true, facts: { swapKb: 2 * GIB, os: { id: 'ubuntu', versionId: '18.04' } }, id: 'swap', status: 'fail', both: '1.18.6' },
  { name: 'swap only in fstab warns', facts: { swapInFstab: true }, id: 'swap', status: 'warn', en: /fstab/, ko: /fstab/ },
  { name: 'cgroup v1 warns on 1.32', facts: { cgroup: 'v1' }, id: 'cgroup', status: 'warn', both: '1.32.5' },
  { name: 'cgroup v1 fine on 1.18', old: true, facts: { cgroup: 'v1' }, id: 'cgroup', status: 'pass' },
  { name: 'br_netfilter missing warns', facts: { modules: { br_netfilter: false, overlay: true } }, id: 'modules', status: 'warn', both: 'br_netfilter' },
  { name: 'ip_forward 0 warns under Kubespray', facts: { sysctl: { 'net.ipv4.ip_forward': '0' } }, id: 'sysctl.net.ipv4.ip_forward', status: 'warn', both: 'net.ipv4.ip_forward' },
  { name: 'ip_forward 0 fails where kubeadm runs (edge mode CP)', plan: edgePlan, facts: { sysctl: { 'net.ipv4.ip_forward': '0' } }, id: 'sysctl.net.ipv4.ip_forward', status: 'fail', both: '1.32.5' },
  { name: 'bridge-nf-call checked before 1.30', old: true, facts: { os: { id: 'ubuntu', versionId: '18.04' }, sysctl: { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': null } }, id: 'sysctl.net.bridge.bridge-nf-call-iptables', status: 'warn', both: 'missing' },
  { name: 'SELinux enforcing warns', facts: { selinux: 'enforcing' }, id: 'selinux', status: 'warn' },
  { name: 'ufw active warns', facts: { firewall: { active: true, kind: 'ufw' } }, id: 'firewall', status: 'warn', both: 'ufw' },
  { name: 'NTP off warns', facts: { clock: { epochMs: 1, ntpSynchronized: false } }, id: 'ntp', status: 'warn' },
  { name: 'NTP unknown warns', facts: { clock: { epochMs: 1, ntpSynchronized: null } }, id: 'ntp', status: 'warn', en: /Could not tell/, ko: /알 수 없습니다/ },
  { name: 'hostile hostname is invalid, shown escaped', facts: { hostname: 'a"b\n$(touch /tmp/pwned)' }, id: 'hostname', status: 'warn', both: 'a\\"b\\n$(touch /tmp/pwned)' },
  { name: 'invalid hostname fails on an edge host', plan: edgePlan, host: 'edge1', facts: { hostname: 'Edge_1' }, id: 'hostname', status: 'fail' },
  { name: 'hostname not resolving warns', facts: { dns: { selfResolves: false, addresses: [] } }, id: 'hostname', status: 'warn', both: 'master1' },
  { name: 'no name servers warns', facts: { nameservers: [] }, id: 'dns', status: 'warn', both: 'resolv.conf' },
  { name: 'python3 missing fails on a Kubespray host', facts: { python3: null }, host: 'worker1', id: 'python3', status: 'fail', en: /Ansible/, ko: /Ansible/ },
  { name: 'Python 3.8 on the deployer warns (ansible-core 2.16 wants 3.10)', facts: { python3: '3.8.10' }, id: 'python3', status: 'warn', both: '3.10' },
  { name: 'sudo needs a password the profile does not give', facts: { sudo: { ok: false, needsPassword: true } }, id: 'sudo', status: 'fail', both: 'sudo: password' },
  { name: 'sudo missing fails', facts: { sudo: { ok: false, missing: true } }, id: 'sudo', status: 'fail' },
  { name: 'private address not on the host warns', facts: { interfaces: [{ name: 'ens3', addresses: ['192.168.9.9/24'] }] }, id: 'address', status: 'warn', both: '192.168.9.9' },
  { name: 'leftover manifests fail', facts: { leftovers: { etcKubernetes: ['manifests/kube-apiserver.yaml', 'pki/ca.crt'], varLibEtcd: true } }, id: 'leftovers', status: 'fail', both: '/etc/kubernetes/manifests/kube-apiserver.yaml' },
  { name: 'an empty /etc/kubernetes is no leftover', facts: { leftovers: { etcKubernetes: [], varLibEtcd: false } }, id: 'leftovers', status: 'pass' },
  { name: 'port 6443 in use fails', facts: { listening: [22, 6443] }, id: 'port.6443', status: 'fail', both: '6443' },
  { name: 'a NodePort in use fails', facts: { listening: [22, 30080] }, host: 'worker1', id: 'port.30000-32767', status: 'fail', both: '30080' },
  { name: 'old releases check 10251', old: true, facts: { listening: [10251], os: { id: 'ubuntu', versionId: '18.04' } }, id: 'port.10251', status: 'fail' },
  { name: 'cloudcore port in use on the edge CP fails', plan: edgePlan, facts: { listening: [10002] }, id: 'port.10002', status: 'fail', both: '10002' },
  { name: 'edge: no runtime, but the release installs CRI-O', plan: edgePlan, host: 'edge1', id: 'edge.runtime', status: 'pass', both: '1.30.0' },
  { name: 'edge: old containerd fails for KubeEdge 1.20', plan: edgePlan, host: 'edge1', facts: { runtimes: { containerd: '1.5.9' } }, id: 'edge.runtime', status: 'fail', both: '1.6' },
  { name: 'edge: running kubelet fails', plan: edgePlan, host: 'edge1', facts: { kubelet: { installed: true, running: true, version: '1.30.0' } }, id: 'edge.kubelet', status: 'fail', both: 'kubelet' },
  { name: 'edge: running kube-proxy fails', plan: edgePlan, host: 'edge1', facts: { processes: { 'kube-proxy': true } }, id: 'edge.kubelet', status: 'fail', both: 'kube-proxy' },
  { name: 'edge: installed but stopped kubelet warns', plan: edgePlan, host: 'edge1', facts: { kubelet: { installed: true, running: false, version: '1.30.0' } }, id: 'edge.kubelet', status: 'warn', both: '1.30.0' },
  { name: 'edge: edgecore already running fails', plan: edgePlan, host: 'edge1', facts: { processes: { edgecore: true } }, id: 'edge.edgecore', status: 'fail' },
  { name: 'edge: keadm missing fails with where to put it', plan: edgePlan, host: 'edge1', facts: { binaries: { ip: true, keadm: false } }, id: 'edge.keadm', status: 'fail', both: '/usr/local/bin' },
  {
    name: 'edge: keadm missing with a bundle passes (the run installs it from there)',
    plan: () => ({ ...edgePlan(), bundle: { path: '/srv/bundle' } }),
    host: 'edge1',
    facts: { binaries: { ip: true, keadm: false } },
    id: 'edge.keadm',
    status: 'pass',
    en: /installs keadm v[\d.]+ from the offline bundle/,
    ko: /오프라인 번들/,
  },
  { name: 'edge: keadm installed passes', plan: edgePlan, host: 'edge1', facts: { binaries: { ip: true, keadm: true } }, id: 'edge.keadm', status: 'pass' },
  { name: 'edge: keadm not probed warns', plan: edgePlan, host: 'edge1', facts: { binaries: undefined }, id: 'edge.keadm', status: 'warn', both: 'binaries' },
  { name: 'etcd disk: 0.8 ms synced writes pass', facts: {}, id: 'fsync', status: 'pass', both: '0.80' },
  { name: 'etcd disk: 6 ms synced writes warn', facts: { fsync: { path: '/var/lib', writes: 50, avgMs: 6 } }, id: 'fsync', status: 'warn', both: '6.00' },
  { name: 'etcd disk: 12 ms synced writes fail (a network disk)', facts: { fsync: { path: '/var/lib/etcd', writes: 50, avgMs: 12.5 } }, id: 'fsync', status: 'fail', both: '/var/lib/etcd' },
  { name: 'etcd disk not measured (no root) warns with the reason', facts: { fsync: undefined, errors: { fsync: 'dd: Permission denied' } }, id: 'fsync', status: 'warn', both: 'Permission denied' },
  { name: 'kubeadm tools missing on the edge CP warn', plan: edgePlan, facts: { binaries: { ip: true, iptables: false, mount: true, nsenter: true } }, id: 'binaries', status: 'warn', both: 'iptables' },
];

describe('host checks, verdict by verdict, in both languages', () => {
  it.each(cases)('$name', (c) => {
    const p = c.plan?.() ?? plan();
    const host = p.hosts.find((h) => h.name === (c.host ?? 'master1'))!;
    const base = healthy(c.old ? { os: { id: 'ubuntu', versionId: '18.04' } } : {});
    const results = evaluate({ ...base, ...c.facts }, host, p, c.old ? OLD : K162);
    const r = find(results, c.id);
    expect(r.status).toBe(c.status);
    const en = text(r, 'en');
    const ko = text(r, 'ko');
    if (c.both) {
      expect(en).toContain(c.both);
      expect(ko).toContain(c.both);
    }
    if (c.en) expect(en).toMatch(c.en);
    if (c.ko) expect(ko).toMatch(c.ko);
    if (r.status === 'pass') expect(r.remedy).toBeUndefined();
    else expect(r.remedy).toBeDefined();
  });

  it("measures etcd's disk only on the hosts that run etcd", () => {
    const p = plan();
    const ids = (name: string) => evaluate(healthy(), p.hosts.find((h) => h.name === name)!, p, K162).map((r) => r.id);
    expect(ids('master1')).toContain('fsync');
    expect(ids('worker1')).not.toContain('fsync');
  });

  it('a healthy control plane passes every check', () => {
    const p = plan();
    const results = evaluate(healthy(), p.hosts[0]!, p, K162);
    expect(results.filter((r) => r.status !== 'pass').map((r) => r.id)).toEqual([]);
    for (const r of results) {
      text(r, 'en');
      text(r, 'ko');
    }
  });

  it('offers the fixes with the failing checks', () => {
    const p = plan();
    const results = evaluate(
      healthy({ swapKb: 1024, modules: { overlay: false, br_netfilter: false }, sysctl: { 'net.ipv4.ip_forward': '0' } }),
      p.hosts[0]!,
      p,
      K162,
    );
    expect(find(results, 'swap').fix?.commands).toContain('swapoff -a');
    expect(find(results, 'modules').fix?.commands).toContain('modprobe br_netfilter');
    expect(find(results, 'sysctl.net.ipv4.ip_forward').fix?.commands).toContain('sysctl -w net.ipv4.ip_forward=1');
  });

  it('bridge-nf-call-iptables is not checked from Kubernetes 1.30 (kubeadm dropped it)', () => {
    const p = plan();
    const ids = evaluate(healthy(), p.hosts[0]!, p, K162).map((r) => r.id);
    expect(ids).toContain('sysctl.net.ipv4.ip_forward');
    expect(ids).not.toContain('sysctl.net.bridge.bridge-nf-call-iptables');
  });

  it('picks ports by role, mode and release', () => {
    const p = plan();
    const ports = (name: string, pl: Plan = p, rel = K162) =>
      requiredPorts(contextFor(healthy(), pl.hosts.find((h) => h.name === name)!, pl, rel)).map((r) => r.id);
    expect(ports('master1')).toEqual(['port.6443', 'port.10259', 'port.10257', 'port.2379', 'port.2380', 'port.10250', 'port.30000-32767']);
    expect(ports('worker1')).toEqual(['port.10250', 'port.30000-32767']);
    expect(ports('master1', p, OLD)).toContain('port.10251');
    const e = edgePlan();
    expect(ports('master1', e)).toEqual(expect.arrayContaining(['port.10000', 'port.10004', 'port.6443']));
    expect(ports('edge1', e)).toEqual(['port.10350', 'port.10550']);
    // expand-edge: the cluster exists; only cloudcore's ports must be free on its node.
    const x = plan({ mode: 'expand-edge', hosts: e.hosts });
    expect(ports('master1', x)).toEqual(['port.10000', 'port.10001', 'port.10002', 'port.10003', 'port.10004']);
  });

  it('an existing cluster host in expand-edge mode is not judged as a fresh node', () => {
    const x = plan({ mode: 'expand-edge', hosts: edgePlan().hosts });
    const ids = evaluate(healthy({ leftovers: { etcKubernetes: ['admin.conf'], varLibEtcd: true }, listening: [6443] }), x.hosts[0]!, x, K162).map((r) => r.id);
    expect(ids).not.toContain('leftovers');
    expect(ids).not.toContain('port.6443');
    expect(ids).toContain('sudo');
  });
});

describe('message catalogs', () => {
  it('have the same keys in English and Korean, with the same placeholders', async () => {
    const { preflightMessages } = await import('../../../core/preflight/messages.js');
    expect(Object.keys(preflightMessages.ko).sort()).toEqual(Object.keys(preflightMessages.en).sort());
    const holes = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const [key, en] of Object.entries(preflightMessages.en)) {
      expect(holes(preflightMessages.ko[key]!), key).toEqual(holes(en));
    }
  });
});
