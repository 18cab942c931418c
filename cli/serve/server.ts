// Browser mode: the built renderer and the API over one WebSocket, on 127.0.0.1 only. The page's files hold
// no secret and are served to any request naming this server (Host checked); the API answers only a
// WebSocket from this server's own origin that presents the one-time ticket of the printed address or the
// session key the page got for it (auth.ts says why there is no cookie).
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  MAX_FRAME_BYTES,
  WS_CLOSE,
  WS_PATH,
  errorFrame,
  eventsFrame,
  parseClientFrame,
  resultFrame,
  toApiError,
  type ApiEvent,
  type InstallerApi,
  type WsServerFrame,
} from '../../core/api/index.js';
import {
  CLOSE_NO_CREDENTIAL,
  CLOSE_REFUSED,
  Credentials,
  WS_PROTOCOL,
  handshakeAllowed,
  hostAllowed,
  loginUrl,
  newToken,
  offeredProtocols,
  securityHeaders,
  type Presented,
} from './auth.js';
import { contentType, resolveStatic } from './static.js';

export interface ServeOptions {
  api: InstallerApi;
  /** The built renderer (dist-renderer/). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** The first one-time ticket (random unless given). */
  token?: string;
  version?: string;
}

export interface RunningServer {
  port: number;
  /** The first ticket (in `url`). */
  token: string;
  /** The address to open, with the one-time ticket in its fragment. */
  url: string;
  /** A new one-time address; the previous one stops working if it was not used yet. */
  newLoginUrl(): string;
  close(): Promise<void>;
}

/** A window far behind (a stalled tab) stops receiving log batches; it catches up with run.logsSince. */
const SLOW_CLIENT_BYTES = 16 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const credentials = new Credentials(token);
  let port = 0;

  const plain = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(text);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, port)) {
      plain(res, 403, 'Forbidden\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = resolveStatic(options.rendererDir, url.pathname);
    if (!file && url.pathname === '/favicon.ico') {
      // Browsers ask for it on their own; an error in the console for it would only be noise.
      res.writeHead(204, securityHeaders(port));
      res.end();
      return;
    }
    if (!file) {
      plain(res, 404, 'Not Found\n');
      return;
    }
    res.writeHead(200, { ...securityHeaders(port), 'Content-Type': contentType(file) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const server = createServer(onRequest);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // The page offers ours plus its credential; only ours is ever echoed back.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();

  const refuse = (socket: Duplex, status: 401 | 403 | 404) => {
    const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== WS_PATH) return refuse(socket, 404);
    // Browsers always send Origin on a WebSocket; a page of another site must not drive the installer
    // even if it learnt the port. (A client outside a browser can forge both: the credential stops it.)
    if (!handshakeAllowed({ host: req.headers.host, origin: req.headers.origin }, port)) return refuse(socket, 403);
    const { credential } = offeredProtocols(req.headers['sec-websocket-protocol']);
    const presented = credential === undefined ? undefined : credentials.present(credential);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused after the upgrade, with a close code the page can read (a failed handshake shows it none);
      // nothing is sent or read before.
      if (!presented) return ws.close(CLOSE_NO_CREDENTIAL, 'no credential');
      if (!presented.ok) return ws.close(CLOSE_REFUSED, 'credential refused');
      connection(ws, presented);
    });
  });

  const connection = (ws: WebSocket, presented: Exclude<Presented, { ok: false }>) => {
    sockets.add(ws);
    const send = (frame: WsServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    // Events that arrive together go out as one frame.
    let queued: ApiEvent[] = [];
    const flush = () => {
      const events = queued;
      queued = [];
      if (events.length) send(eventsFrame(events));
    };
    const unsubscribe = options.api.on((event) => {
      if (event.type === 'log-batch' && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
      if (queued.length === 0) setImmediate(flush);
      queued.push(event);
    });
    // A ticket used now: the page keeps this key (sessionStorage) for reloads and reconnects.
    send({ t: 'hello', version: options.version ?? '', ...(presented.fresh ? { key: presented.key } : {}) });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(WS_CLOSE.badFrame, 'text frames only');
        return;
      }
      const parsed = parseClientFrame(data.toString());
      if (!parsed.ok) {
        if (parsed.id !== undefined) send(errorFrame(parsed.id, parsed.error));
        return;
      }
      const { id, command, args } = parsed.frame;
      options.api.invoke(command, args as never).then(
        (result) => send(resultFrame(id, result)),
        (e: unknown) => send(errorFrame(id, toApiError(e))),
      );
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: loginUrl(port, token),
    newLoginUrl: () => loginUrl(port, credentials.issue()),
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
