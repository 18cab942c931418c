// security #2 in a real browser: the page opened from the printed address holds the credential itself
// (sessionStorage of its tab, never a cookie), so another local server on another port gets nothing from
// the browser; the address leaves the address bar, works once, and a reload of the same tab keeps working.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotRunBrowser, openBrowser, startBrowserMode, type BrowserMode } from './support.js';

const why = cannotRunBrowser();
if (why) console.log(`e2e serve credential: skipped — ${why}`);

describe.skipIf(!!why)('security #2: browser mode credential in Chromium', () => {
  let bm: BrowserMode;
  let other: Server;
  let otherPort = 0;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    bm = await startBrowserMode();
    // Another local web server, on another port of 127.0.0.1, as any local user could run.
    other = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherPort = (other.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await bm?.close();
    await new Promise((resolve) => other?.close(resolve));
  });

  it('security #2: the printed address signs in once, leaves no cookie and no token in the address, and survives a reload', async () => {
    const url = bm.server.url;
    const b = await openBrowser(url, 'en');
    try {
      const { page, context } = b;
      await page.getByTestId('screen-mode').waitFor();
      // The ticket left the address bar; the tab keeps a session key instead.
      expect(page.url()).toBe(`http://127.0.0.1:${bm.server.port}/`);
      expect(await page.evaluate(() => sessionStorage.getItem('cpi.key'))).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await page.evaluate(() => sessionStorage.getItem('cpi.ticket'))).toBeNull();
      expect(await context.cookies()).toEqual([]);

      // Another port on 127.0.0.1 gets no credential from this browser.
      const visit = await context.newPage();
      await visit.goto(`http://127.0.0.1:${otherPort}/`);
      await visit.close();
      expect(seen.length).toBeGreaterThan(0);
      for (const h of seen) expect(h.cookie, JSON.stringify(h)).toBeUndefined();

      // A reload of the same tab signs in with what the tab holds.
      await page.reload();
      await page.getByTestId('screen-mode').waitFor();
      await page.getByTestId('mode-card-standalone').click();
      await page.getByTestId('next').click();
      await page.getByTestId('screen-hosts').waitFor();

      // The same printed address in a new tab is refused: that tab is told it is not signed in.
      const second = await context.newPage();
      await second.goto(url);
      await second.waitForFunction(() => document.body.innerText.includes('not signed in'), undefined, { timeout: 20_000 });
      await second.close();
    } finally {
      await b.close();
    }
  }, 120_000);
});
