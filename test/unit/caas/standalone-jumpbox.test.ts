// The jump box's checks for the 2021 standalone with BOSH middleware (a plan with `bosh` and no `paasta`): the
// BOSH checks as for CaaS, no cf or uaac wanted or run, CF and UAA listed as skipped with the reason; which plans
// get the checks at all; and the shared middleware steps' own words, which no longer speak of CaaS.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { render, type Message } from '../../../core/common/messages.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { modeMessages } from '../../../core/modes/profiles.js';
import { gatherCaasFacts, jumpboxChecksApply, type Exec } from '../../../core/modes/caas/checks.js';
import { boshMiddlewareSteps } from '../../../core/modes/bosh-middleware.js';
import { standaloneBoshSteps } from '../../../core/modes/standalone/bosh-middleware.js';
import { StepError } from '../../../core/install/step.js';
import { caasChecks, type CaasFacts } from '../../../core/preflight/checks/caas.js';
import type { ExecOptions, ExecResult } from '../../../core/ssh/types.js';
import { caasPlan } from './fixtures.js';

function standalonePlan(over: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'paasta-v1.0',
    hosts: [
      { name: 'master-1', address: '10.0.0.11', roles: ['control-plane', 'etcd', 'worker'] },
      { name: 'inception', address: '10.0.1.5', roles: ['jumpbox'] },
    ],
    bosh: { directorAddress: '10.0.1.6', haproxyAddress: '15.164.15.53' },
    bundle: { path: '/tmp/bundle' },
    ...over,
  } as PlanInput);
}

const CLOUD = 'azs:\n- name: z5\n- name: z7\nvm_types:\n- name: small\ndisk_types:\n- name: 10GB\nnetworks:\n- name: default\n- name: vip\n';
const text = (m: Message | undefined, lang: 'en' | 'ko' = 'en') => (m ? render(modeMessages, lang, m) : '');

function jumpbox(answer: (command: string, stdin: string) => Partial<ExecResult>): { exec: Exec; calls: string[] } {
  const calls: string[] = [];
  const exec: Exec = async (command: string, options?: ExecOptions) => {
    calls.push(command);
    return { code: 0, stdout: '', stderr: '', ...answer(command, String(options?.stdin ?? '')) } as ExecResult;
  };
  return { exec, calls };
}

