// Small helpers for writing YAML by hand: the inventory and group_vars are written as text (not serialized
// objects) so they keep their comments and read like Kubespray's own samples, yet every value that comes
// from the plan is quoted exactly when YAML would otherwise misread it (a host named `yes`, a version `1.30`).
import { parse } from 'yaml';

const PLAIN = /^[A-Za-z0-9_./@+-][A-Za-z0-9_./@+:-]*$/;

/** A YAML scalar that reads back as exactly this string (or number/boolean as given). */
export function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !value.includes(': ') && !value.endsWith(':')) {
    try {
      if (parse(value) === value) return value;
    } catch {
      // not plain-safe; quote it below
    }
  }
  // JSON's double-quoted strings are YAML double-quoted scalars.
  return JSON.stringify(value);
}

/** A mapping key, quoted when needed (inventory host names come from the plan). */
export function key(name: string): string {
  return scalar(name);
}

/** `- item` lines at an indent. */
export function list(items: ReadonlyArray<string | number>, indent: string): string[] {
  return items.map((i) => `${indent}- ${scalar(i)}`);
}

/** Text safe inside a `#` comment: a line break in a plan value would otherwise end the comment. */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}
