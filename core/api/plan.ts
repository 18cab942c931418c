// The plan facade: what shells may do with plans (new, validate, parse, render, load, save, import and
// export the official scripts' variable files). Shells reach core/plan only through here.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { detectLang, type Lang, type Message } from '../common/messages.js';
import { renderCoreMessage } from './messages.js';
import { InputFileError, PLAN_LIMITS, readInputFile } from './input-files.js';
import type { PlanIssue, ValidationResult } from '../plan/issues.js';
import { scanSecrets } from '../plan/secrets.js';
import { boshFromVarsFile } from '../plan/bosh-vars.js';
import { Plan, MODES, type Mode, type PlanInput } from '../plan/schema.js';
import { validatePlan } from '../plan/validate.js';
import {
  exportVars as exportPlanVars,
  importVars as importPlanVars,
  type ImportOptions,
} from '../plan/vars.js';
import { loadPlanText, newPlanText, planToYaml, savePlan } from '../plan/yaml.js';

export { MODES };
export type { ImportOptions, Lang, Mode, PlanInput, PlanIssue, ValidationResult };

/** A failure with a message key (the service turns it into an ApiError). */
export class PlanError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(renderCoreMessage({ key, params }, 'en'));
    this.name = 'PlanError';
  }
}

export function newPlan(mode: Mode): { plan: PlanInput; yaml: string } {
  const yaml = newPlanText(mode);
  const loaded = loadPlanText(yaml);
  if (!loaded.plan) throw new PlanError('plan.schema.invalid', { field: `examples/plan-${mode}.yaml` });
  return { plan: loaded.plan, yaml };
}

export function validate(plan: unknown): ValidationResult {
  const { valid, errors, warnings } = validatePlan(plan);
  return { valid, errors, warnings };
}

export function parse(yaml: string): { plan?: PlanInput; issues: PlanIssue[]; valid: boolean } {
  const { plan, issues, valid } = loadPlanText(yaml);
  return plan ? { plan, issues, valid } : { issues, valid };
}

function refuseSecrets(plan: unknown): void {
  const [first] = scanSecrets(plan);
  if (first) throw new PlanError(first.key, first.params);
}

/** YAML for a plan; with the previous text, only what changed is written, so comments and key order stay. */
export function toYaml(plan: PlanInput, previousYaml?: string): string {
  refuseSecrets(plan);
  if (previousYaml === undefined || previousYaml.trim() === '') return planToYaml(plan);
  const document = parseDocument(previousYaml);
  if (document.errors.length > 0) return planToYaml(plan);
  return savePlan(document, plan);
}

async function readText(path: string): Promise<string> {
  try {
    // Bounded, regular files only, UTF-8 or refused (security #11).
    return await readInputFile(path, PLAN_LIMITS.maxBytes);
  } catch (e) {
    if (e instanceof InputFileError) throw new PlanError(e.key, e.params);
    throw e;
  }
}

export async function load(
  path: string,
): Promise<{ yaml: string; plan?: PlanInput; issues: PlanIssue[]; valid: boolean }> {
  const yaml = await readText(path);
  return { yaml, ...parse(yaml) };
}

export async function save(
  path: string,
  plan: PlanInput,
  previousYaml?: string,
): Promise<{ path: string; yaml: string }> {
  const yaml = toYaml(plan, previousYaml);
  await writeFile(path, yaml, 'utf8');
  return { path, yaml };
}

export function importVars(
  clusterVars: string,
  edgeVars?: string,
  options: ImportOptions = { env: process.env },
): { plan: PlanInput; yaml: string; issues: PlanIssue[] } {
  const { plan, issues } = importPlanVars(clusterVars, edgeVars, options);
  if (options.boshVars !== undefined) {
    // CaaS on PaaS-TA: the cluster from the scripts' variables, the middleware's settings from the BOSH vars file.
    const b = boshFromVarsFile(options.boshVars);
    Object.assign(plan, { mode: 'caas', bosh: b.bosh });
    issues.push(...b.issues);
  }
  const header = [
    `Imported from the K-PaaS cp-deployment variable files by cp-installer import.`,
    `Check it with \`cp-installer validate\`; passwords are never stored here.`,
  ].join('\n');
  return { plan, yaml: planToYaml(plan, header), issues };
}

/** The official scripts' variable files for a plan; refuses a plan whose structure is not sound. */
export function exportVars(plan: unknown): { clusterVars: string; edgeVars?: string } {
  const parsed = Plan.safeParse(plan);
  if (!parsed.success) throw new PlanError('plan.schema.invalid', { field: 'plan' });
  return exportPlanVars(parsed.data);
}

/** The text of one message in a language (for shells that print, like the CLI). */
export function renderMessage(message: Message, lang: Lang): string {
  return renderCoreMessage(message, lang);
}

/** The person's language from the environment: Korean when LC_ALL / LC_MESSAGES / LANG start with `ko`. */
export function langFromEnv(env: Record<string, string | undefined>): Lang {
  return detectLang(env);
}

/**
 * Where a shell may read and write files by path. Browser mode has no native dialog, so a path arrives as
 * text from the page: only paths under these roots are used (the work folder first, then the folders given
 * with `serve --allow-dir`), plus the one fixed merge target ~/.kube/config. A relative path is taken inside
 * the work folder; `~/` is the user's home. Symbolic links are followed before the check and never written
 * through, so a link inside a root cannot reach outside it.
 */
export interface PathPolicy {
  roots: string[];
  home: string;
}

export type PathUse = 'read' | 'write' | 'merge';

export function browserPathPolicy(workdir: string, allowDirs: readonly string[] = [], home = homedir()): PathPolicy {
  return { roots: [resolve(workdir), ...allowDirs.map((d) => resolve(d))], home };
}

/** `~` and `~/x` as the user's home; anything else unchanged. */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** The real path of `p`, or of its deepest existing ancestor with the rest appended (for a file to create). */
function realish(p: string): string {
  const rest: string[] = [];
  let at = p;
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    rest.unshift(at.slice(up.length).replace(/^\/+/, ''));
    at = up;
  }
  let real: string;
  try {
    real = realpathSync(at);
  } catch {
    real = at;
  }
  return rest.length ? join(real, ...rest) : real;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The absolute path to use for `path`, or a PlanError('plan.path.notAllowed') naming the allowed roots. */
export function allowedPath(policy: PathPolicy, path: string, use: PathUse): string {
  const refuse = () => new PlanError('plan.path.notAllowed', { path: path.slice(0, 300), roots: policy.roots.join(', ') });
  // eslint-disable-next-line no-control-regex
  if (path.trim() === '' || /[\u0000-\u001f\u007f]/.test(path)) throw refuse();
  const [workdir] = policy.roots;
  const expanded = expandHome(path, policy.home);
  const absolute = resolve(workdir ?? policy.home, expanded);
  const real = realish(absolute);
  const mergeTarget = join(policy.home, '.kube', 'config');
  const ok =
    policy.roots.some((r) => inside(realish(r), real)) || (use === 'merge' && (absolute === mergeTarget || real === realish(mergeTarget)));
  if (!ok) throw refuse();
  // A link at the target itself would be followed by a write: refused, whatever it points to.
  if (use !== 'read') {
    try {
      if (lstatSync(absolute).isSymbolicLink()) throw refuse();
    } catch (e) {
      if (e instanceof PlanError) throw e;
    }
  }
  return use === 'read' ? real : absolute;
}

/** The object the API service binds (engine.ts PlanPart). */
export const planFacade = { newPlan, validate, parse, toYaml, load, save, importVars, exportVars };
