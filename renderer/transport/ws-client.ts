// window.installer for browser mode: the same InstallerApi as Electron's preload, carried over the WebSocket
// that `cp-installer serve` opens on the page's own origin. The server authenticates the socket with the
// HttpOnly cookie it set when the page was first loaded with ?token=…, so no token is handled here unless
// the page still carries one in its URL.
//
// Usage (renderer/main.tsx): `if (!window.installer) window.installer = createWsInstaller();`
// A failed command rejects with an Error that also carries the ApiError `key` and `params`, so the UI can
// translate it (see isApiError).
import {
  COMMAND_NAMES,
  WS_PATH,
  type ApiError,
  type ApiEvent,
  type ArgsOf,
  type CommandName,
  type InstallerApi,
  type ResultOf,
  type WsClientFrame,
  type WsServerFrame,
} from '../../core/api/types.js';

/** 'closed' each time the socket drops (a reconnect follows unless the server refused us or close() was
 * called); 'open' again after a reconnect is the moment to catch up with run.logsSince. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsInstaller extends InstallerApi {
  /** Connection state changes (the UI may show "reconnecting…"); returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  close(): void;
}

export interface WsInstallerOptions {
  /** Defaults to ws(s)://<page host>/api, with ?token= copied from the page URL when present. */
  url?: string;
  /** A command not answered within this time rejects (runs answer at once; they report through events). */
  timeoutMs?: number;
  /** Injected in tests; defaults to the browser's WebSocket. */
  WebSocketImpl?: typeof WebSocket;
}

export type ApiFailure = Error & ApiError;

export function isApiError(e: unknown): e is ApiFailure {
  return typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string';
}

export function apiFailure(error: ApiError): ApiFailure {
  return Object.assign(new Error(error.message), { key: error.key, params: error.params });
}

export function defaultWsUrl(loc: { protocol: string; host: string; search: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token');
  return `${scheme}//${loc.host}${WS_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

const KNOWN = new Set<string>(COMMAND_NAMES);

export function createWsInstaller(options: WsInstallerOptions = {}): WsInstaller {
  const url = options.url ?? defaultWsUrl(window.location);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const Impl = options.WebSocketImpl ?? WebSocket;

  const listeners = new Set<(e: ApiEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: ReturnType<typeof setTimeout> }
  >();
  // Invokes made while (re)connecting wait here and go out when the socket opens.
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let state: ConnectionState = 'connecting';
  let closedByUs = false;
  let givenUp = false;
  let retryDelay = 250;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const l of connListeners) l(s);
  };

  const failAll = (error: ApiError) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(apiFailure(error));
      pending.delete(id);
    }
  };

  const connect = () => {
    setState('connecting');
    const ws = new Impl(url);
    socket = ws;
    ws.onopen = () => {
      retryDelay = 250;
      setState('open');
      for (const frame of outbox.splice(0)) ws.send(frame);
    };
    ws.onmessage = (ev: MessageEvent) => {
      let frame: WsServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as WsServerFrame;
      } catch {
        return;
      }
      if (frame.t === 'result') {
        const p = pending.get(frame.id);
        if (!p) return;
        pending.delete(frame.id);
        clearTimeout(p.timer);
        if (frame.ok) p.resolve(frame.result);
        else p.reject(apiFailure(frame.error));
      } else if (frame.t === 'events') {
        for (const event of frame.events) for (const l of listeners) l(event);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return;
      socket = undefined;
      // A command in flight when the socket drops may or may not have run: say so rather than resend it.
      failAll({ key: 'api.disconnected', message: 'The connection to the installer was lost.' });
      // 4401/4403: the server refused us (bad or missing token); retrying cannot help.
      setState('closed');
      if (closedByUs || ev.code === 4401 || ev.code === 4403) {
        givenUp = true;
        return;
      }
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5_000);
    };
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      if (!KNOWN.has(command)) {
        return Promise.reject(
          apiFailure({ key: 'api.unknownCommand', params: { command }, message: `Unknown command ${command}` }),
        );
      }
      if (givenUp) {
        return Promise.reject(
          apiFailure({ key: 'api.disconnected', message: 'The connection to the installer was lost.' }),
        );
      }
      const id = nextId++;
      const frame: WsClientFrame = { t: 'invoke', id, command, args };
      return new Promise<ResultOf<C>>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(apiFailure({ key: 'api.timeout', params: { command }, message: `${command} timed out` }));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        const text = JSON.stringify(frame);
        if (socket && socket.readyState === Impl.OPEN) socket.send(text);
        else outbox.push(text);
      });
    },
    on(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    onConnection(listener) {
      connListeners.add(listener);
      return () => {
        connListeners.delete(listener);
      };
    },
    close() {
      closedByUs = true;
      givenUp = true;
      socket?.close();
      setState('closed');
    },
  };
}
