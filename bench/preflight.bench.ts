// Preflight as a user times it: the whole `cp-installer preflight plan.yaml --json` process (node start-up,
// module loading, plan load, SSH, probe, report) at the product's defaults, against two Ansible peers on
// the same real OpenSSH test hosts (test/hosts/harness.ts), whole processes too:
//   - `ansible all -m setup -f N`: Ansible's fact gathering, what people use to look at hosts;
//   - `ansible all -m raw -b -f N` running the product's own probe (the same programs, the same choice of
//     perl or sh, the same arguments, under sudo): the same facts and reachability matrix gathered through
//     Ansible, so the peer does comparable work.
// Ansible gets as many forks as there are hosts (fully parallel); the installer runs with its default pool.
// The three take turns, each going first equally often, after one unmeasured warm-up each (Node's compile
// cache, the page cache). Medians with min–max; ratios are of medians, with the range of the per-round ratios.
// CPU: the controller's whole process tree and the test hosts' sshd trees (sessions, sudo, probe), each in
// its own cpuacct cgroup, so other work on the machine is not counted. One extra preflight run with
// bench/lib/phases.cjs preloaded shows where the installer's time goes, and one login at a time on one host
// shows where a test host's CPU goes (login, session, sudo, probe). Target: ≥ 10× `-m setup` at 50 hosts.
//
// Run: npx tsx bench/preflight.bench.ts [N ...] [--runs R]   (default 10 50, R = 3; needs root)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { shellJoin } from '../core/common/quote.js';
import { probeParts, probeScript } from '../core/preflight/facts.js';
import { probeArguments, probeCommand, probeOptions, reachPlan } from '../core/preflight/cross.js';
import { Ssh2Connector } from '../core/ssh/connector.js';
import { KnownHosts } from '../core/ssh/known-hosts.js';
import { Plan } from '../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../test/hosts/harness.js';
import { cliBin, ROOT } from './lib/cli-build.js';
import { CpuGroup, loadNote, median, spreadS, timedProcess, turnOrder, type Timed } from './lib/measure.js';

type Side = 'preflight' | 'setup' | 'raw';
const SIDES: Side[] = ['preflight', 'setup', 'raw'];

interface Run extends Timed {
  hostsOk: number;
  hostCpuMs: number;
}

export interface PreflightRow {
  hosts: number;
  runs: Record<Side, Run[]>;
  phases?: Phases;
  stages?: HostStages;
  note: string;
}

/** A test host's CPU (its sshd tree) per login, by how far the login goes; medians of rounds, one host at a time. */
interface HostStages {
  rounds: number;
  connect: number;
  session: number;
  sudo: number;
  probe: number;
  /** The installer's own CPU for the probe stage (this process: ssh2, parse, checks are not included). */
  installerProbe: number;
}

interface Phases {
  boot: number;
  modules: number;
  plan: number;
  handshakeP50: number;
  handshakesDone: number;
  execP50: number;
  lastExec: number;
  exit: number;
  cpu: { preload: number; planRead?: number; firstConnect?: number; exit: number };
}

function planFor(th: TestHosts): Record<string, unknown> {
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    auth: [{ name: 'default', method: 'key', user: th.user, keyPath: th.keyPath, sudo: 'nopasswd' }],
    hosts: th.hosts.map((h, i) => ({ name: `node${i}`, address: h.address, roles: i === 0 ? ['control-plane'] : ['worker'] })),
    storage: { type: 'nfs', nfs: { server: th.hosts[0]!.address, path: '/home/share/nfs' } },
    portal: { domain: 'portal.example.com' },
  };
}

/** Per host, the probe's arguments exactly as the installer passes them (probeCommand: fsync on etcd hosts, versions on edge hosts, reach targets). */
function probeArgs(planInput: Record<string, unknown>): Map<string, string[]> {
  const plan = Plan.parse(planInput);
  const wanted = reachPlan(plan, new Set(plan.hosts.map((h) => h.name)));
  const out = new Map<string, string[]>();
  for (const h of plan.hosts) out.set(h.name, probeArguments(wanted.get(h.name) ?? [], probeOptions(plan, h)));
  return out;
}

/**
 * The Ansible inventory. Each host carries its probe command line for the raw peer (`perl -e PROGRAM ARGS…`
 * where perl is, else `sh -c SCRIPT probe ARGS…`, run under sudo like the installer's probe; `raw` has no
 * stdin to send a payload on) as an `!unsafe` value, so Jinja leaves the programs' braces alone; the ad-hoc
 * argument is then just `{{ probe_cmd }}`. JSON strings are valid YAML scalars.
 */
