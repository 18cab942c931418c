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

type Extra = Record<'en' | 'ko', Record<string, string>>;

async function pickApi(): Promise<{ api: InstallerApi; extra?: Extra; mock?: boolean }> {
  if (window.installer) return { api: window.installer };
  if (new URLSearchParams(window.location.search).has('mock')) {
    const { createMockApi, mockMessages } = await import('./dev/mock-api.js');
    return { api: createMockApi(), extra: mockMessages, mock: true };
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
  return { api: ws };
}

async function start() {
  const { api, extra, mock } = await pickApi();
  setApi(api);
  api.on((e) => useStore.getState().onEvent(e));
  const i18n = createI18n(useStore.getState().lang);
  if (extra) for (const lang of ['en', 'ko'] as const) i18n.addResources(lang, 'translation', extra[lang]);
  // The log benchmark (bench/log-view.bench.ts) opens the Install screen of a pretend run.
  if (mock && new URLSearchParams(window.location.search).has('bench')) {
    useStore.setState({ step: 'install', runId: 'bench', runStatus: 'running' });
  }
  // The Done screen of a finished mock run with the portal, to work on its layout without a run (`npm run dev:renderer`, then `?mock&done`).
  if (mock && new URLSearchParams(window.location.search).has('done')) {
    const { mockDoneOutputs } = await import('./dev/mock-api.js');
    useStore.setState({ step: 'done', runId: 'mock-done', runStatus: 'succeeded', outputs: mockDoneOutputs('mock-done') });
  }
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
