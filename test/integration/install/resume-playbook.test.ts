// security #6 on test hosts: the installer is killed (SIGKILL) while the real ansible-playbook runs on the
// deployer; the playbook goes on, detached, and `resume` finds it and waits for it instead of starting a
// second one. Exactly one playbook ever runs, sampled all through. A cancel stops it (standalone.test.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadPlanFile, runSummaries, startRun } from '../../../core/api/install.js';
import { gatherSecrets } from '../../../cli/terminal.js';
import { runDir } from '../../../core/install/journal.js';
import { startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { fixtureRunMissing, makeFixtureBundle } from './fixture-bundle.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const CLI = join(HERE, 'cli-entry.ts');
const HANG_TASK = 'TASK [download : Download | Check the step]';
const CLUSTER = 'itresume6';
/** The cancel case installs a cluster of its own: the first one's playbook is done (its marker is there). */
const CANCEL_CLUSTER = 'itcancel6';

const skipReason = fixtureRunMissing();
if (skipReason) console.log(`resume-playbook integration test skipped: ${skipReason}`);

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe.skipIf(!!skipReason)('security #6: a killed run leaves one playbook, and resume waits for it', () => {
  let hosts: TestHosts;
  let scratch: string;
  const children: ChildProcess[] = [];
  let sampler: NodeJS.Timeout | undefined;
  /** Each sample: the sessions (sid) that have an ansible-playbook process of this cluster. */
  const samples: Array<Set<string>> = [];

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-resume6-'));
    makeFixtureBundle(join(scratch, 'bundle'));
    for (const tool of ['kubectl', 'helm']) {
      const dest = join(hosts.hosts[0]!.dir, 'bin', tool);
      copyFileSync(join(HERE, 'fakes', 'fake-k8s-tool'), dest);
      chmodSync(dest, 0o755);
    }
    for (let i = 0; i < hosts.hosts.length; i++) spawnSync('mkdir', ['-p', join(hosts.hosts[i]!.dir, 'lib', 'fixture')]);
  });

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await hosts?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** ansible-playbook processes of this cluster (python running it, not a shell whose text mentions it), by session. */
  const playbookSessions = async (cluster = CLUSTER): Promise<Set<string>> => {
    const r = await hosts.exec(0, 'ps -eo stat=,sid=,args=');
    const sids = new Set<string>();
    for (const line of r.stdout.split('\n')) {
      const [stat, sid, prog, ...rest] = line.trim().split(/\s+/);
      if (!stat || stat.startsWith('Z') || !prog) continue;
      const args = [prog, ...rest].join(' ');
      if (!/python|ansible-playbook/.test(prog.split('/').pop() ?? '')) continue;
      if (args.includes('ansible-playbook') && args.includes(`inventory/${cluster}/hosts.yaml`)) sids.add(sid!);
    }
    return sids;
  };

  const writePlan = (cluster: string): string => {
    const a = hosts.hosts[0]!.address;
    const net = a.replace(/\.\d+$/, '');
    const planPath = join(scratch, `${cluster}.yaml`);
    writeFileSync(
      planPath,
      stringify({
        apiVersion: 'cp-installer/v1',
        kind: 'Plan',
        mode: 'standalone',
        release: 'k-paas-v1.6.2',
        cluster: { name: cluster },
        auth: [{ name: 'default', method: 'password', user: hosts.user, sudo: 'nopasswd' }],
        hosts: [
          { name: 'master-1', address: a, roles: ['control-plane', 'etcd'] },
          { name: 'worker-1', address: hosts.hosts[1]!.address, roles: ['worker'] },
        ],
        network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
        storage: { type: 'nfs', nfs: { server: a, path: '/srv/nfs' } },
        bundle: { path: join(scratch, 'bundle') },
      }),
    );
    return planPath;
  };

  it('security #6: SIGKILL of the installer, then resume: exactly one playbook ever runs, and resume says it waited', async () => {
    const planPath = writePlan(CLUSTER);
    // The playbook hangs 30 s at the download step on master-1, then goes on by itself.
    writeFileSync(join(hosts.hosts[0]!.dir, 'lib', 'fixture', 'hang'), 'download 30');
    const workdir = join(scratch, 'wd');
    const env = { ...process.env, CP_SSH_PASSWORD: hosts.password };
    const args = ['--workdir', workdir, '--known-hosts', hosts.knownHostsFile];
    const overrides = ['--override', 'os', 'cgroup', 'cross.machineId', 'leftovers'];

    sampler = setInterval(() => {
      void playbookSessions().then((s) => samples.push(s), () => undefined);
    }, 250);

    // The installer's own node process, so SIGKILL kills the installer (and drops its SSH sessions).
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'apply', planPath, ...args, ...overrides], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    let runId = '';
    // Generous: on a loaded machine the steps before the playbook take minutes.
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      runId = /run (\S+) \(/.exec(out)?.[1] ?? '';
      if (runId && readSafe(join(runDir(workdir, runId), 'logs', 'kubespray', 'master-1.log')).includes(HANG_TASK)) break;
    }
    expect(runId, out).not.toBe('');
    expect(readSafe(join(runDir(workdir, runId), 'logs', 'kubespray', 'master-1.log'))).toContain(HANG_TASK);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(runSummaries(workdir)[0]).toMatchObject({ id: runId, status: 'interrupted' });
    // The playbook outlived the installer.
    const after = await playbookSessions();
    expect(after.size).toBe(1);

    const resumed = spawn(process.execPath, ['--import', 'tsx', CLI, 'resume', runId, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    children.push(resumed);
    let rout = '';
    resumed.stdout!.on('data', (d) => (rout += d));
    resumed.stderr!.on('data', (d) => (rout += d));
    const code = await new Promise<number | null>((resolve) => resumed.once('exit', (c) => resolve(c)));
    clearInterval(sampler);
    sampler = undefined;
    expect(code, rout).toBe(0);
    expect(rout).toContain('installed and verified');

    // Resume said what it found and did: it waited for the running playbook, it did not start another.
    const log = readSafe(join(runDir(workdir, runId), 'logs', 'kubespray', 'master-1.log'));
    expect(log).toMatch(/still running on master-1 \(pid \d+\): waiting for it to end, not starting another/);
    expect(log).toContain('PLAY RECAP');

    // Never two at once, and only one ever: the same session from the first start to the end.
    expect(samples.length).toBeGreaterThan(20);
    for (const s of samples) expect(s.size).toBeLessThanOrEqual(1);
    const all = new Set(samples.flatMap((s) => [...s]));
    expect([...all]).toEqual([...after]);
    expect((await playbookSessions()).size).toBe(0);
  }, 1_500_000);

  it('security #6: cancel stops the detached playbook as a whole and frees its lock', async () => {
    writeFileSync(join(hosts.hosts[0]!.dir, 'lib', 'fixture', 'hang'), 'download 600');
    const workdir = join(scratch, 'wd-cancel');
    const { plan } = loadPlanFile(writePlan(CANCEL_CLUSTER));
    const secrets = await gatherSecrets(plan!, { lang: 'en', env: { CP_SSH_PASSWORD: hosts.password }, interactive: false });
    const started = await startRun(
      { workdir, sshOptions: { knownHostsFile: hosts.knownHostsFile, useSshConfig: false }, options: { verifyTimeoutSec: 60 } },
      plan!,
      secrets,
      { overrides: ['os', 'cgroup', 'cross.machineId', 'leftovers'] },
    );
    const deadline = Date.now() + 600_000;
    let hanging = false;
    while (Date.now() < deadline && !hanging) {
      await new Promise((r) => setTimeout(r, 500));
      hanging = started.run.logs.tail().some((e) => e.line.includes(HANG_TASK)) && (await playbookSessions(CANCEL_CLUSTER)).size === 1;
    }
    expect(hanging).toBe(true);
    started.cancel();
    const r = await started.done;
    expect(r.status).toBe('cancelled');
    expect((await playbookSessions(CANCEL_CLUSTER)).size).toBe(0);
    const run = join(hosts.hosts[0]!.dir, 'home', '.cp-installer', CANCEL_CLUSTER, 'run', 'kubespray');
    expect(existsSync(join(run, 'log'))).toBe(true);
    expect(existsSync(join(run, 'lock'))).toBe(false);
    rmSync(join(hosts.hosts[0]!.dir, 'lib', 'fixture', 'hang'), { force: true });
  }, 1_200_000);
});
