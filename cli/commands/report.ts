// `cp-installer report RUN_ID`: the HTML report of any run that ended (succeeded, failed, cancelled or
// interrupted); a failed run's report shows what failed first. Prints the file's path.
import type { Command } from 'commander';
import { defaultWorkdir, renderMessage } from '../../core/api/install.js';
import { NoSuchRunError, runReport } from '../../core/api/run-files.js';
import type { Lang } from '../../core/api/types.js';
import { langOption, pickLang } from './validate.js';

export interface RunFileOptions {
  workdir?: string;
  lang?: string;
}

/**
 * Makes one file of a run (`make` returns its path) and prints the path under `written`; a run that is not
 * there is named with its workdir, exit 2. The report and the support bundle differ only in `make`.
 */
export async function writeRunFile(
  runId: string,
  opts: RunFileOptions,
  make: (workdir: string, lang: Lang) => string | Promise<string>,
  written: string,
): Promise<number> {
  const workdir = opts.workdir ?? defaultWorkdir();
  const lang = pickLang(opts.lang);
  try {
    const path = await make(workdir, lang);
    process.stdout.write(`${renderMessage({ key: written, params: { path } }, lang)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof NoSuchRunError)) throw e;
    process.stderr.write(`${renderMessage({ key: 'cli.no-run', params: { runId, workdir } }, lang)}\n`);
    return 2;
  }
}

export function report(runId: string, opts: RunFileOptions): Promise<number> {
  return writeRunFile(runId, opts, (workdir, lang) => runReport(workdir, runId, lang), 'cli.report-written');
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Write the HTML report of a run (finished, failed or cancelled) and print its path')
    .argument('<run-id>', 'the run (see `cp-installer runs`)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .addOption(langOption())
    .action(async (runId: string, opts: RunFileOptions) => {
      process.exitCode = await report(runId, opts);
    });
}
