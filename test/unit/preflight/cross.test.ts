import { describe, expect, it } from 'vitest';
import {
  clockCheck,
  identityChecks,
  latencyChecks,
  mtuCheck,
  ownAddresses,
  parseReach,
  reachChecks,
  probeCommand,
  reachPlan,
  registryEndpoint,
} from '../../../core/preflight/cross.js';
import type { CrossCheckResult, HostReport } from '../../../core/preflight/types.js';
import { healthy, plan, text } from './helpers.js';

const host = (name: string, over: Parameters<typeof healthy>[0] = {}, clock?: HostReport['clock']): HostReport => ({
  name,
  address: name,
  facts: healthy({
    hostname: name,
    productUuid: `uuid-${name}`,
    machineId: `mid-${name}`,
    macs: [`mac-${name}`],
    interfaces: [{ name: 'eth0', addresses: [`10.9.${name.charCodeAt(0)}.${name.length}/24`] }],
    ...over,
  }),
  checks: [],
  ...(clock ? { clock } : {}),
});

function bothLanguages(r: CrossCheckResult[]): void {
  for (const c of r) {
    text(c, 'en');
    text(c, 'ko');
  }
}

describe('identity checks', () => {
  it('passes when every host differs', () => {
    const r = identityChecks([host('a'), host('b'), host('c')]);
    expect(r.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    bothLanguages(r);
  });

  it('names the hosts that share a hostname, product_uuid, MAC or machine-id', () => {
    const r = identityChecks([
      host('a', { hostname: 'node' }),
      host('b', { hostname: 'node', productUuid: 'SAME', macs: ['52:54:00:aa:bb:cc', 'x'] }),
      host('c', { productUuid: 'same', macs: ['52:54:00:AA:BB:CC'], machineId: 'mid-a' }),
    ]);
    const failed = r.filter((c) => c.status === 'fail');
    expect(failed.map((c) => [c.id, c.hosts])).toEqual([
      ['cross.hostname', ['a', 'b']],
      ['cross.productUuid', ['b', 'c']],
      ['cross.mac', ['b', 'c']],
      ['cross.machineId', ['a', 'c']],
    ]);
    bothLanguages(r);
    expect(text(failed[0]!, 'en')).toContain('"node"');
  });

  it('names the hosts that hold the same address; loopback, link-local and container bridges do not count', () => {
    const nics = (own: string) => [
      { name: 'lo', addresses: ['127.0.0.1/8', '::1/128'] },
      { name: 'eth0', addresses: [`${own}/24`, 'fe80::1/64'] },
      { name: 'docker0', addresses: ['172.17.0.1/16'] },
      { name: 'virbr0', addresses: ['192.168.122.1/24'] },
    ];
    const ok = identityChecks([host('a', { interfaces: nics('10.0.0.1') }), host('b', { interfaces: nics('10.0.0.2') })]);
    expect(ok.find((c) => c.id === 'cross.address')?.status).toBe('pass');
    const clash = identityChecks([host('a', { interfaces: nics('10.0.0.1') }), host('b', { interfaces: nics('10.0.0.1') })]);
    const bad = clash.find((c) => c.id === 'cross.address')!;
    expect([bad.status, bad.hosts]).toEqual(['fail', ['a', 'b']]);
    expect(text(bad, 'en')).toContain('10.0.0.1');
    expect(text(bad, 'ko')).toContain('10.0.0.1');
    expect(ownAddresses(host('a', { interfaces: nics('10.0.0.1') }))).toEqual(['10.0.0.1']);
  });

  it('ignores hosts without facts', () => {
    expect(identityChecks([host('a'), { name: 'b', address: 'b', checks: [] }])).toEqual([]);
  });
});

/** The probe's command line with these (already quoted) arguments: perl where the host has it, else sh. */
const probeLine = (args: string) => {
  const a = args ? ` ${args}` : '';
  return `if command -v perl >/dev/null 2>&1; then exec perl -x -${a}; fi; exec sh -s --${a}`;
};

describe('probe command', () => {
  it('runs perl on the payload where the host has it (`-x` skips to probe.pl), else sh (which stops at probe.sh\'s exit)', () => {
    expect(probeCommand([])).toBe('if command -v perl >/dev/null 2>&1; then exec perl -x -; fi; exec sh -s --');
  });

  it('puts --fsync before the targets on etcd hosts', () => {
    expect(probeCommand([], { fsync: true })).toBe(probeLine('--fsync'));
    expect(probeCommand([{ to: 'w1', address: '10.0.0.21', port: 10250 }], { fsync: true })).toBe(probeLine('--fsync 10.0.0.21:10250'));
    expect(probeCommand([{ to: 'w1', address: '10.0.0.21', port: 10250 }], { fsync: true, versions: true })).toBe(probeLine('--fsync --versions 10.0.0.21:10250'));
    expect(probeCommand([], { versions: true })).toBe(probeLine('--versions'));
  });
});

describe('MTU of the cluster network', () => {
  const p = plan({
    hosts: [
      { name: 'master1', address: '192.168.0.11', privateAddress: '10.0.0.11', roles: ['control-plane', 'deployer'] },
      { name: 'worker1', address: '10.0.0.21', roles: ['worker'] },
    ],
  });
  const withMtu = (name: string, address: string, mtu: number, other = 9000) =>
    host(name, { interfaces: [{ name: 'eth0', addresses: [`${address}/24`], mtu }, { name: 'eth1', addresses: ['192.168.0.11/24'], mtu: other }] });

  it('passes when the interfaces holding the cluster addresses agree (the private address when given)', () => {
    const r = mtuCheck(p, [withMtu('master1', '10.0.0.11', 1500), withMtu('worker1', '10.0.0.21', 1500)]);
    expect(r.map((c) => c.status)).toEqual(['pass']);
    expect(text(r[0]!, 'en')).toContain("Every host's cluster interface has MTU 1500.");
  });

  it('warns when one differs, naming the smaller and every value', () => {
    const r = mtuCheck(p, [withMtu('master1', '10.0.0.11', 1500), withMtu('worker1', '10.0.0.21', 1450)]);
    expect(r[0]!.status).toBe('warn');
    expect(r[0]!.hosts).toEqual(['worker1']);
    expect(text(r[0]!, 'en')).toContain('master1 1500, worker1 1450');
    expect(r[0]!.remedy && text({ ...r[0]!, message: r[0]!.remedy }, 'ko')).toContain('1450');
  });

  it('says nothing when fewer than two hosts report an MTU', () => {
    expect(mtuCheck(p, [withMtu('master1', '10.0.0.11', 1500), host('worker1')])).toEqual([]);
  });
});

describe('clock skew', () => {
  it('passes within a second, judging only the skew the bounds prove', () => {
    const r = clockCheck([host('a', {}, { offsetMinMs: -100, offsetMaxMs: 50 }), host('b', {}, { offsetMinMs: 400, offsetMaxMs: 1300 })]);
    expect(r[0]!.status).toBe('pass');
  });

  it('does not alarm when a slow link makes the bounds wide', () => {
    // midpoints 2 s apart, but the intervals overlap: the skew is not proven
    const r = clockCheck([host('a', {}, { offsetMinMs: -1500, offsetMaxMs: 1500 }), host('b', {}, { offsetMinMs: 500, offsetMaxMs: 3500 })]);
    expect(r[0]!.status).toBe('pass');
  });

  it('warns above 1 s and fails above 30 s', () => {
    const warn = clockCheck([host('a', {}, { offsetMinMs: 0, offsetMaxMs: 20 }), host('b', {}, { offsetMinMs: 2000, offsetMaxMs: 2020 })]);
    expect(warn[0]).toMatchObject({ status: 'warn', hosts: ['b', 'a'] });
    expect(text(warn[0]!, 'en')).toContain('2000 ms');
    const fail = clockCheck([
      host('a', {}, { offsetMinMs: 0, offsetMaxMs: 20 }),
      host('b', {}, { offsetMinMs: -45_000, offsetMaxMs: -44_980 }),
      host('c', {}, { offsetMinMs: 10, offsetMaxMs: 30 }),
    ]);
    expect(fail[0]).toMatchObject({ status: 'fail' });
    expect(fail[0]!.hosts).toContain('b');
    bothLanguages([...warn, ...fail]);
  });
});

describe('reachability matrix', () => {
  const p = plan({
    hosts: [
      { name: 'cp1', address: '10.0.0.1', roles: ['control-plane'] },
      { name: 'cp2', address: '10.0.0.2', roles: ['control-plane'] },
      { name: 'w1', address: '10.0.0.3', privateAddress: '192.168.0.3', roles: ['worker'] },
    ],
  });

  it('plans the ports each host needs on the others', () => {
    const m = reachPlan(p, new Set(['cp1', 'cp2', 'w1']));
    const fmt = (name: string) => m.get(name)!.map((t) => `${t.to}:${t.port}`).sort();
    expect(fmt('w1')).toEqual(['cp1:6443', 'cp2:6443']);
    expect(fmt('cp1')).toEqual(['cp2:10250', 'cp2:2379', 'cp2:2380', 'cp2:6443', 'w1:10250']);
    expect(m.get('cp1')!.find((t) => t.to === 'w1')!.address).toBe('192.168.0.3');
  });

  it('sends edge hosts to cloudcore on 10000-10004, at the public address when given', () => {
    const e = plan({
      mode: 'edge',
      edge: { cloudcoreAddress: '203.0.113.7' },
      hosts: [
        { name: 'cp1', address: '10.0.0.1', roles: ['control-plane'] },
        { name: 'e1', address: '10.0.1.1', roles: ['edge'] },
      ],
    });
    const m = reachPlan(e, new Set(['cp1', 'e1']));
    expect(m.get('e1')!.map((t) => `${t.address}:${t.port}`)).toEqual([10000, 10001, 10002, 10003, 10004].map((port) => `203.0.113.7:${port}`));
  });

  it('leaves out hosts that were not probed', () => {
    expect(reachPlan(p, new Set(['cp1', 'w1'])).get('w1')!.map((t) => t.to)).toEqual(['cp1']);
  });

  it('passes the targets to the probe as its arguments, dropping what the probe could not carry back', () => {
    expect(probeCommand([])).toBe(probeLine(''));
    expect(
      probeCommand([
        { to: 'x', address: '10.0.0.1', port: 6443 },
        { to: 'y', address: 'fd00::1', port: 10250 },
        { to: 'z', address: 'a"b$(id)', port: 1 },
      ]),
    ).toBe(probeLine("10.0.0.1:6443 '[fd00::1]:10250'"));
  });

  it('refused counts as reachable, timeout and no route as filtered', () => {
    const targets = reachPlan(p, new Set(['cp1', 'cp2', 'w1'])).get('w1')!;
    const out = '10.0.0.1:6443 refused\n10.0.0.2:6443 timeout\n';
    const r = reachChecks('w1', parseReach(out, targets));
    expect(r.map((c) => [c.id, c.status])).toEqual([
      ['cross.reach.w1.cp1', 'pass'],
      ['cross.reach.w1.cp2', 'fail'],
    ]);
    expect(text(r[1]!, 'en')).toContain('6443 timeout');
    bothLanguages(r);
  });

  it('reads the round trip that follows an answer, and judges it per port: etcd 100 ms, other node ports 1 s', () => {
    const targets = [
      { to: 'cp1', address: '10.0.0.1', port: 2379 },
      { to: 'cp1', address: '10.0.0.1', port: 6443 },
      { to: 'w2', address: '10.0.0.3', port: 10250 },
      { to: 'cc', address: '203.0.113.9', port: 10000 },
      { to: 'registry', address: 'harbor.local', port: 443, mustListen: true },
    ];
    const out = ['10.0.0.1:2379 refused 150.2', '10.0.0.1:6443 refused 0.4', '10.0.0.3:10250 refused 1200.0', '203.0.113.9:10000 refused 900.5', 'harbor.local:443 open 3000.0', 'junk x y'].join('\n');
    const outcomes = parseReach(out, targets);
    expect([...outcomes.values()]).toEqual([
      { result: 'refused', rttMs: 150.2 },
      { result: 'refused', rttMs: 0.4 },
      { result: 'refused', rttMs: 1200 },
      { result: 'refused', rttMs: 900.5 },
      { result: 'open', rttMs: 3000 },
    ]);
    const slow = latencyChecks('w1', outcomes);
    expect(slow.map((c) => [c.id, c.status])).toEqual([
      ['cross.latency.w1.cp1', 'warn'],
      ['cross.latency.w1.w2', 'warn'],
    ]);
    expect(text(slow[0]!, 'en')).toContain('took 150 ms; cluster nodes need under 100 ms');
    expect(text(slow[1]!, 'ko')).toContain('1200 ms');
    bothLanguages(slow);
    // the old probe's lines (no round trip) still read, and judge nothing
    expect(latencyChecks('w1', parseReach('10.0.0.1:2379 refused\n', targets.slice(0, 1)))).toEqual([]);
  });

  it('warns when the host could not test (no perl or python3)', () => {
    const targets = [{ to: 'cp1', address: '10.0.0.1', port: 6443 }];
    const r = reachChecks('w1', parseReach('10.0.0.1:6443 untested\n', targets));
    expect(r[0]!.status).toBe('warn');
    bothLanguages(r);
  });

  it('checks the private registry from every node, where refused means it is down', () => {
    const r = plan({ ...p, registry: { address: 'https://harbor.local:8443/v2', insecure: false } });
    const m = reachPlan(r, new Set(['cp1', 'cp2', 'w1']));
    const target = m.get('w1')!.find((t) => t.to === 'registry')!;
    expect(target).toEqual({ to: 'registry', address: 'harbor.local', port: 8443, mustListen: true });
    const checks = reachChecks('w1', parseReach('harbor.local:8443 refused\n', [target]));
    expect(checks[0]).toMatchObject({ id: 'cross.reach.w1.registry', status: 'fail' });
    expect(reachChecks('w1', parseReach('harbor.local:8443 open\n', [target]))[0]!.status).toBe('pass');
    expect(registryEndpoint('10.0.0.5')).toEqual({ host: '10.0.0.5', port: 443 });
    expect(registryEndpoint('[fd00::5]:5000')).toEqual({ host: 'fd00::5', port: 5000 });
  });
});
