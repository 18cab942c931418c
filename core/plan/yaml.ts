// Plans as YAML files that people edit: loading keeps the yaml Document (comments, key order) so saving
// applies only what changed; every issue points at its line and column where the path exists in the file.
import { readFileSync } from 'node:fs';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { assetPath } from '../common/assets.js';
import type { PlanIssue } from './issues.js';
import { Plan, type Mode } from './schema.js';
import { validatePlan, type ValidateOptions } from './validate.js';

export interface LoadedPlan {
  /** The plan with defaults applied, when it has no structural error (it may still have semantic errors). */
  plan?: Plan;
  document: Document;
  /** Errors and warnings, each with line/column where the path exists in the text. */
  issues: PlanIssue[];
  valid: boolean;
}

/** `hosts[2].address` → `['hosts', 2, 'address']` */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** The offset in the text of a path: the key of a mapping entry, the item of a sequence, or the nearest ancestor. */
export function offsetOf(document: Document, path: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = document.contents;
  let offset = (document.contents as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function yamlIssues(document: Document, lines: LineCounter): PlanIssue[] {
  return document.errors.map((e) => {
    const { line, col } = lines.linePos(e.pos[0]);
    return {
      severity: 'error' as const,
      path: '',
      key: 'plan.yaml.syntax',
      params: { code: e.code, detail: e.message.split('\n')[0] ?? e.code },
      line,
      column: col,
    };
  });
}

export function loadPlanText(text: string, options: ValidateOptions = {}): LoadedPlan {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
  const syntax = yamlIssues(document, lines);
  if (syntax.length > 0) return { document, issues: syntax, valid: false };
  if (document.contents === null) {
    return {
      document,
      issues: [{ severity: 'error', path: '', key: 'plan.yaml.empty', line: 1, column: 1 }],
      valid: false,
    };
  }
  const result = validatePlan(document.toJS(), options);
  const place = (issue: PlanIssue): PlanIssue => {
    const offset = offsetOf(document, parsePath(issue.path));
    if (offset === undefined) return issue;
    const { line, col } = lines.linePos(offset);
    return { ...issue, line, column: col };
  };
  const issues = [...result.errors, ...result.warnings].map(place);
  return result.plan
    ? { plan: result.plan, document, issues, valid: result.valid }
    : { document, issues, valid: false };
}

// ---------------------------------------------------------------------------------------------------------
// Saving: apply the differences between what the document holds and the new plan, path by path.

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** Both sides with defaults applied, so a default the file leaves out is not a change. */
function normal(value: Json): Json {
  const parsed = Plan.safeParse(value);
  return JSON.parse(JSON.stringify(parsed.success ? parsed.data : value)) as Json;
}

function names(list: Json[]): string[] | undefined {
  const out = list.map((x) => (isObject(x) && typeof x.name === 'string' ? x.name : undefined));
  return out.every((n): n is string => n !== undefined) && new Set(out).size === out.length
    ? (out as string[])
    : undefined;
}

/**
 * Removes a list item; a comment above it usually heads the rest of the list ("# workers"), so it moves
 * to the next item rather than going with the removed one.
 */
function removeItem(seq: { items: unknown[] }, index: number): void {
  const [removed] = seq.items.splice(index, 1) as Array<Node | undefined>;
  const next = seq.items[index] as Node | undefined;
  if (removed?.commentBefore && next && !next.commentBefore) {
    next.commentBefore = removed.commentBefore;
    next.spaceBefore = removed.spaceBefore ?? false;
  }
}

/** How the file writes a value it did not have: without the defaults (taken from the compact plan). */
type Fresh = (path: Array<string | number>, value: Json) => Json;

function applyList(
  doc: Document,
  path: Array<string | number>,
  before: Json[],
  after: Json[],
  fresh: Fresh,
): void {
  const seq = doc.getIn(path, true);
  const beforeNames = names(before);
  const afterNames = names(after);
  if (isSeq(seq) && beforeNames && afterNames) {
    // Hosts and auth profiles are matched by name, so removing one keeps the comments of the others.
    const kept = beforeNames.filter((n) => afterNames.includes(n));
    const keptInAfter = afterNames.filter((n) => beforeNames.includes(n));
    if (equal(kept, keptInAfter)) {
      for (let i = before.length - 1; i >= 0; i--) {
        if (!afterNames.includes(beforeNames[i] as string)) removeItem(seq, i);
      }
      const current = before.filter((_, i) => afterNames.includes(beforeNames[i] as string));
      after.forEach((item, i) => {
        const was = current.findIndex((c) => isObject(c) && c.name === afterNames[i]);
        if (was === i) applyValue(doc, [...path, i], current[i], item, fresh);
        else {
          seq.items.splice(i, 0, createNode(doc, fresh([...path, i], item)));
          current.splice(i, 0, item);
        }
      });
      return;
    }
  }
  if (!isSeq(seq)) {
    doc.setIn(path, createNode(doc, fresh(path, after)));
    return;
  }
  const common = Math.min(before.length, after.length);
  for (let i = 0; i < common; i++) applyValue(doc, [...path, i], before[i], after[i], fresh);
  for (let i = before.length; i < after.length; i++)
    seq.items.push(createNode(doc, fresh([...path, i], after[i])));
  if (after.length < before.length) seq.items.splice(after.length);
}

function applyValue(
  doc: Document,
  path: Array<string | number>,
  before: Json,
  after: Json,
  fresh: Fresh,
): void {
  if (equal(before, after)) return;
  if (after === undefined) {
    if (doc.hasIn(path)) doc.deleteIn(path);
    return;
  }
  if (
    isObject(before) &&
    isObject(after) &&
    (path.length === 0 || isMap(doc.getIn(path, true)) || !doc.hasIn(path))
  ) {
    for (const key of Object.keys(after)) applyValue(doc, [...path, key], before[key], after[key], fresh);
    for (const key of Object.keys(before)) {
      if (!(key in after) || after[key] === undefined)
        applyValue(doc, [...path, key], before[key], undefined, fresh);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    applyList(doc, path, before, after, fresh);
    return;
  }
  const value = fresh(path, after);
  doc.setIn(path, isObject(value) || Array.isArray(value) ? createNode(doc, value) : value);
}

function valueAt(root: Json, path: ReadonlyArray<string | number>): Json {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isObject(node) && typeof seg === 'string') node = node[seg];
    else return undefined;
  }
  return node;
}

const TO_STRING = { flowCollectionPadding: false } as const;

/** Short lists of words (roles) read better inline, as the examples write them. */
function inlineWordLists(node: Parameters<typeof visit>[0]): void {
  visit(node, {
    Seq(_, seq) {
      if (seq.items.every((i) => isScalar(i))) seq.flow = true;
    },
  });
}

function createNode(doc: Document, value: Json): Node {
  const node = doc.createNode(value);
  inlineWordLists(node);
  return node;
}

/**
 * Writes `plan` into `document`, changing only the paths whose values differ, so the person's comments,
 * key order and formatting elsewhere survive. Returns the new text.
 */
export function savePlan(document: Document, plan: unknown): string {
  const after = normal(plan);
  const compact = compactPlan(after);
  if (document.contents === null) {
    document.contents = createNode(document, compact);
    return document.toString(TO_STRING);
  }
  // Both sides carry defaults, so a default the file leaves out is equal on both and is not written;
  // new nodes are written from the compact plan, without defaults.
  const fresh: Fresh = (path, value) => valueAt(compact, path) ?? value;
  applyValue(document, [], normal(document.toJS()), after, fresh);
  return document.toString(TO_STRING);
}

/** The commented example plan of a mode (installer-assets/examples/plan-<mode>.yaml). */
export function newPlanText(mode: Mode): string {
  return readFileSync(assetPath('examples', `plan-${mode}.yaml`), 'utf8');
}

export function newPlanDocument(mode: Mode): Document {
  return parseDocument(newPlanText(mode));
}

/** The plan without the values its defaults would give anyway, so a new file shows what was chosen. */
export function compactPlan(plan: unknown): Json {
  const reference = JSON.stringify(normal(plan));
  const result = JSON.parse(JSON.stringify(plan)) as Json;
  const prune = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(prune);
    if (!isObject(node)) return;
    for (const key of Object.keys(node)) {
      const value = node[key];
      delete node[key];
      if (JSON.stringify(normal(result)) === reference) continue;
      node[key] = value;
      prune(value);
    }
  };
  if (Plan.safeParse(plan).success) prune(result);
  return result;
}

/** A new YAML text for a plan that has no file yet (an import, say), with a header comment. */
export function planToYaml(plan: unknown, header?: string): string {
  const document = new Document(compactPlan(plan));
  inlineWordLists(document);
  if (header)
    document.commentBefore = header
      .split('\n')
      .map((l) => ` ${l}`)
      .join('\n');
  return document.toString(TO_STRING);
}
