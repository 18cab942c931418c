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

function yamlIssues(document: Document, lines: LineCounter, text: string): PlanIssue[] {
  return document.errors.map((e) => {
    const { line, col } = lines.linePos(e.pos[0]);
    if (e.code === 'DUPLICATE_KEY') {
      const key = (text.slice(e.pos[0]).split('\n')[0] ?? '').split(':')[0]?.trim().slice(0, 80) ?? '';
      return issueAt('plan.yaml.duplicateKey', { key, line }, line, col);
    }
    if (e.code === 'RESOURCE_EXHAUSTION') return issueAt('plan.yaml.tooDeep', { max: PLAN_LIMITS.maxDepth, line }, line, col);
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

/**
 * Bounds on a plan's text (security #11): a plan for hundreds of hosts is tens of KB and a handful of levels
 * deep; anything past these is refused with a message before the YAML parser spends time or memory on it.
 */
export const PLAN_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 } as const;

function issueAt(key: string, params: Record<string, string | number>, line = 1, column = 1): PlanIssue {
  return { severity: 'error', path: '', key, params, line, column };
}

/** Line and column (1-based) of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The first place the text nests deeper than `max`: flow brackets outside quotes and comments, and block
 * indentation (spaces and `- `/`? ` indicators before a line's content). A guess on the safe side, made
 * before parsing because the parser recurses: 500,000 `[` take it ten seconds to refuse.
 */
export function tooDeepAt(text: string, max: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      comment = false;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (comment) continue;
    if (lineStart) {
      if (c === ' ' || ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n'))) {
        indent++;
        if (indent > max * 2 + 8) return i;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) comment = true;
    else if (c === '[' || c === '{') {
      if (++depth > max) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** What makes a text no plan at all before YAML is parsed: size, encoding, nesting. */
function textIssues(text: string): PlanIssue[] {
  const size = Buffer.byteLength(text);
  if (size > PLAN_LIMITS.maxBytes) return [issueAt('plan.yaml.tooBig', { size, max: PLAN_LIMITS.maxBytes })];
  // A reader that decoded bytes that are not UTF-8 leaves U+FFFD where they were.
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    const { line, column } = position(text, bad);
    return [issueAt('plan.yaml.notUtf8', { line, column }, line, column)];
  }
  const deep = tooDeepAt(text, PLAN_LIMITS.maxDepth);
  if (deep !== undefined) {
    const { line, column } = position(text, deep);
    return [issueAt('plan.yaml.tooDeep', { max: PLAN_LIMITS.maxDepth, line }, line, column)];
  }
  return [];
}

export function loadPlanText(text: string, options: ValidateOptions = {}): LoadedPlan {
  const refused = textIssues(text);
  if (refused.length > 0) return { document: new Document(null), issues: refused, valid: false };
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
  const syntax = yamlIssues(document, lines, text);
  if (syntax.length > 0) return { document, issues: syntax, valid: false };
  if (document.contents === null) {
    return {
      document,
      issues: [{ severity: 'error', path: '', key: 'plan.yaml.empty', line: 1, column: 1 }],
      valid: false,
    };
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: PLAN_LIMITS.maxAliasCount });
  } catch (e) {
    // The yaml library refuses an alias bomb with a ReferenceError; anything else it throws is the same
    // kind of answer: this text is no plan.
    const key = e instanceof ReferenceError ? 'plan.yaml.aliases' : 'plan.yaml.syntax';
    const params: Record<string, string | number> =
      key === 'plan.yaml.aliases' ? { max: PLAN_LIMITS.maxAliasCount } : { code: 'TO_JS', detail: e instanceof Error ? e.message : String(e) };
    return { document, issues: [issueAt(key, params)], valid: false };
  }
  const result = validatePlan(data, options);
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
  const result = JSON.parse(JSON.stringify(plan)) as Json;
  if (!Plan.safeParse(plan).success || !isObject(result)) return result;
  // Defaults are per field, so whether a key inside one list item is a default can be decided on a plan
  // holding that item alone: a thousand hosts cost a thousand small checks, not a million big ones.
  const prune = (root: Record<string, Json>, node: Json): void => {
    const reference = JSON.stringify(normal(root));
    const walk = (n: Json, top: boolean): void => {
      if (Array.isArray(n)) return n.forEach((x) => walk(x, false));
      if (!isObject(n)) return;
      for (const key of Object.keys(n)) {
        const value = n[key];
        delete n[key];
        if (JSON.stringify(normal(root)) === reference) continue;
        n[key] = value;
        if (top && Array.isArray(value) && value.length > 1) {
          for (const item of value) prune({ ...root, [key]: [item] }, item);
        } else walk(value, false);
      }
    };
    walk(node, node === root);
  };
  prune(result, result);
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