describe('jump-box checks without PaaS-TA (the 2021 standalone)', () => {
  it('which plans get them: caas with both sections; a standalone with bosh on a BOSH release; nothing else', () => {
    const v10 = findRelease('paasta-v1.0');
    expect(jumpboxChecksApply(caasPlan(), v10)).toBe(true);
    expect(jumpboxChecksApply(standalonePlan(), v10)).toBe(true);
    // Without the bosh section, or on a release whose middleware is not BOSH's, or with no jump box: none.
    const { bosh: _b, ...noBosh } = standalonePlan();
    expect(jumpboxChecksApply(noBosh as Plan, v10)).toBe(false);
    expect(jumpboxChecksApply(standalonePlan(), findRelease('k-paas-v1.6.2'))).toBe(false);
    expect(jumpboxChecksApply(standalonePlan({ hosts: [{ name: 'master-1', address: '10.0.0.11', roles: ['control-plane', 'etcd', 'worker'] }] } as Partial<PlanInput>), v10)).toBe(false);
  });

  it('gathers bosh only: no cf or uaac is run and their secrets are not wanted', async () => {
    const { exec, calls } = jumpbox((c, stdin) => {
      // The inception VM of the spray guide has bosh and nothing of PaaS-TA.
      if (c.includes('command -v')) return { stdout: 'tool bosh\nok director\nok host:master-1\n' };
      if (c.includes('bosh environment')) return stdin.includes('bosh-S3cret') ? { stdout: '{"Tables":[{"Rows":[{"uuid":"u"}]}]}' } : { code: 1, stderr: '401' };
      if (c.includes('bosh stemcells')) return { stdout: '{"Tables":[{"Rows":[{"os":"ubuntu-xenial","version":"621.94"}]}]}' };
      if (c.includes('bosh cloud-config')) return { stdout: CLOUD };
      return {};
    });
    const facts = await gatherCaasFacts(standalonePlan(), exec, { boshClientSecret: Secret.of('bosh-S3cret', 'bosh') });
    expect(facts.missingSecrets).toEqual([]);
    expect(facts.director).toEqual({ ok: true });
    expect(facts.cfApi).toBeUndefined();
    expect(facts.uaaTarget).toBeUndefined();
    // After the one probe of the CLIs and ports: bosh environment, stemcells, cloud-config, and nothing else.
    expect(calls[0]).toContain('command -v');
    expect(calls.slice(1).map((c) => /bosh (environment|stemcells|cloud-config)/.exec(c)?.[1] ?? c)).toEqual(['environment', 'stemcells', 'cloud-config']);

    const checks = caasChecks(standalonePlan(), facts);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['caas.tools', 'pass'], ['caas.director', 'pass'], ['caas.stemcell', 'pass'], ['caas.cloudConfig', 'pass'],
      ['caas.cf', 'pass'], ['caas.uaa', 'pass'], ['caas.hosts', 'pass'],
    ]);
    // The tools check asks for bosh only; CF and UAA say why they were skipped, in both languages.
    expect(text(checks[0]!.title)).toBe('The bosh CLI on the jump box');
    for (const id of ['caas.cf', 'caas.uaa']) {
      const c = checks.find((x) => x.id === id)!;
      expect(c.message.key).toBe('preflight.caas.noPaasta');
      expect(text(c.message)).toMatch(/^Skipped: this plan has no PaaS-TA section/);
      expect(text(c.message, 'ko')).toMatch(/^건너뜀/);
      expect(text(c.title)).not.toMatch(/\{\{|undefined/);
    }
  });

  it('a missing bosh fails with a remedy that names only bosh; a missing cf or uaac is no matter', () => {
    const facts: CaasFacts = { tools: { bosh: false, cf: false, uaac: false }, hosts: [], missingSecrets: [] };
    const checks = caasChecks(standalonePlan(), facts);
    const tools = checks.find((c) => c.id === 'caas.tools')!;
    expect(tools.status).toBe('fail');
    expect(text(tools.message)).toBe('Missing: bosh.');
    expect(text(tools.remedy)).toContain('BOSH CLI');
    expect(text(tools.remedy)).not.toMatch(/cf|uaac/);
    expect(checks.find((c) => c.id === 'caas.director')!.message.key).toBe('preflight.caas.notTried.noCli');
    // The same facts for a caas plan: cf and uaac are wanted there.
    expect(text(caasChecks(caasPlan(), facts).find((c) => c.id === 'caas.tools')!.message)).toBe('Missing: bosh, cf, uaac.');
  });

  it('without the director secret it logs in nowhere and names only that secret', async () => {
    const { exec, calls } = jumpbox((c) => (c.includes('command -v') ? { stdout: 'tool bosh\n' } : {}));
    const facts = await gatherCaasFacts(standalonePlan(), exec, {});
    expect(facts.missingSecrets).toEqual(['boshClientSecret']);
    expect(calls.some((c) => /bosh environment/.test(c))).toBe(false);
    expect(caasChecks(standalonePlan(), facts).find((c) => c.id === 'caas.director')!.message.key).toBe('preflight.caas.notTried.noSecret');
  });
});

describe('the shared middleware steps say nothing of CaaS', () => {
  it('the 2021 standalone\'s step titles, in en and ko, and its incomplete-plan error', () => {
    const plan = standalonePlan();
    const steps = standaloneBoshSteps(plan, plan.hosts[0]!, { start: [], cluster: [] });
    for (const s of steps) for (const lang of ['en', 'ko'] as const) {
      const t = text(s.title, lang);
      expect(t, s.id).not.toMatch(/caas|\{\{/i);
      expect(t, s.id).not.toBe(s.title.key);
    }
    // A plan without a jump box: the error speaks of BOSH middleware, not of a caas plan.
    const noJump = standalonePlan({ hosts: [{ name: 'master-1', address: '10.0.0.11', roles: ['control-plane', 'etcd', 'worker'] }] } as Partial<PlanInput>);
    let err: unknown;
    try {
      boshMiddlewareSteps(noJump, { px: 'bosh', needs: { start: [], cluster: [] }, tools: ['bosh'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).error.key).toBe('mode.caas.bosh-incomplete');
    for (const lang of ['en', 'ko'] as const) expect(text({ key: 'mode.caas.bosh-incomplete' }, lang)).not.toMatch(/caas|CaaS|paasta/);
  });

  it('the stemcell the bundle brings is "uploaded by the run\'s first BOSH step", in both languages', () => {
    const facts: CaasFacts = { tools: { bosh: true, cf: true, uaac: true }, director: { ok: true }, stemcells: [], bundleStemcell: true, cloudConfig: CLOUD, missingSecrets: [] };
    const stem = caasChecks(standalonePlan(), facts).find((c) => c.id === 'caas.stemcell')!;
    expect(text(stem.message)).toContain("the run's first BOSH step");
    expect(text(stem.message, 'ko')).toContain('첫 BOSH 단계');
  });
});
