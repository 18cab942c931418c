// A long command (the Kubespray playbook) run on a host so that it can be found and stopped later, by
// another installer process too: it runs in its own session (setsid), outside the SSH channel that started
// it, with a lock, its pid and start time, its output and its exit code in a folder on the host:
//
//   <dir>/lock/        exists while it runs (mkdir is atomic: one holder); pid, start (from /proc)
//   <dir>/pid          the pid of the last one started
//   <dir>/tag          what the run is for (the installer compares it before adopting a running one)
//   <dir>/log          its output, stdout and stderr
//   <dir>/exit         its exit code, once it ended
//
// Without systemd (the test hosts have none), so the same scripts work everywhere with POSIX sh, GNU
// tail (--pid) and util-linux setsid. A secret for its stdin (the sudo password) goes through a FIFO in the
// lock folder: never a file's content, never a command line. Pure: these build the scripts and read their
// answers; core/install/detached.ts runs them.
import { shq } from '../common/quote.js';

/** The start time of a pid in clock ticks (field 22 of /proc/PID/stat): a pid reused later does not match. */
const START_TIME = `st() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }`;
/** The lock's holder is alive and is the process that took it. */
const HOLDER_ALIVE = `alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(st "$1")" = "$(cat lock/start 2>/dev/null)" ]; }`;

export type DetachedStatus =
  | { state: 'none' }
  | { state: 'running'; pid: number; tag?: string }
  | { state: 'finished'; code: number; tag?: string }
  /** Started once, but neither running nor with an exit code (killed with the lock taken away, a reboot). */
  | { state: 'lost'; tag?: string };

function checkTag(tag: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(tag)) throw new Error(`a detached run's tag must be a plain word: ${tag}`);
  return tag;
}

/** Prints one line: `none`, `running PID TAG`, `finished CODE TAG`, `lost - TAG` (TAG `-` when unknown). */
export function detachedStatusScript(dir: string): string {
  return [
    `cd ${shq(dir)} 2>/dev/null || { echo none; exit 0; }`,
    START_TIME,
    HOLDER_ALIVE,
    'tag=$(cat tag 2>/dev/null || true)',
    'pid=$(cat lock/pid 2>/dev/null || true)',
    'if [ -d lock ] && alive "$pid"; then echo "running $pid ${tag:--}"; exit 0; fi',
    'if [ -f exit ]; then echo "finished $(cat exit) ${tag:--}"; exit 0; fi',
    'if [ -n "$tag" ]; then echo "lost - $tag"; exit 0; fi',
    'echo none',
  ].join('\n');
}

export function parseDetachedStatus(stdout: string): DetachedStatus {
  const line = stdout.trim().split('\n').pop() ?? '';
  const [state, a, b] = line.trim().split(/\s+/);
  const tag = b && b !== '-' ? b : undefined;
  const withTag = <T extends object>(o: T) => (tag ? { ...o, tag } : o);
  if (state === 'running' && /^\d+$/.test(a ?? '')) return withTag({ state: 'running' as const, pid: Number(a) });
  if (state === 'finished' && /^\d+$/.test(a ?? '')) return withTag({ state: 'finished' as const, code: Number(a) });
  if (state === 'lost') return withTag({ state: 'lost' as const });
  return { state: 'none' };
}

/**
 * Takes the lock and starts `command` in a new session; prints `started PID`, or `busy PID` when a live
 * holder has the lock (nothing is started then). With `input`, the first line of this script's stdin is
 * handed to the command's stdin through a FIFO.
 */