function inventory(th: TestHosts, args: Map<string, string[]>, parts: { sh: string; perl: string }): string {
  const q = JSON.stringify;
  const lines = [
    'all:',
    '  vars:',
    `    ansible_user: ${q(th.user)}`,
    `    ansible_ssh_private_key_file: ${q(th.keyPath)}`,
    '    ansible_python_interpreter: /usr/bin/python3',
    // The same known_hosts the installer checks against: host keys are verified on both sides.
    `    ansible_ssh_common_args: ${q(`-o UserKnownHostsFile=${th.knownHostsFile}`)}`,
    '  hosts:',
  ];
  th.hosts.forEach((h, i) => {
    lines.push(`    node${i}:`, `      ansible_host: ${q(h.address)}`);
    const a = args.get(`node${i}`) ?? [];
    // The installer's own choice (cross.ts probeCommand): perl where the host has it, else the shell probe.
    const cmd = `if command -v perl >/dev/null 2>&1; then ${shellJoin(['exec', 'perl', '-e', parts.perl, '--', ...a])}; fi; ${shellJoin(['exec', 'sh', '-c', parts.sh, 'probe', ...a])}`;
    lines.push(`      probe_cmd: !unsafe ${q(cmd)}`);
  });
  return `${lines.join('\n')}\n`;
}

async function once(side: Side, n: number, ctx: { dir: string; planFile: string; inv: string; th: TestHosts; hostsCpu?: CpuGroup; rawArg: string }): Promise<Run> {
  const before = ctx.hostsCpu?.usageMs() ?? NaN;
  let t: Timed;
  let hostsOk: number;
  if (side === 'preflight') {
    t = await timedProcess(process.execPath, [cliBin(), 'preflight', ctx.planFile, '--json', '--known-hosts', ctx.th.knownHostsFile], { name: 'preflight' });
    try {
      const report = JSON.parse(t.stdout) as { hosts: Array<{ facts?: unknown; error?: unknown }> };
      hostsOk = report.hosts.filter((h) => h.facts && !h.error).length;
    } catch {
      hostsOk = 0;
      process.stdout.write(`preflight printed no report (exit ${t.code}): ${t.stderr.slice(0, 400)}\n`);
    }
  } else {
    // A fresh ControlPersist folder per run: no run reuses an earlier run's ssh masters (ended afterwards).
    const cp = mkdtempSync(join(ctx.dir, 'cp-'));
    const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_SSH_CONTROL_PATH_DIR: cp };
    const args =
      side === 'setup'
        ? ['all', '-i', ctx.inv, '-m', 'setup', '-o', '-f', String(n)]
        : ['all', '-i', ctx.inv, '-m', 'raw', '-b', '-a', ctx.rawArg, '-o', '-f', String(n)];
    t = await timedProcess('ansible', args, { name: side, env });
    hostsOk =
      side === 'setup'
        ? t.stdout.split('\n').filter((l) => / \| SUCCESS => /.test(l)).length
        : t.stdout.split('\n').filter((l) => / \| CHANGED \| rc=0 /.test(l) && l.includes('probeVersion')).length;
    if (hostsOk < n) process.stdout.write(`${side}: ${hostsOk}/${n} hosts ok; ${(t.stdout + t.stderr).split('\n').filter((l) => /UNREACHABLE|FAILED/.test(l)).slice(0, 2).join(' | ').slice(0, 400)}\n`);
    rmSync(cp, { recursive: true, force: true });
  }
  return { ...t, hostsOk, hostCpuMs: (ctx.hostsCpu?.usageMs() ?? NaN) - before };
}

async function phasesRun(planFile: string, knownHosts: string, dir: string): Promise<Phases | undefined> {
  const out = join(dir, 'phases.json');
  const run = await timedProcess(process.execPath, ['--require', join(ROOT, 'bench', 'lib', 'phases.cjs'), cliBin(), 'preflight', planFile, '--json', '--known-hosts', knownHosts], {
    name: 'phases',
    env: { ...process.env, CP_BENCH_PHASES: out, CP_BENCH_PLAN: planFile },
  });
  try {
    const t = JSON.parse(readFileSync(out, 'utf8')) as {
      preload: number;
      planRead: number;
      connects: Array<{ start: number; ready: number }>;
      execs: Array<{ start: number; end: number }>;
      exit: number;
      cpu: Phases['cpu'];
    };
    if (!t.connects.length || t.planRead === undefined) {
      // Said, not printed as NaN: the run ended before it read the plan or connected anywhere.
      process.stdout.write(`phases: the timed run ended before connecting (exit ${run.code}): ${run.stderr.trim().slice(0, 400)}\n`);
      return undefined;
    }
    const first = Math.min(...t.connects.map((c) => c.start));
    return {
      boot: t.preload,
      modules: t.planRead - t.preload,
      plan: first - t.planRead,
      handshakeP50: median(t.connects.map((c) => c.ready - c.start)),
      handshakesDone: Math.max(...t.connects.map((c) => c.ready)),
      execP50: median(t.execs.map((e) => e.end - e.start)),
      lastExec: Math.max(...t.execs.map((e) => e.end)),
      exit: t.exit,
      cpu: t.cpu,
    };
  } catch {
    return undefined;
  }
}

