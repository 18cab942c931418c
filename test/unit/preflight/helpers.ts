import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, type Lang } from '../../../core/common/messages.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { parseFacts } from '../../../core/preflight/facts.js';
import { preflightMessages } from '../../../core/preflight/messages.js';
import type { CheckResult, Facts } from '../../../core/preflight/types.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/facts');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The healthy Ubuntu 22.04 control-plane facts, with overrides. */
export function healthy(over: Partial<Facts> = {}): Facts {
  const facts = parseFacts(fixtureText('ubuntu-2204-healthy.json')).facts;
  return { ...facts, ...over };
}

export function plan(over: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    hosts: [
      { name: 'master1', address: '10.0.0.11', roles: ['control-plane', 'deployer'] },
      { name: 'worker1', address: '10.0.0.21', roles: ['worker'] },
    ],
    auth: [{ name: 'default', method: 'key', keyPath: '/k', sudo: 'nopasswd' }],
    ...over,
  });
}

export function find(results: CheckResult[], id: string): CheckResult {
  const r = results.find((c) => c.id === id);
  if (!r) throw new Error(`no check ${id} in ${results.map((c) => c.id).join(', ')}`);
  return r;
}

/** Renders a result's message and remedy; throws when a key is missing from a catalog or a placeholder is left. */
export function text(r: CheckResult, lang: Lang): string {
  const parts = [r.title, r.message, ...(r.remedy ? [r.remedy] : [])];
  return parts
    .map((m) => {
      if (!(m.key in preflightMessages[lang])) throw new Error(`${lang} catalog lacks ${m.key}`);
      const s = render(preflightMessages, lang, m);
      if (/\{\{\s*\w+\s*\}\}/.test(s)) throw new Error(`${lang} ${m.key} left a placeholder: ${s}`);
      return s;
    })
    .join(' | ');
}
