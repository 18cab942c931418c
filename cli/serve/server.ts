// Browser mode: the built renderer and the API over one WebSocket, on 127.0.0.1 only. Every request must
// carry the token printed on the terminal (in the URL once, then as an HttpOnly cookie); anything else gets
// a bare 401/403, static files included.
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
import { allowedHosts, authorize, newToken, originAllowed, securityHeaders, tokenCookie } from './auth.js';
import { contentType, resolveStatic } from './static.js';

export interface ServeOptions {
  api: InstallerApi;
  /** The built renderer (dist-renderer/). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  version?: string;
}

export interface RunningServer {
  port: number;
  token: string;
  /** The URL to open, with the token. */
  url: string;
  close(): Promise<void>;
}

/** A window far behind (a stalled tab) stops receiving log batches; it catches up with run.logsSince. */
const SLOW_CLIENT_BYTES = 16 * 1024 * 1024;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  let port = 0;

  const plain = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(text);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const verdict = authorize(token, { url: req.url ?? '/', cookie: req.headers.cookie, host: req.headers.host }, allowedHosts(port));
    if (!verdict.ok) {
      plain(res, verdict.status, verdict.status === 401 ? 'Unauthorized\n' : 'Forbidden\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (verdict.via === 'query') {
      // The cookie carries the token from now on; the address bar, history and a shoulder-surfer lose it.
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...securityHeaders(port),
        'Set-Cookie': tokenCookie(token),
        Location: url.pathname + url.search,
      });
      res.end();
      return;
    }
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
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
    // even if it learnt the port.
    if (!originAllowed(req.headers.origin, port)) return refuse(socket, 403);
    const verdict = authorize(token, { url: req.url ?? '/', cookie: req.headers.cookie, host: req.headers.host }, allowedHosts(port));
    if (!verdict.ok) return refuse(socket, verdict.status);
    wss.handleUpgrade(req, socket, head, (ws) => connection(ws));
  });

  const connection = (ws: WebSocket) => {
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
    send({ t: 'hello', version: options.version ?? '' });
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
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
