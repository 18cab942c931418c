// The wizard's Settings and Hosts for the 2021 edge with BOSH middleware: an edge plan on paasta-v1.0 offers the
// same "BOSH middleware (2021)" toggle as the standalone; on, the plan has its bosh section, the engine's
// profileOf picks edgeBoshProfile, and the screens follow that variant (its Settings sections, its roles with the
// jump box, the director's section, secrets and check); off, the kubeadm edge's. The modes come from the real
// modeInfos (core/api), as app.info hands them to the renderer; the screens render from the real store
// (react-dom/server), in en and ko.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import type { ReactElement } from 'react';
import type { PlanInput } from '../../../core/api/types.js';
import { modeInfos } from '../../../core/api/modes.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { Plan } from '../../../core/plan/schema.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { jumpboxChecksApply } from '../../../core/modes/caas/checks.js';
import { edgeProfile } from '../../../core/modes/edge/profile.js';
import { edgeBoshProfile } from '../../../core/modes/edge-bosh/profile.js';
import { standaloneProfile } from '../../../core/modes/standalone/profile.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { BoshSettings } from '../../../renderer/screens/caas-settings.js';
import { SettingsScreen } from '../../../renderer/screens/settings.js';
import { HostsScreen } from '../../../renderer/screens/hosts.js';
import { useStore } from '../../../renderer/store/index.js';
import { blockerFor } from '../../../renderer/store/wizard.js';
import { boshInUse, boshShape, modeView } from '../../../renderer/store/caas.js';

// As in standalone-bosh-settings.test.tsx: a server render reads the store's state as the test set it.
vi.mock('zustand', async (importOriginal) => (await import('../../support/zustand-server-render.js')).liveServerSnapshot(importOriginal));

const edgePlan: PlanInput = {
  apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'edge', release: 'paasta-v1.0',
  hosts: [
    { name: 'master', address: '10.0.0.11', roles: ['control-plane'] },
    { name: 'edge1', address: '10.0.0.31', roles: ['edge'] },
  ],
  auth: [],
} as PlanInput;
const info = {
  modes: modeInfos(['standalone', 'edge', 'expand-edge', 'caas']),
  releases: [
    { name: 'k-paas-v1.6.2', title: 'K-PaaS v1.6.2', kubernetes: '1.33.5', kubeedge: '1.21.0' },
    { name: 'paasta-v1.0', title: 'PaaS-TA Container Platform v1.0 (2021)', kubernetes: '1.18.6', kubeedge: '1.4.0', bosh: true },
  ],
  modesAvailable: ['standalone', 'edge', 'expand-edge', 'caas'],
} as unknown as ReturnType<typeof useStore.getState>['info'];
const valid = { valid: true, errors: [], warnings: [] } as never;
const initial = useStore.getState();
beforeEach(() => useStore.setState(initial, true));
const s = () => useStore.getState();
const render = (el: ReactElement, lang: 'en' | 'ko' = 'en') => renderToStaticMarkup(<I18nextProvider i18n={createI18n(lang)}>{el}</I18nextProvider>);
const toggleOn = () => s().edit((p) => ({ ...p, bosh: { iaas: 'aws' } as PlanInput['bosh'] }));
const toggleOff = () =>
  s().edit((p) => {
    const { bosh: _b, ...rest } = p;
    return rest as PlanInput;
  });
// Settings' fields of each section (settings.tsx), by their test ids.
const FIELD = {
  clusterLayout: 'setting-cluster.etcdType',
  storage: 'setting-storage.type',
  podNetwork: 'setting-cluster.podCidr',
  edge: 'setting-edge.cloudcoreAddress',
  portal: 'setting-portal.enabled',
  loadBalancer: 'setting-network.metallbRange',
  bosh: 'setting-bosh.directorAddress',
} as const;
const shown = (html: string) => (Object.keys(FIELD) as Array<keyof typeof FIELD>).filter((k) => html.includes(`data-testid="${FIELD[k]}"`));

