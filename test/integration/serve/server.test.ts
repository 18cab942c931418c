// Browser mode's door: the page's files for any request naming this server (Host checked), the API only
// for a WebSocket from this server's origin presenting the one-time ticket (used once) or the session key
// the page got for it. No cookie is ever set: cookies would reach every other port on 127.0.0.1.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  WS_CREDENTIAL_PREFIX,
  WS_SUBPROTOCOL,
  createInstallerService,
  type InstallerService,
  type WsServerFrame,
} from '../../../core/api/index.js';
import { startServer, type RunningServer } from '../../../cli/serve/server.js';
import { createWsInstaller, type CredentialStore } from '../../../renderer/transport/ws-client.js';

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

/**
 * Opens a socket as a page (or a forger) would; resolves with the first frame, or rejects with the HTTP
 * status of a refused upgrade or the close code of a refused credential.
 */
function openWs(
  port: number,
  opts: { credential?: string; cookie?: string; origin?: string; host?: string; protocols?: string[] },
): Promise<{ ws: WebSocket; first: WsServerFrame }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.Cookie = opts.cookie;
    if (opts.host) headers.Host = opts.host;
    const protocols = opts.protocols ?? (opts.credential ? [WS_SUBPROTOCOL, WS_CREDENTIAL_PREFIX + opts.credential] : [WS_SUBPROTOCOL]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) as WsServerFrame }));
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

function invoke(ws: WebSocket, id: number, command: string, args: unknown): Promise<WsServerFrame> {
  const frame = nextFrame(ws, (f) => f.t === 'result' && f.id === id);
  ws.send(JSON.stringify({ t: 'invoke', id, command, args }));
  return frame;
}

