import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshPool } from '../../../core/ssh/pool.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH scale and connection-loss tests skipped: ${can.reason}`);

const COUNT = 20;

describe.skipIf(!can.ok)('many hosts at once, and hosts that vanish', () => {
  let th: TestHosts;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    th = await startTestHosts({ count: COUNT });
    startMs = Date.now() - t0;
    console.log(`${COUNT} test hosts started in ${startMs} ms`);
  });
  afterAll(async () => {
    await th?.stop();
  });

  it(`runs a command on all ${COUNT} hosts in parallel through the pool`, async () => {
    const pool = new SshPool(connector(th), { globalLimit: 32 });
    const targets = th.hosts.map((_, i) => target(th, i, profiles.key));
    const t0 = Date.now();
    const out = await pool.forEach(targets, async (s) => (await s.exec('hostname; nproc')).stdout.trim().split('\n')[0]);
    console.log(`hostname on ${COUNT} hosts in ${Date.now() - t0} ms`);
    expect(out.map((o) => o.value)).toEqual(th.hosts.map((h) => h.name));
    await pool.closeAll();
  });

  it('a host that drops off the network mid-command fails as unreachable, by name, while the others finish', async () => {
    const c = connector(th, { keepaliveIntervalMs: 500, keepaliveCountMax: 2 });
    const pool = new SshPool(c);
    const targets = [0, 1, 2].map((i) => target(th, i, profiles.key));
    const t0 = Date.now();
    const out = await pool.forEach(targets, async (s, t) => {
      if (t.name === th.hosts[1]!.name) {
        const r = await s.exec('echo started; sleep 60; echo never', { onStdout: (l) => l === 'started' && void th.linkDown(1) });
        return r.stdout;
      }
      return (await s.exec('sleep 2; echo done')).stdout.trim();
    });
    await th.linkUp(1);
    expect(out.map((o) => o.value ?? o.error?.kind)).toEqual(['done', 'unreachable', 'done']);
    expect(out[1]!.error!.host).toBe(th.hosts[1]!.name);
    expect(Date.now() - t0).toBeLessThan(15_000);
    await pool.closeAll();
  });

  it('a jump host that is down fails the host behind it, naming that host and the jump', async () => {
    await th.linkDown(3);
    try {
      const jump = target(th, 3, profiles.key);
      const e = await connector(th, { connectTimeoutMs: 2_000 })
        .connect(target(th, 4, profiles.key, { jump }))
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'unreachable', host: th.hosts[4]!.name });
      expect((e as Error).message).toContain(`via jump host ${th.hosts[3]!.address}`);
    } finally {
      await th.linkUp(3);
    }
  });

  it('a jump host that cannot reach the target says so', async () => {
    await th.linkDown(5);
    try {
      const jump = target(th, 3, profiles.key);
      const e = await connector(th, { connectTimeoutMs: 2_000 })
        .connect(target(th, 5, profiles.key, { jump }))
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'unreachable', host: th.hosts[5]!.name });
      expect((e as Error).message).toContain('cannot reach');
    } finally {
      await th.linkUp(5);
    }
  });
});
