// window.installer in the app: the same InstallerApi the browser mode's WebSocket client gives, over two
// IPC channels. Sandboxed preloads are CommonJS and may require only a few modules, so the channel names are
// repeated here (checked against window-options.ts by a unit test) and nothing else of the app is loaded.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');
import type { ApiError, ApiEvent, ArgsOf, CommandName, InstallerApi, ResultOf } from '../core/api/types.js';

const { contextBridge, ipcRenderer } = electron;
type IpcRendererEvent = electron.IpcRendererEvent;

const IPC_INVOKE = 'installer:invoke';
const IPC_EVENT = 'installer:event';

type Envelope = { ok: true; result: unknown } | { ok: false; error: ApiError };

const api: InstallerApi = {
  async invoke<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    const reply = (await ipcRenderer.invoke(IPC_INVOKE, command, args)) as Envelope;
    if (reply.ok) return reply.result as ResultOf<C>;
    // A plain object, because the context bridge copies an Error with its message only and the UI needs
    // the key (same fields as the WebSocket client's failures: message, key, params).
    throw { name: 'ApiError', message: reply.error.message, key: reply.error.key, params: reply.error.params ?? {} };
  },
  on(listener: (event: ApiEvent) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('installer', api);
