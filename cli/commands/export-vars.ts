// `cp-installer export-vars PLAN [-d DIR]`: the plan as the official scripts' variable files
// (cp-cluster-vars.sh, and cp-edge-vars.sh when the plan has edge nodes), to go back to the scripts.
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderMessage as renderCoreMessage } from '../../core/api/install.js';
import { exportVars, load, renderMessage } from '../../core/api/plan.js';
import { EXIT_ERRORS, EXIT_UNREADABLE, formatIssue, langOption, pickLang } from './validate.js';

export interface ExportOptions {
  dir: string;
  force?: boolean;
  lang?: string;
}

export async function exportCommand(file: string, opts: ExportOptions): Promise<number> {
  const lang = pickLang(opts.lang);
  let loaded;
  try {
    loaded = await load(file);
  } catch (e) {
    const err = e as { key?: string; params?: Record<string, string | number> };
    if (!err.key) throw e;
    process.stderr.write(`${renderMessage({ key: err.key, params: err.params ?? {} }, lang)}\n`);
    return EXIT_UNREADABLE;
  }
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  for (const i of errors) process.stderr.write(`${formatIssue(file, i, lang)}\n`);
  if (!loaded.plan)
    return loaded.issues.some((i) => i.key.startsWith('plan.yaml.')) ? EXIT_UNREADABLE : EXIT_ERRORS;
  if (errors.length > 0 && !opts.force) {
    process.stderr.write(`${renderMessage({ key: 'cli.plan.exportRefused', params: { file } }, lang)}\n`);
    return EXIT_ERRORS;
  }
  // A folder that is not there is a typo to point out, not a stack trace.
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory()) {
    process.stderr.write(`${renderCoreMessage({ key: 'cli.dir-missing', params: { dir: opts.dir } }, lang)}\n`);
    return EXIT_UNREADABLE;
  }
  const { clusterVars, edgeVars } = exportVars(loaded.plan);
  const files: Array<[string, string]> = [[join(opts.dir, 'cp-cluster-vars.sh'), clusterVars]];
  if (edgeVars !== undefined) files.push([join(opts.dir, 'cp-edge-vars.sh'), edgeVars]);
  const taken = files.find(([path]) => existsSync(path));
  if (taken && !opts.force) {
    process.stderr.write(`${renderMessage({ key: 'cli.plan.exists', params: { path: taken[0] } }, lang)}\n`);
    return EXIT_ERRORS;
  }
  for (const [path, text] of files) {
    try {
      await writeFile(path, text, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? String(e);
      process.stderr.write(`${renderCoreMessage({ key: 'cli.write-failed', params: { path, reason } }, lang)}\n`);
      return EXIT_UNREADABLE;
    }
    process.stderr.write(`${renderMessage({ key: 'cli.plan.written', params: { path } }, lang)}\n`);
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('export-vars')
    .description('write cp-cluster-vars.sh (and cp-edge-vars.sh) for the official scripts')
    .argument('<plan>', 'plan file (YAML)')
    .option('-d, --dir <dir>', 'folder to write the files to', '.')
    .option('-f, --force', 'overwrite existing files, and export a plan with errors')
    .addOption(langOption())
    .action(async (file: string, opts: ExportOptions) => {
      process.exitCode = await exportCommand(file, opts);
    });
}
