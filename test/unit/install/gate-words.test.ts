// security #11: a failed preflight check that stops a run (a wrong sudo password, an unsupported OS) is shown
// in words in both languages, never as `preflight.sudo.rejected (user=…, mode=password)`.
import { describe, expect, it } from 'vitest';
import { coreMessages } from '../../../core/api/messages.js';
import { render } from '../../../core/common/messages.js';
import { gateStep } from '../../../core/install/gate.js';
import { StepError, type StepContext } from '../../../core/install/step.js';
import type { PreflightReport } from '../../../core/preflight/types.js';
import { testPlan } from './helpers.js';

function report(check: { id: string; message: { key: string; params: Record<string, string> } }): PreflightReport {
  const title = { key: `preflight.${check.id}.title` };
  return {
    ok: false,
    startedAt: '',
    durationMs: 0,
    hosts: [{ name: 'master-1', address: '10.0.0.1', checks: [{ id: check.id, status: 'fail', title, message: check.message }] }],
    cross: [],
  } as unknown as PreflightReport;
}

async function stop(r: PreflightReport): Promise<StepError> {
  const ctx = { dryRun: false, plan: testPlan(), options: { overrides: [] }, log: () => undefined, outputs: { set: () => undefined } } as unknown as StepContext;
  const e = await gateStep(testPlan(), async () => r)
    .run(ctx)
    .then(
      () => undefined,
      (x: unknown) => x,
    );
  expect(e).toBeInstanceOf(StepError);
  return e as StepError;
}

describe('security #11: the preflight gate speaks in words', () => {
  it.each([
    ['sudo', { key: 'preflight.sudo.rejected', params: { user: 'ubuntu', mode: 'password' } }, 'ubuntu'],
    ['os', { key: 'preflight.os.fail', params: { os: 'Debian 12', key: 'debian-12', release: 'k-paas-v1.6.2', supported: 'ubuntu-22.04' } }, 'Debian 12'],
  ])('security #11: a failed %s check renders as text in en and ko', async (id, message, shown) => {
    const e = await stop(report({ id, message }));
    for (const lang of ['en', 'ko'] as const) {
      const text = render(coreMessages, lang, e.error);
      expect(text).toContain(shown);
      expect(text).not.toMatch(/preflight\.[a-z]+\.[a-z]+|\{\{|=\w/);
    }
  });
});
