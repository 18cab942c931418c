// runPreflight over an in-memory SSH layer: the session answers the probe with recorded facts and the
// reach script with recorded lines, so the orchestration (bounds, errors per host, sudo fallback, clock
// bounds, reach matrix, fixes) is tested without sshd. The real thing: test/integration/preflight.
import { describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import { SshError, type Connector, type ExecOptions, type ExecResult, type SshSession, type SshTarget } from '../../../core/ssh/types.js';
import { mapLimited } from '../../../core/common/async.js';
import { applyFixes, fixesFor, runPreflight } from '../../../core/preflight/run.js';
import { fixtureText, plan } from './helpers.js';

interface Behaviour {
  connect?: SshError;
  sudoRefused?: boolean;
  facts?: Record<string, unknown>;
  reach?: (cmd: string) => string;
}

class FakeConnector implements Connector {
  log: Array<{ host: string; command: string; sudo: boolean }> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly hosts: Record<string, Behaviour>) {}
  async connect(target: SshTarget): Promise<SshSession> {
    const b = this.hosts[target.name] ?? {};
    await new Promise((r) => setTimeout(r, 5));
    if (b.connect) throw b.connect;
    const log = this.log;
    const track = (d: number) => {
      this.inFlight += d;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    };
    return {
      target,
      async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
        log.push({ host: target.name, command, sudo: !!opts.sudo });
        track(1);
        try {
          await new Promise((r) => setTimeout(r, 10));
          if (opts.sudo && b.sudoRefused) throw new SshError('sudo', target.name, 'sudo: a password is required');
          if (command.includes('exec perl -x -')) {
            const base = JSON.parse(fixtureText('ubuntu-2204-healthy.json')) as Record<string, unknown>;
            const reach = b.reach?.(command).split('\n').filter(Boolean) ?? [];
            const doc = { ...base, hostname: target.name, productUuid: `u-${target.name}`, machineId: `m-${target.name}`, macs: [`mac-${target.name}`], interfaces: [{ name: 'ens3', addresses: [`${target.address}/24`], mtu: 1500 }], clock: { epochMs: Date.now(), ntpSynchronized: true }, reach, ...b.facts };
            const text = JSON.stringify(doc).replace(/,"/g, '\n,"');
            text.split('\n').forEach((l) => opts.onStdout?.(l));
            return { code: 0, stdout: text, stderr: '' };
          }
          return { code: 0, stdout: '', stderr: '' };
        } finally {
          track(-1);
        }
      },
      async upload() {
        throw new Error('not used');
      },
      async download() {
        return Buffer.alloc(0);
      },
      async close() {},
    };
  }
}

const threeHosts = () =>
  plan({
    hosts: [
      { name: 'cp1', address: '10.0.0.11', roles: ['control-plane', 'deployer'] },
      { name: 'w1', address: '10.0.0.21', roles: ['worker'] },
      { name: 'w2', address: '10.0.0.22', roles: ['worker'] },
    ],
  });

const targetsOf = (p: ReturnType<typeof plan>): SshTarget[] =>
  p.hosts.map((h) => ({ name: h.name, address: h.address, port: 22, user: 'ubuntu', auth: p.auth[0]! }));

/** Every target answers `refused` (reachable, nothing listening). */
const allRefused = (cmd: string) =>
  cmd
    .slice(cmd.indexOf('exec sh -s --') + 'exec sh -s --'.length)
    .split(' ')
    .filter(Boolean)
    .map((t) => `${t.replace(/'/g, '')} refused`)
    .join('\n');

