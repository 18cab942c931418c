// The live log view in Debian's Chromium, on the renderer's development mock (no engine): a flood of lines
// lands whole, the scrollbar follows the bottom (its sync runs once per parse slice, renderer/lib/xterm-viewport-
// sync.ts), search finds a line; headless Chromium's WebGL is SwiftShader (a CPU rasteriser), so the view
// draws with the DOM renderer; asked for WebGL anyway (`?webgl`), a lost GPU context hands the rows back to
// xterm's DOM renderer with nothing lost.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, cannotRunBrowser, rendererBuild } from './support.js';

const why = cannotRunBrowser();
if (why) console.log(`e2e log-view: skipped — ${why}`);

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

describe.skipIf(!!why)('the live log view under a flood (Chromium, mock engine)', () => {
  let server: Server;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    const dir = rendererBuild();
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = join(dir, path === '/' ? 'index.html' : path);
      if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
      res
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': CSP,
        })
        .end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/?mock&bench`;
    // The flags every e2e test launches with (support.ts openBrowser).
    context = await chromium.launchPersistentContext('', {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 860 },
    });
    page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('log-terminal').locator('.xterm').waitFor();
  });
  afterAll(async () => {
    await context?.close();
    server?.close();
  });

  it('draws with the DOM renderer on a software WebGL', async () => {
    const gl = await page.evaluate(() => {
      const c = document.createElement('canvas').getContext('webgl2');
      const info = c?.getExtension('WEBGL_debug_renderer_info');
      return c ? String(c.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : c.RENDERER)) : 'none';
    });
    expect(gl === 'none' || /swiftshader|llvmpipe/i.test(gl), gl).toBe(true);
    expect(await page.getByTestId('log-view').getAttribute('data-renderer')).toBe('dom');
  });

  it('takes 20,000 lines whole, follows the bottom with its scrollbar, and finds a line by search', async () => {
    const view = page.getByTestId('log-view');
    await page.evaluate('window.__mockFlood({ lines: 20000, batch: 500, intervalMs: 5 })');
    await expect.poll(() => view.getAttribute('data-lines'), { timeout: 60_000 }).toBe('20000');
    // The scrollbar's slider ends at the bottom of its track once the view has caught up.
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const track = document.querySelector('.xterm-scrollable-element .scrollbar.vertical');
            const slider = track?.querySelector('.slider');
            if (!track || !slider) return 'no scrollbar';
            const t = track.getBoundingClientRect();
            const s = slider.getBoundingClientRect();
            return Math.abs(s.bottom - t.bottom) <= 2 && s.height < t.height / 4
              ? 'at bottom'
              : `slider ${s.top}-${s.bottom} in ${t.top}-${t.bottom}`;
          }),
        { timeout: 30_000 },
      )
      .toBe('at bottom');
    // Every line written to the terminal (the buffer holds them before xterm has parsed them all).
    await expect.poll(() => view.getAttribute('data-queued'), { timeout: 120_000 }).toBe('0');
    // …and drawn on the next frame.
    await expect
      .poll(() => page.locator('[data-testid="log-terminal"] .xterm-rows').innerText())
      .toMatch(/"seq":\s19998\}/);
    await page.getByTestId('log-search').fill('line 19950]');
    await page.getByTestId('log-search-prev').click();
    await expect.poll(() => page.getByTestId('log-search').getAttribute('class')).toBe('');
    await page.getByTestId('log-search').fill('no such line anywhere');
    await page.getByTestId('log-search-prev').click();
    await expect.poll(() => page.getByTestId('log-search').getAttribute('class')).toBe('not-found');
  });

  it('goes back to the DOM renderer when the WebGL context is lost, rows redrawn', async () => {
    page = await context.newPage();
    await page.goto(`${url}&webgl`);
    await page.getByTestId('log-terminal').locator('.xterm').waitFor();
    const view = page.getByTestId('log-view');
    await page.evaluate('window.__mockFlood({ lines: 20000, batch: 500, intervalMs: 5 })');
    await expect.poll(() => view.getAttribute('data-lines'), { timeout: 60_000 }).toBe('20000');
    const kind = await view.getAttribute('data-renderer');
    if (kind !== 'webgl') {
      console.log(
        `e2e log-view: this Chromium has no WebGL2 (renderer ${kind}); the loss of a context is not tried`,
      );
      expect(kind).toBe('dom');
      return;
    }
    // The GPU "resets".
    const lost = await page.evaluate(() => {
      // The WebGL canvas (the link layer beside it is a 2D canvas, whose webgl2 context is null).
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(
        '[data-testid="log-terminal"] canvas',
      )) {
        const ext = canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context');
        if (ext) {
          ext.loseContext();
          return true;
        }
      }
      return false;
    });
    expect(lost).toBe(true);
    // xterm's addon waits 3 s for the context to come back before it gives up on it.
    await expect.poll(() => view.getAttribute('data-renderer'), { timeout: 15_000 }).toBe('dom');
    // 100 more lines, drawn by the DOM renderer.
    await page.evaluate('window.__mockFlood({ lines: 20100, batch: 500, intervalMs: 5 })');
    await expect.poll(() => view.getAttribute('data-lines'), { timeout: 30_000 }).toBe('20100');
    await expect
      .poll(() => page.locator('[data-testid="log-terminal"] .xterm-rows').innerText(), { timeout: 30_000 })
      .toMatch(/"seq":\s20099\}/);
  });
});
