import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planMessages } from '../../../core/plan/messages.js';
import { inputMessages } from '../../../core/plan/input-messages.js';

const placeholders = (t: string): string[] =>
  [...new Set([...t.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string))].sort();

function sources(dir: string): string[] {
  return readdirSync(new URL(dir, import.meta.url))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(new URL(`${dir}${f}`, import.meta.url), 'utf8'));
}

describe('plan messages', () => {
  it('has the same keys in English and Korean', () => {
    expect(Object.keys(planMessages.ko).sort()).toEqual(Object.keys(planMessages.en).sort());
  });

  it('uses the same placeholders in both languages, and real Korean', () => {
    for (const [key, en] of Object.entries(planMessages.en)) {
      const ko = planMessages.ko[key] ?? '';
      expect([key, placeholders(ko)]).toEqual([key, placeholders(en)]);
      if (!key.startsWith('cli.plan.')) expect(ko, key).toMatch(/[가-힣]/);
    }
  });

  it('has a message for every key the plan code and the CLI use', () => {
    const code = [...sources('../../../core/plan/'), ...sources('../../../cli/commands/')].join('\n');
    const used = new Set(
      [...code.matchAll(/'((?:plan|cli\.plan)\.[A-Za-z]+(?:\.[A-Za-z]+)*)'/g)].map((m) => m[1] as string),
    );
    // Severity labels are looked up as `cli.plan.${severity}`.
    used.add('cli.plan.error').add('cli.plan.warning');
    // Messages about the input files themselves (sizes, encodings, shell constructs) have their own catalog.
    const known = new Set([...Object.keys(planMessages.en), ...Object.keys(inputMessages.en)]);
    const unknown = [...used].filter((k) => !known.has(k) && !k.endsWith('.yaml') && !k.endsWith('.ts'));
    expect(unknown).toEqual([]);
  });
});