describe('runPreflight', () => {
  const release = findRelease('k-paas-v1.6.2')!;

  it('probes every host once (facts and reachability in one round trip), under sudo, and builds the report', async () => {
    const p = threeHosts();
    const c = new FakeConnector({ cp1: { reach: allRefused }, w1: { reach: allRefused }, w2: { reach: allRefused } });
    const seen: string[] = [];
    const report = await runPreflight(p, { connector: c, targets: targetsOf(p), release, onHost: (h) => seen.push(h.name) });
    expect(seen.sort()).toEqual(['cp1', 'w1', 'w2']);
    expect(c.log).toHaveLength(3);
    expect(c.log.every((l) => l.sudo && l.command.startsWith('if command -v perl'))).toBe(true);
    expect(c.log.find((l) => l.host === 'w1')!.command).toMatch(/exec sh -s -- 10\.0\.0\.11:6443$/);
    expect(report.hosts.map((h) => h.name)).toEqual(['cp1', 'w1', 'w2']);
    expect(report.hosts.every((h) => h.facts && h.checks.length > 5 && h.probedWithSudo)).toBe(true);
    expect(report.ok).toBe(true);
    const reach = report.cross.filter((x) => x.id.startsWith('cross.reach.'));
    expect(reach.map((x) => x.id).sort()).toEqual(['cross.reach.cp1.w1', 'cross.reach.cp1.w2', 'cross.reach.w1.cp1', 'cross.reach.w2.cp1']);
    expect(reach.every((x) => x.status === 'pass')).toBe(true);
    const clock = report.hosts[0]!.clock!;
    expect(clock.offsetMinMs).toBeLessThanOrEqual(clock.offsetMaxMs);
    expect(report.cross.find((x) => x.id === 'cross.clock')!.status).toBe('pass');
  });

  it('an unreachable host becomes its own report while the others finish', async () => {
    const p = threeHosts();
    const c = new FakeConnector({
      w1: { connect: new SshError('unreachable', 'w1', 'connect EHOSTUNREACH 10.0.0.21:22') },
      cp1: { reach: allRefused },
      w2: { reach: allRefused },
    });
    const report = await runPreflight(p, { connector: c, targets: targetsOf(p), release });
    const w1 = report.hosts.find((h) => h.name === 'w1')!;
    expect(w1.error).toMatchObject({ key: 'ssh.unreachable', params: { host: 'w1', detail: 'connect EHOSTUNREACH 10.0.0.21:22' }, kind: 'unreachable' });
    expect(w1.facts).toBeUndefined();
    expect(report.hosts.filter((h) => h.facts).map((h) => h.name)).toEqual(['cp1', 'w2']);
    expect(report.ok).toBe(false);
    // results about the host that could not be probed are left out
    expect(report.cross.some((x) => x.hosts.includes('w1'))).toBe(false);
  });

  it('a refused sudo falls back to a plain probe and fails the sudo check', async () => {
    const p = threeHosts();
    const c = new FakeConnector({ w2: { sudoRefused: true, facts: { sudo: { ok: false, needsPassword: true, asRoot: false } } } });
    const report = await runPreflight(p, { connector: c, targets: targetsOf(p), release, skipReach: true });
    const w2 = report.hosts.find((h) => h.name === 'w2')!;
    expect(w2.probedWithSudo).toBe(false);
    expect(w2.checks.find((x) => x.id === 'sudo')).toMatchObject({ status: 'fail', message: { key: 'preflight.sudo.password' } });
    expect(w2.facts?.errors?.sudo).toMatch(/password is required/);
    expect(c.log.filter((l) => l.host === 'w2').map((l) => l.sudo)).toEqual([true, false]);
  });

  it('a filtered port fails the pair and the report', async () => {
    const p = threeHosts();
    const timeoutTo6443 = (cmd: string) => allRefused(cmd).replace('10.0.0.11:6443 refused', '10.0.0.11:6443 timeout');
    const c = new FakeConnector({ w1: { reach: timeoutTo6443 }, cp1: { reach: allRefused }, w2: { reach: allRefused } });
    const report = await runPreflight(p, { connector: c, targets: targetsOf(p), release });
    expect(report.cross.find((x) => x.id === 'cross.reach.w1.cp1')).toMatchObject({ status: 'fail', hosts: ['w1', 'cp1'] });
    expect(report.ok).toBe(false);
  });

  it('stays within the global bound', async () => {
    const p = plan({ hosts: Array.from({ length: 12 }, (_, i) => ({ name: `w${i}`, address: `10.0.0.${i + 1}`, roles: ['worker' as const] })) });
    const c = new FakeConnector({});
    await runPreflight(p, { connector: c, targets: targetsOf(p), release, globalLimit: 3, skipReach: true });
    expect(c.maxInFlight).toBeLessThanOrEqual(3);
    expect(c.log).toHaveLength(12);
  });

  it('runs only the fixes the report offers, each once per host, with sudo', async () => {
    const p = threeHosts();
    const c = new FakeConnector({ w1: { facts: { swapKb: 1024, sysctl: { 'net.ipv4.ip_forward': '0' } } } });
    const report = await runPreflight(p, { connector: c, targets: targetsOf(p), release, skipReach: true });
    const fixes = fixesFor(report);
    expect([...fixes.keys()]).toEqual(['w1']);
    expect(fixes.get('w1')!.map((f) => f.id)).toEqual(['swap', 'sysctl']);
    c.log = [];
    const outcomes = await applyFixes(fixes, { connector: c, targets: targetsOf(p) });
    expect(outcomes).toEqual([
      { host: 'w1', fix: 'swap', ok: true },
      { host: 'w1', fix: 'sysctl', ok: true },
    ]);
    expect(c.log[0]).toEqual({ host: 'w1', command: 'swapoff -a', sudo: true });
    expect(c.log.every((l) => l.sudo && l.host === 'w1')).toBe(true);
  });
});

describe('mapLimited', () => {
  it('keeps order and bounds concurrency', async () => {
    let live = 0;
    let peak = 0;
    const out = await mapLimited([5, 1, 3, 2, 4], 2, async (n) => {
      live++;
      peak = Math.max(peak, live);
      await new Promise((r) => setTimeout(r, n * 3));
      live--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
