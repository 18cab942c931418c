// The CaaS part of Settings on the real store with a scripted window.installer: the six secrets go to the
// engine through secrets.set (never into the plan), Settings lets a caas plan on only after a check of
// these very settings and secrets found nothing failing, and an edit after the check makes it stale.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ArgsOf, CheckResult, CommandName, InstallerApi, PlanInput, ResultOf } from '../../../core/api/types.js';
import { setApi } from '../../../renderer/api.js';
import { useStore } from '../../../renderer/store/index.js';
import { blockerFor } from '../../../renderer/store/wizard.js';
import { CAAS_SECRETS } from '../../../renderer/store/caas.js';
import { setSetting } from '../../../renderer/lib/plan-edit.js';

type Answers = { [C in CommandName]?: (args: ArgsOf<C>) => ResultOf<C> };
function scripted(answers: Answers): InstallerApi & { calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    async invoke(command, args) {
      calls.push([command, args]);
      const a = answers[command] as ((x: unknown) => unknown) | undefined;
      if (!a) throw Object.assign(new Error('no'), { key: 'test.unanswered', params: { command } });
      return a(args) as never;
    },
    on: () => () => undefined,
  };
}

const plan: PlanInput = {
  apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'caas', release: 'paasta-v1.0',
  hosts: [{ name: 'm', address: '10.0.0.11', roles: ['control-plane', 'worker'] }, { name: 'inception', address: '10.0.0.5', roles: ['jumpbox'] }],
  auth: [],
  bosh: { directorAddress: '10.0.0.6' },
  paasta: { cfApi: 'https://api.sys.x', uaaUrl: 'https://uaa.sys.x' },
} as PlanInput;
const info = {
  modes: [
    { name: 'standalone', sections: ['podNetwork'] },
    { name: 'caas', sections: ['podNetwork', 'bosh', 'paasta'] },
  ],
} as unknown as ReturnType<typeof useStore.getState>['info'];
const pass = (id: string): CheckResult => ({ id, status: 'pass', title: { key: 't' }, message: { key: 'm' } });
const initial = useStore.getState();
beforeEach(() => useStore.setState(initial, true));

describe('CaaS settings', () => {
  it('asks for the six secrets (not the bearer token: the run makes it), then for a check, then lets on; an edit makes the check stale', async () => {
    let verdict: CheckResult[] = [pass('caas.director'), { ...pass('caas.cf'), status: 'fail' }];
    const api = scripted({
      'secrets.set': () => ({ remembered: false }),
      'caas.check': () => ({ host: 'inception', checks: verdict }),
    });
    setApi(api);
    useStore.setState({ plan, info, validation: { valid: true, errors: [], warnings: [] } as never });
    const s = () => useStore.getState();
    expect(blockerFor(s(), 'settings')).toMatchObject({ key: 'ui.block.caasSecrets', params: { count: 6 }, nested: { first: { key: 'ui.caas.secret.boshClientSecret' } } });

    for (const k of [...CAAS_SECRETS.bosh, ...CAAS_SECRETS.paasta]) s().setServiceSecret(k, `${k}-value`);
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.caasCheck' });

    await s().runCaasCheck();
    // The secrets went to the engine before the check, as one secrets.set; the plan sent carries none.
    expect(api.calls.map((c) => c[0])).toEqual(['secrets.set', 'caas.check']);
    expect((api.calls[0]![1] as { service: Record<string, string> }).service.caasClientSecret).toBe('caasClientSecret-value');
    expect((api.calls[0]![1] as { service: Record<string, string> }).service.k8sBearerToken).toBeUndefined();
    expect(JSON.stringify(api.calls[1]![1])).not.toContain('-value');
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.caasFailed', params: { checks: 'caas.cf' } });

    verdict = [pass('caas.director'), pass('caas.cf')];
    await s().runCaasCheck();
    expect(blockerFor(s(), 'settings')).toBeNull();

    // Another director, or another secret, and the check no longer speaks for the settings.
    useStore.setState({ plan: setSetting(plan, 'bosh', 'directorAddress', '10.0.0.7') });
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.caasCheck' });
    useStore.setState({ plan });
    expect(blockerFor(s(), 'settings')).toBeNull();
    s().setServiceSecret('cfAdminPassword', 'another');
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.caasCheck' });
  });

  it('other modes are not held by it', () => {
    useStore.setState({ plan: { ...plan, mode: 'standalone' }, info, validation: { valid: true, errors: [], warnings: [] } as never });
    expect(blockerFor(useStore.getState(), 'settings')).toBeNull();
  });
});
