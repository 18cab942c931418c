// The one door to the engine: window.installer (Electron preload, or the WebSocket client of browser mode,
// or the development mock). Screens never call it directly; store actions do.
import type { ApiError, ArgsOf, CommandName, InstallerApi, Message, ResultOf } from '../core/api/types.js';

let current: InstallerApi | undefined;

export function setApi(api: InstallerApi): void {
  current = api;
}

export function api(): InstallerApi {
  if (!current) throw new Error('window.installer is not set');
  return current;
}

export function call<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
  return api().invoke(command, args);
}

/** Any rejection as a translatable message: ApiErrors keep their key, anything else shows its text. */
export function errorMessage(e: unknown): Message {
  if (typeof e === 'object' && e !== null && typeof (e as ApiError).key === 'string') {
    const { key, params, message, nested } = e as ApiError;
    return { key, params: { message: message ?? '', ...(params ?? {}) }, ...(nested ? { nested } : {}) };
  }
  return { key: 'ui.error.unexpected', params: { message: e instanceof Error ? e.message : String(e) } };
}
