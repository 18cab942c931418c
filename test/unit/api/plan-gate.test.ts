// security #5: every API command that touches hosts or a run's files validates the plan first, in the
// engine, so no shell can skip it. Hosts here are TCP listeners on loopback that count who connects: a
// refused command must leave every count at zero (and a control shows the count does move).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallerService, type InstallerService } from '../../../core/api/service.js';
import type { Engine } from '../../../core/api/engine.js';
import type { CommandName, PlanInput } from '../../../core/api/types.js';

interface Listener {
  address: string;
  port: number;
  server: Server;
  connections: number;
}

async function listen(address: string): Promise<Listener> {
  const l: Listener = { address, port: 0, server: createServer(), connections: 0 };
  l.server.on('connection', (socket) => {
    l.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => l.server.listen({ host: address, port: 0 }, resolve));
  l.port = (l.server.address() as { port: number }).port;
  return l;
}

export function gatePlan(listeners: Listener[], over: Partial<PlanInput> = {}): PlanInput {
  const roles: Array<Array<'control-plane' | 'worker' | 'nfs'>> = [['control-plane'], ['worker'], ['nfs']];
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    auth: [{ name: 'default', method: 'agent', user: 'ubuntu' }],
    hosts: listeners.map((l, i) => ({ name: ['master1', 'worker1', 'nfs1'][i]!, address: l.address, port: l.port, roles: roles[i]! })),
    network: { metallbRange: '10.99.0.100-10.99.0.110', ingressIp: '10.99.0.120' },
    ...over,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'cpi-gate-'));
const marker = join(dir, 'pwned');
const hostile = `$(touch ${marker})`;
let listeners: Listener[] = [];
let service: InstallerService;
const total = () => listeners.reduce((n, l) => n + l.connections, 0);

beforeAll(async () => {
  listeners = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(listen));
  service = createInstallerService({ workdir: join(dir, 'work'), shell: 'browser', knownHostsFile: join(dir, 'known_hosts') });
});
afterAll(async () => {
  await service.dispose();
  for (const l of listeners) l.server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every command that connects to a host or writes a run's files, with a plan. */
function hostCommands(plan: PlanInput): Array<[CommandName, Record<string, unknown>]> {
  return [
    ['ssh.test', { plan }],
    ['ssh.acceptHostKey', { plan, host: 'master1', fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['preflight.run', { plan }],
    ['preflight.fix', { plan, host: 'master1', fixId: 'swap' }],
    ['run.dryRun', { plan }],
    ['run.start', { plan }],
  ];
}

describe('security #5: the API validates the plan before acting on it', { timeout: 30_000 }, () => {
  it('the test hosts count connections (control: a valid plan is tested, so the count moves)', async () => {
    const before = total();
    const r = await service.invoke('ssh.test', { plan: gatePlan(listeners), hosts: ['master1'] });
    expect(r.hosts[0]).toMatchObject({ name: 'master1', ok: false });
    expect(total()).toBeGreaterThan(before);
  });

  it('security #5: a host named $(touch …) is refused by every host command with api.planInvalid naming hosts[0].name; nothing connects, runs or is written', async () => {
    const plan = gatePlan(listeners);
    plan.hosts![0] = { ...plan.hosts![0]!, name: hostile };
    expect((await service.invoke('plan.validate', { plan })).valid).toBe(false);
    const before = total();
    for (const [command, args] of hostCommands(plan)) {
      const e = await service.invoke(command, args as never).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, command).toMatchObject({ key: 'api.planInvalid', params: { field: 'hosts[0].name' } });
      expect((e as { message: string }).message, command).toContain('hosts[0].name');
    }
    expect(total()).toBe(before);
    expect(existsSync(marker)).toBe(false);
    const runs = join(dir, 'work', 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });

  it('security #5: an address validation rejects (10.250.0.014) never reaches a listener, whatever the command', async () => {
    const plan = gatePlan(listeners);
    plan.hosts![1] = { ...plan.hosts![1]!, address: '127.0.0.002' };
    const before = total();
    for (const [command, args] of hostCommands(plan)) {
      const e = await service.invoke(command, args as never).catch((x: unknown) => x);
      expect(e, command).toMatchObject({ key: 'api.planInvalid', params: { field: 'hosts[1].address' } });
    }
    expect(total()).toBe(before);
  });

  it('security #5: an error outside the hosts (network.ingressIp) still stops every host command, ssh.test included', async () => {
    const plan = gatePlan(listeners, { network: { metallbRange: '10.99.0.100-10.99.0.110', ingressIp: 'not-an-ip' } });
    const before = total();
    for (const [command, args] of hostCommands(plan)) {
      const e = await service.invoke(command, args as never).catch((x: unknown) => x);
      expect(e, command).toMatchObject({ key: 'api.planInvalid', params: { field: 'network.ingressIp' } });
    }
    expect(total()).toBe(before);
  });

  it('security #5: the check is the service’s own, so an engine handed in by a shell or test is guarded too', async () => {
    const called: string[] = [];
    const engine: Engine = {
      version: 'test',
      catalog: { releases: () => [], defaultRelease: 'k-paas-v1.6.2' },
      ssh: {
        test: async () => (called.push('ssh.test'), []),
        acceptHostKey: async () => void called.push('ssh.acceptHostKey'),
      },
      preflight: {
        run: async () => (called.push('preflight.run'), { ok: true, startedAt: '', durationMs: 0, hosts: [], cross: [] }),
        fix: async () => (called.push('preflight.fix'), { ok: true, output: '' }),
      },
    };
    const own = createInstallerService({ workdir: join(dir, 'own'), shell: 'electron', engine });
    try {
      const plan = gatePlan(listeners);
      plan.hosts![2] = { ...plan.hosts![2]!, name: hostile };
      for (const [command, args] of hostCommands(plan).filter(([c]) => !c.startsWith('run.'))) {
        const e = await own.invoke(command, args as never).catch((x: unknown) => x);
        expect(e, command).toMatchObject({ key: 'api.planInvalid', params: { field: 'hosts[2].name' } });
      }
      expect(called).toEqual([]);
      await own.invoke('ssh.test', { plan: gatePlan(listeners) });
      expect(called).toEqual(['ssh.test']);
    } finally {
      await own.dispose();
    }
  });

  it('security #5: the refusal renders in words in both languages, naming the field and what is wrong', async () => {
    const { renderMessage } = await import('../../../core/api/install.js');
    const plan = gatePlan(listeners);
    plan.hosts![0] = { ...plan.hosts![0]!, name: hostile };
    const e = (await service.invoke('run.dryRun', { plan }).catch((x: unknown) => x)) as { key: string; params: Record<string, string>; nested?: Record<string, { key: string }> };
    for (const lang of ['en', 'ko'] as const) {
      const text = renderMessage(e, lang);
      expect(text).toContain('hosts[0].name');
      expect(text).not.toMatch(/\{\{|plan\.host\.|api\.planInvalid/);
    }
  });
});
