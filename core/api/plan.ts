// The plan facade: what shells may do with plans (new, validate, parse, render, load, save, import and
// export the official scripts' variable files). Shells reach core/plan only through here.
import { readFile, writeFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { render, type Lang, type Message } from '../common/messages.js';
import { planMessages } from '../plan/messages.js';
import type { PlanIssue, ValidationResult } from '../plan/issues.js';
import { scanSecrets } from '../plan/secrets.js';
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
    super(render(planMessages, 'en', { key, params }));
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
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new PlanError('plan.file.unreadable', {
      path,
      reason: (e as NodeJS.ErrnoException).code ?? String(e),
    });
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
  return render(planMessages, lang, message);
}

/** The person's language from the environment: Korean when LC_ALL / LC_MESSAGES / LANG start with `ko`. */
export function langFromEnv(env: Record<string, string | undefined>): Lang {
  const value = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return value.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** The object the API service binds (engine.ts PlanPart). */
export const planFacade = { newPlan, validate, parse, toYaml, load, save, importVars, exportVars };
