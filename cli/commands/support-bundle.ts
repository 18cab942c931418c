// `cp-installer support-bundle RUN_ID`: one .tar.gz to send when asking for help — the run's journal, logs
// (already redacted), its report and the plan; never a kubeconfig, key or password. Prints the file's path.
import type { Command } from 'commander';
import { defaultWorkdir, renderMessage } from '../../core/api/install.js';
import { NoSuchRunError, runSupportBundle } from '../../core/api/run-files.js';
import type { RunFileOptions } from './report.js';
import { langOption, pickLang } from './validate.js';

export async function supportBundle(runId: string, opts: RunFileOptions): Promise<number> {
  const workdir = opts.workdir ?? defaultWorkdir();
  const lang = pickLang(opts.lang);
  try {
    const path = await runSupportBundle(workdir, runId, lang);
    process.stdout.write(`${renderMessage({ key: 'cli.bundle-written', params: { path } }, lang)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof NoSuchRunError)) throw e;
    process.stderr.write(`${renderMessage({ key: 'cli.no-run', params: { runId, workdir } }, lang)}\n`);
    return 2;
  }
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