describe('app.info: a mode\'s variant the bosh section selects', () => {
  it('the edge carries the 2021 edge\'s roles and sections (edgeBoshProfile); no other mode has a variant', () => {
    const edge = modeInfos(['edge']).find((x) => x.name === 'edge')!;
    expect(edge.sections).toEqual([...edgeProfile.wizard.sections]);
    expect(edge.sections).not.toContain('bosh');
    expect(edge.withBosh).toEqual({ roles: [...edgeBoshProfile.roles], sections: [...edgeBoshProfile.wizard.sections] });
    expect(edge.withBosh!.roles).toContain('jumpbox');
    expect(edge.withBosh!.sections).toContain('bosh');
    for (const m of modeInfos([])) if (m.name !== 'edge') expect(m.withBosh, m.name).toBeUndefined();
    expect(modeInfos([]).find((x) => x.name === 'standalone')!.sections).toEqual([...standaloneProfile.wizard.sections]);
  });
});

describe('the 2021 edge\'s Settings and Hosts', () => {
  it('offer the toggle on paasta-v1.0; on, the 2021 variant\'s sections and the director; off, the kubeadm edge\'s', () => {
    useStore.setState({ plan: edgePlan, info, validation: valid, step: 'settings' });
    expect(boshShape(s())).toBe('optional');
    expect(boshInUse(s())).toBe(false);
    expect(modeView(s())!.sections).toEqual([...edgeProfile.wizard.sections]);
    let html = render(<SettingsScreen />);
    expect(html).toContain('data-testid="setting-bosh.enabled"');
    expect(html).toContain('BOSH middleware (2021)');
    expect(html).toContain('Makes this the 2021 edge');
    // The kubeadm edge's sections: pod network and edge addresses, no layout, storage or director.
    expect(shown(html)).toEqual(['podNetwork', 'edge']);
    expect(blockerFor(s(), 'settings')).toBeNull();

    toggleOn();
    expect(boshInUse(s())).toBe(true);
    expect(modeView(s())!.sections).toEqual([...edgeBoshProfile.wizard.sections]);
    html = render(<SettingsScreen />);
    // edgeBoshProfile's sections: the Kubespray cloud's layout and storage, the edge, the director — no portal
    // or MetalLB (the 2021 edge's portals come from container-platform-deploy.sh).
    expect(shown(html)).toEqual(['clusterLayout', 'storage', 'podNetwork', 'edge', 'bosh']);
    expect(html).toContain('data-testid="caas-secret-boshClientSecret"');
    expect(html).toContain('data-testid="caas-secret-mariadbPassword"');
    expect(html).not.toContain('caas-secret-cfAdminPassword');
    expect(html).not.toContain('data-testid="caas-paasta"');
    expect(html).toContain('data-testid="caas-check-run"');
    expect(html).toContain('Check the BOSH director');
    // No jump box yet: the check says where to give that role.
    expect(html).toContain('data-testid="caas-check-nojump"');
    // The check is required, as for the standalone: first the two secrets, then a check of these settings.
    expect(blockerFor(s(), 'settings')).toMatchObject({ key: 'ui.block.boshSecrets', params: { count: 2 } });
    s().setServiceSecret('boshClientSecret', 'b');
    s().setServiceSecret('mariadbPassword', 'm');
    expect(blockerFor(s(), 'settings')).toEqual({ key: 'ui.block.boshCheck' });

    const ko = render(<SettingsScreen />, 'ko');
    expect(ko).toContain('BOSH 미들웨어(2021)');
    expect(ko).toContain('2021 엣지로 설치합니다');
    expect(ko).toContain('BOSH 디렉터 확인');
    expect(ko).toContain('jumpbox 역할인 호스트가 없습니다');

    toggleOff();
    expect(s().plan!.bosh).toBeUndefined();
    expect(shown(render(<SettingsScreen />))).toEqual(['podNetwork', 'edge']);
    expect(blockerFor(s(), 'settings')).toBeNull();
  });

  it('Hosts offers the 2021 edge\'s roles (worker, jump box) once the middleware is chosen, and says so before', () => {
    useStore.setState({ plan: edgePlan, info, validation: valid, step: 'hosts' });
    let html = render(<HostsScreen />);
    expect(html).toContain('data-testid="host-0-role-edge"');
    expect(html).not.toContain('data-testid="host-0-role-jumpbox"');
    expect(html).not.toContain('data-testid="host-0-role-worker"');
    expect(html).toMatch(/data-testid="hosts-bosh-note" data-bosh="off"[^>]*>This release can also make the 2021 edge/);

    toggleOn();
    html = render(<HostsScreen />);
    for (const r of edgeBoshProfile.roles) expect(html, r).toContain(`data-testid="host-0-role-${r}"`);
    expect(html).toMatch(/data-testid="hosts-bosh-note" data-bosh="on"[^>]*>The 2021 edge with BOSH middleware: one master/);
    expect(render(<HostsScreen />, 'ko')).toContain('BOSH 미들웨어를 쓰는 2021 엣지: 마스터 하나');
  });

  it('on k-paas-v1.6.2 nothing changes: no toggle, no note, the kubeadm edge\'s sections and roles', () => {
    useStore.setState({ plan: { ...edgePlan, release: 'k-paas-v1.6.2' }, info, validation: valid, step: 'settings' });
    expect(boshShape(s())).toBe('none');
    expect(render(<BoshSettings />)).toBe('');
    const html = render(<SettingsScreen />);
    expect(html).not.toContain('setting-bosh.enabled');
    expect(shown(html)).toEqual(['podNetwork', 'edge']);
    const hosts = render(<HostsScreen />);
    expect(hosts).not.toContain('hosts-bosh-note');
    expect(hosts).not.toContain('host-0-role-jumpbox');
  });

  it('the standalone keeps its intro and help; every new text is there in en and ko', () => {
    useStore.setState({ plan: { ...edgePlan, mode: 'standalone' }, info, validation: valid });
    const html = render(<BoshSettings />);
    expect(html).toContain('the spray guide');
    expect(html).not.toContain('Makes this the 2021 edge');
    for (const lang of ['en', 'ko'] as const) {
      const t = createI18n(lang).t;
      for (const key of ['ui.set.boshMiddleware.introEdge', 'ui.set.boshMiddleware.enabled.helpEdge', 'ui.hosts.edgeBosh.off', 'ui.hosts.edgeBosh.on', 'ui.caas.check.noJump'])
        expect(t(key, { defaultValue: '' }), `${lang} ${key}`).not.toBe('');
    }
  });
});

