// The gate before anything changes on a host: a failed preflight check stops the run unless the user
// overrode that check by id. Pure, so the rule is tested without hosts.
import type { PreflightReport } from '../../preflight/types.js';

export interface Blocker {
  host: string;
  check: string;
  /** The check's message key and params, for the user. */
  detail: string;
}

export function blockers(report: PreflightReport, overrides: readonly string[]): Blocker[] {
  const over = new Set(overrides);
  const out: Blocker[] = [];
  for (const h of report.hosts) {
    if (h.error) out.push({ host: h.name, check: 'reachable', detail: `${h.error.kind}: ${h.error.key}` });
    for (const c of h.checks) {
      if (c.status === 'fail' && !over.has(c.id)) out.push({ host: h.name, check: c.id, detail: describe(c.message) });
    }
  }
  for (const c of report.cross) {
    if (c.status === 'fail' && !over.has(c.id)) out.push({ host: c.hosts.join(', '), check: c.id, detail: describe(c.message) });
  }
  return out;
}

function describe(m: { key: string; params?: Record<string, string | number> }): string {
  const params = Object.entries(m.params ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return params ? `${m.key} (${params})` : m.key;
}
