// `cp-installer resume RUN_ID`: continues a failed, cancelled or interrupted run from its journal; finished
// steps are not repeated. Secrets are asked for again (they were never saved).
import type { Command } from 'commander';
import { defaultWorkdir, resumeRun } from '../../core/api/install.js';
import { cancelOnSigint, collectSecrets, printResult, progressPrinter, sshOptionsOf, type SshCliOptions } from './apply.js';

export async function resume(runId: string, opts: { workdir?: string } & SshCliOptions): Promise<number> {
  const workdir = opts.workdir ?? defaultWorkdir();
  let started;
  try {
    started = await resumeRun({ workdir, sshOptions: sshOptionsOf(opts) }, runId, (plan) => collectSecrets(plan), { onEvent: progressPrinter() });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const release = cancelOnSigint(() => started.cancel());
  try {
    return printResult(await started.done);
  } finally {
    release();
  }
}

export function register(program: Command): void {
  program
    .command('resume')
    .description('Continue a run that failed, was cancelled or was interrupted, from its first unfinished step')
    .argument('<run-id>', 'the run to continue (see `cp-installer runs`)')
    .option('--known-hosts <file>', 'known_hosts to check host keys against and append to (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'accept and record the key of a host not yet in known_hosts (never a changed key)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .action(async (runId: string, opts: { workdir?: string } & SshCliOptions) => {
      process.exitCode = await resume(runId, opts);
    });
}
