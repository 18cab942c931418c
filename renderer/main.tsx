// Start-up: pick the transport behind window.installer, then render. Electron's preload sets
// window.installer; browser mode (`cp-installer serve`) gets it from the WebSocket client; `?mock` (only
// when neither exists) loads the development mock so the screens can be worked on without the engine.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import type { InstallerApi } from '../core/api/types.js';
import { setApi } from './api.js';
import { App } from './app.js';
import { createI18n } from './i18n/index.js';
import { useStore } from './store/index.js';
import { createWsInstaller } from './transport/ws-client.js';
import '@xterm/xterm/css/xterm.css';
import './styles/app.css';

declare global {
  interface Window {
    installer?: InstallerApi;
  }
}

async function pickApi(): Promise<InstallerApi> {
  if (window.installer) return window.installer;
  if (new URLSearchParams(window.location.search).has('mock')) {
    const { createMockApi } = await import('./dev/mock-api.js');
    return createMockApi();
  }
  const ws = createWsInstaller();
  // After a reconnect, the log catches up on what it missed.
  let wasClosed = false;
  ws.onConnection((state) => {
    if (state === 'closed') wasClosed = true;
    if (state === 'open' && wasClosed) {
      wasClosed = false;
      void useStore.getState().catchUpLogs();
    }
  });
  return ws;
}

async function start() {
  const api = await pickApi();
  window.installer ??= api;
  setApi(api);
  api.on((e) => useStore.getState().onEvent(e));
  const i18n = createI18n(useStore.getState().lang);
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing from index.html');
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App />
      </I18nextProvider>
    </StrictMode>,
  );
  await useStore.getState().init();
}

void start();
