// `cp-installer import VARS [EDGE_VARS] [-o plan.yaml]`: the official scripts' variable files
// (cp-cluster-vars.sh, cp-edge-vars.sh) as a plan. The files are parsed, never executed.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputFileError, readInputFile, VARS_LIMITS } from '../../core/api/input-files.js';
import { importVars, renderMessage, validate, type ImportOptions } from '../../core/api/plan.js';
import { EXIT_ERRORS, EXIT_UNREADABLE, formatIssue, langOption, pickLang } from './validate.js';

export interface ImportCommandOptions {
  output?: string;
  user?: string;
  key?: string;
  agent?: boolean;
  release?: string;
  boshVars?: string;
  force?: boolean;
  lang?: string;
}

export async function importCommand(
  varsFile: string,
  edgeFile: string | undefined,
  opts: ImportCommandOptions,
): Promise<number> {
  const lang = pickLang(opts.lang);
  const texts: string[] = [];
  for (const path of [varsFile, edgeFile, opts.boshVars]) {
    if (path === undefined) continue;
    try {
      // At most VARS_LIMITS.maxBytes, a regular file, UTF-8: a huge file or /dev/zero is refused, not read (security #9).
      texts.push(await readInputFile(path, VARS_LIMITS.maxBytes));
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      process.stderr.write(`${renderMessage({ key: e.key, params: e.params }, lang)}\n`);
      return EXIT_UNREADABLE;
    }
  }
  if (opts.output && opts.output !== '-' && existsSync(opts.output) && !opts.force) {
    process.stderr.write(
      `${renderMessage({ key: 'cli.plan.exists', params: { path: opts.output } }, lang)}\n`,
    );
    return EXIT_ERRORS;
  }
  const options: ImportOptions = {
    env: process.env,
    ...(opts.user !== undefined && { user: opts.user }),
    ...(opts.key !== undefined && { keyPath: opts.key }),
    ...(opts.agent !== undefined && { agent: opts.agent }),
    ...(opts.release !== undefined && { release: opts.release }),
  };
  const boshVars = opts.boshVars !== undefined ? texts.pop() : undefined;
  if (boshVars !== undefined) options.boshVars = boshVars;
  const { plan, yaml, issues } = importVars(texts[0] as string, texts[1], options);
  const source = edgeFile ? `${varsFile} + ${edgeFile}` : varsFile;
  for (const i of issues) process.stderr.write(`${formatIssue(source, i, lang)}\n`);
  if (!opts.output || opts.output === '-') process.stdout.write(yaml);
  else {
    await writeFile(opts.output, yaml, 'utf8');
    process.stderr.write(
      `${renderMessage({ key: 'cli.plan.written', params: { path: opts.output } }, lang)}\n`,
    );
  }
  // What the variables leave undecided shows as the plan's own validation issues.
  const result = validate(plan);
  const target = opts.output && opts.output !== '-' ? opts.output : 'plan';
  for (const i of [...result.errors, ...result.warnings])
    process.stderr.write(`${formatIssue(target, i, lang)}\n`);
  const failed = issues.some((i) => i.severity === 'error') || !result.valid;
  if (failed) process.stderr.write(`${renderMessage({ key: 'cli.plan.importErrors' }, lang)}\n`);
  return failed ? EXIT_ERRORS : 0;
}

export function register(program: Command): void {
  program
    .command('import')
    .description('turn cp-cluster-vars.sh [and cp-edge-vars.sh] into a plan')
    .argument('<vars>', 'cp-cluster-vars.sh')
    .argument('[edge-vars]', 'cp-edge-vars.sh')
    .option('-o, --output <file>', 'write the plan to this file instead of standard output')
    .option('--user <user>', 'login user of the hosts (default: ubuntu)')
    .option(
      '--key <file>',
      'private key file (default: the ssh-agent when SSH_AUTH_SOCK is set, else ~/.ssh/id_rsa)',
    )
    .option('--agent', 'log in with the ssh-agent')
    .option('--release <name>', 'release from the version catalog (default: the newest that fits)')
    .option('--bosh-vars <file>', "CaaS: the 2021 tree's paasta-container-service-vars-<iaas>.yml (BOSH middleware settings; secrets are not read)")
    .option('-f, --force', 'overwrite an existing plan file')
    .addOption(langOption())
    .action(async (vars: string, edge: string | undefined, opts: ImportCommandOptions) => {
      process.exitCode = await importCommand(vars, edge, opts);
    });
}
