// `cp-installer validate PLAN [--json] [--lang en|ko]`: prints errors and warnings, each with its field
// path and line; exits 0 (valid), 1 (errors) or 2 (the file cannot be read or is not YAML).
import { Option, type Command } from 'commander';
import { langFromEnv, load, renderMessage, type Lang, type PlanIssue } from '../../core/api/plan.js';

export const EXIT_VALID = 0;
export const EXIT_ERRORS = 1;
export const EXIT_UNREADABLE = 2;

export function langOption(): Option {
  return new Option('--lang <lang>', 'language of messages (default: from LANG/LC_ALL)').choices([
    'en',
    'ko',
  ]);
}

/** --lang when given, else the one language detector (LC_ALL, LC_MESSAGES, LANG). */
export function pickLang(lang: string | undefined): Lang {
  return lang === 'en' || lang === 'ko' ? lang : langFromEnv(process.env);
}

/** `plan.yaml:14:5: error: hosts[2].address: …` — the compiler style editors link to. */
export function formatIssue(file: string, issue: PlanIssue, lang: Lang): string {
  const where = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
  const severity = renderMessage({ key: `cli.plan.${issue.severity}` }, lang);
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}: ${severity}: ${path}${renderMessage(issue, lang)}`;
}

export function issueJson(issue: PlanIssue, lang: Lang): Record<string, unknown> {
  return {
    path: issue.path,
    message: renderMessage(issue, lang),
    key: issue.key,
    params: issue.params ?? {},
    ...(issue.line !== undefined && { line: issue.line, column: issue.column }),
  };
}

export interface ValidateOptions {
  json?: boolean;
  lang?: string;
}

export async function validateCommand(file: string, opts: ValidateOptions): Promise<number> {
  const lang = pickLang(opts.lang);
  let issues: PlanIssue[];
  let readable: boolean;
  try {
    const loaded = await load(file);
    issues = loaded.issues;
    // YAML that does not parse gives no plan to check: that is "unreadable", like a missing file.
    // So is text refused before parsing (too big, too deep, an alias bomb, not UTF-8): every plan.yaml.* key.
    readable = issues.every((i) => !i.key.startsWith('plan.yaml.'));
  } catch (e) {
    const err = e as { key?: string; params?: Record<string, string | number> };
    if (!err.key) throw e;
    issues = [{ severity: 'error', path: '', key: err.key, params: err.params ?? {} }];
    readable = false;
  }
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  if (opts.json) {
    const out = {
      valid: errors.length === 0,
      errors: errors.map((i) => issueJson(i, lang)),
      warnings: warnings.map((i) => issueJson(i, lang)),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const i of [...errors, ...warnings]) process.stdout.write(`${formatIssue(file, i, lang)}\n`);
    const summary =
      errors.length === 0 && warnings.length === 0
        ? renderMessage({ key: 'cli.plan.valid', params: { file } }, lang)
        : renderMessage(
            { key: 'cli.plan.summary', params: { file, errors: errors.length, warnings: warnings.length } },
            lang,
          );
    process.stdout.write(`${summary}\n`);
  }
  if (!readable) return EXIT_UNREADABLE;
  return errors.length > 0 ? EXIT_ERRORS : EXIT_VALID;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a plan file; exit 0 valid, 1 errors, 2 unreadable')
    .argument('<plan>', 'plan file (YAML)')
    .option('--json', 'print {valid, errors, warnings} as JSON')
    .addOption(langOption())
    .action(async (file: string, opts: ValidateOptions) => {
      process.exitCode = await validateCommand(file, opts);
    });
}
