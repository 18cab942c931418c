// The wizard's modes come from the engine (app.info `modes`, from each mode's descriptor): the CaaS card
// is available (its own flow: caas.test.ts); expand-edge says on Hosts that the control plane is
// the existing cluster's, and its Settings ask nothing of the existing cluster (pod network, NFS, portal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotRunBrowser, openBrowser, passwordProfile, replaceHosts, screenshot, startBrowserMode, type BrowserMode } from './support.js';

const why = cannotRunBrowser();
if (why) console.log(`e2e modes: skipped — ${why}`);

describe.skipIf(!!why)('modes from the descriptors', () => {
  let bm: BrowserMode;
  beforeAll(async () => {
    bm = await startBrowserMode();
  });
  afterAll(async () => {
    await bm?.close();
  });

  it('caas available; expand-edge: the hosts hint and only its own settings', async () => {
    const b = await openBrowser(bm.server.url, 'en');
    try {
      const { page } = b;
      await page.getByTestId('screen-mode').waitFor();
      const caas = page.getByTestId('mode-card-caas');
      await caas.waitFor();
      // The wizard sets caas up now (test/e2e/caas.test.ts drives it): no "not available" reason.
      expect(await caas.getAttribute('data-available')).toBe('true');
      expect(await page.getByTestId('mode-why-caas').count()).toBe(0);
      expect(await page.getByTestId('mode-card-expand-edge').getAttribute('data-available')).toBe('true');

      await page.getByTestId('mode-card-expand-edge').click();
      await page.getByTestId('next').click();
      await page.getByTestId('screen-hosts').waitFor();
      expect(await page.getByTestId('hosts-mode-hint').innerText()).toMatch(/control plane is the existing cluster's/);
      await replaceHosts(page, ['cp1 10.0.0.10 control-plane', 'edge1 10.0.0.30 edge']);
      await screenshot(page, 'en', 'modes-expand-edge-hosts');

      await passwordProfile(page, 'ubuntu', 's3cret-modes');
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('screen-settings').waitFor();
      await page.getByTestId('setting-edge.kubeconfig').waitFor();
      for (const gone of ['setting-cluster.podCidr', 'setting-cluster.serviceCidr', 'setting-storage.type', 'setting-portal.enabled', 'setting-network.metallbRange']) {
        expect(await page.getByTestId(gone).count(), gone).toBe(0);
      }
      expect(await page.getByTestId('setting-edge.cloudcoreAddress').count()).toBe(1);

      await screenshot(page, 'en', 'modes-expand-edge-settings');
    } finally {
      await b.close();
    }
  });
});
