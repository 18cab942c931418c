// What validation finds: each issue names its field path (`hosts[2].address`) and carries a message key
// with parameters; catalogs in messages.ts say what is wrong and what to do, in English and Korean.
import type { Message } from '../common/messages.js';

export type Severity = 'error' | 'warning';

export interface PlanIssue extends Message {
  /** Field path such as `hosts[2].address`; '' for the plan as a whole. */
  path: string;
  severity: Severity;
  /** YAML position, when the issue comes from a file. */
  line?: number;
  column?: number;
}

export interface ValidationResult {
  valid: boolean;
  errors: PlanIssue[];
  warnings: PlanIssue[];
}

/** `['hosts', 2, 'address']` → `hosts[2].address` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
