// A site registry that needs a login to push (plan registry.user): Settings asks for the user beside the registry's
// address and for its password as a secret of the session (never in the plan), and Next waits for that password.
// The user must be one a registry login can carry. Screens rendered from the real store (react-dom/server).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import type { ReactElement } from 'react';
import type { PlanInput } from '../../../core/api/types.js';
import { modeInfos } from '../../../core/api/modes.js';
import { secretsNeeded } from '../../../core/api/preflight.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { Plan } from '../../../core/plan/schema.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { SettingsScreen } from '../../../renderer/screens/settings.js';
import { useStore } from '../../../renderer/store/index.js';
import { blockerFor } from '../../../renderer/store/wizard.js';

// As in the other Settings tests: a server render reads the store's state as the test set it.
vi.mock('zustand', async (importOriginal) => (await import('../../support/zustand-server-render.js')).liveServerSnapshot(importOriginal));

const plan = (registry?: PlanInput['registry']): PlanInput =>
  ({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    hosts: [
      { name: 'master-1', address: '10.0.0.11', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.21', roles: ['worker'] },
    ],
    auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_ed25519', user: 'ubuntu' }],
    storage: { type: 'nfs', nfs: { server: '10.0.0.11' } },
    portal: { enabled: false },
    ...(registry ? { registry } : {}),
  }) as PlanInput;
const info = {
  modes: modeInfos(['standalone']),
  releases: [{ name: 'k-paas-v1.6.2', title: 'K-PaaS v1.6.2', kubernetes: '1.33.5', kubeedge: '1.21.0' }],
  modesAvailable: ['standalone'],
} as unknown as ReturnType<typeof useStore.getState>['info'];
const initial = useStore.getState();
beforeEach(() => useStore.setState(initial, true));
const s = () => useStore.getState();
const render = (el: ReactElement, lang: 'en' | 'ko' = 'en') => renderToStaticMarkup(<I18nextProvider i18n={createI18n(lang)}>{el}</I18nextProvider>);
const show = (p: PlanInput) => useStore.setState({ plan: p, info, validation: validatePlan(p) as never, step: 'settings' });

describe('Settings: the site registry\'s login', () => {
  it('asks for the user only with a registry address, and for the password only once there is a user', () => {
    show(plan());
    expect(render(<SettingsScreen />)).not.toContain('data-testid="setting-registry.user"');
    show(plan({ address: 'registry.example.com:5000', insecure: false }));
    let html = render(<SettingsScreen />);
    expect(html).toContain('data-testid="setting-registry.user"');
    expect(html).not.toContain('data-testid="caas-secret-registryPassword"');
    expect(blockerFor(s(), 'settings')).toBeNull();

    show(plan({ address: 'registry.example.com:5000', insecure: false, user: 'pusher' }));
    html = render(<SettingsScreen />);
    expect(html).toContain('data-testid="caas-secret-registryPassword"');
    expect(html).toMatch(/type="password"[^>]*data-testid="caas-secret-registryPassword"/);
    // The engine asks for the same secret for this plan: what Settings types is what the run reads.
    expect(secretsNeeded(Plan.parse(plan({ address: 'registry.example.com:5000', insecure: false, user: 'pusher' }))).map((x) => x.kind)).toContain('registryPassword');
    // Next waits for the password, naming the user; typed, it goes on, and the plan never holds it.
    const blocked = blockerFor(s(), 'settings');
    expect(blocked).toEqual({ key: 'ui.block.registryPassword', params: { user: 'pusher' } });
    s().setServiceSecret('registryPassword', 'Reg-S3cret!');
    expect(blockerFor(s(), 'settings')).toBeNull();
    expect(JSON.stringify(s().plan)).not.toContain('Reg-S3cret!');
  });

  it('every text of it is in en and ko', () => {
    show(plan({ address: 'registry.example.com:5000', insecure: false, user: 'pusher' }));
    const en = render(<SettingsScreen />, 'en');
    const ko = render(<SettingsScreen />, 'ko');
    expect(en).toContain('Registry user');
    expect(en).toContain('Registry password');
    expect(ko).toContain('레지스트리 사용자');
    expect(ko).toContain('레지스트리 비밀번호');
    for (const lang of ['en', 'ko'] as const) {
      const t = createI18n(lang).t;
      for (const key of ['ui.block.registryPassword', 'ui.set.registry.user.help', 'ui.caas.secret.registryPassword.help']) expect(t(key, { user: 'pusher' }), `${lang} ${key}`).not.toBe(key);
    }
  });

  it('refuses a user a registry login cannot carry, at registry.user', () => {
    for (const bad of ['pu:sher', 'pu sher', '']) {
      const r = validatePlan(plan({ address: 'registry.example.com:5000', insecure: false, user: bad }));
      expect(r.errors.map((e) => `${e.path}: ${e.key}`), bad).toContain('registry.user: plan.registry.user');
    }
    expect(validatePlan(plan({ address: 'registry.example.com:5000', insecure: false, user: 'robot$ci' })).errors.filter((e) => e.path === 'registry.user')).toEqual([]);
  });
});
