// The fault suite: one test per fault, each on real OpenSSH test hosts with the real ansible-playbook on the
// deployer (the fixture Kubespray tree) or the strict fakes of kubeadm/keadm/kubectl. For each fault the run
// must end naming the host and the step, the journal must stay consistent (every end has its start, one
// run-end per attempt, nothing after it), and `resume` must repeat no step (or per-host part) that finished.
//
// Faults: sshd killed mid-step; a host's link down mid-step and back; the installer SIGKILLed in each phase
// (preflight, upload, playbook, outputs); a remote command hanging past its timeout; the deployer's disk full
// during the unpack; one of ten edge joins failing; the wizard's WebSocket dropped and reconnected mid-run.
// Where a fault leaves a playbook running on the deployer, the resumed run must never run a second one
// beside it (sampled from the process table all through the resume).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, renameSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { createInstallerService } from '../../core/api/index.js';
import { loadPlanFile, renderMessage, resumeRun, startRun, type RunResult } from '../../core/api/install.js';
import { readJournal, loadJournal, runDir, JOURNAL_FILE, type JournalRecord } from '../../core/install/journal.js';
import { expandEdgeMode } from '../../core/modes/expand-edge/index.js';
import { startServer } from '../../cli/serve/server.js';
import { gatherSecrets } from '../../cli/terminal.js';
import { createWsInstaller } from '../../renderer/transport/ws-client.js';
import { LogBuffer } from '../../renderer/lib/log-buffer.js';
import type { LogLine } from '../../core/api/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { failNextJoin, readCluster, seedExistingCluster, stopCloudcore } from '../fakes/install.js';
import { installAllFakes, planFor, release, runMode } from './edge/helpers.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../support/secrets-scan.js';
import { fixtureRunMissing, makeFixtureBundle } from './install/fixture-bundle.js';
import { packTree } from '../../core/install/tree.js';
import { bundleTree } from '../../core/install/modes/deployer.js';
import { edgeMode } from '../../core/modes/edge/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'cli', 'main.ts');
const FAKE_K8S_TOOL = join(ROOT, 'test', 'integration', 'install', 'fakes', 'fake-k8s-tool');
/** The fixture's task that runs its `download` step: the hang marker makes it sleep there. */
const HANG_TASK = 'TASK [download : Download | Check the step]';
// Test hosts share this machine's OS, cgroups and machine-id, and later tests reinstall on the same hosts.
const OVERRIDES = ['os', 'cgroup', 'cross.machineId', 'leftovers'];