export function detachedStartScript(dir: string, command: string, tag: string, input: boolean): string {
  // The session leader: records itself, runs the command with its output in the log, records the exit code.
  const inner = [
    'd=$1',
    START_TIME,
    'st $$ > "$d/lock/start"',
    'echo $$ > "$d/lock/pid.new" && cp "$d/lock/pid.new" "$d/pid" && mv "$d/lock/pid.new" "$d/lock/pid"',
    input ? 'exec 0<"$d/lock/in"' : 'exec 0</dev/null',
    // From the folder the installer's command would have started in (the login directory).
    'cd "$2" && sh -c "$3" >>"$d/log" 2>&1',
    'code=$?',
    'echo "$code" > "$d/exit.new" && mv "$d/exit.new" "$d/exit"',
    'rm -rf "$d/lock"',
  ].join('\n');
  return [
    'set -u',
    'from=$(pwd -P)',
    `mkdir -p ${shq(dir)} && cd ${shq(dir)} || exit 97`,
    'd=$(pwd -P)',
    START_TIME,
    HOLDER_ALIVE,
    'if ! mkdir lock 2>/dev/null; then',
    '  pid=$(cat lock/pid 2>/dev/null || true)',
    '  if alive "$pid"; then echo "busy $pid"; exit 0; fi',
    // No pid yet and taken within the last minute: another installer is starting right now.
    '  if [ -z "$pid" ] && [ -n "$(find lock -maxdepth 0 -mmin -1 2>/dev/null)" ]; then echo "busy -"; exit 0; fi',
    // The holder is gone: move its lock aside (rename is atomic: one of two takers wins) and take a new one.
    '  mv lock "lock.stale.$$" 2>/dev/null && rm -rf "lock.stale.$$"',
    '  mkdir lock 2>/dev/null || { echo "busy -"; exit 0; }',
    'fi',
    'rm -f exit exit.new pid',
    ': > log',
    `printf '%s\\n' ${shq(checkTag(tag))} > tag`,
    ...(input ? ['mkfifo -m 600 lock/in || { rm -rf lock; exit 96; }'] : []),
    `setsid sh -c ${shq(inner)} cpi-detached "$d" "$from" ${shq(command)} </dev/null >/dev/null 2>&1 &`,
    'i=0',
    // `pid` outside the lock: a command that ends at once has removed its lock by now.
    'while [ ! -s pid ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    'pid=$(cat pid 2>/dev/null || true)',
    '[ -n "$pid" ] || { echo "cp-installer: the detached command did not start" >&2; exit 98; }',
    ...(input ? ['head -n 1 > lock/in', 'rm -f lock/in'] : []),
    'echo "started $pid"',
  ].join('\n');
}

export function parseDetachedStart(stdout: string): { started: number } | { busy: number | undefined } | undefined {
  const line = stdout.trim().split('\n').pop() ?? '';
  const m = /^(started|busy) (\d+|-)$/.exec(line.trim());
  if (!m) return undefined;
  const pid = m[2] === '-' ? undefined : Number(m[2]);
  if (m[1] === 'started' && pid !== undefined) return { started: pid };
  return { busy: pid };
}

/** Exit code of a follow whose command ended without recording one (killed outright, the host rebooted). */
export const DETACHED_LOST_CODE = 125;

/**
 * Prints the whole log and follows it until the session leader `pid` is gone (no pid: it ended already),
 * then exits with the command's exit code. Ending this (timeout, cancel, a lost connection) leaves the command running.
 */
export function detachedFollowScript(dir: string, pid: number | undefined): string {
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 1)) throw new Error(`refusing to follow pid ${pid}`);
  return [
    `cd ${shq(dir)} || exit 97`,
    // Without a pid (it ended already): the log once.
    pid === undefined ? 'cat log' : `tail -c +1 -f --pid=${pid} log`,
    'i=0',
    'while [ ! -f exit ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
    'if [ -f exit ]; then exit "$(cat exit)"; fi',
    `echo "cp-installer: the command (pid ${pid}) ended without an exit status" >&2`,
    `exit ${DETACHED_LOST_CODE}`,
  ].join('\n');
}

/** Stops the running command's whole process group (TERM, then KILL) and frees the lock; prints `stopped PID` or `none`. */
export function detachedStopScript(dir: string): string {
  return [
    `cd ${shq(dir)} 2>/dev/null || { echo none; exit 0; }`,
    START_TIME,
    HOLDER_ALIVE,
    'pid=$(cat lock/pid 2>/dev/null || true)',
    'if [ -d lock ] && alive "$pid"; then',
    // No `--`: dash's builtin kill rejects it; `-TERM -PGID` means the group in every POSIX shell.
    '  kill -TERM -"$pid" 2>/dev/null',
    '  i=0; while kill -0 -"$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
    '  kill -KILL -"$pid" 2>/dev/null',
    '  i=0; while kill -0 -"$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
    '  [ -f exit ] || echo 143 > exit',
    '  rm -rf lock',
    '  echo "stopped $pid"; exit 0',
    'fi',
    'echo none',
  ].join('\n');
}
