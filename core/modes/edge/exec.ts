// How the edge steps read a command's result: kubectl's JSON is its own proof of success, other commands
// succeed by their output or exit 0; anything else is a StepError naming the host and the command.
import { msg, type Message } from '../../common/messages.js';
import { StepError, type StepContext } from '../../install/step.js';

export function fail(error: Message, failure?: { task?: string; host?: string; message: string }, permanent = false): never {
  throw new StepError(error, failure, permanent);
}

// A read of the API server answers in seconds; one that hangs (API server stuck, etcd down) must not hold a
// step for the SSH layer's 15-minute default.
const KUBECTL_READ_MS = 120_000;

/**
 * Runs a `kubectl … -o json` as root on the cloud host and returns its JSON text. The JSON itself is the
 * proof of success (an SSH session that lost the exit status still delivered it); without JSON the error
 * kubectl printed is what the user sees.
 */
export async function kubectlJson(ctx: StepContext, host: string, command: string, timeoutMs = KUBECTL_READ_MS): Promise<string> {
  const r = await ctx.exec(host, command, { sudo: true, quiet: true, check: false, timeoutMs, dryRunResult: { stdout: '{"items":[]}' } });
  try {
    JSON.parse(r.stdout);
    return r.stdout;
  } catch {
    const message = ctx.redact(r.stderr.trim() || r.stdout.trim() || `exit ${r.code ?? r.signal}`);
    return fail(msg('edge.cluster-unreachable', { host, message }), { host, task: command.split(' -o ')[0]!, message });
  }
}

/**
 * Runs a command whose output says it worked (kubectl's `… created/configured/patched`, a marker echoed at
 * the end): success is that output, or exit 0. Anything else fails with the command's last lines.
 */
export async function execExpect(ctx: StepContext, host: string, command: string, ok: RegExp, describe?: string): Promise<string> {
  const r = await ctx.exec(host, command, { sudo: true, check: false, ...(describe ? { describe } : {}) });
  if (ctx.dryRun || ok.test(r.stdout) || r.code === 0) return r.stdout;
  const message = ctx.redact((r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n') || `exit ${r.code ?? r.signal}`);
  return fail(msg('install.command-failed', { host, command: ctx.redact(describe ?? command.split('\n')[0]!), code: String(r.code ?? r.signal) }), {
    host,
    message,
  });
}
