// The desktop shell: one window on the app's own protocol, the engine in this process behind core/api,
// IPC checked by sender, and nothing else reachable. The renderer is the same build browser mode serves.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, type WebPreferences, app, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import { createInstallerService, type Dialogs, type InstallerService } from '../core/api/index.js';
import { registerIpc } from './ipc.js';
import { createKeychain } from './keychain.js';
import { APP_CSP, APP_ENTRY, APP_HOST, APP_SCHEME, externalLinkAllowed, windowChrome, type SecureWebPreferences } from './window-options.js';

const here = dirname(fileURLToPath(import.meta.url));

// Before `ready`: our scheme behaves like https (standard, secure), so the page has an origin and CSP applies.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
]);
app.enableSandbox();
// A background task that fails (a run, a probe) reports through events; it must not take the window down.
process.on('unhandledRejection', (e) => console.error('cp-installer: background task failed:', e instanceof Error ? e.message : e));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function rendererDir(): string {
  return process.env.CP_INSTALLER_RENDERER ?? join(app.getAppPath(), 'dist-renderer');
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('Not Found', { status: 404 });
  const root = resolve(rendererDir());
  const file = resolve(root, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
  if (!file.startsWith(root + sep)) return new Response('Not Found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': APP_CSP,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return new Response('Not Found', { status: 404 });
  }
}

function nativeDialogs(win: () => BrowserWindow | undefined): Dialogs {
  return {
    async open({ title, filters }) {
      const w = win();
      const options: Electron.OpenDialogOptions = {
        title: title ?? 'Open',
        properties: ['openFile'],
        ...(filters?.length ? { filters: [{ name: filters.join(', '), extensions: filters }] } : {}),
      };
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      const path = r.filePaths[0];
      if (r.canceled || !path) return { canceled: true };
      // The page cannot read files itself: small text files come along with the path.
      const buf = await readFile(path).catch(() => undefined);
      return buf && buf.length <= 4 * 1024 * 1024 ? { canceled: false, path, text: buf.toString('utf8') } : { canceled: false, path };
    },
    async save({ title, defaultPath }) {
      const w = win();
      const options: Electron.SaveDialogOptions = { title: title ?? 'Save', ...(defaultPath ? { defaultPath } : {}) };
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? { canceled: true } : { canceled: false, path: r.filePath };
    },
  };
}

function lockDown(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (url !== APP_ENTRY) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Portal and API links open in the person's browser; the app opens no window of its own.
      if (externalLinkAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

let mainWindow: BrowserWindow | undefined;
let service: InstallerService | undefined;

async function createWindow(): Promise<void> {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
  protocol.handle(APP_SCHEME, serveRenderer);

  const workdir = process.env.CP_INSTALLER_WORKDIR ?? join(homedir(), '.cp-installer');
  service = createInstallerService({
    workdir,
    shell: 'electron',
    keychain: createKeychain(safeStorage, join(app.getPath('userData'), 'secrets.bin')),
    dialogs: nativeDialogs(() => mainWindow),
  });
  registerIpc(ipcMain, service, () => mainWindow?.webContents);

  const win = new BrowserWindow({
    ...windowChrome(),
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    } satisfies SecureWebPreferences & WebPreferences,
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    mainWindow = undefined;
  });
  if (app.isPackaged) win.webContents.on('devtools-opened', () => win.webContents.closeDevTools());
  await win.loadURL(APP_ENTRY);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  lockDown();
  if (app.isPackaged) Menu.setApplicationMenu(null);
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void service?.dispose();
  });
  await app.whenReady();
  await createWindow();
}
