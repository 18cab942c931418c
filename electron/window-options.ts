// The window's security settings, as a pure function so a unit test can check every flag without the
// Electron binary (ELECTRON.md §2: the checklist, and VS Code's sandboxed preload as the model).
import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this origin by the app's own protocol handler, never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'wizard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export const IPC_INVOKE = 'installer:invoke';
export const IPC_EVENT = 'installer:event';

/** The window itself; its webPreferences are written out in main.ts (see SecureWebPreferences). */
export function windowChrome(title = 'K-PaaS Container Platform Installer'): Omit<BrowserWindowConstructorOptions, 'webPreferences'> {
  return { width: 1280, height: 860, minWidth: 960, minHeight: 640, title, show: false, backgroundColor: '#ffffff' };
}

/**
 * The values the window's webPreferences must have. main.ts writes them as a literal (Electronegativity
 * reads the literal at the BrowserWindow call; it cannot follow a function) and `satisfies` this type, so
 * tsc refuses any weaker value there.
 */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  /** Middle-click would open links in new windows. */
  disableBlinkFeatures: 'Auxclick';
}

/** The renderer's Content-Security-Policy in the app: nothing from outside, no connections at all (IPC only). */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // xterm.js's DOM renderer writes its colours into <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Whether an IPC message comes from our page's main frame (not an iframe, not a page navigated elsewhere). */
export function trustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  if (!frameUrl || !isMainFrame) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

/** Links the person may open in the system browser (portal URLs on the Done screen); nothing else. */
export function externalLinkAllowed(target: string): boolean {
  try {
    const u = new URL(target);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
