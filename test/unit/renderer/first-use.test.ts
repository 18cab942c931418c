// Pure parts of the wizard a first-time user meets: no example values in a new plan, placeholders that fit
// the hosts' network, readable field paths, the engine's log lines and dates in the person's language, and
// what a reload keeps (the plan, never a secret).
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../renderer/i18n/index.js';
import { hostsNetPrefix, withoutExamples } from '../../../renderer/lib/plan-edit.js';
import { readablePath } from '../../../renderer/lib/paths.js';
import { localizeLine } from '../../../renderer/lib/log-lines.js';
import { snapshot } from '../../../renderer/store/persist.js';
import { formatWhen } from '../../../renderer/components/resume-banner.js';
import { newPlan } from '../../../core/api/plan.js';
import type { PlanInput } from '../../../core/api/types.js';

describe('a new plan', () => {
  it('starts without the example\'s hosts and addresses, which become placeholders', () => {
    for (const mode of ['standalone', 'edge', 'expand-edge'] as const) {
      const { plan, examples } = withoutExamples(newPlan(mode).plan);
      expect(plan.hosts).toEqual([]);
      const text = JSON.stringify(plan);
      expect(text).not.toMatch(/192\.168\.0\.|203\.0\.113\.|198\.51\.100\./);
      expect(Object.keys(examples).length).toBeGreaterThan(0);
    }
    const { examples } = withoutExamples(newPlan('standalone').plan);
    expect(examples['network.metallbRange']).toBe('192.168.0.150-192.168.0.160');
  });
  it('offers placeholders in the hosts\' own network', () => {
    expect(hostsNetPrefix({ hosts: [{ name: 'a', address: '10.252.0.11', roles: ['control-plane'] }] } as PlanInput)).toBe('10.252.0');
    expect(hostsNetPrefix({ hosts: [] } as unknown as PlanInput)).toBeUndefined();
  });
});

describe('readable paths', () => {
  it('counts host rows from 1, as the table does, and names the host', () => {
    const plan = { hosts: [{ name: 'master-1', address: '', roles: [] }, { name: 'worker-1', address: '', roles: [] }] } as unknown as PlanInput;
    expect(readablePath('hosts[1].address', plan, 'row')).toBe('hosts row 2 (worker-1) › address');
    expect(readablePath('network.metallbRange', plan, 'row')).toBe('network › metallbRange');
  });
});

describe('the engine\'s log lines and dates in Korean', () => {
  it('translates the retry line', () => {
    const i18n = createI18n('ko');
    const t = (k: string, p?: Record<string, string | number>) => i18n.t(k, { ...p });
    const l = localizeLine({ seq: 1, stepId: 'storage', stream: 'info', line: 'attempt 1 of 2 failed (exit 1); retrying in 5000 ms' }, t);
    expect(l.line).toBe('2번 중 1번째 시도 실패(exit 1). 5초 뒤 다시 시도합니다');
    const out = { seq: 2, stepId: 's', stream: 'stdout' as const, line: 'attempt 1 of 2 failed (x); retrying in 1 ms' };
    expect(localizeLine(out, t)).toBe(out);
  });
  it('writes a date the Korean way', () => {
    expect(formatWhen('2026-12-06T04:29:00Z', 'ko')).toMatch(/^2026\. 12\. 6\./);
    expect(formatWhen('2026-12-06T04:29:00Z', 'en')).toMatch(/6 Dec 2026/);
  });
});

describe('what a reload keeps', () => {
  it('is the plan and the screen, never a secret', () => {
    const saved = snapshot({ plan: newPlan('standalone').plan, planYaml: 'x: 1', step: 'credentials', examples: {} } as never);
    const text = JSON.stringify(saved);
    expect(saved?.step).toBe('credentials');
    expect(text).not.toMatch(/password"?\s*:\s*"[^"]/i);
    expect(snapshot({ step: 'mode', examples: {} } as never)).toBeUndefined();
  });
});
