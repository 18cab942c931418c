// The nfs-server step (the platform guide's NFS section: nfs-kernel-server, the shared folder, one
// /etc/exports line per cluster node) run by the engine over SSH on a real test host. The host gets an /etc of
// its own (an overlay in its mount namespace, so this machine's /etc is never written), and strict fakes for
// what cannot run here: apt-get (no network, the packages are this machine's) and exportfs (no NFS server in a
// network namespace). The real dpkg, sudo, mkdir, chmod, grep and the step's own shell run as they are.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../core/common/quote.js';
import { clusterSteps } from '../../../core/install/modes/cluster.js';
import type { InstallMode } from '../../../core/install/step.js';
import { hostsWithRole, innerAddress, Plan } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { runMode } from '../edge/helpers.js';
import { ownEtc } from './own-etc.js';

const FAKES = fileURLToPath(new URL('./fakes/', import.meta.url));
const SHARE = '/var/lib/cp-installer/share/nfs';

const can = canRunTestHosts();
const aptCache = spawnSync('apt-cache', ['show', 'nfs-kernel-server'], { encoding: 'utf8' }).status === 0;
const overlay = existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay');
const reason = !can.ok ? can.reason : !aptCache ? 'apt-cache does not know nfs-kernel-server (the fake apt-get asks it)' : !overlay ? 'no overlay file system for the host\'s own /etc' : undefined;
if (reason) console.log(`skipping the nfs-server step test: ${reason}`);

describe.skipIf(!!reason)('the nfs-server step on a test host', () => {
  let th: TestHosts;
  let plan: Plan;
  let work: string;
  const machineHadExports = existsSync('/etc/exports');

  beforeAll(async () => {
    th = await startTestHosts({ count: 3 });
    work = mkdtempSync(join(tmpdir(), 'cp-nfs-step-'));
    const [m, w, n] = th.hosts;
    plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'master-1', address: m!.address, roles: ['control-plane', 'deployer'] },
        { name: 'worker-1', address: w!.address, roles: ['worker'] },
        { name: 'nfs-1', address: n!.address, roles: ['nfs'] },
      ],
      cluster: { name: 'nfs-step' },
      network: { metallbRange: `${m!.address.replace(/\.\d+$/, '')}.200-${m!.address.replace(/\.\d+$/, '')}.210`, ingressIp: `${m!.address.replace(/\.\d+$/, '')}.220` },
      storage: { type: 'nfs', nfs: { path: SHARE } },
    });
    await ownEtc(th, 2, n!);
    for (const tool of ['apt-get', 'exportfs']) {
      copyFileSync(join(FAKES, tool), join(n!.dir, 'bin', tool));
      chmodSync(join(n!.dir, 'bin', tool), 0o755);
    }
  }, 120_000);

  afterAll(async () => {
    await th?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function mode(): InstallMode {
    const master = hostsWithRole(plan, 'control-plane')[0]!;
    const step = clusterSteps(plan, master, []).find((s) => s.id === 'nfs-server');
    expect(step, 'an NFS plan with an nfs host has the nfs-server step').toBeDefined();
    return { name: 'nfs', title: { key: 'mode.standalone' }, steps: () => [step!] };
  }

  it('installs the packages, shares the folder and writes one export per node, on the nfs host only', { timeout: 300_000 }, async () => {
    const { result, run } = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'nfs-1' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    const nodes = plan.hosts.filter((h) => !h.roles.includes('nfs')).map(innerAddress);
    const exportsFile = (await th.exec(2, 'cat /etc/exports')).stdout;
    expect(exportsFile.trim().split('\n')).toEqual(nodes.map((ip) => `${SHARE} ${ip}(rw,no_root_squash,async)`));
    // The packages the guide names, through apt-get as root, non-interactive.
    const calls = readFileSync(join(th.hosts[2]!.dir, 'lib', 'fake-apt', 'calls.log'), 'utf8');
    expect(calls).toContain('apt-get install -y nfs-common nfs-kernel-server');
    // The share exists on the host, world-writable as the guide makes it; exportfs -v listed both exports.
    const stat = await th.exec(2, `stat -c %a ${shq(SHARE)}`);
    expect(stat.stdout.trim()).toBe('777');
    const logs = readFileSync(join(run.runDir, 'logs', ...['nfs-server', 'nfs-1.log']), 'utf8');
    for (const ip of nodes) expect(logs).toContain(`${SHARE}\t${ip}(rw,no_root_squash,async)`);
    // This machine's /etc was not touched; the other hosts have no exports.
    expect(existsSync('/etc/exports')).toBe(machineHadExports);
    expect((await th.exec(0, 'test -e /etc/exports; echo $?')).stdout.trim()).toBe(machineHadExports ? '0' : '1');
  });

  it('a second run adds no line twice (the step is safe to repeat and to resume)', { timeout: 300_000 }, async () => {
    const { result } = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'nfs-2' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    const lines = (await th.exec(2, 'cat /etc/exports')).stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(new Set(lines).size).toBe(2);
  });

  it('the fakes refuse what the real tools refuse (the run above was checked by them)', async () => {
    // exportfs: a path that is not there, an unknown option, not root.
    const bad = await th.exec(2, `cp /etc/exports /tmp/exports.keep-$$ && printf '%s\\n' '/nonexistent 10.0.0.1(rw)' >> /etc/exports; exportfs -ra; c=$?; cp /tmp/exports.keep-$$ /etc/exports; rm -f /tmp/exports.keep-$$; exit $c`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Failed to stat /nonexistent');
    const opt = await th.exec(2, `cp /etc/exports /tmp/exports.keep-$$ && printf '%s\\n' ${shq(`${SHARE} 10.0.0.1(rw,no_root_sqash)`)} >> /etc/exports; exportfs -ra; c=$?; cp /tmp/exports.keep-$$ /etc/exports; rm -f /tmp/exports.keep-$$; exit $c`);
    expect(opt.code).toBe(1);
    expect(opt.stderr).toContain('unknown keyword "no_root_sqash"');
    // apt-get: a package the archive does not have; install without -y.
    const pkg = await th.exec(2, 'apt-get install -y nfs-kernel-servr');
    expect(pkg).toMatchObject({ code: 100, stderr: expect.stringContaining('Unable to locate package nfs-kernel-servr') });
    expect((await th.exec(2, 'apt-get install nfs-common')).code).toBe(1);
    // As the login user (no sudo): both refuse.
    const user = await th.exec(2, `su -s /bin/sh ${shq(th.user)} -c 'exportfs -ra; echo "exit $?"; apt-get update; echo "exit $?"'`);
    expect(user.stdout).toContain('exit 1');
    expect(user.stdout).toContain('exit 100');
  });
});
