// Runs a long command (the playbook) through a step's ctx so that it survives the installer and is never
// run twice: a run that finds one still running for the same work (same tag) follows it to its end instead
// of starting another; one for other work is stopped first (its whole process group). A cancel or a
// timeout stops it; a lost connection or a killed installer leaves it running for the next attempt to find.
// The scripts are in core/ssh/detached.ts.
import { msg } from '../common/messages.js';
import {
  detachedFollowScript,
  detachedStartScript,
  detachedStatusScript,
  detachedStopScript,
  parseDetachedStart,
  parseDetachedStatus,
} from '../ssh/detached.js';
import { SshError } from '../ssh/types.js';
import { StepError, type StepContext } from './step.js';

/** Status, start and stop are quick; they get this limit. */
const CONTROL_TIMEOUT_MS = 60_000;

export interface DetachedRun {
  /** Plan host name. */
  host: string;
  /** The run's folder on the host (relative to the login directory, or absolute). */
  dir: string;
  /** The shell line (built with shq/shellJoin). */
  command: string;
  /** What it is for (e.g. the inventory's hash): a running one with another tag is stopped, not followed. */
  tag: string;
  /** One line for the command's stdin (a secret), handed over through a FIFO. */
  stdinLine?: string;
  /** How the command is shown in the log and the dry run. */
  describe: string;
  /** The whole run's limit: the command is stopped when it runs longer. */
  timeoutMs: number;
  /** 'wait' (default): follow one still running for the same tag; 'stop': stop it and start again. */
  whenRunning?: 'wait' | 'stop';
  onStdout(line: string): void;
}

export interface DetachedResult {
  code: number | null;
  signal?: string;
  /** What was found on the host before starting: the step logs it, the test reads it. */
  found: 'none' | 'followed-running' | 'followed-finished' | 'stopped-running';
}

export async function runDetached(ctx: StepContext, run: DetachedRun): Promise<DetachedResult> {
  const { host, dir } = run;
  const input = run.stdinLine !== undefined;
  const startScript = detachedStartScript(dir, run.command, run.tag, input);
  if (ctx.dryRun) {
    await ctx.exec(host, startScript, { describe: run.describe, ...(input ? { stdin: `${run.stdinLine}\n` } : {}) });
    return { code: 0, found: 'none' };
  }
  // A fresh signal: stopping must still run once the run's own signal was aborted (that is why it stops).
  const stop = () =>
    ctx.exec(host, detachedStopScript(dir), { check: false, quiet: true, timeoutMs: CONTROL_TIMEOUT_MS, signal: new AbortController().signal, describe: `stop the command running in ${dir}` });

  const status = parseDetachedStatus(
    (await ctx.exec(host, detachedStatusScript(dir), { check: false, quiet: true, timeoutMs: CONTROL_TIMEOUT_MS, describe: `is a command still running in ${dir}?` })).stdout,
  );
  let pid: number | undefined;
  let found: DetachedResult['found'] = 'none';
  const wait = (run.whenRunning ?? 'wait') === 'wait';
  if (status.state === 'running') {
    if (wait && status.tag === run.tag) {
      ctx.log(`an earlier attempt's command is still running on ${host} (pid ${status.pid}): waiting for it to end, not starting another`, { host });
      ctx.progress(undefined, `waiting for the running command (pid ${status.pid})`);
      pid = status.pid;
      found = 'followed-running';
    } else {
      ctx.log(`an earlier attempt's command is still running on ${host} (pid ${status.pid}${status.tag === run.tag ? '' : ', for other work'}): stopping it before starting again`, { host });
      await stop();
      found = 'stopped-running';
    }
  } else if (status.state === 'finished' && wait && status.tag === run.tag && status.code === 0) {
    // It ended well while no installer watched: its log is replayed, nothing runs again.
    ctx.log(`an earlier attempt's command finished on ${host} while the installer was away (exit 0): using its result`, { host });
    found = 'followed-finished';
  }

  if (pid === undefined && found !== 'followed-finished') {
    const started = parseDetachedStart(
      (
        await ctx.exec(host, startScript, {
          describe: run.describe,
          quiet: true,
          timeoutMs: CONTROL_TIMEOUT_MS,
          ...(input ? { stdin: `${run.stdinLine}\n` } : {}),
        })
      ).stdout,
    );
    if (!started) throw new StepError(msg('install.step-error', { message: `${host}: the command did not start in ${dir}` }), { host, message: `no pid from the start of ${run.describe}` });
    if ('busy' in started) {
      throw new StepError(
        msg('install.step-error', { message: `${host}: another installer is running the same command right now (pid ${started.busy ?? '?'}); wait for it or stop it` }),
        { host, message: `busy: pid ${started.busy ?? '?'}` },
      );
    }
    pid = started.started;
  }

  try {
    const r = await ctx.exec(host, detachedFollowScript(dir, pid), {
      check: false,
      quiet: false,
      collect: false,
      timeoutMs: run.timeoutMs,
      describe: `(following ${run.describe})`,
      onStdout: run.onStdout,
    });
    return { code: r.code, ...(r.signal ? { signal: r.signal } : {}), found };
  } catch (e) {
    // A cancel or the run's limit stops the command too; a lost connection leaves it for the next attempt.
    if (e instanceof SshError && (e.kind === 'cancelled' || e.kind === 'timeout')) await stop().catch(() => undefined);
    throw e;
  }
}