const can = canRunTestHosts();
const skipReason = fixtureRunMissing();
if (skipReason) console.log(`fault suite skipped: ${skipReason}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function journalOf(workdir: string, runId: string): JournalRecord[] {
  return readJournal(join(runDir(workdir, runId), JOURNAL_FILE));
}

const partOf = (r: { step: string; host?: string }) => `${r.step}${r.host ? `@${r.host}` : ''}`;

/**
 * A journal a resume can trust: it begins with run-start; each attempt (run-start or resume up to the next
 * resume) has at most one run-end, as its last record; every step-end follows a step-start of the same step
 * and host in the same attempt; no part ends twice in one attempt.
 */
function expectConsistentJournal(records: JournalRecord[], opts: { lastAttemptEnded?: boolean } = {}): void {
  expect(records[0]?.t).toBe('run-start');
  const attempts: JournalRecord[][] = [];
  for (const r of records) {
    if (r.t === 'run-start' || r.t === 'resume') attempts.push([r]);
    else attempts[attempts.length - 1]!.push(r);
  }
  attempts.forEach((a, n) => {
    const ends = a.filter((r) => r.t === 'run-end');
    expect(ends.length, `attempt ${n}: run-end records`).toBeLessThanOrEqual(1);
    if (ends.length) expect(a[a.length - 1]!.t, `attempt ${n}: run-end is last`).toBe('run-end');
    const open = new Map<string, number>();
    const ended = new Set<string>();
    for (const r of a) {
      if (r.t === 'step-start') open.set(partOf(r), (open.get(partOf(r)) ?? 0) + 1);
      if (r.t === 'step-end') {
        expect(open.get(partOf(r)) ?? 0, `attempt ${n}: ${partOf(r)} ended without a start`).toBeGreaterThan(0);
        expect(ended.has(partOf(r)), `attempt ${n}: ${partOf(r)} ended twice`).toBe(false);
        ended.add(partOf(r));
      }
    }
  });
  if (opts.lastAttemptEnded !== undefined) {
    const last = attempts[attempts.length - 1]!;
    expect(last.some((r) => r.t === 'run-end'), 'last attempt ended').toBe(opts.lastAttemptEnded);
  }
}

/** After each resume record, no whole step (or per-host part) that had finished before it starts again. */
function expectNothingRepeated(records: JournalRecord[]): void {
  const finished = new Set<string>();
  let resumes = 0;
  for (const r of records) {
    if (r.t === 'resume') resumes++;
    if (r.t === 'step-end' && (r.status === 'done' || r.status === 'skipped')) finished.add(partOf(r));
    if (r.t === 'step-start' && resumes > 0) expect(finished.has(partOf(r)), `resume repeated the finished ${partOf(r)}`).toBe(false);
  }
  expect(resumes, 'the run was resumed').toBeGreaterThan(0);
}

/** The step (and host) the last attempt was in when it stopped without an end: where a kill landed. */
function openStep(records: JournalRecord[]): string[] {
  const lastStart = records.map((r) => r.t).lastIndexOf('resume');
  const tail = records.slice(Math.max(0, lastStart));
  const open = new Map<string, number>();
  for (const r of tail) {
    if (r.t === 'step-start') open.set(partOf(r), (open.get(partOf(r)) ?? 0) + 1);
    if (r.t === 'step-end') open.set(partOf(r), (open.get(partOf(r)) ?? 0) - 1);
  }
  return [...open].filter(([, n]) => n > 0).map(([k]) => k);
}

/** A failed run's result names the step and the host in what the user reads. */
function expectNamed(result: RunResult, step: string, host: string): void {
  expect(result.status, JSON.stringify(result.failure)).toBe('failed');
  expect(result.failedStep, JSON.stringify(result.failure)).toBe(step);
  const said = `${result.error ? renderMessage(result.error, 'en') : ''} ${result.failure?.host ?? ''} ${result.failure?.message ?? ''}`;
  expect(said, 'the failure names the host').toContain(host);
}

/**
 * Counts the playbooks of one inventory running at once on this machine's process table (the test hosts
 * share it): an ansible-playbook whose parent is not itself that playbook is a whole run.
 */
function playbookWatch(cluster: string): { max: () => number; stop: () => void } {
  let max = 0;
  const needle = `inventory/${cluster}/hosts.yaml`;
  const tick = () =>
    execFile('ps', ['-eo', 'pid=,ppid=,args='], { maxBuffer: 16 * 1024 * 1024 }, (_e, out) => {
      const rows = (out ?? '').split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m);
      const playbooks = rows.filter((m) => m[3]!.includes('ansible-playbook') && m[3]!.includes(needle));
      const pids = new Set(playbooks.map((m) => m[1]));
      const top = playbooks.filter((m) => !pids.has(m[2]!)).length;
      max = Math.max(max, top);
    });
  const timer = setInterval(tick, 250);
  return { max: () => max, stop: () => clearInterval(timer) };
}

describe.skipIf(!!skipReason)('faults in a standalone install (real ansible-playbook on test hosts)', () => {
  let th: TestHosts;
  let scratch: string;
  let bundle: string;
  let sampler: PsSampler;
  const children: ChildProcess[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];

  const planFile = (cluster: string, auth: 'password' | 'key' = 'password'): string => {
    const net = th.hosts[0]!.address.replace(/\.\d+$/, '');
    const plan = {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: cluster },
      auth: [auth === 'password' ? { name: 'default', method: 'password', user: th.user, sudo: 'nopasswd' } : { name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'master-1', address: th.hosts[0]!.address, roles: ['control-plane', 'etcd'] },
        { name: 'worker-1', address: th.hosts[1]!.address, roles: ['worker'] },
      ],
      network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
      storage: { type: 'nfs', nfs: { server: th.hosts[0]!.address, path: '/srv/nfs' } },
      bundle: { path: bundle },
    };
    const path = join(scratch, `${cluster}.yaml`);
    writeFileSync(path, stringify(plan));
    return path;
  };

  const fixtureState = (i: number) => join(th.hosts[i]!.dir, 'lib', 'fixture');
  const hangPlaybook = (text: string) => writeFileSync(join(fixtureState(0), 'hang'), text);
  const clearMarkers = () => {
    for (let i = 0; i < th.hosts.length; i++) for (const m of ['fail', 'hang']) rmSync(join(fixtureState(i), m), { force: true });
  };

  /**
   * A wrapper in front of a command on host i (its /usr/local/bin comes first on PATH, sudo's secure_path too):
   * while /var/lib/cp-installer/qa-hang-<tool> exists and the arguments match, it waits there (and says so in
   * qa-reached-<tool>); removing the marker lets it go on to the real command.
   */
  const hangWrapper = (i: number, tool: string, real: string, argsMatch = '') => {
    const bin = join(th.hosts[i]!.dir, 'bin', tool);
    const lib = '/var/lib/cp-installer';
    writeFileSync(
      bin,
      [
        '#!/bin/sh',
        `if [ -e ${lib}/qa-hang-${tool} ] && printf '%s\\n' "$*" | grep -q -e ${JSON.stringify(argsMatch)}; then`,
        `  echo $$ > ${lib}/qa-reached-${tool}`,
        `  while [ -e ${lib}/qa-hang-${tool} ]; do sleep 0.2; done`,
        'fi',
        `exec ${real} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(bin, 0o755);
    writeFileSync(join(th.hosts[i]!.dir, 'lib', `qa-hang-${tool}`), '');
    const release = () => rmSync(join(th.hosts[i]!.dir, 'lib', `qa-hang-${tool}`), { force: true });
    const remove = () => {
      release();
      rmSync(bin, { force: true });
      rmSync(join(th.hosts[i]!.dir, 'lib', `qa-reached-${tool}`), { force: true });
    };
    cleanups.push(remove);
    return { reached: () => existsSync(join(th.hosts[i]!.dir, 'lib', `qa-reached-${tool}`)), release, remove };
  };

  /** About what the deployer-tree step uploads: the bundle as one archive. */
  const bundleBytes = () => spawnSync('sh', ['-c', `tar -cf - -C ${JSON.stringify(bundle)} . | wc -c`], { encoding: 'utf8' }).stdout.trim();

  const env = () => ({ ...process.env, CP_SSH_PASSWORD: th.password, LANG: 'C', LC_ALL: 'C' });
  const secrets = async (planPath: string) => {
    const { plan } = loadPlanFile(planPath);
    return gatherSecrets(plan!, { lang: 'en', env: { CP_SSH_PASSWORD: th.password }, interactive: false });
  };
  const deps = (workdir: string, extra: Record<string, unknown> = {}) => ({
    workdir,
    sshOptions: { knownHostsFile: th.knownHostsFile, useSshConfig: false },
    options: { verifyTimeoutSec: 60, ...extra },
  });

  /** `cp-installer apply` as its own node process (SIGKILL then kills the installer itself). */
  const cliApply = (planPath: string, workdir: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'apply', planPath, '--workdir', workdir, '--known-hosts', th.knownHostsFile, '--override', ...OVERRIDES], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const runId = () => /run (\S+) \(/.exec(out)?.[1] ?? '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return { child, out: () => out, runId, exited };
  };

  const cliResume = (runId: string, workdir: string) =>
    new Promise<{ status: number | null; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', CLI, 'resume', runId, '--workdir', workdir, '--known-hosts', th.knownHostsFile], { env: env(), cwd: ROOT, timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) =>
        resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  const cliRuns = (workdir: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'runs', '--workdir', workdir, '--json'], { encoding: 'utf8', cwd: ROOT, env: env() });
    return JSON.parse(r.stdout) as Array<{ id: string; status: string }>;
  };

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cpq-faults-'));
    bundle = join(scratch, 'bundle');
    makeFixtureBundle(bundle);
    for (const tool of ['kubectl', 'helm']) {
      const dest = join(th.hosts[0]!.dir, 'bin', tool);
      copyFileSync(FAKE_K8S_TOOL, dest);
      chmodSync(dest, 0o755);
    }
    for (let i = 0; i < th.hosts.length; i++) mkdirSync(fixtureState(i), { recursive: true });
    sampler = startPsSampler({ hosts: th, intervalMs: 300 });
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    clearMarkers();
  });

  afterAll(async () => {
    sampler?.stop();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const c of cleanups.splice(0)) await c();
    try {
      // The suite hands the installer the SSH password through the environment: it must be nowhere.
      if (scratch && th) assertNoSecrets({ secrets: harnessSecrets(th), paths: [scratch], sampler, minFiles: 10, minSamples: 10 });
    } finally {
      await th?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('sshd killed mid-step on the deployer: fails naming master-1 and kubespray; resumes after sshd is back', async () => {
    const workdir = join(scratch, 'wd-sshd');
    const planPath = planFile('qasshd');
    hangPlaybook('download 90');
    const events: string[] = [];
    const started = await startRun(deps(workdir), loadPlanFile(planPath).plan!, await secrets(planPath), { overrides: OVERRIDES, onEvent: (e) => events.push(e.type) });
    const logFile = join(runDir(workdir, started.runId), 'logs', 'kubespray', 'master-1.log');
    await waitFor('the playbook to hang in its download step', () => readSafe(logFile).includes(HANG_TASK), 1_200_000, 500);
    // A process that stays in host 0's namespaces, to start its sshd again from.
    const keeper = Number((await th.exec(0, 'setsid sleep 900 </dev/null >/dev/null 2>&1 & echo $!')).stdout.trim());
    const listener = th.hosts[0]!.sshdPid;
    const sshds = spawnSync('sh', ['-c', `ps -eo pid=,ppid=,comm= | awk '$3=="sshd"'`], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    const victims = new Set([listener]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of sshds) {
        if (victims.has(ppid!) && !victims.has(pid!)) {
          victims.add(pid!);
          grew = true;
        }
      }
    }
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    const r1 = await Promise.race([started.done, sleep(300_000).then(() => undefined)]);
    if (!r1) started.cancel();
    expect(r1, 'the run noticed sshd was gone within 300 s').toBeDefined();
    expectNamed(r1!, 'kubespray', 'master-1');

    // sshd comes back (same config, same namespaces); the fault is gone.
    const log = openSync(join(th.hosts[0]!.dir, 'sshd.log'), 'a');
    const sshd = spawn('nsenter', ['-t', String(keeper), '-m', '-u', '-n', '--', '/usr/sbin/sshd', '-D', '-e', '-f', join(th.hosts[0]!.dir, 'sshd_config')], { detached: true, stdio: ['ignore', log, log] });
    sshd.unref();
    th.hosts[0]!.sshdPid = sshd.pid!;
    await waitFor('sshd to listen again', async () => (await th.exec(0, 'true')).code === 0 && spawnSync('ssh-keyscan', ['-T', '2', th.hosts[0]!.address]).status === 0, 20_000, 300);
    clearMarkers();
    const watch = playbookWatch('qasshd');
    const second = await resumeRun(deps(workdir), started.runId, () => secrets(planPath));
    const r2 = await second.done;
    watch.stop();
    expect(r2.status, JSON.stringify(r2.failure)).toBe('succeeded');
    expect(watch.max(), 'playbooks running at once during the resume').toBeLessThanOrEqual(1);
    const records = journalOf(workdir, started.runId);
    expectConsistentJournal(records, { lastAttemptEnded: true });
    expectNothingRepeated(records);
  }, 2_400_000);

  it('the deployer link down mid-step and back: fails naming master-1 and kubespray; resume never runs two playbooks', async () => {
    const workdir = join(scratch, 'wd-link');
    const planPath = planFile('qalink');
    hangPlaybook('download 75');
    const started = await startRun(deps(workdir), loadPlanFile(planPath).plan!, await secrets(planPath), { overrides: OVERRIDES });
    const logFile = join(runDir(workdir, started.runId), 'logs', 'kubespray', 'master-1.log');
    await waitFor('the playbook to hang in its download step', () => readSafe(logFile).includes(HANG_TASK), 1_200_000, 500);
    await th.linkDown(0);
    cleanups.push(() => th.linkUp(0));
    const t0 = Date.now();
    const r1 = await Promise.race([started.done, sleep(180_000).then(() => undefined)]);
    await th.linkUp(0);
    if (!r1) started.cancel();
    expect(r1, 'the run noticed the link was down within 180 s').toBeDefined();
    expectNamed(r1!, 'kubespray', 'master-1');
    expect(Date.now() - t0).toBeLessThan(120_000);
    clearMarkers();
    const watch = playbookWatch('qalink');
    const second = await resumeRun(deps(workdir), started.runId, () => secrets(planPath));
    const r2 = await second.done;
    // The first playbook may still be finishing on the deployer after the resumed run said it was done.
    await sleep(3000);
    watch.stop();
    expect(r2.status, JSON.stringify(r2.failure)).toBe('succeeded');
    expect(watch.max(), 'playbooks running at once (issue 10.6)').toBeLessThanOrEqual(1);
    const records = journalOf(workdir, started.runId);
    expectConsistentJournal(records, { lastAttemptEnded: true });
    expectNothingRepeated(records);
  }, 2_400_000);

  /** SIGKILL of `cp-installer apply` while `pause` holds the run in `step`; then `cp-installer resume`. */
  const killAndResume = async (o: { cluster: string; step: string; pause: (run: { workdir: string; runId: string }) => Promise<void>; release: () => Promise<void> | void; watchPlaybooks?: boolean }) => {
    const workdir = join(scratch, `wd-${o.cluster}`);
    const planPath = planFile(o.cluster);
    const run = cliApply(planPath, workdir);
    await waitFor('the run id', () => !!run.runId() || run.child.exitCode !== null, 600_000);
    expect(run.runId(), run.out()).not.toBe('');
    try {
      await o.pause({ workdir, runId: run.runId() });
    } catch (e) {
      run.child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\n--- cp-installer apply printed:\n${run.out().slice(-3000)}`, { cause: e });
    }
    run.child.kill('SIGKILL');
    await run.exited;
    await o.release();
    // What the journal says after the kill: interrupted, in the step the kill landed in.
    const after = journalOf(workdir, run.runId());
    expectConsistentJournal(after, { lastAttemptEnded: false });
    expect(openStep(after), 'the step the installer was killed in').toContain(o.step);
    expect(cliRuns(workdir).find((r) => r.id === run.runId())?.status).toBe('interrupted');
    const watch = o.watchPlaybooks ? playbookWatch(o.cluster) : undefined;
    const resumed = await cliResume(run.runId(), workdir);
    await sleep(watch ? 3000 : 0);
    watch?.stop();
    expect(resumed.status, resumed.out.slice(-3000)).toBe(0);
    expect(resumed.out).toContain('installed and verified');
    if (watch) expect(watch.max(), 'playbooks running at once (issue 10.6)').toBeLessThanOrEqual(1);
    const records = journalOf(workdir, run.runId());
    expectConsistentJournal(records, { lastAttemptEnded: true });
    expectNothingRepeated(records);
    expect(cliRuns(workdir).find((r) => r.id === run.runId())?.status).toBe('succeeded');
  };

  it('installer SIGKILLed during preflight (the probe on worker-1): journal open at connect; resume verifies', async () => {
    // python3 --version is a step of every host's probe (kubelet is asked its version only on edge hosts).
    const w = hangWrapper(1, 'python3', '/usr/bin/python3', '--version');
    await killAndResume({ cluster: 'qakpre', step: 'connect', pause: () => waitFor('the probe to reach worker-1', w.reached, 600_000), release: () => w.remove() });
  }, 2_400_000);

  it('installer SIGKILLed during the upload of the Kubespray tree: journal open at deployer-tree; resume verifies', async () => {
    const dev = `cpt${th.id}v0`;
    // Installer → deployer slowed so the bundle's archive takes about 20 s to upload. A token bucket, not netem:
    // netem is a module many kernels (this CI's among them) do not carry, and an unshaped upload is over between polls.
    const kbit = Math.max(64, Math.round((Number(bundleBytes()) * 8) / 1000 / 20));
    // Only the installer's packets (from the bridge's address) wait in the bucket: the other hosts' preflight
    // connects to the deployer (worker-1 → master-1:6443) pass, or they queue behind the probe sent to the
    // deployer and time out (seen: the run failed its reach check before any upload). Where htb or u32 is
    // missing, the whole link is slowed as before.
    const tc = (...args: string[]) => spawnSync('tc', args, { encoding: 'utf8' });
    let shaped = tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '20');
    if (shaped.status === 0) shaped = tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', `${kbit}kbit`, 'burst', '16kb');
    if (shaped.status === 0) shaped = tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '10gbit');
    if (shaped.status === 0) shaped = tc('filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'src', `${th.bridgeAddress}/32`, 'flowid', '1:10');
    if (shaped.status !== 0) {
      tc('qdisc', 'del', 'dev', dev, 'root');
      shaped = tc('qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '16kb', 'latency', '1s');
    }
    expect(shaped.status, `tc could not slow ${dev}: ${shaped.stderr}`).toBe(0);
    const unshape = () => void spawnSync('tc', ['qdisc', 'del', 'dev', dev, 'root']);
    cleanups.push(unshape);
    const tar = join(th.hosts[0]!.dir, 'home', '.cp-installer', 'qakup', 'cp-deployment.tar');
    let ended = '';
    await killAndResume({
      cluster: 'qakup',
      step: 'deployer-tree',
      pause: async ({ workdir, runId }) => {
        await waitFor('the upload to begin (or the run to pass deployer-tree without it)', () => {
          if (existsSync(tar) && statSync(tar).size > 0) return true;
          // The upload is over once a later step has begun: waiting on would wait out the whole timeout.
          for (const r of journalOf(workdir, runId)) {
            if (r.t === 'run-end') ended = 'its end';
            else if (r.t === 'step-start' && r.step !== 'connect' && r.step !== 'deployer-tree') ended = r.step;
          }
          return ended !== '';
        }, 600_000, 50);
        expect(existsSync(tar), `the run reached ${ended} without the upload being seen`).toBe(true);
      },
      release: unshape,
    });
  }, 2_400_000);

  it('installer SIGKILLed during the playbook: journal open at kubespray; resume never runs two playbooks', async () => {
    hangPlaybook('download 60');
    let logFile = '';
    await killAndResume({
      cluster: 'qakplay',
      step: 'kubespray',
      watchPlaybooks: true,
      pause: async () => {
        const runs = join(scratch, 'wd-qakplay', 'runs');
        await waitFor('the playbook to hang', () => {
          const id = existsSync(runs) ? readdirSync(runs)[0] : undefined;
          logFile = id ? join(runs, id, 'logs', 'kubespray', 'master-1.log') : '';
          return !!logFile && readSafe(logFile).includes(HANG_TASK);
        }, 1_200_000, 300);
      },
      release: clearMarkers,
    });
  }, 2_400_000);

  it('installer SIGKILLed while fetching the kubeconfig (outputs): journal open at kubeconfig; resume verifies', async () => {
    const w = hangWrapper(0, 'cat', '/usr/bin/cat', 'admin.conf');
    // The wrapper holds `sudo cat admin.conf` where the download goes through it; else the kill lands in the
    // step's own seconds, caught by watching the journal for its start.
    const inKubeconfig = (r: { workdir: string; runId: string }) => openStep(journalOf(r.workdir, r.runId)).includes('kubeconfig');
    await killAndResume({ cluster: 'qakout', step: 'kubeconfig', pause: (r) => waitFor('the kubeconfig step to start', () => w.reached() || inKubeconfig(r), 1_500_000, 40), release: () => w.remove() });
  }, 2_400_000);

  it("the deployer's disk full while unpacking the tree: fails naming master-1 and deployer-tree, says why; resumes once there is room", async () => {
    const workdir = join(scratch, 'wd-disk');
    const planPath = planFile('qadisk');
    const home = `/home/${th.user}`;
    // The deployer's home on a small file system, with what it held, then filled up to leave room for the
    // uploaded tree archive and a little more, never for the unpacked tree beside it. Measured on the mounted
    // file system (df, a filler file), not estimated from another file system's `du`: on CI that estimate
    // left room enough for the whole unpack.
    const uid = spawnSync('id', ['-u', th.user], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', th.user], { encoding: 'utf8' }).stdout.trim();
    const src = join(th.hosts[0]!.dir, 'home');
    const usedKb = Number(spawnSync('du', ['-sk', src], { encoding: 'utf8' }).stdout.split(/\s/)[0]);
    const treeTarKb = Math.ceil((await packTree(bundleTree(bundle)!)).tar.length / 1024);
    // tmpfs gives every file at least one page: what the unpacked tree takes at the least.
    const unpackedKb = 4 * readdirSync(bundleTree(bundle)!, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    const slackKb = 32;
    expect(unpackedKb, 'the unpacked tree must not fit in the slack').toBeGreaterThan(2 * slackKb);
    const sizeKb = 2 * (usedKb + Math.ceil(Number(bundleBytes()) / 1024)) + 1024;
    const m = await th.exec(0, `mount -t tmpfs -o size=${sizeKb}k,mode=0755,uid=${uid},gid=${gid} qa-full ${home} && cp -a ${src}/. ${home}/ && chown -R ${uid}:${gid} ${home}`);
    expect(m.code, m.stderr).toBe(0);
    const availKb = Number((await th.exec(0, `df -k --output=avail ${home} | tail -1`)).stdout.trim());
    const fill = await th.exec(0, `fallocate -l ${availKb - treeTarKb - slackKb}k ${home}/.qa-filler`);
    expect(fill.code, fill.stderr).toBe(0);
    let mounted = true;
    const unmount = async () => {
      if (mounted) await th.exec(0, `umount -l ${home}`);
      mounted = false;
    };
    cleanups.push(unmount);
    const started = await startRun(deps(workdir), loadPlanFile(planPath).plan!, await secrets(planPath), { overrides: OVERRIDES });
    const r1 = await started.done;
    await unmount();
    expectNamed(r1, 'deployer-tree', 'master-1');
    expect(`${r1.failure?.message ?? ''} ${r1.error ? renderMessage(r1.error, 'en') : ''}`).toMatch(/No space left on device|disk|space/i);
    const second = await resumeRun(deps(workdir), started.runId, () => secrets(planPath));
    const r2 = await second.done;
    expect(r2.status, JSON.stringify(r2.failure)).toBe('succeeded');
    const records = journalOf(workdir, started.runId);
    expectConsistentJournal(records, { lastAttemptEnded: true });
    expectNothingRepeated(records);
  }, 2_400_000);

  it("the wizard's WebSocket dropped and reconnected mid-run: the log catches up with no gap and no duplicate", async () => {
    const workdir = join(scratch, 'wd-ws');
    const renderer = join(scratch, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>wizard</title>');
    // Browser mode reads only the work folder and the folders serve was given (--allow-dir): the bundle's.
    const service = createInstallerService({ workdir, shell: 'browser', knownHostsFile: th.knownHostsFile, allowDirs: [scratch] });
    const server = await startServer({ api: service, rendererDir: renderer, port: 0, version: 'test' });
    const origin = `http://127.0.0.1:${server.port}`;
    // The page's socket: it can be cut (as a sleeping laptop or a proxy does) and kept from reconnecting.
    let blocked = false;
    const sockets: WebSocket[] = [];
    class PageSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(blocked ? url.replace(`:${server.port}/`, ':1/') : url, protocols, { origin });
        // A browser's WebSocket reports a refused connection as an event; Node's `ws` throws an 'error' nobody
        // listens to, which would end the page's reconnect loop here but never in a browser.
        this.on('error', () => undefined);
        sockets.push(this);
      }
    }
    // The tab's sessionStorage, holding the printed address's ticket as the page adopts it.
    const stored = new Map<string, string>([['cpi.ticket', server.token]]);
    const store = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v), removeItem: (k: string) => void stored.delete(k) };
    const client = createWsInstaller({ url: `ws://127.0.0.1:${server.port}/api`, store, WebSocketImpl: PageSocket as unknown as typeof globalThis.WebSocket });
    const buffer = new LogBuffer();
    let runId = '';
    let finished = false;
    let linesBeforeDrop: number;
    let gaps = 0;
    const catchUp = async () => {
      // What the wizard's store does on reconnect (renderer/store/run.ts catchUpLogs): the missed log lines,
      // then the run's state, since a run-finished sent while the socket was down is not sent again.
      let seq = buffer.lastSeq;
      for (;;) {
        const { lines, lastSeq } = await client.invoke('run.logsSince', { runId, seq, limit: 5000 });
        if (lines.length) buffer.merge(lines);
        const newest = lines[lines.length - 1]?.seq ?? seq;
        if (!lines.length || newest >= lastSeq) break;
        seq = newest;
      }
      const state = await client.invoke('run.state', { runId });
      if (state.summary.status !== 'running') finished = true;
    };
    client.on((e) => {
      if (e.type === 'log-batch' && e.runId === runId) {
        const r = buffer.append(e.lines);
        if (r.gap) gaps++;
      }
      if (e.type === 'run-finished' && e.runId === runId) finished = true;
    });
    let reconnected = 0;
    client.onConnection((s) => {
      if (s === 'open' && runId) {
        reconnected++;
        void catchUp();
      }
    });
    try {
      await waitFor('the socket', () => client.state === 'open', 30_000, 50);
      const plan = loadPlanFile(planFile('qaws', 'key')).plan!;
      ({ runId } = await client.invoke('run.start', { plan: plan as never, overrides: OVERRIDES }));
      await waitFor('the playbook to log', () => buffer.all().some((l) => l.stepId === 'kubespray'), 1_200_000, 100);
      linesBeforeDrop = buffer.size;
      blocked = true;
      sockets[sockets.length - 1]!.terminate();
      await sleep(4000);
      blocked = false;
      await waitFor('the run to finish', () => finished, 1_500_000, 200);
      await waitFor('the reconnect', () => reconnected > 0, 30_000, 100);
      await catchUp();
      const state = await client.invoke('run.state', { runId });
      expect(state.summary.status).toBe('succeeded');
      // The whole log, as the engine holds it, against what the page ended up with.
      const truth: LogLine[] = [];
      let seq = 0;
      for (;;) {
        const { lines, lastSeq } = await client.invoke('run.logsSince', { runId, seq, limit: 5000 });
        truth.push(...lines);
        if (!lines.length || lines[lines.length - 1]!.seq >= lastSeq) break;
        seq = lines[lines.length - 1]!.seq;
      }
      const got = buffer.all();
      const seqs = got.map((l) => l.seq);
      expect(new Set(seqs).size, 'no duplicate line').toBe(seqs.length);
      expect(seqs, 'no gap').toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
      expect(got.map((l) => `${l.seq} ${l.line}`)).toEqual(truth.map((l) => `${l.seq} ${l.line}`));
      expect(linesBeforeDrop, 'lines arrived before the drop').toBeGreaterThan(0);
      expect(got.length, 'lines arrived after the drop').toBeGreaterThan(linesBeforeDrop);
      expect(reconnected).toBeGreaterThan(0);
      expectConsistentJournal(journalOf(workdir, runId), { lastAttemptEnded: true });
      void gaps;
    } finally {
      client.close();
      await server.close();
      await service.dispose();
    }
  }, 2_400_000);
});

