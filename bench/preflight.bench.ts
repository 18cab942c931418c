// Preflight of N real OpenSSH test hosts against Ansible's fact gathering (`ansible all -m setup`) on the
// same hosts in the same run. Both sides run as their own process under /usr/bin/time (wall clock, peak
// RSS, CPU of the side's own process tree); the preflight side also reports its own time from opening SSH
// to the finished report (what the user waits for, without Node/tsx start-up). Ansible gets as many forks
// as there are hosts, so both are fully parallel. Target: ≥ 10× faster than Ansible at 50 hosts.
//
// The sides take turns (preflight, ansible, preflight, ansible, …) and each side's best run counts, so a
// noisy neighbour on a shared machine hurts neither side more than the other. Besides wall time it prints
// CPU per host: the controller's own (the installer's Node process vs Ansible's Python and ssh clients)
// and the whole machine's (the test hosts' sshd, sudo and probe share this machine's cores, which is why
// time grows with the host count here; on real hosts that part runs on each host's own CPU).
//
// Run: npx tsx bench/preflight.bench.ts [N ...] [--runs R]   (default 10 50, R = 2; needs root)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPlanPreflight } from '../core/api/preflight.js';
import { canRunTestHosts, startTestHosts } from '../test/hosts/harness.js';

export interface SideFigures {
  /** Wall clock of the whole process. */
  wallMs: number;
  /** Peak RSS of the largest process of that side (GNU time %M). */
  peakRssKb: number;
  /** CPU (user + system) of the side's own process tree: the controller's cost. */
  cpuMs: number;
  /** Busy CPU of the whole machine while it ran (the test hosts' part included). */
  machineCpuMs: number;
  hostsOk: number;
}

export interface PreflightBenchRow {
  hosts: number;
  runs: number;
  /** The best of `runs` runs of each side (by report time / wall clock). */
  preflight: SideFigures & { reportMs: number; checks: number };
  ansible: SideFigures;
  /** Every run's time, in order: preflight report ms, ansible wall ms. */
  all: { preflight: number[]; ansible: number[] };
  /** Ansible's wall clock over the preflight's report time. */
  ratio: number;
  /** Ansible's wall clock over the preflight's whole process wall clock. */
  ratioWall: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Busy jiffies of all CPUs (user, nice, system, irq, softirq) from /proc/stat, in ms. */
function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * 10;
}

interface Timed {
  stdout: string;
  wallMs: number;
  peakRssKb: number;
  cpuMs: number;
  machineCpuMs: number;
  code: number | null;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const busy = machineBusyMs();
    // GNU time writes its figures last on stderr; the marker keeps them apart from the command's own stderr.
    const child = spawn('/usr/bin/time', ['-f', 'TIME-FIGURES %M %U %S', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /TIME-FIGURES (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (!m) return reject(new Error(`no figures from /usr/bin/time: ${stderr.slice(-500)}`));
      resolve({
        stdout,
        wallMs: Date.now() - started,
        peakRssKb: Number(m[1]),
        cpuMs: Math.round((Number(m[2]) + Number(m[3])) * 1000),
        machineCpuMs: machineBusyMs() - busy,
        code,
      });
    });
  });
}

/** The worker side: one preflight of the plan in `planFile`, figures as JSON on stdout. */
async function worker(planFile: string, knownHosts: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Parameters<typeof runPlanPreflight>[0];
  const t0 = performance.now();
  const report = await runPlanPreflight(plan, { secrets: {}, knownHostsFile: knownHosts, useSshConfig: false, globalLimit: 64 });
  const reportMs = performance.now() - t0;
  const hostsOk = report.hosts.filter((h) => h.facts).length;
  const checks = report.hosts.reduce((n, h) => n + h.checks.length, 0) + report.cross.length;
  const errors = report.hosts.filter((h) => h.error).map((h) => `${h.name}: ${h.error!.kind}`);
  process.stdout.write(`${JSON.stringify({ reportMs, hostsOk, checks, errors })}\n`);
}

