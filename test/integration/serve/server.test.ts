// Browser mode's door: without the token nothing but 401/403 (static files too), with it the page and the
// API; a WebSocket from another origin or without the token is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createInstallerService, type InstallerService, type WsServerFrame } from '../../../core/api/index.js';
import { startServer, type RunningServer } from '../../../cli/serve/server.js';
import { createWsInstaller } from '../../../renderer/transport/ws-client.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with the first frame, or rejects with the HTTP status of a refused upgrade. */
function openWs(port: number, opts: { query?: string; cookie?: string; origin?: string }): Promise<{ ws: WebSocket; first: WsServerFrame }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.Cookie = opts.cookie;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api${opts.query ?? ''}`, { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) as WsServerFrame }));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

function nextFrame(ws: WebSocket, pred: (f: WsServerFrame) => boolean): Promise<WsServerFrame> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as WsServerFrame;
      if (pred(frame)) {
        ws.off('message', on);
        resolve(frame);
      }
    };
    ws.on('message', on);
  });
}

describe('cp-installer serve: token, cookie, Origin, CSP', () => {
  let dir: string;
  let service: InstallerService;
  let server: RunningServer;
  let cookie: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpi-serve-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wizard</title><script src="./app.js"></script>');
    writeFileSync(join(dir, 'app.js'), 'console.log("app")');
    writeFileSync(join(tmpdir(), 'cpi-outside.txt'), 'outside');
    service = createInstallerService({ workdir: dir, shell: 'browser' });
    server = await startServer({ api: service, rendererDir: dir, port: 0, version: 'test' });
  });

  afterAll(async () => {
    await server?.close();
    await service?.dispose();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'cpi-outside.txt'), { force: true });
  });

  it('prints a 127.0.0.1 URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('answers 401 to a request without the token, for the page and for static files', async () => {
    for (const path of ['/', '/index.html', '/app.js', '/nothing']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('wizard');
      expect(r.body).not.toContain('console.log');
    }
  });

  it('answers 403 to a wrong token or cookie and to a foreign Host header', async () => {
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);
    expect((await get(server.port, '/app.js', { Cookie: 'cpi_token=wrong' })).status).toBe(403);
    const rebinding = await get(server.port, `/?token=${server.token}`, { Host: `evil.example:${server.port}` });
    expect(rebinding.status).toBe(403);
  });

  it('trades a good token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const r = await get(server.port, `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const setCookie = String(r.headers['set-cookie']);
    expect(setCookie).toContain(`cpi_token=${server.token}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    cookie = setCookie.split(';')[0]!;
  });

  it('serves the page with the cookie, with a strict CSP', async () => {
    const r = await get(server.port, '/', { Cookie: cookie });
    expect(r.status).toBe(200);
    expect(r.body).toContain('wizard');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(server.port, '/app.js', { Cookie: cookie })).status).toBe(200);
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const path of ['/../cpi-outside.txt', '/%2e%2e/cpi-outside.txt', '/..%2fcpi-outside.txt']) {
      const r = await get(server.port, path, { Cookie: cookie });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('outside');
    }
  });

  it('refuses a WebSocket without the token, with a wrong one, or from another origin', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    await expect(openWs(server.port, { origin })).rejects.toThrow('HTTP 401');
    await expect(openWs(server.port, { origin, query: '?token=nope' })).rejects.toThrow('HTTP 403');
    await expect(openWs(server.port, { origin: 'http://evil.example', cookie })).rejects.toThrow('HTTP 403');
    await expect(openWs(server.port, { cookie })).rejects.toThrow('HTTP 403');
  });

  it('carries commands and their errors over an authorised WebSocket', async () => {
    const { ws, first } = await openWs(server.port, { origin: `http://127.0.0.1:${server.port}`, cookie });
    try {
      expect(first).toEqual({ t: 'hello', version: 'test' });
      ws.send(JSON.stringify({ t: 'invoke', id: 1, command: 'app.info', args: {} }));
      const info = await nextFrame(ws, (f) => f.t === 'result' && f.id === 1);
      expect(info).toMatchObject({ ok: true, result: { shell: 'browser', canRememberSecrets: false } });
      ws.send(JSON.stringify({ t: 'invoke', id: 2, command: 'fs.readFile', args: {} }));
      expect(await nextFrame(ws, (f) => f.t === 'result' && f.id === 2)).toMatchObject({
        ok: false,
        error: { key: 'api.unknownCommand' },
      });
      ws.send(JSON.stringify({ t: 'invoke', id: 3, command: 'run.state', args: { runId: '../../etc' } }));
      expect(await nextFrame(ws, (f) => f.t === 'result' && f.id === 3)).toMatchObject({
        ok: false,
        error: { key: 'api.badArgs' },
      });
    } finally {
      ws.terminate();
    }
  });

  it('gives the renderer the whole InstallerApi through its WebSocket client: commands, errors, events', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    // The page's client, with Node's `ws` standing in for the browser's WebSocket (which sends the cookie
    // and Origin by itself).
    class BrowserLikeSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { Cookie: cookie }, origin });
      }
    }
    const client = createWsInstaller({
      url: `ws://127.0.0.1:${server.port}/api`,
      WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      const { plan } = await client.invoke('plan.new', { mode: 'standalone' });
      expect(plan.mode).toBe('standalone');
      const bad = await client.invoke('plan.new', { mode: 'nope' as 'edge' }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ key: 'api.badArgs' });
      // A host nobody listens on: ssh.test answers for it, and the page hears about it as an event too.
      const events: unknown[] = [];
      const off = client.on((e) => events.push(e));
      const hosts = (plan.hosts ?? []).map((h) => ({ ...h, address: '127.0.0.1', port: 1 }));
      const r = await client.invoke('ssh.test', { plan: { ...plan, hosts }, hosts: [hosts[0]!.name] });
      expect(r.hosts).toHaveLength(1);
      expect(r.hosts[0]).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events).toContainEqual({ type: 'ssh-host', result: r.hosts[0] });
      off();
    } finally {
      client.close();
    }
  });
});