/**
 * Where a test host's CPU goes, one login at a time on one worker host (nothing else running on the hosts):
 * the login alone (connect + close), a session running `true` as the login user, the same under `sudo -n`,
 * and the product's probe as preflight sends it (under sudo, with that host's reach targets). Each stage's
 * extra over the one before is what that stage costs. The stages take turns, each round in a new order.
 */
async function hostStages(th: TestHosts, planInput: Record<string, unknown>, hostsCpu: CpuGroup, rounds: number): Promise<HostStages> {
  const plan = Plan.parse(planInput);
  const i = th.hosts.length > 1 ? 1 : 0;
  const host = th.hosts[i]!;
  const auth = plan.auth[0]!;
  const target = { name: `node${i}`, address: host.address, port: 22, user: th.user, auth };
  const connector = new Ssh2Connector({ knownHosts: new KnownHosts({ file: th.knownHostsFile }) });
  const script = probeScript();
  const wanted = reachPlan(plan, new Set(plan.hosts.map((h) => h.name)));
  const command = probeCommand(wanted.get(`node${i}`) ?? [], probeOptions(plan, plan.hosts[i]!));
  const stages = {
    connect: async () => (await connector.connect(target)).close(),
    session: async () => {
      const s = await connector.connect(target);
      await s.exec('true');
      await s.close();
    },
    sudo: async () => {
      const s = await connector.connect(target);
      await s.exec('true', { sudo: true });
      await s.close();
    },
    probe: async () => {
      const s = await connector.connect(target);
      const r = await s.exec(command, { sudo: true, stdin: script });
      await s.close();
      if (!r.stdout.includes('"errors"')) throw new Error(`the probe printed no document: ${r.stderr.slice(0, 200)}`);
    },
  };
  const names = Object.keys(stages) as Array<keyof typeof stages>;
  const hostMs: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  const own: number[] = [];
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const settle = () => new Promise((r) => setTimeout(r, 150)); // sshd's session and listener finish after the close
  for (const k of names) await stages[k](); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const k of turnOrder(names, r)) {
      await settle();
      const [before, mine] = [hostsCpu.usageMs(), cpu()];
      await stages[k]();
      if (k === 'probe') own.push(cpu() - mine);
      await settle();
      hostMs[k]!.push(hostsCpu.usageMs() - before);
    }
  }
  const m = (k: string) => median(hostMs[k]!);
  return { rounds, connect: m('connect'), session: m('session'), sudo: m('sudo'), probe: m('probe'), installerProbe: median(own) };
}

