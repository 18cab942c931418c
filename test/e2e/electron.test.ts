// The desktop app itself: Playwright's _electron launches the built main process and the wizard reaches the
// Hosts screen. Where no Electron binary exists (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as here)
// or there is no display, the test says so and skips.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT, rendererBuild, screenshot } from './support.js';

function electronBinary(): { path?: string; why?: string } {
  let path: unknown;
  try {
    path = createRequire(join(ROOT, 'package.json'))('electron');
  } catch (e) {
    return { why: `the Electron binary is not installed (${String((e as Error).message).split('\n')[0]})` };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { why: 'the Electron binary is not installed' };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { why: 'no display (run under xvfb-run)' };
  if (!existsSync(join(ROOT, 'dist', 'electron', 'main.js')) || !existsSync(join(ROOT, 'dist', 'electron', 'preload.cjs'))) {
    return { why: 'the app is not built (npm run build: dist/electron/main.js and preload.cjs)' };
  }
  return { path };
}

const found = electronBinary();
if (found.why) console.log(`e2e electron: skipped — ${found.why}`);

describe.skipIf(!found.path)('the Electron app', () => {
  it('starts with the sandboxed window and reaches the Hosts screen', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cpi-electron-'));
    const app = await electron.launch({
      executablePath: found.path!,
      args: [ROOT],
      env: { ...process.env, HOME: home, CP_INSTALLER_WORKDIR: join(home, 'work'), CP_INSTALLER_RENDERER: rendererBuild() },
      timeout: 60_000,
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('screen-mode').waitFor();
      // The page has the bridge and nothing of Node.
      expect(await page.evaluate(() => typeof (window as unknown as { installer?: unknown }).installer)).toBe('object');
      expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
      const info = await page.evaluate(() =>
        (window as unknown as { installer: { invoke(c: string, a: object): Promise<{ shell: string }> } }).installer.invoke('app.info', {}),
      );
      expect(info.shell).toBe('electron');
      await page.getByTestId('mode-card-standalone').click();
      await page.getByTestId('next').click();
      await page.getByTestId('screen-hosts').waitFor();
      await screenshot(page, 'electron', '2-hosts');
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
