// The wizard in Debian's Chromium through browser mode, on the real engine, without SSH: the Mode and Hosts
// screens, inline validation beside the field, and screenshots of the screens in both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotRunBrowser, chooseStandalone, openBrowser, screenshot, startBrowserMode, type BrowserMode } from './support.js';

const why = cannotRunBrowser();
if (why) console.log(`e2e wizard: skipped — ${why}`);

describe.skipIf(!!why)('wizard in the browser (no SSH)', () => {
  let bm: BrowserMode;
  beforeAll(async () => {
    bm = await startBrowserMode();
  });
  afterAll(async () => {
    await bm?.close();
  });

  for (const lang of ['en', 'ko'] as const) {
    it(`[${lang}] a bad IP shows its message beside the field, and goes away when fixed`, async () => {
      const b = await openBrowser(bm.server.url, lang);
      try {
        const { page } = b;
        await page.getByTestId('screen-mode').waitFor();
        await screenshot(page, lang, '1-mode');
        await chooseStandalone(page);
        // A new plan starts without the example's hosts: the table is empty until the person adds one.
        expect(await page.getByTestId('host-row-0').count()).toBe(0);
        await page.getByTestId('hosts-empty').waitFor();
        await page.getByTestId('host-add').click();
        await page.getByTestId('host-0-address').fill('10.0.0.300');
        const error = page.getByTestId('error-hosts[0].address');
        await error.waitFor();
        // Validation follows typing after a short pause: the message names the value typed.
        await expect.poll(() => error.innerText()).toContain('10.0.0.300');
        const text = await error.innerText();
        if (lang === 'ko') expect(text).toMatch(/[\uac00-\ud7a3]/);
        // Beside the field: in the same table row as the input.
        const row = page.getByTestId('host-row-0');
        expect(await row.getByTestId('error-hosts[0].address').count()).toBe(1);
        await screenshot(page, lang, '2-hosts-bad-ip');
        await page.getByTestId('host-0-address').fill('10.0.0.30');
        await error.waitFor({ state: 'detached' });
        for (const role of ['control-plane', 'worker', 'nfs']) await page.getByTestId(`host-0-role-${role}`).click();
        await screenshot(page, lang, '2-hosts');
        for (const [n, screen] of [
          [3, 'credentials'],
          [4, 'settings'],
        ] as const) {
          await page.getByTestId(`nav-${screen}`).click();
          await page.getByTestId(`screen-${screen}`).waitFor();
          await screenshot(page, lang, `${n}-${screen}`);
        }
      } finally {
        await b.close();
      }
    });
  }
});
