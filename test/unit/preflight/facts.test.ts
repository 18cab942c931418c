import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assetPath } from '../../../core/common/assets.js';
import { osKey, parseFacts, probeScript } from '../../../core/preflight/facts.js';
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

  it('prints the clock on the first line, before the slower items', () => {
    const first = runProbe('dash').split('\n')[0]!;
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

// Every process is what a probe costs (a fork and an exec are milliseconds of the host's CPU, times 50 hosts
// at once), so the shell's own forks are counted: a child that never execs a command is pure overhead.
const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0;
if (!strace) console.log('probe process count: skipped, strace is not installed');
describe.skipIf(!strace)('probe.sh process count', { timeout: 30_000 }, () => {
  const processes = (args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-strace-'));
    made.push(dir);
    const log = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=clone,clone3,fork,vfork,execve', '-e', 'signal=none', '-o', log, 'dash', '-s', '--', ...args], {
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
      const ran = /execve\("[^"]*\/([^/"]+)".* = 0$/.exec(line);
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

  it('with reach targets, only the facts side of the pipeline is a bare fork; the reach tool and awk are execed in their own child', () => {
    const { bare, commands } = processes(['127.0.0.1:1', '127.0.0.1:2']);
    expect(bare).toBe(1);
    expect(commands.filter((c) => c === 'awk' || c === 'mawk' || c === 'gawk')).toHaveLength(1);
    if (spawnSync('perl', ['-e', '1']).status === 0) expect(commands.filter((c) => c === 'perl')).toHaveLength(1);
  });

  it('without targets, no bare fork at all (the fact reader is an argument, not a here-document needing a writer)', () => {
    expect(processes([]).bare).toBe(0);
  });
});

describe('probe.sh --versions (edge hosts)', { timeout: 30_000 }, () => {
  // Stand-ins that say their version and leave a mark when started, so a start that was not wanted shows.
  const marks = mkdtempSync(join(tmpdir(), 'probe-marks-'));
  made.push(marks);
  const bin = fakeBin({
    containerd: `touch ${marks}/containerd; echo "containerd github.com/containerd/containerd 1.7.24 abc"`,
    kubelet: `touch ${marks}/kubelet; echo "Kubernetes v1.30.4"`,
  });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const probe = (args: string[]) => {
    rmSync(join(marks, 'containerd'), { force: true });
    rmSync(join(marks, 'kubelet'), { force: true });
    const r = spawnSync('dash', ['-s', '--', ...args], { input: probeScript(), env, encoding: 'utf8' });
    const started = ['containerd', 'kubelet'].filter((b) => spawnSync('test', ['-e', join(marks, b)]).status === 0);
    return { facts: parseFacts(r.stdout).facts, started };
  };

  it('without it, containerd and kubelet are only found, never started (their versions stay unknown)', () => {
    const { facts, started } = probe(['127.0.0.1:1']);
    expect(started).toEqual([]);
    expect(facts.runtimes?.containerd).toBe('');
    expect(facts.kubelet).toMatchObject({ installed: true, version: null });
    expect(facts.reach).toEqual([expect.stringMatching(/^127\.0\.0\.1:1 refused/)]);
  });

  it('with it (before --fsync or after), both are asked and their versions reported', () => {
    for (const args of [['--versions', '127.0.0.1:1'], ['--fsync', '--versions', '127.0.0.1:1'], ['--versions', '--fsync']]) {
      const { facts, started } = probe(args);
      expect(started, args.join(' ')).toEqual(['containerd', 'kubelet']);
      expect(facts.runtimes?.containerd).toBe('1.7.24');
      expect(facts.kubelet).toMatchObject({ installed: true, version: '1.30.4' });
      if (args.includes('127.0.0.1:1')) expect(facts.reach).toHaveLength(1);
      if (process.getuid?.() === 0) expect(facts.fsync?.writes ?? 0).toBe(args.includes('--fsync') ? 50 : 0);
    }
  });
});

describe('probe.sh --fsync (etcd hosts)', { timeout: 30_000 }, () => {
  it('times 50 synced writes where etcd will live, or says why it could not', () => {
    const r = spawnSync('dash', ['-s', '--', '--fsync', '127.0.0.1:1'], { input: probeScript(), encoding: 'utf8' });
    const { ok, facts } = parseFacts(r.stdout);
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

describe('probe.sh reachability', { timeout: 30_000 }, () => {
  const reach = (targets: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync('dash', ['-s', '--', ...targets], { input: probeScript(), env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const { ok, facts } = parseFacts(r.stdout);
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

  // perl first (builtins only), python3 where there is no perl, `untested` where there is neither.
  for (const tool of ['perl', 'python3'] as const) {
    it(`${tool}: open, refused, IPv6, names and junk each get their word, answers their round trip; odd lines are dropped`, async () => {
      await withServer((port) => {
        const got = reach([`127.0.0.1:${port}`, '127.0.0.1:1', '[::1]:1', 'localhost:1', 'no-such-host.invalid:1', `x"y:1`], { CP_REACH_TOOL: tool });
        const rtt = ' \\d+\\.\\d';
        expect(got).toHaveLength(5);
        [`127.0.0.1:${port} open${rtt}`, `127.0.0.1:1 refused${rtt}`, `\\[::1\\]:1 refused${rtt}`, `localhost:1 refused${rtt}`, 'no-such-host.invalid:1 error'].forEach(
          (want, i) => expect(got[i]).toMatch(new RegExp(`^${want}$`)),
        );
      });
    });
  }

  it('without perl or python3 every target is untested (still one document)', () => {
    expect(reach(['127.0.0.1:1', '10.0.0.1:6443'], { CP_REACH_TOOL: 'none' })).toEqual(['127.0.0.1:1 untested', '10.0.0.1:6443 untested']);
  });

  it('a target that never answers is a timeout after CP_REACH_TIMEOUT, not a hang (perl and python3)', async () => {
    // A listener whose accept queue is full drops further SYNs: the connect neither succeeds nor fails.
    const { spawn } = await import('node:child_process');
    const { connect } = await import('node:net');
    const listener = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
    const port = await new Promise<number>((r) => listener.stdout.once('data', (d: Buffer) => r(Number(String(d).trim()))));
    const fillers = [0, 1, 2].map(() => connect(port, '127.0.0.1').on('error', () => undefined));
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (const tool of ['perl', 'python3']) {
        const started = Date.now();
        expect(reach([`127.0.0.1:${port}`], { CP_REACH_TOOL: tool, CP_REACH_TIMEOUT: '1' })).toEqual([`127.0.0.1:${port} timeout`]);
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
