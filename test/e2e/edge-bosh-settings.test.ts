// The 2021 edge with BOSH middleware in the wizard: an edge plan on paasta-v1.0 offers the "BOSH middleware
// (2021)" toggle in Settings; on, the plan gets its bosh section and the screens follow that variant
// (edgeBoshProfile, as app.info's `withBosh` carries it): the director section, its two secrets and the check,
// which Next waits for; the Kubespray cloud's cluster layout and storage; on Hosts the roles worker and jump box.
// Off, the kubeadm edge's again; on k-paas-v1.6.2 no toggle. The check itself is not run here (it needs a jump
// box with bosh: test/e2e/caas.test.ts drives it); the addresses are never connected to.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cannotRunBrowser, openBrowser, passwordProfile, replaceHosts, screenshot, startBrowserMode, type BrowserMode } from './support.js';

const why = cannotRunBrowser();
if (why) console.log(`e2e edge-bosh-settings: skipped — ${why}`);

/** Test ids of one field of each Settings section (renderer/screens/settings.tsx, caas-settings.tsx). */
const FIELD = {
  podNetwork: 'setting-cluster.podCidr',
  clusterLayout: 'setting-cluster.etcdType',
  storage: 'setting-storage.type',
  edge: 'setting-edge.cloudcoreAddress',
  portal: 'setting-portal.enabled',
  loadBalancer: 'setting-network.metallbRange',
  bosh: 'caas-bosh',
} as const;

async function sectionsShown(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const [section, id] of Object.entries(FIELD)) if ((await page.getByTestId(id).count()) > 0) out.push(section);
  return out;
}

async function chooseEdge(page: Page, release: string): Promise<void> {
  await page.getByTestId('screen-mode').waitFor();
  await page.getByTestId('mode-card-edge').click();
  await page.getByTestId('release-select').selectOption(release);
  await expect.poll(() => page.getByTestId('release-select').inputValue()).toBe(release);
  await page.getByTestId('next').click();
  await page.getByTestId('screen-hosts').waitFor();
}

