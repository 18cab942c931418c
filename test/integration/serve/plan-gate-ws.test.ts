// security #5 through browser mode's WebSocket, the way the attack drove it: the page's own client signed
// in with the printed address, a plan with a host named `$(touch …)`, and hosts that are loopback listeners
// counting connections. run.dryRun returns no actions and ssh.test logs in nowhere.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createInstallerService, type InstallerService } from '../../../core/api/index.js';
import type { PlanInput } from '../../../core/api/types.js';
import { startServer, type RunningServer } from '../../../cli/serve/server.js';
import { adoptTicket, createWsInstaller, type CredentialStore } from '../../../renderer/transport/ws-client.js';

describe('security #5: browser mode validates in the engine, not in the page', () => {
  let dir: string;
  let service: InstallerService;
  let server: RunningServer;
  const hosts: Array<{ server: Server; port: number; connections: number }> = [];
  const connections = () => hosts.reduce((n, h) => n + h.connections, 0);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpi-gate-ws-'));
    mkdirSync(join(dir, 'work'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wizard</title>');
    service = createInstallerService({ workdir: join(dir, 'work'), shell: 'browser', knownHostsFile: join(dir, 'known_hosts') });
    server = await startServer({ api: service, rendererDir: dir, port: 0, version: 'test' });
    for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
      const h = { server: createServer(), port: 0, connections: 0 };
      h.server.on('connection', (s) => {
        h.connections++;
        s.destroy();
      });
      await new Promise<void>((resolve) => h.server.listen({ host: address, port: 0 }, resolve));
      h.port = (h.server.address() as { port: number }).port;
      hosts.push(h);
    }
  });

  afterAll(async () => {
    await server?.close();
    await service?.dispose();
    for (const h of hosts) h.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client() {
    const origin = `http://127.0.0.1:${server.port}`;
    class BrowserLikeSocket extends WebSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols, { origin });
      }
    }
    const tab = new Map<string, string>();
    const store: CredentialStore = { getItem: (k) => tab.get(k) ?? null, setItem: (k, v) => void tab.set(k, v), removeItem: (k) => void tab.delete(k) };
    adoptTicket(new URL(server.newLoginUrl()), store, () => undefined);
    return createWsInstaller({ url: `ws://127.0.0.1:${server.port}/api`, store, WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket });
  }

  function plan(name0: string): PlanInput {
    const roles = [['control-plane'], ['worker'], ['nfs']] as const;
    return {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'agent', user: 'ubuntu' }],
      hosts: hosts.map((h, i) => ({ name: i === 0 ? name0 : `node${i}`, address: `127.0.0.${i + 1}`, port: h.port, roles: [...roles[i]!] })),
      network: { metallbRange: '10.99.0.100-10.99.0.110', ingressIp: '10.99.0.120' },
    };
  }

  it('security #5: run.dryRun, ssh.test, preflight.run and run.start over the WebSocket refuse a host named $(touch …); nothing connects', async () => {
    const marker = join(dir, 'touched');
    const bad = plan(`$(touch ${marker})`);
    const api = client();
    try {
      const v = await api.invoke('plan.validate', { plan: bad });
      expect(v.valid).toBe(false);
      const before = connections();
      for (const [command, args] of [
        ['run.dryRun', { plan: bad }],
        ['ssh.test', { plan: bad }],
        ['preflight.run', { plan: bad }],
        ['run.start', { plan: bad }],
      ] as const) {
        const e = await api.invoke(command, args as never).then(
          (r) => ({ unexpected: r }),
          (x: unknown) => x,
        );
        expect(e, command).toMatchObject({ key: 'api.planInvalid', params: { field: 'hosts[0].name' } });
      }
      expect(connections()).toBe(before);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(dir, 'work', 'runs'))).toBe(false);

      // Control: the same client with a valid plan does reach the listener, so the count above means something.
      await api.invoke('ssh.test', { plan: plan('master1'), hosts: ['master1'] });
      expect(connections()).toBeGreaterThan(before);
    } finally {
      api.close();
    }
  });
});
