// `cp-installer support-bundle RUN_ID`: one .tar.gz to send when asking for help — the run's journal, logs
// (already redacted), its report and the plan; never a kubeconfig, key or password. Prints the file's path.
import type { Command } from 'commander';
import { runSupportBundle } from '../../core/api/run-files.js';
import { writeRunFile, type RunFileOptions } from './report.js';
import { langOption } from './validate.js';

export function supportBundle(runId: string, opts: RunFileOptions): Promise<number> {
  return writeRunFile(runId, opts, (workdir, lang) => runSupportBundle(workdir, runId, lang), 'cli.bundle-written');
}

export function register(program: Command): void {
  program
    .command('support-bundle')
    .description('Pack a run\'s journal, logs, report and plan into one .tar.gz to send for help (no credentials)')
    .argument('<run-id>', 'the run (see `cp-installer runs`)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .addOption(langOption())
    .action(async (runId: string, opts: RunFileOptions) => {
      process.exitCode = await supportBundle(runId, opts);
    });
}