function ticketOf(url: string): string {
  return new URL(url).hash.replace(/^#token=/, '');
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

describe('cp-installer serve: ticket, session key, Host and Origin, CSP', () => {
  let dir: string;
  let work: string;
  let service: InstallerService;
  let server: RunningServer;
  let key: string;
  const origin = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpi-serve-'));
    work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wizard</title><script src="./app.js"></script>');
    writeFileSync(join(dir, 'app.js'), 'console.log("app")');
    writeFileSync(join(tmpdir(), 'cpi-outside.txt'), 'outside');
    service = createInstallerService({ workdir: work, shell: 'browser' });
    server = await startServer({ api: service, rendererDir: dir, port: 0, version: 'test' });
  });

  afterAll(async () => {
    await server?.close();
    await service?.dispose();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'cpi-outside.txt'), { force: true });
  });

  it('prints a 127.0.0.1 address with a long random ticket in the fragment (never sent in a request)', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the page without a credential, with a strict CSP and no cookie', async () => {
    const r = await get(server.port, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('wizard');
    expect(r.headers['set-cookie']).toBeUndefined();
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(server.port, '/app.js')).status).toBe(200);
  });

  it('answers 403 to a foreign Host header (DNS rebinding) and 405 to anything but GET/HEAD', async () => {
    expect((await get(server.port, '/', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const path of ['/../cpi-outside.txt', '/%2e%2e/cpi-outside.txt', '/..%2fcpi-outside.txt']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('outside');
    }
  });

  it('security #2: a WebSocket without a credential, with a wrong one, or from another origin or Host is refused', async () => {
    await expect(openWs(server.port, { origin: origin() })).rejects.toThrow('closed 4401');
    await expect(openWs(server.port, { origin: origin(), credential: 'nope' })).rejects.toThrow('closed 4403');
    await expect(openWs(server.port, { origin: 'http://evil.example', credential: 'nope' })).rejects.toThrow('HTTP 403');
    await expect(openWs(server.port, { origin: `http://127.0.0.1:${server.port + 1}`, credential: 'nope' })).rejects.toThrow('HTTP 403');
    await expect(openWs(server.port, { credential: 'nope' })).rejects.toThrow('HTTP 403');
    // Host and Origin must name the same server.
    await expect(openWs(server.port, { origin: `http://localhost:${server.port}`, credential: 'nope' })).rejects.toThrow('HTTP 403');
  });

  it('security #2: the printed ticket works once; its session key keeps working (reload); a second use is refused', async () => {
    const ticket = ticketOf(server.url);
    const { ws, first } = await openWs(server.port, { origin: origin(), credential: ticket });
    ws.terminate();
    expect(first).toMatchObject({ t: 'hello', version: 'test' });
    key = (first as { key?: string }).key ?? '';
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(ticket);
    // The address again (another tab, another local client that read it): refused.
    await expect(openWs(server.port, { origin: origin(), credential: ticket })).rejects.toThrow('closed 4403');
    // The page's key, as after a reload: works, and no new key is handed out.
    const again = await openWs(server.port, { origin: origin(), credential: key });
    again.ws.terminate();
    expect(again.first).toEqual({ t: 'hello', version: 'test' });
    // A new address printed on request works once too; the old key keeps working beside it.
    const next = ticketOf(server.newLoginUrl());
    const third = await openWs(server.port, { origin: origin(), credential: next });
    third.ws.terminate();
    expect((third.first as { key?: string }).key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(openWs(server.port, { origin: origin(), credential: next })).rejects.toThrow('closed 4403');
  });

  it('security #2: the old attack fails: a cookie from another port and a forged Origin get nothing, /etc/shadow stays unread', async () => {
    // What the old server set on the way in, replayed by a client outside a browser with a forged Origin.
    for (const cookie of [`cpi_token=${ticketOf(server.url)}`, `cpi_token=${key}`]) {
      await expect(openWs(server.port, { origin: origin(), cookie })).rejects.toThrow('closed 4401');
    }
    await expect(openWs(server.port, { origin: origin(), cookie: `cpi_token=${ticketOf(server.url)}`, credential: ticketOf(server.url) })).rejects.toThrow(
      'closed 4403',
    );
    // Even a signed-in page cannot read or write outside the work folder.
    const { ws } = await openWs(server.port, { origin: origin(), credential: key });
    try {
      for (const path of ['/etc/shadow', '/etc/passwd', '../../../../etc/passwd', '~/.ssh/id_ed25519']) {
        const r = await invoke(ws, 1, 'plan.load', { path });
        expect(r, path).toMatchObject({ ok: false, error: { key: 'plan.path.notAllowed' } });
        expect(JSON.stringify(r)).not.toContain('root:');
      }
      const { plan } = (await service.invoke('plan.new', { mode: 'standalone' })) as { plan: unknown };
      const save = await invoke(ws, 2, 'plan.save', { path: join(dir, 'outside.yaml'), plan });
      expect(save).toMatchObject({ ok: false, error: { key: 'plan.path.notAllowed' } });
      const merge = await invoke(ws, 3, 'outputs.kubeconfig', { runId: 'x', mergeInto: '/etc/cron.d/evil' });
      expect(merge).toMatchObject({ ok: false, error: { key: 'plan.path.notAllowed' } });
      // A link inside the work folder pointing out is followed before the check.
      symlinkSync('/etc/passwd', join(work, 'link.yaml'));
      expect(await invoke(ws, 4, 'plan.load', { path: 'link.yaml' })).toMatchObject({ ok: false, error: { key: 'plan.path.notAllowed' } });
      // Inside the work folder (a relative path is taken there) it works.
      const saved = await invoke(ws, 5, 'plan.save', { path: 'plan.yaml', plan });
      expect(saved).toMatchObject({ ok: true, result: { path: join(work, 'plan.yaml') } });
      expect(readFileSync(join(work, 'plan.yaml'), 'utf8')).toContain('standalone');
      expect(await invoke(ws, 6, 'plan.load', { path: join(work, 'plan.yaml') })).toMatchObject({ ok: true });
    } finally {
      ws.terminate();
    }
  });

  it('carries commands and their errors over an authorised WebSocket', async () => {
    const { ws } = await openWs(server.port, { origin: origin(), credential: key });
    try {
      const info = await invoke(ws, 1, 'app.info', {});
      expect(info).toMatchObject({ ok: true, result: { shell: 'browser', canRememberSecrets: false } });
      expect(await invoke(ws, 2, 'fs.readFile', {})).toMatchObject({ ok: false, error: { key: 'api.unknownCommand' } });
      expect(await invoke(ws, 3, 'run.state', { runId: '../../etc' })).toMatchObject({ ok: false, error: { key: 'api.badArgs' } });
    } finally {
      ws.terminate();
    }
  });

  it('gives the renderer the whole InstallerApi through its WebSocket client: ticket, key, commands, errors, events', async () => {
    // The page's client, with Node's `ws` standing in for the browser's WebSocket (which sends Origin by
    // itself), and a Map for the tab's sessionStorage.
    class BrowserLikeSocket extends WebSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols, { origin: origin() });
      }
    }
    const tab = new Map<string, string>();
    const store: CredentialStore = { getItem: (k) => tab.get(k) ?? null, setItem: (k, v) => void tab.set(k, v), removeItem: (k) => void tab.delete(k) };
    const { adoptTicket } = await import('../../../renderer/transport/ws-client.js');
    let cleaned = '';
    adoptTicket(new URL(server.newLoginUrl()), store, (u) => (cleaned = u));
    expect(cleaned).toBe('/');
    const client = createWsInstaller({
      url: `ws://127.0.0.1:${server.port}/api`,
      store,
      WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      const { plan } = await client.invoke('plan.new', { mode: 'standalone' });
      expect(plan.mode).toBe('standalone');
      // The ticket is used up and the tab holds a key instead.
      expect(tab.get('cpi.ticket')).toBeUndefined();
      expect(tab.get('cpi.key')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const bad = await client.invoke('plan.new', { mode: 'nope' as 'edge' }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ key: 'api.badArgs' });
      // A host nobody listens on: ssh.test answers for it, and the page hears about it as an event too.
      const events: unknown[] = [];
      const off = client.on((e) => events.push(e));
      const hosts = (plan.hosts ?? []).map((h, i) => ({ ...h, address: `127.0.0.${i + 1}`, port: 1 }));
      const r = await client.invoke('ssh.test', { plan: { ...plan, hosts }, hosts: [hosts[0]!.name] });
      expect(r.hosts).toHaveLength(1);
      expect(r.hosts[0]).toMatchObject({ ok: false });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events).toContainEqual({ type: 'ssh-host', result: r.hosts[0] });
      off();
    } finally {
      client.close();
    }
    // A reload of the same tab: a new client with the same storage signs in with the key.
    const reloaded = createWsInstaller({
      url: `ws://127.0.0.1:${server.port}/api`,
      store,
      WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      expect((await reloaded.invoke('app.info', {})).shell).toBe('browser');
    } finally {
      reloaded.close();
    }
    // A tab with nothing: told it is not signed in, without endless retries.
    const stranger = createWsInstaller({
      url: `ws://127.0.0.1:${server.port}/api`,
      store: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
      WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      await expect(stranger.invoke('app.info', {})).rejects.toMatchObject({ key: 'api.notSignedIn' });
      await expect(stranger.invoke('app.info', {})).rejects.toMatchObject({ key: 'api.notSignedIn' });
    } finally {
      stranger.close();
    }
  });
});
