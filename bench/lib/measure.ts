// What every bench shares: whole processes timed the same way for both sides, sides taking turns with the
// order alternated, and medians with their spread. CPU is counted with a cpuacct cgroup per process tree
// when this machine has one (cgroup v1, root): it also counts what a side leaves running in the
// background (Ansible's ControlPersist ssh masters), which rusage of waited children misses.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPUACCT = '/sys/fs/cgroup/cpuacct';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}

/** "median (min–max)" of millisecond figures, in seconds. */
export function spreadS(xs: readonly number[], digits = 2): string {
  const f = (ms: number) => (ms / 1000).toFixed(digits);
  return `${f(median(xs))} s (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

/** "median (min–max)" in milliseconds. */
export function spreadMs(xs: readonly number[], digits = 0): string {
  const f = (ms: number) => ms.toFixed(digits);
  return `${f(median(xs))} ms (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

/**
 * The order of the sides in each round: round r starts at side r mod n, so with two sides they swap every
 * round and with three each side goes first, second and last equally often.
 */
export function turnOrder<T>(sides: readonly T[], round: number): T[] {
  const n = sides.length;
  return sides.map((_, i) => sides[(i + round) % n]!);
}

/** A cpuacct cgroup for one process tree, or undefined where there is none (then rusage is used). */
export class CpuGroup {
  private constructor(readonly path: string) {}

  static available(): boolean {
    return process.getuid?.() === 0 && existsSync(join(CPUACCT, 'cgroup.procs'));
  }

  static create(name: string): CpuGroup | undefined {
    if (!CpuGroup.available()) return undefined;
    const path = join(CPUACCT, `cp-bench-${process.pid}-${name}`);
    try {
      mkdirSync(path, { recursive: true });
      return new CpuGroup(path);
    } catch {
      return undefined;
    }
  }

  /** CPU used by the group so far, in ms. */
  usageMs(): number {
    return Number(readFileSync(join(this.path, 'cpuacct.usage'), 'utf8').trim()) / 1e6;
  }

  add(pid: number): void {
    writeFileSync(join(this.path, 'cgroup.procs'), String(pid));
  }

  pids(): number[] {
    return readFileSync(join(this.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  /** Ends what is left in the group (only this bench's own processes are ever put in it), then removes it. */
  async remove(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const left = this.pids();
      if (!left.length) break;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      rmdirSync(this.path);
    } catch {
      /* still busy: the kernel frees it when the last task goes */
    }
  }
}

export interface Timed {
  stdout: string;
  stderr: string;
  code: number | null;
  wallMs: number;
  /** CPU of the whole process tree (cgroup when there is one, else rusage of waited children). */
  cpuMs: number;
  /** Peak RSS of the largest process of the tree (GNU time %M), kB. */
  peakRssKb: number;
}

/**
 * Runs `cmd args` as a whole process under GNU time (peak RSS) and, when there is one, in its own cpuacct
 * cgroup (CPU of everything it starts, background processes included; they are ended afterwards).
 */
export async function timedProcess(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; name: string; stdin?: string }): Promise<Timed> {
  const group = CpuGroup.create(`${opts.name}-${Date.now()}`);
  // The shell puts itself in the group before exec, so nothing of the command runs outside it.
  const inGroup = group ? ['sh', '-c', `echo $$ > ${group.path}/cgroup.procs && exec "$@"`, 'sh'] : [];
  const argv = [...inGroup, '/usr/bin/time', '-f', 'TIME-FIGURES %M %U %S', cmd, ...args];
  return new Promise<Timed>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(opts.stdin ?? '');
    child.on('error', reject);
    child.on('close', async (code) => {
      const wallMs = performance.now() - started;
      const m = /TIME-FIGURES (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      const rusageMs = m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN;
      const cpuMs = group ? group.usageMs() : rusageMs;
      await group?.remove();
      resolve({ stdout, stderr: m ? stderr.slice(0, m.index) : stderr, code, wallMs, cpuMs, peakRssKb: m ? Number(m[1]) : NaN });
    });
  });
}

/** The machine's load while a bench ran, for the report (1-minute load average and core count). */
export function loadNote(): string {
  const [one] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  return `load average ${one} on ${cores} cores`;
}
