// Settings for the 2021 standalone's `bosh` section (release paasta-v1.0): the CaaS Settings' director section
// and its check, without PaaS-TA, once the person chooses the BOSH middleware. On the real store with a
// scripted window.installer (as test/unit/renderer/caas-settings.test.ts does for caas), and the section's
// markup rendered from that store (react-dom/server), in en and ko.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import type { ArgsOf, CheckResult, CommandName, InstallerApi, PlanInput, ResultOf } from '../../../core/api/types.js';
import { setApi } from '../../../renderer/api.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { BoshSettings } from '../../../renderer/screens/caas-settings.js';
import { useStore } from '../../../renderer/store/index.js';
import { blockerFor } from '../../../renderer/store/wizard.js';
import { boshInUse, boshShape } from '../../../renderer/store/caas.js';
import { setSetting } from '../../../renderer/lib/plan-edit.js';

// A server render reads a store's server snapshot, which zustand takes from the state the store was made with;
// here the renderer's store answers it with its state as the test set it.
vi.mock('zustand', async (importOriginal) => (await import('../../support/zustand-server-render.js')).liveServerSnapshot(importOriginal));

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

const base: PlanInput = {
  apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'paasta-v1.0',
  hosts: [{ name: 'm', address: '10.0.0.11', roles: ['control-plane', 'worker', 'etcd'] }, { name: 'inception', address: '10.0.0.5', roles: ['jumpbox'] }],
  auth: [],
} as PlanInput;
// What app.info says: the standalone lists the bosh section; only paasta-v1.0's middleware is BOSH's.
const info = {
  modes: [
    { name: 'standalone', sections: ['podNetwork', 'bundle', 'bosh'] },
    { name: 'caas', sections: ['podNetwork', 'bosh', 'paasta'] },
  ],
  releases: [
    { name: 'k-paas-v1.6.2', title: 'K-PaaS v1.6.2', kubernetes: '1.33.5' },
    { name: 'paasta-v1.0', title: 'PaaS-TA Container Platform v1.0 (2021)', kubernetes: '1.18.6', bosh: true },
  ],
} as unknown as ReturnType<typeof useStore.getState>['info'];
const pass = (id: string): CheckResult => ({ id, status: 'pass', title: { key: 't' }, message: { key: 'm' } });
const initial = useStore.getState();
beforeEach(() => useStore.setState(initial, true));
const s = () => useStore.getState();

function markup(lang: 'en' | 'ko'): string {
  return renderToStaticMarkup(
    <I18nextProvider i18n={createI18n(lang)}>
      <BoshSettings />
    </I18nextProvider>,
  );
}

describe('the 2021 standalone\'s BOSH settings', () => {
  it('offer the BOSH middleware only for a release whose middleware is BOSH\'s; choosing it shows the director section and its check, no PaaS-TA', () => {
    useStore.setState({ plan: base, info, validation: { valid: true, errors: [], warnings: [] } as never });
    expect(boshShape(s())).toBe('optional');
    expect(boshInUse(s())).toBe(false);
    let html = markup('en');
    expect(html).toContain('data-testid="setting-bosh.enabled"');
    expect(html).toContain('BOSH middleware (2021)');
    expect(html).not.toContain('data-testid="caas-bosh"');
    expect(html).not.toContain('caas-check-run');
    // Nothing holds Settings while the middleware is not chosen.
    expect(blockerFor(s(), 'settings')).toBeNull();

    // Chosen: the plan gets its bosh section, and the director's fields, its two secrets and the check appear.
    s().edit((p) => ({ ...p, bosh: { iaas: 'aws' } as PlanInput['bosh'] }));
    expect(boshInUse(s())).toBe(true);
    html = markup('en');
    expect(html).toContain('data-testid="caas-bosh"');
    expect(html).toContain('data-testid="setting-bosh.directorAddress"');
    expect(html).toContain('data-testid="caas-secret-boshClientSecret"');
    expect(html).toContain('data-testid="caas-secret-mariadbPassword"');
    expect(html).not.toContain('caas-secret-cfAdminPassword');
    expect(html).not.toContain('data-testid="caas-paasta"');
    expect(html).toContain('Check the BOSH director');
    expect(html).not.toContain('PaaS-TA (');
    const ko = markup('ko');
    expect(ko).toContain('BOSH 디렉터 확인');
    expect(ko).toContain('BOSH 미들웨어(2021)');

    // Another release (v1.6: the portal, no BOSH) or the toggle off: no director settings at all.
    useStore.setState({ plan: { ...s().plan!, release: 'k-paas-v1.6.2' } });
    expect(boshShape(s())).toBe('none');
    expect(markup('en')).toBe('');
  });

  it('asks for the director\'s two secrets only, then for a passing check of the director; an edit makes it stale', async () => {
    let verdict: CheckResult[] = [pass('caas.tools'), { ...pass('caas.director'), status: 'fail' }];
    const api = scripted({
      'secrets.set': () => ({ remembered: false }),
      'caas.check': () => ({ host: 'inception', checks: verdict }),
    });
    setApi(api);
    const plan = { ...base, bosh: { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120' } } as PlanInput;
    useStore.setState({ plan, info, validation: { valid: true, errors: [], warnings: [] } as never });
    expect(blockerFor(s(), 'settings')).toMatchObject({ key: 'ui.block.boshSecrets', params: { count: 2 }, nested: { first: { key: 'ui.caas.secret.boshClientSecret' } } });
    s().setServiceSecret('boshClientSecret', 'bosh-value');
    s().setServiceSecret('mariadbPassword', 'maria-value');
    // No CF or UAA secret is wanted: the check is next.
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.boshCheck' });

    await s().runCaasCheck();
    expect(api.calls.map((c) => c[0])).toEqual(['secrets.set', 'caas.check']);
    expect(JSON.stringify(api.calls[1]![1])).not.toContain('-value');
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.boshFailed', params: { checks: 'caas.director' } });
    verdict = [pass('caas.tools'), pass('caas.director'), pass('caas.cf'), pass('caas.uaa')];
    await s().runCaasCheck();
    expect(blockerFor(s(), 'settings')).toBeNull();

    useStore.setState({ plan: setSetting(plan, 'bosh', 'directorAddress', '10.0.0.7') });
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.boshCheck' });
    // The middleware unchosen: nothing holds Settings any more.
    const { bosh: _b, ...without } = plan;
    useStore.setState({ plan: without as PlanInput });
    expect(blockerFor(s(), 'settings')).toBeNull();
  });

  it('every new text is there in en and ko', () => {
    for (const lang of ['en', 'ko'] as const) {
      const t = createI18n(lang).t;
      for (const key of ['ui.set.boshMiddleware', 'ui.set.boshMiddleware.intro', 'ui.set.boshMiddleware.enabled', 'ui.set.boshMiddleware.enabled.help', 'ui.caas.check.titleBosh', 'ui.caas.check.leadBosh', 'ui.block.boshCheck', 'ui.block.boshFailed', 'ui.block.boshSecrets'])
        expect(t(key, { defaultValue: '' }), `${lang} ${key}`).not.toBe('');
    }
  });
});
