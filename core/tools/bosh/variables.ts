// Every `((variable))` a deploy needs must come from somewhere before the director sees it: a vars file
// (-l), a -v, a --vars-env variable, or the manifest's own `variables:` section (which the director's config
// server generates). This check runs on the texts of the manifest, the ops files and the vars files, so a
// gap is named before anything is deployed (the real CLI with a config server would only fail on the
// director, after uploading the release). Pure.
import { parse, parseAllDocuments } from 'yaml';

const VAR = /\(\(\s*!?([A-Za-z0-9_./:-]+?)\s*\)\)/g;

/** `((a.b))` is variable `a` (its key `b`); `((!a))` is `a`; `((/path/a))` is an absolute credential. */
export function variablesIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(VAR)) out.add(m[1]!.split('.')[0]!);
  return [...out];
}

function namesOfVariablesSection(doc: unknown): string[] {
  const vars = (doc as { variables?: unknown } | null)?.variables;
  return Array.isArray(vars) ? vars.map((v) => (v as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string') : [];
}

/** Variables an ops file adds to `/variables` (`path: /variables/-`, `value: {name: …}`). */
function namesAddedByOps(text: string): string[] {
  const ops = parse(text) as unknown;
  if (!Array.isArray(ops)) return [];
  const out: string[] = [];
  for (const op of ops as Array<{ type?: string; path?: string; value?: unknown }>) {
    if (op?.type !== 'replace' || typeof op.path !== 'string' || !op.path.startsWith('/variables')) continue;
    const values = Array.isArray(op.value) ? op.value : [op.value];
    for (const v of values) if (typeof (v as { name?: unknown })?.name === 'string') out.push((v as { name: string }).name);
  }
  return out;
}

/** The top-level keys of a vars file. */
export function varsFileKeys(text: string): string[] {
  const docs = parseAllDocuments(text);
  const out: string[] = [];
  for (const d of docs) {
    const v = d.toJS() as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...Object.keys(v));
  }
  return out;
}

export interface VariableSources {
  manifest: string;
  opsFiles: Array<{ path: string; text: string }>;
  varsFiles: Array<{ path: string; text: string }>;
  /** Names given with -v or --vars-env. */
  given: string[];
}

export interface VariableCheck {
  /** Needed and given nowhere, each with where it is used first. */
  missing: Array<{ name: string; usedIn: string }>;
  generated: string[];
}

export function checkVariables(s: VariableSources, manifestPath = 'manifest'): VariableCheck {
  const provided = new Set<string>(s.given);
  for (const f of s.varsFiles) for (const k of varsFileKeys(f.text)) provided.add(k);
  const generated = new Set<string>(namesOfVariablesSection(parse(s.manifest)));
  for (const o of s.opsFiles) for (const n of namesAddedByOps(o.text)) generated.add(n);
  const missing: VariableCheck['missing'] = [];
  const seen = new Set<string>();
  const visit = (text: string, where: string) => {
    for (const name of variablesIn(text)) {
      // An absolute name (`/director/deployment/x`) lives in the config server; it cannot be checked here.
      if (name.startsWith('/') || seen.has(name)) continue;
      seen.add(name);
      if (!provided.has(name) && !generated.has(name)) missing.push({ name, usedIn: where });
    }
  };
  visit(s.manifest, manifestPath);
  for (const o of s.opsFiles) visit(o.text, o.path);
  // A vars file may itself use variables (interpolated in order); those need a source too.
  for (const f of s.varsFiles) visit(f.text, f.path);
  return { missing, generated: [...generated] };
}
