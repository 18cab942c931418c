// What changed between the plan a run started with (kept in its journal) and the plan the person has now,
// field by field, so "resume" can say it before it re-runs the old plan, and offer a new run instead.
// Pure. Lists of named things (hosts, auth profiles) are matched by name, so removing the first host reads
// as "hosts[master-1] removed", not as every later host changing.

export interface PlanChange {
  /** Field path, e.g. `bundle.path`, `hosts[worker-1].address`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** Short JSON of the old and new value (absent for added / removed). */
  before?: string;
  after?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const MAX_VALUE = 120;

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function named(list: unknown[]): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== 'string' || out.has(item.name)) return undefined;
    out.set(item.name, item);
  }
  return out;
}

function walk(before: unknown, after: unknown, path: string, out: PlanChange[]): void {
  if (before === undefined && after === undefined) return;
  // A section added or removed reads best as its fields (`bundle.path` added), a list item as itself.
  const expand = (v: unknown) => isObject(v) && !path.endsWith(']') && Object.keys(v).length > 0;
  if (before === undefined) {
    if (expand(after)) for (const [k, v] of Object.entries(after as Record<string, Json>)) walk(undefined, v, path ? `${path}.${k}` : k, out);
    else out.push({ path, kind: 'added', after: show(after) });
    return;
  }
  if (after === undefined) {
    if (expand(before)) for (const [k, v] of Object.entries(before as Record<string, Json>)) walk(v, undefined, path ? `${path}.${k}` : k, out);
    else out.push({ path, kind: 'removed', before: show(before) });
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) walk(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = named(before);
    const b = named(after);
    if (a && b) {
      for (const [name, item] of a) walk(item, b.get(name), `${path}[${name}]`, out);
      for (const [name, item] of b) if (!a.has(name)) walk(undefined, item, `${path}[${name}]`, out);
      return;
    }
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, kind: 'changed', before: show(before), after: show(after) });
}

/** Field-level changes from `before` to `after` (both plain JSON, e.g. parsed plans with defaults filled). */
export function planChanges(before: unknown, after: unknown): PlanChange[] {
  const out: PlanChange[] = [];
  walk(before, after, '', out);
  return out;
}

/** One line per change, for a terminal. */
export function formatPlanChanges(changes: PlanChange[]): string {
  return changes
    .map((c) => (c.kind === 'changed' ? `  ~ ${c.path}: ${c.before} → ${c.after}` : c.kind === 'added' ? `  + ${c.path}: ${c.after}` : `  - ${c.path}: ${c.before}`))
    .join('\n');
}
