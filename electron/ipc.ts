// The IPC side of the contract: one invoke channel checked against the contract's command list and the
// sender's frame, and one event channel. Results travel in an envelope because Electron keeps only the
// message of a rejected invoke, and the UI needs the message key.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES, toApiError, type ApiError, type CommandName, type InstallerApi } from '../core/api/index.js';
import { IPC_EVENT, IPC_INVOKE, trustedSender } from './window-options.js';

export type Envelope = { ok: true; result: unknown } | { ok: false; error: ApiError };

const KNOWN = new Set<string>(COMMAND_NAMES);

export async function handleInvoke(
  api: InstallerApi,
  sender: { url: string | undefined; isMainFrame: boolean },
  command: unknown,
  args: unknown,
): Promise<Envelope> {
  if (!trustedSender(sender.url, sender.isMainFrame)) {
    return { ok: false, error: { key: 'api.forbidden', message: 'IPC from an untrusted frame' } };
  }
  if (typeof command !== 'string' || !KNOWN.has(command)) {
    return {
      ok: false,
      error: { key: 'api.unknownCommand', params: { command: String(command).slice(0, 80) }, message: 'Unknown command' },
    };
  }
  try {
    return { ok: true, result: await api.invoke(command as CommandName, (args ?? {}) as never) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

export function registerIpc(ipcMain: IpcMain, api: InstallerApi, target: () => WebContents | undefined): () => void {
  ipcMain.handle(IPC_INVOKE, (event: IpcMainInvokeEvent, command: unknown, args: unknown) => {
    const frame = event.senderFrame;
    const isMainFrame = !!frame && frame === event.sender.mainFrame;
    return handleInvoke(api, { url: frame?.url, isMainFrame }, command, args);
  });
  const unsubscribe = api.on((e) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT, e);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
  };
}
