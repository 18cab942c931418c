// Preflight against real OpenSSH test hosts (network namespaces on this machine): real facts come back,
// per-host hardware variants are seen, a full report across hosts includes the reachability matrix,
// and one unreachable host, a refused sudo or a hostile host name never stop or fool the others.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../core/common/quote.js';
import { Secret } from '../../../core/common/secret.js';
import { reportJson, runPlanPreflight, secretBag } from '../../../core/api/preflight.js';
import { Plan, type Role } from '../../../core/plan/schema.js';
import { modulesFixParts, swapFixParts, sysctlFixParts } from '../../../core/preflight/fixes.js';
import type { HostReport, PreflightReport } from '../../../core/preflight/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';

// Registers the command on a fresh commander program the way cli/main.ts does, then runs argv.
const CLI_DRIVER = `
import { Command } from 'commander';
import { register } from ${JSON.stringify(new URL('../../../cli/commands/preflight.ts', import.meta.url).pathname)};
const program = new Command('cp-installer');
register(program);
await program.parseAsync(['node', 'cp-installer', 'preflight', ...process.argv.slice(1)]);
`;

const can = canRunTestHosts();
if (!can.ok) console.log(`preflight integration tests skipped: ${can.reason}`);

// VERSION_ID in single quotes, which os-release(5) allows as well as double quotes.
const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID=\'22.04\'\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n';
const PWNED = '/tmp/cp-pf-pwned';
// `hostname` refuses such a name; the kernel takes any bytes but a newline (up to 64) written to its UTS file.
const HOSTILE = `h"'$(touch ${PWNED})\t\`touch ${PWNED}\`\\`;