describe('validation of a plan whose middleware is BOSH\'s', () => {
  const full = {
    ...edgePlan,
    hosts: [...edgePlan.hosts!, { name: 'worker1', address: '10.0.0.21', roles: ['worker'] }, { name: 'inception', address: '10.0.0.5', roles: ['jumpbox'] }],
    auth: [{ name: 'default', user: 'ubuntu', method: 'password' }],
    bosh: { iaas: 'aws', directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120' },
    bundle: { path: '/tmp/bundle' },
    storage: { type: 'nfs', nfs: { server: '10.0.0.11' } },
  } as PlanInput;
  const errors = (p: PlanInput) => validatePlan(p).errors.map((i) => `${i.path} ${i.key}`);

  it('asks nothing of the v1.6 portal, which the 2021 portals replace (the 2021 edge\'s Settings have no portal section)', () => {
    expect(errors(full)).toEqual([]);
    expect(errors({ ...full, mode: 'standalone', hosts: [{ name: 'm', address: '10.0.0.11', roles: ['control-plane', 'etcd', 'worker'] }, full.hosts![3]!] } as PlanInput)).toEqual([]);
    // Without the middleware the portal still needs its domain or the ingress IP (the v1.6 portal is installed).
    const { bosh: _b, ...noBosh } = full;
    expect(errors({ ...noBosh, mode: 'standalone', hosts: [{ name: 'm', address: '10.0.0.11', roles: ['control-plane', 'etcd', 'worker'] }] } as PlanInput)).toContain('portal.domain plan.portal.noDomain');
  });

  it('Preflight runs the jump box\'s BOSH checks for the 2021 edge, as Settings\' check does', () => {
    expect(jumpboxChecksApply(Plan.parse(full), findRelease('paasta-v1.0'))).toBe(true);
    const { bosh: _b, ...noBosh } = full;
    expect(jumpboxChecksApply(Plan.parse(noBosh), findRelease('paasta-v1.0'))).toBe(false);
  });
});