describe.skipIf(!can.ok)('fault: one of ten edge joins failing (expand-edge, strict fakes)', () => {
  const EDGES = 10;
  let th: TestHosts;
  beforeAll(async () => {
    th = await startTestHosts({ count: EDGES + 2 });
    installAllFakes(th);
    const h = th.hosts;
    seedExistingCluster(h[0]!, release().kubernetes, [
      { name: h[0]!.name, ip: h[0]!.address, roles: ['control-plane'] },
      { name: h[1]!.name, ip: h[1]!.address, roles: [] },
    ]);
    await th.exec(0, `ip addr add ${h[0]!.address.replace(/\.\d+$/, '.250')}/24 dev eth0`);
  });
  afterAll(async () => {
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
  });

  it('edge host 5 of 10 fails its join: the run names that host and edge-join; resume joins only it', async () => {
    const bad = th.hosts[6]!;
    failNextJoin(bad, true);
    const plan = planFor(
      th,
      [
        [0, ['control-plane']],
        [1, ['worker']],
        ...Array.from({ length: EDGES }, (_, i): [number, ['edge']] => [i + 2, ['edge']]),
      ],
      { mode: 'expand-edge', edge: { cloudcorePrivateAddress: th.hosts[0]!.address.replace(/\.\d+$/, '.250') } },
    );
    const first = await runMode({ hosts: th, mode: expandEdgeMode, plan, runId: 'qa-edge' });
    expectNamed(first.result, 'edge-join', bad.name);
    const records1 = journalOf(first.workdir, 'qa-edge');
    expectConsistentJournal(records1, { lastAttemptEnded: true });
    const failedParts = records1.filter((r) => r.t === 'step-end' && r.status === 'failed' && r.host).map((r) => (r as { host: string }).host);
    expect(failedParts).toEqual([bad.name]);
    failNextJoin(bad, false);
    const second = await runMode({ hosts: th, mode: expandEdgeMode, plan, runId: 'qa-edge', workdir: first.workdir, resume: loadJournal(first.workdir, 'qa-edge') });
    expect(second.result.status, JSON.stringify(second.result.failure)).toBe('succeeded');
    const records = journalOf(first.workdir, 'qa-edge');
    expectConsistentJournal(records, { lastAttemptEnded: true });
    expectNothingRepeated(records);
    const resumedAt = records.findIndex((r) => r.t === 'resume');
    const rejoined = records.slice(resumedAt).filter((r) => r.t === 'step-start' && r.step === 'edge-join' && r.host);
    expect(rejoined.map((r) => (r as { host: string }).host)).toEqual([bad.name]);
    const edges = (readCluster(th.hosts[0]!)?.nodes ?? []).filter((n) => 'node-role.kubernetes.io/edge' in n.metadata.labels);
    expect(edges).toHaveLength(EDGES);
  }, 600_000);
});

