// `cp-installer init [--mode M] [-o FILE] [--force]`: a commented example plan to start from.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { MODES, newPlan, renderMessage, type Mode } from '../../core/api/plan.js';
import { langOption, pickLang } from './validate.js';

export interface InitOptions {
  mode: Mode;
  output?: string;
  force?: boolean;
  lang?: string;
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const lang = pickLang(opts.lang);
  const { yaml } = newPlan(opts.mode);
  if (!opts.output || opts.output === '-') {
    process.stdout.write(yaml);
    return 0;
  }
  if (existsSync(opts.output) && !opts.force) {
    process.stderr.write(
      `${renderMessage({ key: 'cli.plan.exists', params: { path: opts.output } }, lang)}\n`,
    );
    return 1;
  }
  await writeFile(opts.output, yaml, 'utf8');
  process.stderr.write(
    `${renderMessage({ key: 'cli.plan.written', params: { path: opts.output } }, lang)}\n`,
  );
  return 0;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write a commented example plan')
    .addOption(new Option('-m, --mode <mode>', 'deployment mode').choices([...MODES]).default('standalone'))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('-f, --force', 'overwrite an existing file')
    .addOption(langOption())
    .action(async (opts: InitOptions) => {
      process.exitCode = await initCommand(opts);
    });
}
