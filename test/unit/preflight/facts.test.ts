import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assetPath } from '../../../core/common/assets.js';
import { osKey, parseFacts, probeParts, probeScript } from '../../../core/preflight/facts.js';
import { fixtureText } from './helpers.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder of stand-in commands, put first in PATH. */
function fakeBin(scripts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'probe-bin-'));
  made.push(dir);
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function runProbe(shell: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(shell, ['-s'], { input: probeScript(), env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

// The two programs of the probe, run as the command line runs them (core/preflight/cross.ts probeCommand):
// both read the same payload on stdin. perl runs with -w, so a sloppy spot (an undefined value) shows.
const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;
if (!hasPerl) console.log('probe.pl cases: skipped, perl is not installed');
const PROGRAMS = [
  { name: 'probe.sh (dash)', argv: (args: string[]) => ['dash', '-s', '--', ...args] },
  ...(hasPerl ? [{ name: 'probe.pl', argv: (args: string[]) => ['perl', '-w', '-x', '-', ...args] }] : []),
];
function runWith(argv: string[], env: NodeJS.ProcessEnv = process.env, input = probeScript()) {
  const r = spawnSync(argv[0]!, argv.slice(1), { input, env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  if (argv[0] === 'perl') expect(r.stderr, 'perl -w warned').toBe('');
  return { stdout: r.stdout, ...parseFacts(r.stdout) };
}

// Each case runs the real probe (a few hundred ms; seconds on a loaded machine).
describe('probe.sh on this machine', { timeout: 30_000 }, () => {
  it('prints one JSON document with the machine’s facts (dash)', () => {
    const out = runProbe('dash');
    const { ok, facts } = parseFacts(out);
    expect(ok).toBe(true);
    expect(() => JSON.parse(out)).not.toThrow();
    // nproc follows the CPU affinity, as the probe does
    const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());
    expect(facts.cpus).toBe(nproc);
    expect(facts.cpus).toBeLessThanOrEqual(cpus().length);
    const memTotal = Number(/MemTotal:\s+(\d+)/.exec(spawnSync('cat', ['/proc/meminfo'], { encoding: 'utf8' }).stdout)![1]);
    expect(facts.memoryKb).toBe(memTotal);
    expect(facts.hostname).toBe(spawnSync('cat', ['/proc/sys/kernel/hostname'], { encoding: 'utf8' }).stdout.trim());
    expect(['amd64', 'arm64']).toContain(facts.arch);
    expect(facts.clock?.epochMs).toBeGreaterThan(Date.now() - 60_000);
    expect(facts.interfaces?.some((i) => i.name === 'lo' && i.addresses.includes('127.0.0.1/8'))).toBe(true);
    expect(facts.errors).toBeDefined();
  });

  it('prints the same document under bash (POSIX only, no dash-isms)', () => {
    const { ok, facts } = parseFacts(runProbe('bash'));
    expect(ok).toBe(true);
    expect(facts.os?.id).toBeTruthy();
  });

  it.each(PROGRAMS)('$name: prints the clock on the first line, before the slower items', (program) => {
    const first = runWith(program.argv([])).stdout.split('\n')[0]!;
    expect(first).toMatch(/^\{"probeVersion":1,"clock":\{"epochMs":\d{13},"ntpSynchronized":(true|false|null)\}$/);
  });

  it('still prints a valid document when commands fail (df and ip broken); arch and kernel come from /proc', () => {
    const bin = fakeBin({ df: 'echo "df: exploded" >&2; exit 3', ip: 'exit 1', uname: 'echo "uname: must not be needed" >&2; exit 3' });
    const { ok, facts } = parseFacts(runProbe('dash', { ...process.env, PATH: `${bin}:${process.env.PATH}` }));
    expect(ok).toBe(true);
    expect(facts.errors?.disk).toMatch(/df: exploded/);
    expect(facts.errors?.['interfaces.addresses']).toBe('!exit 1');
    expect(facts.disk).toBeUndefined();
    // kernel/arch is read from /proc where the kernel has it (5.19+), so a broken uname does not matter
    expect(['amd64', 'arm64']).toContain(facts.arch);
    expect(facts.kernel).toBe(spawnSync('cat', ['/proc/sys/kernel/osrelease'], { encoding: 'utf8' }).stdout.trim());
    expect(facts.memoryKb).toBeGreaterThan(0);
  });

  it('still prints one valid document when the fact reader itself dies', () => {
    const bin = fakeBin({ awk: 'exit 2' });
    const out = runProbe('dash', { ...process.env, PATH: `${bin}:${process.env.PATH}` });
    const { ok, facts } = parseFacts(out);
    expect(ok).toBe(true);
    expect(facts.clock?.epochMs).toBeGreaterThan(0);
    expect(facts.errors?.probe).toMatch(/awk/);
  });

  it('escapes hostile strings as JSON (the awk escaper, fed through P_HOSTNAME)', () => {
    const hostile = 'h"o\\s\tt\n$(touch /tmp/pwned)\u0001`id`';
    // The hostname comes from /proc; the escaper is the same for every string, so drive it via the
    // environment awk reads, by running the awk program with a rigged P_HOSTNAME.
    const script = probeScript().replace(/^( *)read -r P_HOSTNAME .*$/m, '$1P_HOSTNAME="$HOSTILE"');
    expect(script).toContain('P_HOSTNAME="$HOSTILE"');
    const r = spawnSync('dash', ['-s'], { input: script, env: { ...process.env, HOSTILE: hostile }, encoding: 'utf8' });
    const { facts } = parseFacts(r.stdout);
    expect(facts.hostname).toBe(hostile);
  });
});

// probe.pl must write probe.sh's document: every member, every error, for the same machine.
describe.skipIf(!hasPerl)('probe.pl, the fast path', { timeout: 60_000 }, () => {
  /** What two runs a moment apart may differ in: the clock, round trips, free space, dd's timing and file name. */
  const steady = (facts: Record<string, unknown>) => {
    const f = JSON.parse(JSON.stringify(facts)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete f.clock?.epochMs;
    if (f.reach) f.reach = f.reach.map((r: string) => r.replace(/ [\d.]+$/, ''));
    if (f.disk) f.disk = { rootFreeKb: typeof f.disk.rootFreeKb, varFreeKb: typeof f.disk.varFreeKb };
    if (f.fsync) delete f.fsync.avgMs;
    if (f.errors?.fsync) f.errors.fsync = f.errors.fsync.replace(/fsync\.\d+/, 'fsync.PID');
    return f;
  };

  /**
   * Two runs to compare. The machine is live (other test files open listening sockets and start processes while
   * this runs): a pair that differs is taken again, up to three times in all, before the difference counts.
   */
  const pairOf = <T extends { facts: Record<string, unknown> }>(a: () => T, b: () => T): [T, T] => {
    let pair: [T, T] = [a(), b()];
    for (let again = 0; again < 2 && JSON.stringify(steady(pair[0].facts)) !== JSON.stringify(steady(pair[1].facts)); again++) pair = [a(), b()];
    return pair;
  };

  it('writes the same document as probe.sh on this machine (plain, --fsync --versions, with reach targets)', () => {
    for (const args of [[], ['--fsync', '--versions', '127.0.0.1:1', '[::1]:1', 'no-such-host.invalid:1']]) {
      const [sh, pl] = pairOf(
        () => runWith(['dash', '-s', '--', ...args], { ...process.env, CP_REACH_TOOL: 'python3' }),
        () => runWith(['perl', '-w', '-x', '-', ...args]),
      );
      expect(pl.ok).toBe(true);
      expect(steady(pl.facts), args.join(' ')).toEqual(steady(sh.facts));
      // member order too: the salvage of a cut-short document (parseFacts) keeps whole lines from the top
      expect(pl.stdout.split('\n').map((l) => /^,?\{?"(\w+)"/.exec(l)?.[1])).toEqual(sh.stdout.split('\n').map((l) => /^,?\{?"(\w+)"/.exec(l)?.[1]));
    }
  });

  it('needs none of date, df, ip, uname or awk: broken stand-ins change nothing', () => {
    const bin = fakeBin(Object.fromEntries(['date', 'df', 'ip', 'uname', 'awk', 'mawk'].map((b) => [b, `echo "${b}: must not be needed" >&2; exit 3`])));
    const [plain, rigged] = pairOf(
      () => runWith(['perl', '-x', '-']),
      () => runWith(['perl', '-x', '-'], { ...process.env, PATH: `${bin}:${process.env.PATH}` }),
    );
    expect(steady(rigged.facts)).toEqual(steady(plain.facts));
    expect(rigged.facts.disk?.rootFreeKb).toBeGreaterThan(0);
    expect(rigged.facts.interfaces?.some((i) => i.name === 'lo' && i.addresses.includes('127.0.0.1/8'))).toBe(true);
  });

  it('compiles under strict and warnings (it loads no module at run time, so the tests check what `use strict` would)', () => {
    const r = spawnSync('perl', ['-Mstrict', '-Mwarnings', '-c', assetPath('probe', 'probe.pl')], { encoding: 'utf8' });
    expect(r.stderr.trim()).toMatch(/syntax OK$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is the payload from its #!perl line on, and nothing before it looks like one (perl -x starts at the first)', () => {
    const lines = probeScript().split('\n');
    const starts = lines.flatMap((l, i) => (/^#!.*perl/.test(l) ? [i] : []));
    expect(starts).toHaveLength(1);
    expect(lines.slice(starts[0]).join('\n')).toBe(probeParts().perl);
    expect(lines[starts[0]! - 1]).toBe('exit 0');
  });

  it('writes IPv6 addresses as inet_ntop does (the text `ip addr` prints): zero runs, ties, IPv4 tails', () => {
    const cases = ['::', '::1', 'fe80::1', '2001:db8::', '2001:db8:0:0:1:0:0:1', '2001:0:0:1:0:0:0:1', '1:0:0:2:0:0:3:4', '::ffff:10.0.0.1', '::10.0.0.1', '1::', '1:2:3:4:5:6:7:8', '0:1:0:0:0:0:0:0', 'fd00:0:0:0:0:0:0:2'];
    const py = spawnSync('python3', ['-c', 'import socket,sys\nfor a in sys.argv[1:]: print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a)))', ...cases], { encoding: 'utf8' });
    expect(py.status).toBe(0);
    const sub = /^sub ip6text \{[\s\S]*?^\}$/m.exec(probeParts().perl)![0];
    const pl = spawnSync('perl', ['-e', `${sub}\nfor (@ARGV) { my @w = map { hex } split /:/, $_; print ip6text(pack('n8', @w)), "\\n" }`, ...cases.map(expand)], { encoding: 'utf8' });
    expect(pl.stderr).toBe('');
    expect(pl.stdout.split('\n').filter(Boolean)).toEqual(py.stdout.split('\n').filter(Boolean));
  });

  it('escapes hostile strings as JSON (its escaper, fed through the hostname)', () => {
    const hostile = 'h"o\\s\tt\n$(touch /tmp/pwned)\u0001`id`\u007f';
    const script = probeScript().replace(/^( *)\$hostname = trim\(first\('\/proc\/sys\/kernel\/hostname'\)\);$/m, '$1$hostname = $ENV{HOSTILE};');
    expect(script).toContain('$hostname = $ENV{HOSTILE};');
    const { facts } = runWith(['perl', '-x', '-'], { ...process.env, HOSTILE: hostile }, script);
    expect(facts.hostname).toBe(hostile);
  });
});

/** An IPv6 address's eight groups written out (the test's input to probe.pl's writer), IPv4 tails included. */
function expand(a: string): string {
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  const text = v4 ? a.replace(v4[0], `${((+v4[1]! << 8) | +v4[2]!).toString(16)}:${((+v4[3]! << 8) | +v4[4]!).toString(16)}`) : a;
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].join(':');
}

// Every process is what a probe costs (a fork and an exec are milliseconds of the host's CPU, times 50 hosts
// at once), so the shell's own forks are counted: a child that never execs a command is pure overhead.
const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0;
if (!strace) console.log('probe process count: skipped, strace is not installed');
describe.skipIf(!strace)('probe process count', { timeout: 30_000 }, () => {
  const processes = (args: string[], program = ['dash', '-s', '--']) => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-strace-'));
    made.push(dir);
    const log = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=clone,clone3,fork,vfork,execve', '-e', 'signal=none', '-o', log, ...program, ...args], {
      input: probeScript(),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(parseFacts(r.stdout).ok).toBe(true);
    // The probe's shell is the traced process. A child it (or one of its subshells) forks is the probe's
    // doing, and so is a child forked before an exec (a here-document's writer); what a command does after
    // its exec (a wrapper script of its own) is not. A child that never execs is a bare fork.
    const lines = spawnSync('cat', [log], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    const root = lines[0]!.split(' ')[0]!;
    const forks: Array<{ parent: string; child: string; at: number }> = [];
    const execed = new Map<string, { at: number; command: string }>();
    lines.forEach((line, at) => {
      const pid = line.split(' ')[0]!;
      const forked = /(?:clone3?|v?fork)\b.*= (\d+)$/.exec(line);
      if (forked) forks.push({ parent: pid, child: forked[1]!, at });
      // The first exec a process tries names its command (a PATH search tries a few; concurrent children's
      // lines come split as "<unfinished ...>" / "<... execve resumed>").
      const ran = /execve\("[^"]*\/([^/"]+)"/.exec(line);
      if (ran && pid !== root && !execed.has(pid)) execed.set(pid, { at, command: ran[1]! });
    });
    // Lines of one process are in its own order, so "forked before its exec" compares two of its lines.
    const ours = new Set([root]);
    const children: string[] = [];
    for (let grew = true; grew; ) {
      grew = false;
      for (const f of forks) {
        if (ours.has(f.child) || !ours.has(f.parent)) continue;
        const exec = execed.get(f.parent);
        if (f.parent !== root && exec && exec.at < f.at) continue;
        ours.add(f.child);
        children.push(f.child);
        grew = true;
      }
    }
    return { bare: children.filter((c) => !execed.has(c)).length, commands: children.flatMap((c) => execed.get(c)?.command ?? []) };
  };

  it('probe.sh with reach targets: only the facts side of the pipeline is a bare fork; the reach tool and awk are execed in their own child', () => {
    const { bare, commands } = processes(['127.0.0.1:1', '127.0.0.1:2'], ['env', 'CP_REACH_TOOL=python3', 'dash', '-s', '--']);
    expect(bare).toBe(1);
    expect(commands.filter((c) => c === 'awk' || c === 'mawk' || c === 'gawk')).toHaveLength(1);
    expect(commands.filter((c) => c.startsWith('python3'))).toHaveLength(2); // its --version, and the reach tool
  });

  it('probe.sh without targets: no bare fork at all (the fact reader is an argument, not a here-document needing a writer)', () => {
    expect(processes([]).bare).toBe(0);
  });

  it.skipIf(!hasPerl)('probe.pl starts only what has no file or system call to ask: the resolver and python3 (no date, df, ip, uname, awk, no reach process, no bare fork)', () => {
    const { bare, commands } = processes(['--fsync', '127.0.0.1:1', '127.0.0.1:2'], ['perl', '-x', '-']);
    expect(bare).toBe(0);
    // dd times the synced writes (--fsync); timedatectl/chronyc only where systemd or chrony runs; sudo only when not root.
    const allowed = new Set(['getent', 'python3', 'dd', 'timedatectl', 'chronyc', 'sudo']);
    expect(commands.filter((c) => !allowed.has(c))).toEqual([]);
    expect(commands.filter((c) => c === 'getent')).toHaveLength(1);
  });
});

describe('probe --versions (edge hosts)', { timeout: 30_000 }, () => {
  // Stand-ins that say their version and leave a mark when started, so a start that was not wanted shows.
  const marks = mkdtempSync(join(tmpdir(), 'probe-marks-'));
  made.push(marks);
  const bin = fakeBin({
    containerd: `touch ${marks}/containerd; echo "containerd github.com/containerd/containerd 1.7.24 abc"`,
    kubelet: `touch ${marks}/kubelet; echo "Kubernetes v1.30.4"`,
  });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const probe = (program: (typeof PROGRAMS)[number], args: string[]) => {
    rmSync(join(marks, 'containerd'), { force: true });
    rmSync(join(marks, 'kubelet'), { force: true });
    const r = runWith(program.argv(args), env);
    const started = ['containerd', 'kubelet'].filter((b) => spawnSync('test', ['-e', join(marks, b)]).status === 0);
    return { facts: r.facts, started };
  };

  for (const program of PROGRAMS) {
    it(`${program.name}: without it, containerd and kubelet are only found, never started (their versions stay unknown)`, () => {
      const { facts, started } = probe(program, ['127.0.0.1:1']);
      expect(started).toEqual([]);
      expect(facts.runtimes?.containerd).toBe('');
      expect(facts.kubelet).toMatchObject({ installed: true, version: null });
      expect(facts.reach).toEqual([expect.stringMatching(/^127\.0\.0\.1:1 refused/)]);
    });

    it(`${program.name}: with it (before --fsync or after), both are asked and their versions reported`, () => {
      for (const args of [['--versions', '127.0.0.1:1'], ['--fsync', '--versions', '127.0.0.1:1'], ['--versions', '--fsync']]) {
        const { facts, started } = probe(program, args);
        expect(started, args.join(' ')).toEqual(['containerd', 'kubelet']);
        expect(facts.runtimes?.containerd).toBe('1.7.24');
        expect(facts.kubelet).toMatchObject({ installed: true, version: '1.30.4' });
        if (args.includes('127.0.0.1:1')) expect(facts.reach).toHaveLength(1);
        if (process.getuid?.() === 0) expect(facts.fsync?.writes ?? 0).toBe(args.includes('--fsync') ? 50 : 0);
      }
    });
  }
});

describe('probe --fsync (etcd hosts)', { timeout: 30_000 }, () => {
  it.each(PROGRAMS)('$name: times 50 synced writes where etcd will live, or says why it could not', (program) => {
    const { ok, facts } = runWith(program.argv(['--fsync', '127.0.0.1:1']));
    expect(ok).toBe(true);
    expect(facts.reach).toEqual([expect.stringMatching(/^127\.0\.0\.1:1 refused \d+\.\d$/)]);
    if (process.getuid?.() === 0) {
      expect(facts.fsync).toMatchObject({ path: expect.stringMatching(/^\/var\/lib(\/etcd)?$/), writes: 50 });
      expect(facts.fsync!.avgMs).toBeGreaterThanOrEqual(0);
      expect(spawnSync('sh', ['-c', 'ls -a /var/lib /var/lib/etcd 2>/dev/null | grep -c cp-installer-fsync'], { encoding: 'utf8' }).stdout.trim()).toBe('0');
    } else {
      expect(facts.errors?.fsync).toMatch(/Permission denied/);
    }
  });
});

describe('probe reachability', { timeout: 30_000 }, () => {
  // probe.pl connects itself; probe.sh (no perl on such a host) through python3, or says `untested`.
  const TOOLS = [...(hasPerl ? [{ tool: 'probe.pl', argv: (t: string[]) => ['perl', '-x', '-', ...t], env: {} }] : []), { tool: 'python3', argv: (t: string[]) => ['dash', '-s', '--', ...t], env: { CP_REACH_TOOL: 'python3' } }];
  const reach = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const { ok, facts } = runWith(argv, { ...process.env, ...env });
    expect(ok).toBe(true);
    return facts.reach ?? [];
  };
  const withServer = async (fn: (port: number) => void) => {
    const { createServer } = await import('node:net');
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      fn((server.address() as { port: number }).port);
    } finally {
      server.close();
    }
  };

  for (const { tool, argv, env } of TOOLS) {
    it(`${tool}: open, refused, IPv6, names and junk each get their word, answers their round trip; odd lines are dropped`, async () => {
      await withServer((port) => {
        const got = reach(argv([`127.0.0.1:${port}`, '127.0.0.1:1', '[::1]:1', 'localhost:1', 'no-such-host.invalid:1', `x"y:1`]), env);
        const rtt = ' \\d+\\.\\d';
        expect(got).toHaveLength(5);
        [`127.0.0.1:${port} open${rtt}`, `127.0.0.1:1 refused${rtt}`, `\\[::1\\]:1 refused${rtt}`, `localhost:1 refused${rtt}`, 'no-such-host.invalid:1 error'].forEach(
          (want, i) => expect(got[i]).toMatch(new RegExp(`^${want}$`)),
        );
      });
    });
  }

  it('without perl or python3 every target is untested (still one document)', () => {
    expect(reach(['dash', '-s', '--', '127.0.0.1:1', '10.0.0.1:6443'], { CP_REACH_TOOL: 'none' })).toEqual(['127.0.0.1:1 untested', '10.0.0.1:6443 untested']);
  });

  it('a target that never answers is a timeout after CP_REACH_TIMEOUT, not a hang (probe.pl and python3)', async () => {
    // A listener whose accept queue is full drops further SYNs: the connect neither succeeds nor fails.
    const { spawn } = await import('node:child_process');
    const { connect } = await import('node:net');
    const listener = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
    const port = await new Promise<number>((r) => listener.stdout.once('data', (d: Buffer) => r(Number(String(d).trim()))));
    const fillers = [0, 1, 2].map(() => connect(port, '127.0.0.1').on('error', () => undefined));
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (const { argv, env } of TOOLS) {
        const started = Date.now();
        expect(reach(argv([`127.0.0.1:${port}`]), { ...env, CP_REACH_TIMEOUT: '1' })).toEqual([`127.0.0.1:${port} timeout`]);
        expect(Date.now() - started).toBeLessThan(15_000);
      }
    } finally {
      fillers.forEach((f) => f.destroy());
      listener.kill();
    }
  });
});

describe('parseFacts', () => {
  it('reads a recorded probe output', () => {
    const { ok, facts } = parseFacts(fixtureText('probe-output-debian12-root.txt'));
    expect(ok).toBe(true);
    expect(facts.os?.id).toBe('debian');
    expect(osKey(facts)).toBe('debian-12');
  });

  it('drops a member of the wrong shape and names it in errors', () => {
    const { facts } = parseFacts('{"probeVersion":1,"cpus":"lots","memoryKb":1024,"errors":{}}');
    expect(facts.cpus).toBeUndefined();
    expect(facts.memoryKb).toBe(1024);
    expect(facts.errors?.cpus).toMatch(/unexpected value/);
  });

  it('salvages output cut short, keeping the whole lines', () => {
    const whole = fixtureText('probe-output-debian12-root.txt');
    const lines = whole.split('\n');
    const cut = lines.slice(0, 8).join('\n') + '\n,"interfaces":[{"name":"eth';
    const { ok, facts } = parseFacts(cut);
    expect(ok).toBe(true);
    expect(facts.clock?.epochMs).toBeGreaterThan(0);
    expect(facts.interfaces).toBeUndefined();
    expect(facts.errors?.probe).toMatch(/cut short/);
  });

  it('says why when nothing usable came back', () => {
    expect(parseFacts('')).toEqual({ ok: false, facts: { errors: { probe: 'the probe printed nothing' } } });
    expect(parseFacts('sh: 1: Syntax error').facts.errors?.probe).toMatch(/unreadable probe output: sh: 1/);
  });

  it('keeps members a newer probe adds', () => {
    expect(parseFacts('{"probeVersion":2,"gpu":{"count":1},"errors":{}}').facts.gpu).toEqual({ count: 1 });
  });

  it('finds the probe next to the assets', () => {
    expect(assetPath('probe', 'probe.sh')).toMatch(/installer-assets\/probe\/probe\.sh$/);
  });
});
