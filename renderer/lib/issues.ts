// Validation issues arrive with field paths (`hosts[2].address`); the screens look them up by path.
import type { PlanIssue } from '../../core/api/types.js';

export type IssueIndex = Map<string, PlanIssue[]>;

export function indexIssues(issues: readonly PlanIssue[]): IssueIndex {
  const map: IssueIndex = new Map();
  for (const i of issues) {
    const list = map.get(i.path);
    if (list) list.push(i);
    else map.set(i.path, [i]);
  }
  return map;
}

/** Issues at `path` exactly. */
export function issuesAt(index: IssueIndex, path: string): PlanIssue[] {
  return index.get(path) ?? [];
}

/** Issues at `path` or below it (`hosts[2]` finds `hosts[2].address`). */
export function issuesUnder(index: IssueIndex, path: string): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const [p, list] of index) if (p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) out.push(...list);
  return out;
}

/** Issues whose path no field on screen shows, e.g. '' (the plan) or `hosts` (the list as a whole). */
export function issuesOutside(index: IssueIndex, shown: (path: string) => boolean): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const [p, list] of index) if (!shown(p)) out.push(...list);
  return out;
}