describe.skipIf(!can.ok)('fault: a remote command hanging past its timeout (edge mode, strict fakes)', () => {
  let th: TestHosts;
  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    installAllFakes(th);
  });
  afterAll(async () => {
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
  });

  it('kubectl get nodes hangs on the control plane: the run fails within its timeout naming the host and the step (issue 10.7); resume finishes', async () => {
    const bin = join(th.hosts[0]!.dir, 'bin');
    const lib = join(th.hosts[0]!.dir, 'lib');
    // The fake kubectl moves aside; in front of it a wrapper that hangs on `get nodes` while the marker is there.
    renameSync(join(bin, 'kubectl'), join(bin, 'kubectl.real'));
    writeFileSync(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        `if [ -e /var/lib/cp-installer/qa-hang ] && printf '%s\\n' "$*" | grep -q 'get nodes'; then`,
        '  echo $$ > /var/lib/cp-installer/qa-reached',
        '  while [ -e /var/lib/cp-installer/qa-hang ]; do sleep 0.2; done',
        'fi',
        'exec /usr/local/bin/kubectl.real "$@"',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    writeFileSync(join(lib, 'qa-hang'), '');
    const plan = planFor(th, [
      [0, ['control-plane']],
      [1, ['edge']],
    ]);
    const workdir = mkdtempSync(join(tmpdir(), 'cpq-hang-'));
    try {
      const t0 = Date.now();
      const first = await Promise.race([runMode({ hosts: th, mode: edgeMode, plan, runId: 'qa-hang', workdir, options: { edgeVerifySeconds: 10 } }), sleep(600_000).then(() => undefined)]);
      expect(first, 'the hanging kubectl was never timed out (still running after 600 s)').toBeDefined();
      expect(existsSync(join(lib, 'qa-reached')), 'kubectl get nodes was called').toBe(true);
      const failedStep = first!.result.failedStep ?? '(none)';
      expectNamed(first!.result, failedStep, th.hosts[0]!.name);
      expect(`${first!.result.failure?.message ?? ''} ${first!.result.error ? renderMessage(first!.result.error, 'en') : ''}`).toMatch(/within|timed? ?out|timeout/i);
      expect(Date.now() - t0).toBeLessThan(600_000);
      expectConsistentJournal(journalOf(workdir, 'qa-hang'), { lastAttemptEnded: true });
      // The remote process group went with the timeout: the wrapper that hung is gone from the host.
      const pid = readFileSync(join(lib, 'qa-reached'), 'utf8').trim();
      expect((await th.exec(0, `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`)).stdout.trim()).toBe('gone');
      rmSync(join(lib, 'qa-hang'), { force: true });
      const second = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'qa-hang', workdir, resume: loadJournal(workdir, 'qa-hang'), options: { edgeVerifySeconds: 60 } });
      expect(second.result.status, JSON.stringify(second.result.failure)).toBe('succeeded');
      const records = journalOf(workdir, 'qa-hang');
      expectConsistentJournal(records, { lastAttemptEnded: true });
      expectNothingRepeated(records);
    } finally {
      rmSync(join(lib, 'qa-hang'), { force: true });
      renameSync(join(bin, 'kubectl.real'), join(bin, 'kubectl'));
      rmSync(workdir, { recursive: true, force: true });
    }
  }, 2_400_000);
});