describe.skipIf(!can.ok)('preflight on test hosts', () => {
  let th: TestHosts;
  let scratch: string;
  const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());

  beforeAll(async () => {
    rmSync(PWNED, { force: true });
    scratch = mkdtempSync(join(tmpdir(), 'preflight-it-'));
    th = await startTestHosts({
      count: 5,
      hosts: [
        { osRelease: UBUNTU },
        { cpus: 1, memTotalKb: 1_000_000 },
        { sudo: 'password' },
        {},
        {},
      ],
    });
    const set = await th.exec(3, `printf '%s' ${shq(HOSTILE)} > /proc/sys/kernel/hostname`);
    expect(set.code, set.stderr).toBe(0);
  });

  afterAll(async () => {
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    rmSync(PWNED, { force: true });
  });

  // Secrets scan (test/support/secrets-scan.ts): after every test, no file this suite left and no command
  // line seen while it ran (this machine and the hosts) holds the hosts' password or key passphrase.
  let secretsPs: PsSampler | undefined;
  beforeAll(() => void (secretsPs = startPsSampler({ hosts: th })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => void assertNoSecrets({ secrets: harnessSecrets(th), paths: scratch ? [scratch] : [], sampler: secretsPs, minSamples: 0 }));

  function planFor(indexes: number[], roles: Role[][] = []): Plan {
    return Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [
        { name: 'key', method: 'key', user: th.user, keyPath: th.keyPath, sudo: 'nopasswd' },
        { name: 'pw', method: 'password', user: th.user, sudo: 'password' },
      ],
      hosts: indexes.map((i, n) => ({
        name: `n${i}`,
        address: th.hosts[i]!.address,
        auth: th.hosts[i]!.variant.sudo === 'password' ? 'pw' : 'key',
        // a one-host plan is an all-in-one cluster: the control plane also runs workloads
        roles: roles[n] ?? (n > 0 ? ['worker'] : indexes.length === 1 ? ['control-plane', 'worker'] : ['control-plane']),
      })),
      // Preflight refuses a plan with errors before it connects: the storage server and the portal
      // are not what these tests are about, so the plan names the first host and leaves the portal out.
      storage: { type: 'nfs', nfs: { server: th.hosts[indexes[0]!]!.address } },
      portal: { enabled: false },
    });
  }

  const run = (plan: Plan, password = th.password, extra: { skipReach?: boolean } = {}) =>
    runPlanPreflight(plan, {
      secrets: secretBag([
        { kind: 'password', profile: 'pw', value: password },
        { kind: 'sudoPassword', profile: 'pw', value: password },
      ]),
      knownHostsFile: th.knownHostsFile,
      useSshConfig: false,
      ...extra,
    });

  const hostOf = (r: PreflightReport, name: string): HostReport => r.hosts.find((h) => h.name === name)!;

  it('brings real facts back, with each host’s own hardware, OS and name', async () => {
    const report = await run(planFor([0, 1]), th.password, { skipReach: true });
    const h0 = hostOf(report, 'n0');
    const h1 = hostOf(report, 'n1');
    expect(h0.error).toBeUndefined();
    expect(h0.probedWithSudo).toBe(true);
    expect(h0.facts?.sudo).toMatchObject({ ok: true, asRoot: true });
    expect(h0.facts?.user?.sudoUser).toBe(th.user);
    expect(h0.facts?.cpus).toBe(nproc);
    expect(h0.facts?.hostname).toBe(th.hosts[0]!.name);
    expect(h0.facts?.os).toEqual({ id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.4 LTS', idLike: 'debian' });
    expect(h0.checks.find((c) => c.id === 'os')?.status).toBe('pass');
    expect(h0.facts?.interfaces?.find((i) => i.name === 'eth0')?.addresses).toContain(`${th.hosts[0]!.address}/24`);
    expect(h0.checks.find((c) => c.id === 'address')?.status).toBe('pass');
    // sshd listens on 22 in the host's own namespace, nothing else does
    expect(h0.facts?.listening).toEqual([22]);
    expect(h1.facts?.cpus).toBe(1);
    expect(h1.facts?.memoryKb).toBe(1_000_000);
    expect(h1.checks.find((c) => c.id === 'memory')).toMatchObject({ status: 'fail', message: { key: 'preflight.memory.fail' } });
    expect(report.ok).toBe(false);
  });

  it('a full preflight of 4 hosts: per-host checks, identities, clocks and the reachability matrix', async () => {
    const report = await run(planFor([0, 1, 2, 4]));
    expect(report.hosts.map((h) => h.name)).toEqual(['n0', 'n1', 'n2', 'n4']);
    for (const h of report.hosts) {
      expect(h.error, JSON.stringify(h.error)).toBeUndefined();
      expect(h.checks.length).toBeGreaterThan(10);
    }
    const cross = new Map(report.cross.map((c) => [c.id, c]));
    expect(cross.get('cross.hostname')?.status).toBe('pass');
    expect(cross.get('cross.mac')?.status).toBe('pass');
    // every test host shares this machine's /etc/machine-id: the check must say so
    expect(cross.get('cross.machineId')?.status).toBe('fail');
    expect(cross.get('cross.clock')?.status).toBe('pass');
    // each host holds its own address; one MTU on the bridge
    expect(cross.get('cross.address')?.status).toBe('pass');
    expect(cross.get('cross.mtu')?.status).toBe('pass');
    // etcd's disk is measured on the control plane only (it runs etcd), under sudo
    const cp = hostOf(report, 'n0');
    expect(cp.facts?.fsync).toMatchObject({ writes: 50 });
    expect(cp.checks.find((c) => c.id === 'fsync')?.status).toMatch(/pass|warn|fail/);
    expect(hostOf(report, 'n1').facts?.fsync).toBeUndefined();
    // workers → control plane on 6443; control plane → workers on 10250: refused (nothing listens) = reachable
    for (const w of ['n1', 'n2', 'n4']) {
      expect(cross.get(`cross.reach.${w}.n0`)?.status).toBe('pass');
      expect(cross.get(`cross.reach.n0.${w}`)?.status).toBe('pass');
    }
    // each answer carries its round trip; on one bridge none is slow
    expect(hostOf(report, 'n1').facts?.reach).toEqual([expect.stringMatching(/^10\.213\.\d+\.\d+:6443 refused \d+\.\d$/)]);
    expect(report.cross.filter((c) => c.id.startsWith('cross.latency.'))).toEqual([]);
    const json = reportJson(report, 'ko') as { hosts: Array<{ name: string; facts: unknown; checks: Array<{ message: string }> }> };
    expect(json.hosts[0]!.facts).toBeDefined();
    expect(json.hosts[1]!.checks.some((c) => /메모리/.test(c.message))).toBe(true);
  });

  it('a host without perl is probed by the shell probe, with the same facts and reach results (over SSH, under sudo)', async () => {
    const plan = planFor([4, 0]);
    const withPerl = hostOf(await run(plan), 'n4');
    // Hide perl in host 4's own mount namespace only: /usr/bin/perl becomes a device, which `command -v` skips.
    const hide = await th.exec(4, 'mount --bind /dev/null /usr/bin/perl');
    expect(hide.code, hide.stderr).toBe(0);
    try {
      expect((await th.exec(4, 'command -v perl || echo none')).stdout.trim()).toBe('none');
      const withoutPerl = hostOf(await run(plan), 'n4');
      expect(withoutPerl.error).toBeUndefined();
      // What two probes a moment apart may differ in: the clock, the round trips, the free space, the disk's timing.
      const steady = (h: HostReport) => {
        const { clock, disk, reach, fsync, ...rest } = h.facts!;
        return { ...rest, ntp: clock?.ntpSynchronized, disk: Object.keys(disk ?? {}), reach: reach?.map((r) => r.replace(/ [\d.]+$/, '')), fsync: { ...fsync, avgMs: typeof fsync?.avgMs } };
      };
      expect(steady(withoutPerl)).toEqual(steady(withPerl));
      expect(withoutPerl.facts?.reach).toEqual([expect.stringMatching(new RegExp(`^${th.hosts[0]!.address.replace(/\./g, '\\.')}:10250 refused \\d+\\.\\d$`))]); // the control plane reaches the kubelet
      expect(withoutPerl.checks.map((c) => [c.id, c.status])).toEqual(withPerl.checks.map((c) => [c.id, c.status]));
    } finally {
      await th.exec(4, 'umount /usr/bin/perl');
    }
  });

  it('a host whose link is down ends with a clear error naming it, while the others finish', async () => {
    await th.linkDown(4);
    try {
      const t0 = Date.now();
      const report = await run(planFor([0, 1, 4]));
      const h4 = hostOf(report, 'n4');
      expect(['unreachable', 'timeout']).toContain(h4.error?.kind);
      expect(h4.error?.params?.host).toBe('n4');
      expect(hostOf(report, 'n0').facts?.cpus).toBe(nproc);
      expect(hostOf(report, 'n1').facts?.cpus).toBe(1);
      expect(Date.now() - t0).toBeLessThan(40_000);
      // nobody was asked to reach the host that could not be probed
      expect(report.cross.some((c) => c.hosts.includes('n4'))).toBe(false);
    } finally {
      await th.linkUp(4);
    }
  });

  it('a refused sudo password fails that host’s sudo check; its facts still come back', async () => {
    const good = await run(planFor([2]), th.password, { skipReach: true });
    expect(hostOf(good, 'n2').probedWithSudo).toBe(true);
    expect(hostOf(good, 'n2').checks.find((c) => c.id === 'sudo')?.status).toBe('pass');

    // Wrong password for sudo, right one for login: login works, sudo does not.
    const report = await runPlanPreflight(planFor([2, 0]), {
      secrets: { password: { pw: Secret.of(th.password) }, sudoPassword: { pw: Secret.of('wrong-password') } },
      knownHostsFile: th.knownHostsFile,
      useSshConfig: false,
      skipReach: true,
    });
    const h = hostOf(report, 'n2');
    expect(h.probedWithSudo).toBe(false);
    expect(h.facts?.cpus).toBe(nproc);
    expect(h.checks.find((c) => c.id === 'sudo')).toMatchObject({ status: 'fail' });
    expect(hostOf(report, 'n0').probedWithSudo).toBe(true);
  });

  it('a hostile host name is reported verbatim and runs nothing', async () => {
    const report = await run(planFor([3, 0]), th.password, { skipReach: true });
    const h = hostOf(report, 'n3');
    expect(h.facts?.hostname).toBe(HOSTILE);
    expect(h.checks.find((c) => c.id === 'hostname')?.status).not.toBe('pass');
    expect(existsSync(PWNED)).toBe(false);
  });

  it('an unknown host key is refused with its fingerprint unless accepted', async () => {
    const empty = join(scratch, 'known_hosts_empty');
    writeFileSync(empty, '');
    const report = await runPlanPreflight(planFor([4]), { secrets: {}, knownHostsFile: empty, useSshConfig: false, skipReach: true });
    expect(report.hosts[0]!.error).toMatchObject({ kind: 'host-key-unknown', params: { fingerprint: th.hosts[4]!.hostKeyFingerprint } });
    const accepted = await runPlanPreflight(planFor([4]), { secrets: {}, knownHostsFile: empty, acceptNewHostKeys: true, useSshConfig: false, skipReach: true });
    expect(accepted.hosts[0]!.facts).toBeDefined();
    expect(readFileSync(empty, 'utf8')).toContain(th.hosts[4]!.hostPublicKey.split(' ')[1]);
  });

  it('the fixes’ file half works inside a host (its bind-mounted /var/lib/cp-installer), twice', async () => {
    const etc = '/var/lib/cp-installer/etc';
    const host = th.hosts[0]!;
    const fstab = 'UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n';
    await th.exec(0, `mkdir -p ${etc} && printf '%s' ${shq(fstab)} > ${etc}/fstab`);
    const commands = [...swapFixParts({ etc }).persist, ...modulesFixParts({ etc }).persist, ...sysctlFixParts({ etc }).persist];
    for (let round = 0; round < 2; round++) {
      for (const c of commands) {
        const r = await th.exec(0, c);
        expect(r.code, `${c}: ${r.stderr}`).toBe(0);
      }
    }
    const local = join(host.dir, 'lib', 'etc');
    expect(readFileSync(join(local, 'fstab'), 'utf8')).toBe('UUID=1 / ext4 defaults 0 1\n# /swap.img none swap sw 0 0\n');
    expect(readFileSync(join(local, 'modules-load.d', 'cp-installer.conf'), 'utf8')).toBe('overlay\nbr_netfilter\n');
    expect(readFileSync(join(local, 'sysctl.d', '99-cp-installer.conf'), 'utf8')).toContain('net.ipv4.ip_forward = 1');
  });

  it('cp-installer preflight: JSON report, password from the environment, exit 1 on a failed check', async () => {
    const file = join(scratch, 'plan.yaml');
    const yaml = (hosts: number[]) =>
      [
        'apiVersion: cp-installer/v1',
        'kind: Plan',
        'mode: standalone',
        'release: k-paas-v1.6.2',
        'auth:',
        `  - {name: pw, method: password, user: ${th.user}, sudo: password}`,
        'hosts:',
        ...hosts.map((i, n) => `  - {name: c${i}, address: ${th.hosts[i]!.address}, auth: pw, roles: [${n === 0 ? 'control-plane' : 'worker'}]}`),
        `storage: {type: nfs, nfs: {server: ${th.hosts[hosts[0]!]!.address}}}`,
        'portal: {enabled: false}',
        '',
      ].join('\n');
    const cli = (env: Record<string, string>, extra: string[] = []) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', CLI_DRIVER, file, '--json', '--known-hosts', th.knownHostsFile, ...extra],
        { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] },
      );
    writeFileSync(file, yaml([1, 2]));
    const r = cli({ CP_SSH_PASSWORD_PW: th.password });
    expect(r.status, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { hosts: Array<{ name: string; facts: { cpus: number }; checks: Array<{ id: string; status: string; message: string; remedy?: string }> }>; cross: unknown[] };
    expect(out.hosts.map((h) => h.name)).toEqual(['c1', 'c2']);
    expect(out.hosts[0]!.facts.cpus).toBe(1);
    const mem = out.hosts[0]!.checks.find((c) => c.id === 'memory')!;
    expect(mem).toMatchObject({ status: 'fail' });
    expect(mem.message).toMatch(/977 MB/);
    expect(mem.remedy).toBeTruthy();
    expect(Array.isArray(out.cross)).toBe(true);
    // the password went through the environment and stdin only: never into a report or an argument
    expect(r.stdout).not.toContain(th.password);

    // Without a password and without a terminal: a clear refusal naming the variables, exit 2.
    const none = cli({ CP_SSH_PASSWORD_PW: '', CP_SSH_PASSWORD: '' });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/CP_SSH_PASSWORD_PW or CP_SSH_PASSWORD/);

    // --fix shows each fix with its commands, but without a terminal to ask y/N on, runs none unless --yes.
    const shown = cli({ CP_SSH_PASSWORD_PW: th.password }, ['--fix']);
    expect(shown.status).toBe(1);
    expect(shown.stderr).toMatch(/Fixes on offer \(run with sudo\):\n {2}c\d: .+\n {6}\$ /);
    expect(shown.stderr).toContain('No fix was run: without a terminal to ask on, approve them with --yes.');
    expect(JSON.parse(shown.stdout).hosts).toHaveLength(2);
  });

  it('edge preflight: cloudcore ports reachable from edge hosts, a runtime, no kubelet', async () => {
    const edge = Plan.parse({
      ...planFor([0]),
      mode: 'edge',
      release: 'k-paas-v1.6.2-kubeedge-1.23',
      hosts: [
        { name: 'cloud', address: th.hosts[0]!.address, auth: 'key', roles: ['control-plane'] },
        { name: 'edge1', address: th.hosts[1]!.address, auth: 'key', roles: ['edge'] },
        { name: 'edge4', address: th.hosts[4]!.address, auth: 'key', roles: ['edge'] },
      ],
    });
    const report = await run(edge);
    const cross = new Map(report.cross.map((c) => [c.id, c]));
    for (const e of ['edge1', 'edge4']) {
      expect(cross.get(`cross.reach.${e}.cloud`)).toMatchObject({ status: 'pass', message: { params: { ports: '10000, 10001, 10002, 10003, 10004' } } });
      const checks = new Map(hostOf(report, e).checks.map((c) => [c.id, c]));
      expect(checks.get('edge.kubelet')?.status).toBe('pass');
      expect(checks.get('edge.runtime')?.status).toBe('pass');
      expect(checks.get('arch')?.status).toBe('pass');
      expect(checks.has('python3')).toBe(false);
    }
    expect(hostOf(report, 'cloud').checks.map((c) => c.id)).toEqual(expect.arrayContaining(['port.10000', 'port.10004', 'binaries']));

    // A kubelet running on edge1 (a renamed sleep in its /usr/local/bin): edgecore would refuse to start.
    const started = await th.exec(1, 'cp /bin/true /usr/local/bin/keadm && cp /bin/sleep /usr/local/bin/kubelet && { setsid /usr/local/bin/kubelet 120 </dev/null >/dev/null 2>&1 & echo $!; }');
    const pid = Number(started.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    try {
      const again = await run(edge, th.password, { skipReach: true });
      const k = hostOf(again, 'edge1').checks.find((c) => c.id === 'edge.kubelet')!;
      expect(k).toMatchObject({ status: 'fail', message: { params: { running: 'kubelet' } } });
      expect(again.ok).toBe(false);
      // keadm: edge4 has none (the join would fail there, late), edge1 gets one in /usr/local/bin.
      expect(hostOf(again, 'edge4').checks.find((c) => c.id === 'edge.keadm')).toMatchObject({ status: 'fail', remedy: { key: 'preflight.edge.keadm.remedy' } });
      expect(hostOf(again, 'edge1').checks.find((c) => c.id === 'edge.keadm')?.status).toBe('pass');
    } finally {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
      await th.exec(1, 'rm -f /usr/local/bin/kubelet /usr/local/bin/keadm');
    }
  });
});
