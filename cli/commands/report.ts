// `cp-installer report RUN_ID`: the HTML report of any run that ended (succeeded, failed, cancelled or
// interrupted); a failed run's report shows what failed first. Prints the file's path.
import type { Command } from 'commander';
import { defaultWorkdir, renderMessage } from '../../core/api/install.js';
import { NoSuchRunError, runReport } from '../../core/api/run-files.js';
import { langOption, pickLang } from './validate.js';

export interface RunFileOptions {
  workdir?: string;
  lang?: string;
}

export function report(runId: string, opts: RunFileOptions): number {
  const workdir = opts.workdir ?? defaultWorkdir();
  const lang = pickLang(opts.lang);
  try {
    const path = runReport(workdir, runId, lang);
    process.stdout.write(`${renderMessage({ key: 'cli.report-written', params: { path } }, lang)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof NoSuchRunError)) throw e;
    process.stderr.write(`${renderMessage({ key: 'cli.no-run', params: { runId, workdir } }, lang)}\n`);
    return 2;
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Write the HTML report of a run (finished, failed or cancelled) and print its path')
    .argument('<run-id>', 'the run (see `cp-installer runs`)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .addOption(langOption())
    .action((runId: string, opts: RunFileOptions) => {
      process.exitCode = report(runId, opts);
    });
}
