// What the end-to-end tests share: the built renderer, browser mode started in this process on the real
// engine, Debian's Chromium through playwright-core, and screenshots under test-results/screens/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createInstallerService, type InstallerService } from '../../core/api/index.js';
import { startServer, type RunningServer } from '../../cli/serve/server.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENS = join(ROOT, 'test-results', 'screens');

function newest(dir: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Why the browser tests cannot run here, or undefined. */
export function cannotRunBrowser(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  if (!existsSync(join(ROOT, 'renderer', 'index.html'))) return 'the renderer (renderer/index.html) is not there yet';
  return undefined;
}

/**
 * The built renderer: CP_E2E_RENDERER when set (a build made elsewhere), else dist-renderer/, rebuilt with
 * vite when the sources are newer.
 */
export function rendererBuild(): string {
  const fromEnv = process.env.CP_E2E_RENDERER;
  if (fromEnv) return resolve(fromEnv);
  const out = join(ROOT, 'dist-renderer');
  const index = join(out, 'index.html');
  // core/modes too: the modes' profiles carry message catalogs the renderer bundles (core/api/messages.ts).
  const sources = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'core', 'api')), newest(join(ROOT, 'core', 'modes')));
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

export interface BrowserMode {
  service: InstallerService;
  server: RunningServer;
  workdir: string;
  knownHostsFile: string;
  close(): Promise<void>;
}

export async function startBrowserMode(opts: { workdir?: string; knownHostsFile?: string } = {}): Promise<BrowserMode> {
  const scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-'));
  const workdir = opts.workdir ?? join(scratch, 'work');
  const knownHostsFile = opts.knownHostsFile ?? join(scratch, 'known_hosts');
  mkdirSync(workdir, { recursive: true });
  const service = createInstallerService({ workdir, shell: 'browser', knownHostsFile });
  const running = await startServer({ api: service, rendererDir: rendererBuild(), port: 0, version: 'e2e' });
  // Each printed address works once (security #2): every read of `server.url` is a fresh one, so each
  // browser a test opens signs in with its own.
  const server: RunningServer = {
    port: running.port,
    token: running.token,
    get url() {
      return running.newLoginUrl();
    },
    newLoginUrl: () => running.newLoginUrl(),
    close: () => running.close(),
  };
  return {
    service,
    server,
    workdir,
    knownHostsFile,
    async close() {
      await server.close();
      await service.dispose();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, in one language (navigator.language follows `locale`). */
export async function openBrowser(url: string, lang: 'en' | 'ko'): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'cpi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    locale: lang === 'ko' ? 'ko-KR' : 'en-US',
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The screen scrolls inside the window; for a picture of all of it, that pane is let out to its full height. */
const WHOLE_SCREEN = 'html, body, #root, .app { height: auto !important; } .app { min-height: 100vh; } .screen { overflow: visible !important; }';

export async function screenshot(page: Page, lang: string, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const file = join(SCREENS, `${lang}-${name}.png`);
  // A dialog on the page is shown as the person sees it (the window), not stretched.
  const dialog = (await page.locator('dialog[open]').count()) > 0;
  await page.screenshot({ path: file, fullPage: true, ...(dialog ? {} : { style: WHOLE_SCREEN }) });
  return file;
}

// --- driving the wizard (selectors: renderer/TESTIDS.md) ------------------------------------------------

export async function chooseStandalone(page: Page): Promise<void> {
  await page.getByTestId('mode-card-standalone').click();
  await page.getByTestId('next').click();
  await page.getByTestId('screen-hosts').waitFor();
}

/** Replaces the example hosts with these, through the paste dialog (one `name address roles…` per line). */
export async function replaceHosts(page: Page, lines: string[]): Promise<void> {
  while ((await page.getByTestId('host-0-remove').count()) > 0) await page.getByTestId('host-0-remove').click();
  await page.getByTestId('host-paste-open').click();
  await page.getByTestId('host-paste-text').fill(lines.join('\n'));
  await page.getByTestId('host-paste-apply').click();
  await page.getByTestId(`host-row-${lines.length - 1}`).waitFor();
}

/** Profile 0 as user + password login with passwordless sudo. */
export async function passwordProfile(page: Page, user: string, password: string): Promise<void> {
  await page.getByTestId('nav-credentials').click();
  await page.getByTestId('screen-credentials').waitFor();
  await page.getByTestId('auth-0-method').selectOption('password');
  await page.getByTestId('auth-0-user').fill(user);
  await page.getByTestId('auth-0-password').fill(password);
  await page.getByTestId('auth-0-password').blur();
  await page.getByTestId('auth-0-sudo').selectOption('nopasswd');
}

/**
 * Settings a plan needs before the engine connects anywhere (a new plan has no example addresses): MetalLB
 * range and ingress IP in the hosts' network, and the NFS server when given.
 */
export async function fillSettings(page: Page, net: string, nfsServer?: string): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('screen-settings').waitFor();
  await page.getByTestId('setting-network.metallbRange').fill(`${net}.200-${net}.210`);
  await page.getByTestId('setting-network.ingressIp').fill(`${net}.220`);
  if (nfsServer) await page.getByTestId('setting-storage.nfs.server').fill(nfsServer);
}

/** Ticks every failed check's override on every host (the test hosts share this machine's OS, cgroup and machine-id). */
export async function overrideFailures(page: Page): Promise<void> {
  const boxes = page.locator('[data-testid^="override-"]');
  for (let pass = 0; pass < 3; pass++) {
    const hostButtons = page.locator('[data-testid^="preflight-host-"]');
    for (let i = 0; i < (await hostButtons.count()); i++) {
      await hostButtons.nth(i).click();
      for (let k = 0; k < (await boxes.count()); k++) {
        const box = boxes.nth(k);
        if (!(await box.isChecked())) await box.check();
      }
    }
    if ((await page.getByTestId('next').getAttribute('data-blocked')) === 'false') return;
  }
}
