// What one harness instance made, written to /tmp as it goes, so that a teardown (its own, the `down`
// command, or a later harness that finds a dead owner) can undo exactly that and nothing else.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, statSync, rmSync, rmdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runSync, sleepSync } from './run.js';

export const STATE_DIR = '/tmp/cp-test-hosts';

export interface HarnessState {
  id: number;
  ownerPid: number;
  /** Made by `cli.ts up`: outlives its owner and is only taken down by `down`. */
  persistent: boolean;
  bridge: string;
  namespaces: string[];
  /** sshd listener pids, with the config path each was started with (guards against pid reuse). */
  sshd: Array<{ pid: number; config: string }>;
  dir?: string;
  user?: string;
  /** We created the user, so teardown deletes it. */
  userCreated?: boolean;
  homeMount?: string;
  /** Printed by `up` for use by hand. */
  summary?: unknown;
}

export function bridgeName(id: number): string {
  return `cpt${id}`;
}

function statePath(id: number): string {
  return join(STATE_DIR, `cpt${id}.json`);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Atomically claims an id (O_EXCL create); false when someone else holds it. */
export function claim(id: number, persistent: boolean): HarnessState | undefined {
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const state: HarnessState = {
    id,
    ownerPid: process.pid,
    persistent,
    bridge: bridgeName(id),
    namespaces: [],
    sshd: [],
  };
  let fd: number;
  try {
    fd = openSync(statePath(id), 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  writeSync(fd, JSON.stringify(state));
  closeSync(fd);
  return state;
}

export function save(state: HarnessState): void {
  writeFileSync(statePath(state.id), JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function load(id: number): HarnessState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(id), 'utf8')) as HarnessState;
  } catch {
    return undefined;
  }
}

export function allStates(): HarnessState[] {
  if (!existsSync(STATE_DIR)) return [];
  return readdirSync(STATE_DIR)
    .map((f) => /^cpt(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => load(Number(m[1])))
    .filter((s): s is HarnessState => s !== undefined);
}

/** Dead owner and not made by `up`: safe to take down and reuse. */
export function isStale(state: HarnessState): boolean {
  return !state.persistent && !pidAlive(state.ownerPid);
}

/** Alive and not a zombie: a killed sshd waits as a zombie until init reaps it, but it is gone for us. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Processes whose network namespace is one of `namespaces` (what `ip netns pids` does, without a process each). */
export function pidsInNamespaces(namespaces: readonly string[]): number[] {
  const inodes = new Set<string>();
  for (const ns of namespaces) {
    try {
      inodes.add(`net:[${statSync(`/run/netns/${ns}`).ino}]`);
    } catch {
      /* no such namespace */
    }
  }
  if (inodes.size === 0) return [];
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${entry}/ns/net`))) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * Undoes everything a state records. Synchronous so it also works from a process 'exit' handler. Kills every
 * process inside each namespace (the sshd listeners and their sessions), then deletes namespaces, the bridge
 * (its veths go with the namespaces), the temp folder, the home mount point and the user.
 */
export function teardown(state: HarnessState): void {
  const t0 = Date.now();
  const trace = (what: string) => {
    if (process.env.CPT_TRACE) process.stderr.write(`[harness] teardown cpt${state.id} ${what} +${Date.now() - t0} ms\n`);
  };
  const victims = new Set<number>();
  for (const s of state.sshd) {
    if (cmdlineOf(s.pid).includes(s.config)) victims.add(s.pid);
  }
  for (const pid of pidsInNamespaces(state.namespaces)) victims.add(pid);
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (let waited = 0; waited < 3000 && [...victims].some(running); waited += 20) sleepSync(20);
  trace(`killed ${victims.size}`);

  if (state.namespaces.length > 0) {
    const existing = new Set(runSync('ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]));
    const batch = state.namespaces.filter((ns) => existing.has(ns)).map((ns) => `netns del ${ns}\n`);
    if (batch.length > 0) runSync('ip', ['-force', '-batch', '-'], batch.join(''));
  }
  trace('namespaces');
  if (state.bridge && existsSync(`/sys/class/net/${state.bridge}`)) runSync('ip', ['link', 'del', state.bridge]);
  trace('bridge');
  if (state.dir && state.dir.startsWith('/tmp/cpt')) rmSync(state.dir, { recursive: true, force: true });
  if (state.homeMount) {
    try {
      rmdirSync(state.homeMount);
    } catch {
      /* not empty or gone: leave it */
    }
  }
  if (state.user && state.userCreated) {
    for (let i = 0; i < 20; i++) {
      const r = runSync('userdel', [state.user]);
      // 6: no such user; 10: passwd file locked by a concurrent useradd/userdel
      if (r.code !== 10) break;
      sleepSync(50);
    }
  }
  trace('user');
  try {
    unlinkSync(statePath(state.id));
  } catch {
    /* gone */
  }
}
