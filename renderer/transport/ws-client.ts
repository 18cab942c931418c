// window.installer for browser mode: the same InstallerApi as Electron's preload, carried over the WebSocket
// that `cp-installer serve` opens on the page's own origin. The credential is held by this page only: the
// one-time ticket of the printed address (#token=…) moves from the address bar into this tab's
// sessionStorage, goes to the server as a WebSocket subprotocol, and is traded there for a session key the
// tab keeps for reloads and reconnects. No cookie: cookies would reach every other port on 127.0.0.1.
//
// Usage (renderer/main.tsx): `if (!window.installer) window.installer = createWsInstaller();`
// A failed command rejects with an Error that also carries the ApiError `key` and `params`, so the UI can
// translate it (see isApiError).
import {
  COMMAND_NAMES,
  WS_CLOSE_NO_CREDENTIAL,
  WS_CLOSE_REFUSED,
  WS_CREDENTIAL_PREFIX,
  WS_PATH,
  WS_SUBPROTOCOL,
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

/** Where the page keeps its credential: this tab's sessionStorage in a browser. */
export interface CredentialStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const TICKET = 'cpi.ticket';
const KEY = 'cpi.key';

/**
 * Moves a ticket from the address (`#token=…`) into the store and takes it out of the address bar and the
 * history entry. A new ticket replaces a kept key (the page was opened from a new printed address).
 */
export function adoptTicket(loc: { hash: string; pathname: string; search: string }, store: CredentialStore, replaceUrl: (url: string) => void): void {
  const ticket = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  if (!ticket) return;
  store.setItem(TICKET, ticket);
  store.removeItem(KEY);
  replaceUrl(loc.pathname + loc.search);
}

/** What the page presents: its session key once it has one, else the ticket. */
export function currentCredential(store: CredentialStore): string | undefined {
  return store.getItem(KEY) ?? store.getItem(TICKET) ?? undefined;
}

function memoryStore(): CredentialStore {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

export interface WsInstallerOptions {
  /** Defaults to ws(s)://<page host>/api. */
  url?: string;
  /** Where the credential is kept; defaults to the tab's sessionStorage (after adopting #token=… from the URL). */
  store?: CredentialStore;
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

export function defaultWsUrl(loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}`;
}

function browserStore(): CredentialStore {
  let store: CredentialStore;
  try {
    store = window.sessionStorage;
  } catch {
    // Storage switched off: the ticket still works for this page's life, not across a reload.
    store = memoryStore();
  }
  adoptTicket(window.location, store, (url) => window.history.replaceState(window.history.state, '', url));
  return store;
}

const NOT_SIGNED_IN: ApiError = {
  key: 'api.notSignedIn',
  message: 'This page is not signed in to the installer: open the address cp-installer serve printed.',
};

const KNOWN = new Set<string>(COMMAND_NAMES);

export function createWsInstaller(options: WsInstallerOptions = {}): WsInstaller {
  const url = options.url ?? defaultWsUrl(window.location);
  const store = options.store ?? browserStore();
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
  let refused = false;
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
    const credential = currentCredential(store);
    const ws = new Impl(url, credential ? [WS_SUBPROTOCOL, WS_CREDENTIAL_PREFIX + credential] : [WS_SUBPROTOCOL]);
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
      if (frame.t === 'hello') {
        // The ticket is used up; from now on this tab presents the key (reloads included).
        if (frame.key) {
          store.setItem(KEY, frame.key);
          store.removeItem(TICKET);
        }
      } else if (frame.t === 'result') {
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
      // The server refused the credential (none, used, or from an earlier server): retrying cannot help.
      refused = ev.code === WS_CLOSE_NO_CREDENTIAL || ev.code === WS_CLOSE_REFUSED;
      if (refused) {
        store.removeItem(TICKET);
        store.removeItem(KEY);
      }
      // A command in flight when the socket drops may or may not have run: say so rather than resend it.
      failAll(refused ? NOT_SIGNED_IN : { key: 'api.disconnected', message: 'The connection to the installer was lost.' });
      outbox.length = 0;
      setState('closed');
      if (closedByUs || refused) {
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
          apiFailure(refused ? NOT_SIGNED_IN : { key: 'api.disconnected', message: 'The connection to the installer was lost.' }),
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
