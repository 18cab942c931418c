// The Done screen of a run that installed the portal, pictured for the README from the development mock
// (renderer/dev/mock-api.ts: `?mock&done`), because no end-to-end run here installs the portal through the
// wizard (the portal step's own tests run it on test hosts without a browser). The pictures are named
// `*-8-done-portal-mock.png` and the screens README says they come from the mock.
//
//   npx tsx scripts/screens-mock-done.ts     (needs /usr/bin/chromium; builds the renderer with vite)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screens');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.svg': 'image/svg+xml' };
const WHOLE_SCREEN = 'html, body, #root, .app { height: auto !important; } .app { min-height: 100vh; } .screen { overflow: visible !important; }';

const dist = mkdtempSync(join(tmpdir(), 'cp-screens-'));
try {
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('vite build of the renderer failed');
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/?mock&done`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    for (const lang of ['en', 'ko'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url);
      await page.getByTestId(`lang-${lang}`).click();
      await page.getByTestId('screen-done').waitFor();
      await page.screenshot({ path: join(OUT, `${lang}-8-done-portal-mock.png`), fullPage: true, style: WHOLE_SCREEN });
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  rmSync(dist, { recursive: true, force: true });
}