export async function runSize(n: number, rounds: number): Promise<PreflightRow> {
  const th = await startTestHosts({ count: n });
  const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-'));
  // The hosts' side: every sshd listener (and so every session, sudo and probe it starts) in one group.
  const hostsCpu = CpuGroup.create(`hosts${n}`);
  try {
    for (const h of th.hosts) hostsCpu?.add(h.sshdPid);
    const planInput = planFor(th);
    const planFile = join(dir, 'plan.yaml');
    writeFileSync(planFile, stringify(planInput));
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, inventory(th, probeArgs(planInput), probeParts()));
    const ctx = { dir, planFile, inv, th, hostsCpu, rawArg: '{{ probe_cmd }}' };
    const runs: Record<Side, Run[]> = { preflight: [], setup: [], raw: [] };
    for (const side of SIDES) await once(side, n, ctx); // warm-up, not counted
    for (let r = 0; r < rounds; r++) {
      for (const side of turnOrder(SIDES, r)) runs[side].push(await once(side, n, ctx));
    }
    const phases = await phasesRun(planFile, th.knownHostsFile, dir);
    const stages = hostsCpu ? await hostStages(th, planInput, hostsCpu, Math.max(5, rounds * 3)) : undefined;
    return { hosts: n, runs, ...(phases ? { phases } : {}), ...(stages ? { stages } : {}), note: loadNote() };
  } finally {
    await hostsCpu?.remove().catch(() => undefined);
    await th.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(rows: PreflightRow[]): string {
  const out: string[] = [];
  const per = (ms: number, n: number) => `${Math.round(ms / n)} ms`;
  for (const r of rows) {
    const n = r.hosts;
    out.push(`--- ${n} hosts, ${r.runs.preflight.length} rounds (${r.note} at the end) ---`);
    for (const side of SIDES) {
      const runs = r.runs[side];
      const label = { preflight: 'cp-installer preflight --json', setup: `ansible -m setup -f ${n}`, raw: `ansible -m raw -b -f ${n} (same probe)` }[side];
      out.push(
        `${label.padEnd(36)} wall ${spreadS(runs.map((x) => x.wallMs))}; hosts ok ${runs.map((x) => x.hostsOk).join('/')} of ${n}; ` +
          `peak RSS ${Math.round(median(runs.map((x) => x.peakRssKb)) / 1024)} MB; ` +
          `CPU per host: controller ${per(median(runs.map((x) => x.cpuMs)), n)}, test hosts ${per(median(runs.map((x) => x.hostCpuMs)), n)}`,
      );
    }
    const pf = r.runs.preflight.map((x) => x.wallMs);
    for (const peer of ['setup', 'raw'] as const) {
      const pw = r.runs[peer].map((x) => x.wallMs);
      const perRound = pw.map((w, i) => w / pf[i]!);
      out.push(
        `ratio at ${n} hosts: ansible -m ${peer} / cp-installer preflight = ${(median(pw) / median(pf)).toFixed(1)}× (per round ${Math.min(...perRound).toFixed(1)}–${Math.max(...perRound).toFixed(1)}×)` +
          (peer === 'setup' ? `  [target ≥ 10× at 50 hosts]` : ''),
      );
    }
    const p = r.phases;
    if (p) {
      const ms = (x: number) => `${Math.round(x)} ms`;
      out.push(
        `where the installer's time goes (one extra run, ms from process start): node boot ${ms(p.boot)}, module loading ${ms(p.modules)}, ` +
          `plan load ${ms(p.plan)}, SSH handshakes p50 ${ms(p.handshakeP50)} (all done at ${ms(p.handshakesDone)}), ` +
          `probe exec p50 ${ms(p.execP50)} (last done at ${ms(p.lastExec)}), report + exit ${ms(p.exit - p.lastExec)}; total ${ms(p.exit)}`,
      );
      if (p.cpu.planRead !== undefined && p.cpu.firstConnect !== undefined) {
        out.push(
          `  its CPU: start-up (boot + modules) ${ms(p.cpu.planRead)}, plan load ${ms(p.cpu.firstConnect - p.cpu.planRead)}, ` +
            `SSH + probe + report ${ms(p.cpu.exit - p.cpu.firstConnect)} = ${per(p.cpu.exit - p.cpu.firstConnect, n)} per host`,
        );
      }
    }
  }
  for (const r of rows) {
    const st = r.stages;
    if (!st) continue;
    const ms = (x: number) => `${Math.round(x)} ms`;
    out.push(
      `a test host's CPU per login, one at a time (${r.hosts} hosts up, medians of ${st.rounds}): login ${ms(st.connect)}, + session running true ${ms(st.session - st.connect)}, ` +
        `+ sudo ${ms(st.sudo - st.session)}, + the probe ${ms(st.probe - st.sudo)}; whole preflight login ${ms(st.probe)} (the installer's own CPU for it ${ms(st.installerProbe)})`,
    );
  }
  if (rows.length >= 2) {
    const [a, b] = [rows[0]!, rows[rows.length - 1]!];
    const cpuPerHost = (r: PreflightRow) => median(r.runs.preflight.map((x) => x.cpuMs)) / r.hosts;
    const sshCpu = (r: PreflightRow) => (r.phases?.cpu.firstConnect !== undefined ? (r.phases.cpu.exit - r.phases.cpu.firstConnect) / r.hosts : NaN);
    out.push(
      `installer's own CPU per host ${a.hosts}→${b.hosts} hosts: whole process ${Math.round(cpuPerHost(a))} → ${Math.round(cpuPerHost(b))} ms ` +
        `(start-up spread over more hosts), its SSH part ${Math.round(sshCpu(a))} → ${Math.round(sshCpu(b))} ms`,
    );
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const can = canRunTestHosts();
  if (!can.ok) {
    console.log(`preflight bench skipped: ${can.reason}`);
  } else {
    const args = process.argv.slice(2);
    const at = args.indexOf('--runs');
    const rounds = at >= 0 ? Math.max(1, Number(args.splice(at, 2)[1]) || 1) : 3;
    const sizes = args.map(Number).filter((x) => x > 0);
    console.log(`node ${process.version}; CLI: ${cliBin()}; CPU accounting: ${CpuGroup.available() ? 'cpuacct cgroups' : 'rusage (no cgroup)'}`);
    const rows: PreflightRow[] = [];
    for (const n of sizes.length ? sizes : [10, 50]) {
      rows.push(await runSize(n, rounds));
      console.log(format([rows[rows.length - 1]!]));
    }
    if (rows.length > 1) console.log(`\nsummary\n${format(rows)}`);
  }
}