export async function runOnce(n: number, runs = 2): Promise<PreflightBenchRow> {
  const th = await startTestHosts({ count: n });
  const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-'));
  try {
    const plan = {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', user: th.user, keyPath: th.keyPath, sudo: 'nopasswd' }],
      hosts: th.hosts.map((h, i) => ({ name: `node${i}`, address: h.address, roles: i === 0 ? ['control-plane'] : ['worker'] })),
    };
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const inventory = join(dir, 'hosts.ini');
    writeFileSync(
      inventory,
      [
        '[all]',
        ...th.hosts.map((h, i) => `node${i} ansible_host=${h.address}`),
        '[all:vars]',
        `ansible_user=${th.user}`,
        `ansible_ssh_private_key_file=${th.keyPath}`,
        'ansible_python_interpreter=/usr/bin/python3',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_NOCOLOR: '1' };

    type Pf = PreflightBenchRow['preflight'];
    const pfRuns: Pf[] = [];
    const anRuns: SideFigures[] = [];
    for (let r = 0; r < runs; r++) {
      const pf = await timed(process.execPath, ['--import', 'tsx', SELF, '--worker', planFile, th.knownHostsFile]);
      const figures = JSON.parse(pf.stdout.trim().split('\n').pop() ?? '{}') as { reportMs: number; hostsOk: number; checks: number; errors: string[] };
      if (figures.errors?.length) process.stderr.write(`preflight errors: ${figures.errors.join(', ')}\n`);
      pfRuns.push({ ...pick(pf), hostsOk: figures.hostsOk, reportMs: figures.reportMs, checks: figures.checks });

      const an = await timed('ansible', ['all', '-i', inventory, '-m', 'setup', '-o', '-f', String(n)], env);
      anRuns.push({ ...pick(an), hostsOk: an.stdout.split('\n').filter((l) => / \| SUCCESS/.test(l)).length });
    }
    const preflight = pfRuns.reduce((a, b) => (b.reportMs < a.reportMs ? b : a));
    const ansible = anRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    return {
      hosts: n,
      runs,
      preflight,
      ansible,
      all: { preflight: pfRuns.map((r) => Math.round(r.reportMs)), ansible: anRuns.map((r) => r.wallMs) },
      ratio: ansible.wallMs / preflight.reportMs,
      ratioWall: ansible.wallMs / preflight.wallMs,
    };
  } finally {
    await th.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function pick(t: Timed): Omit<SideFigures, 'hostsOk'> {
  return { wallMs: t.wallMs, peakRssKb: t.peakRssKb, cpuMs: t.cpuMs, machineCpuMs: t.machineCpuMs };
}

export function format(rows: PreflightBenchRow[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const per = (ms: number, n: number) => `${Math.round(ms / n)} ms`;
  const out = [
    'hosts  preflight: report / process, peak RSS, hosts ok      ansible -m setup: wall, peak RSS, hosts ok',
  ];
  for (const r of rows) {
    out.push(
      `${String(r.hosts).padStart(5)}  ${s(r.preflight.reportMs)} / ${s(r.preflight.wallMs)}, ${mb(r.preflight.peakRssKb)}, ${r.preflight.hostsOk}/${r.hosts} (${r.preflight.checks} checks)` +
        `      ${s(r.ansible.wallMs)}, ${mb(r.ansible.peakRssKb)}, ${r.ansible.hostsOk}/${r.hosts}`,
    );
  }
  out.push("CPU per host (the controller's own process tree | the whole machine, test hosts included):");
  for (const r of rows) {
    out.push(
      `${String(r.hosts).padStart(5)}  preflight ${per(r.preflight.cpuMs, r.hosts)} | ${per(r.preflight.machineCpuMs, r.hosts)}` +
        `      ansible ${per(r.ansible.cpuMs, r.hosts)} | ${per(r.ansible.machineCpuMs, r.hosts)}` +
        `      (best of ${r.runs}; runs: preflight ${r.all.preflight.map((x) => s(x)).join(', ')}; ansible ${r.all.ansible.map((x) => s(x)).join(', ')})`,
    );
  }
  for (const r of rows) {
    out.push(`ratio at ${r.hosts} hosts: ansible / preflight = ${r.ratio.toFixed(1)}× (whole process incl. Node start: ${r.ratioWall.toFixed(1)}×)`);
  }
  if (rows.length >= 2) {
    const [a, b] = [rows[0]!, rows[rows.length - 1]!];
    out.push(
      `growth ${a.hosts}→${b.hosts} hosts (×${(b.hosts / a.hosts).toFixed(1)}): preflight ×${(b.preflight.reportMs / a.preflight.reportMs).toFixed(2)}, ansible ×${(b.ansible.wallMs / a.ansible.wallMs).toFixed(2)}` +
        ` (CPU-bound here: all hosts share this machine's ${cpus().length} cores)`,
    );
    out.push(
      `controller's own CPU ${a.hosts}→${b.hosts} hosts: preflight ×${(b.preflight.cpuMs / a.preflight.cpuMs).toFixed(2)}, ansible ×${(b.ansible.cpuMs / a.ansible.cpuMs).toFixed(2)}`,
    );
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--worker') {
    await worker(process.argv[3]!, process.argv[4]!);
  } else {
    const can = canRunTestHosts();
    if (!can.ok) {
      console.log(`preflight bench skipped: ${can.reason}`);
    } else {
      const args = process.argv.slice(2);
      const at = args.indexOf('--runs');
      const runs = at >= 0 ? Math.max(1, Number(args.splice(at, 2)[1]) || 1) : 2;
      const sizes = args.map(Number).filter((x) => x > 0);
      const rows: PreflightBenchRow[] = [];
      for (const n of sizes.length ? sizes : [10, 50]) rows.push(await runOnce(n, runs));
      console.log(format(rows));
    }
  }
}