describe.skipIf(!!why)('the 2021 edge\'s Settings (BOSH middleware)', () => {
  let bm: BrowserMode;
  let bundle: string;
  beforeAll(async () => {
    // A bundle folder as the Settings' bundle check reads it (the plan of the 2021 edge needs one).
    bundle = mkdtempSync(join(tmpdir(), 'cpi-e2e-edge-bosh-'));
    mkdirSync(join(bundle, 'kubespray'));
    writeFileSync(join(bundle, 'kubespray', 'cluster.yml'), '- hosts: all\n');
    bm = await startBrowserMode();
  });
  afterAll(async () => {
    await bm?.close();
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  });

  for (const lang of ['en', 'ko'] as const) {
    it(`${lang}: Edge on paasta-v1.0 offers the toggle; on, the director, its check and the 2021 sections; off, the kubeadm edge's`, async () => {
      const b = await openBrowser(bm.server.url, lang);
      try {
        const { page } = b;
        await chooseEdge(page, 'paasta-v1.0');
        // Before the middleware is chosen: the kubeadm edge's roles, and a note saying where the 2021 edge is chosen.
        expect(await page.getByTestId('hosts-bosh-note').getAttribute('data-bosh')).toBe('off');
        await replaceHosts(page, ['master-1 10.0.0.11 control-plane', 'edge1 10.0.0.31 edge']);
        expect(await page.getByTestId('host-0-role-jumpbox').count()).toBe(0);
        expect(await page.getByTestId('host-0-role-worker').count()).toBe(0);
        await passwordProfile(page, 'ubuntu', 's3cret-edge-bosh');

        await page.getByTestId('nav-settings').click();
        await page.getByTestId('screen-settings').waitFor();
        const toggle = page.getByTestId('setting-bosh.enabled');
        await toggle.waitFor();
        expect(await toggle.isChecked()).toBe(false);
        expect(await sectionsShown(page)).toEqual(['podNetwork', 'edge']);
        expect(await page.getByTestId('caas-check-run').count()).toBe(0);

        await toggle.check();
        await page.getByTestId('caas-bosh').waitFor();
        // edgeBoshProfile.wizard.sections: the Kubespray cloud's layout and storage, the edge, the director.
        expect(await sectionsShown(page)).toEqual(['podNetwork', 'clusterLayout', 'storage', 'edge', 'bosh']);
        for (const kind of ['boshClientSecret', 'mariadbPassword']) await page.getByTestId(`caas-secret-${kind}`).waitFor();
        expect(await page.getByTestId('caas-secret-cfAdminPassword').count()).toBe(0);
        expect(await page.getByTestId('caas-paasta').count()).toBe(0);
        expect(await page.getByTestId('caas-check-state').getAttribute('data-state')).toBe('none');
        // No jump box yet: the check cannot run, and says where that role is given.
        expect(await page.getByTestId('caas-check-run').isDisabled()).toBe(true);
        await page.getByTestId('caas-check-nojump').waitFor();
        expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('true');

        // Hosts now offers the 2021 edge's roles: the cloud worker and the jump box.
        await page.getByTestId('nav-hosts').click();
        await page.getByTestId('screen-hosts').waitFor();
        expect(await page.getByTestId('hosts-bosh-note').getAttribute('data-bosh')).toBe('on');
        await page.getByTestId('host-0-role-jumpbox').waitFor();
        await replaceHosts(page, ['master-1 10.0.0.11 control-plane etcd', 'worker1 10.0.0.21 worker', 'edge1 10.0.0.31 edge', 'inception 10.0.0.5 jumpbox']);
        expect(await page.getByTestId('host-3-role-jumpbox').getAttribute('aria-pressed')).toBe('true');
        await screenshot(page, lang, 'edge-bosh-hosts');

        await page.getByTestId('nav-settings').click();
        await page.getByTestId('screen-settings').waitFor();
        expect(await page.getByTestId('setting-bosh.enabled').isChecked()).toBe(true);
        await page.getByTestId('setting-bosh.directorAddress').fill('10.0.0.6');
        await page.getByTestId('setting-bosh.haproxyAddress').fill('10.0.0.120');
        await page.getByTestId('setting-bundle.path').fill(bundle);
        await page.getByTestId('setting-storage.nfs.server').fill('10.0.0.11');
        await expect.poll(() => page.getByTestId('error-bosh.directorAddress').count()).toBe(0);
        expect(await page.getByTestId('caas-check-nojump').count()).toBe(0);
        // Next waits for the director's two secrets, then for a check of these settings.
        const reason = page.getByTestId('next-blocked-reason');
        await expect.poll(() => reason.innerText()).toContain(lang === 'en' ? 'Enter the BOSH secrets' : 'BOSH 비밀 정보를 입력하세요');
        await page.getByTestId('caas-secret-boshClientSecret').fill('director-secret-e2e');
        await page.getByTestId('caas-secret-mariadbPassword').fill('maria-secret-e2e');
        await expect.poll(() => reason.innerText()).toBe(lang === 'en' ? 'Check the BOSH director (at the bottom of Settings) before going on.' : '넘어가기 전에 BOSH 디렉터를 확인하세요(설정 화면 아래).');
        expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('true');
        expect(await page.getByTestId('caas-check-run').isDisabled()).toBe(false);
        expect(await page.getByTestId('screen-settings').innerText()).toContain(lang === 'en' ? 'Makes this the 2021 edge' : '2021 엣지로 설치합니다');
        await screenshot(page, lang, 'edge-bosh-settings');
        // Next does not leave Settings while the check is missing (aria-disabled: a click is let through to it).
        await page.getByTestId('next').click({ force: true });
        expect(await page.getByTestId('screen-settings').count()).toBe(1);

        // Off: the kubeadm edge's sections, nothing holds Settings for the director.
        await page.getByTestId('setting-bosh.enabled').uncheck();
        await expect.poll(() => page.getByTestId('caas-bosh').count()).toBe(0);
        expect(await sectionsShown(page)).toEqual(['podNetwork', 'edge']);
        expect(await page.getByTestId('next-blocked-reason').innerText()).not.toMatch(/BOSH/);
      } finally {
        await b.close();
      }
    });
  }

  it('on k-paas-v1.6.2 the edge has no BOSH toggle and keeps the kubeadm edge\'s sections and roles', async () => {
    const b = await openBrowser(bm.server.url, 'en');
    try {
      const { page } = b;
      await chooseEdge(page, 'k-paas-v1.6.2');
      expect(await page.getByTestId('hosts-bosh-note').count()).toBe(0);
      await replaceHosts(page, ['master-1 10.0.0.11 control-plane', 'edge1 10.0.0.31 edge']);
      expect(await page.getByTestId('host-0-role-jumpbox').count()).toBe(0);
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('screen-settings').waitFor();
      await page.getByTestId('setting-edge.cloudcoreAddress').waitFor();
      expect(await page.getByTestId('setting-bosh.enabled').count()).toBe(0);
      expect(await sectionsShown(page)).toEqual(['podNetwork', 'edge']);
    } finally {
      await b.close();
    }
  });
});
