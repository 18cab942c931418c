import { describe, expect, it } from 'vitest';
import { render } from '../../../core/common/messages.js';
import { SSH_ERROR_KINDS, sshErrorMessage, sshMessages } from '../../../core/ssh/messages.js';
import { SshPool, Semaphore } from '../../../core/ssh/pool.js';
import { SshError, type Connector, type ExecResult, type SshSession, type SshTarget } from '../../../core/ssh/types.js';

describe('SSH messages', () => {
  it('have English and Korean text for every error kind, each naming the host', () => {
    for (const kind of SSH_ERROR_KINDS) {
      for (const lang of ['en', 'ko'] as const) {
        const text = sshMessages[lang][`ssh.${kind}`];
        expect(text, `${lang} ssh.${kind}`).toBeTruthy();
        expect(text).toContain('{{host}}');
      }
    }
  });

  it('render an error with its host, cause and fingerprints', () => {
    const e = new SshError('host-key-changed', 'master-1', 'host key changed', { fingerprint: 'SHA256:new', expected: 'SHA256:old' });
    const m = sshErrorMessage(e, '/home/u/.ssh/known_hosts');
    const en = render(sshMessages, 'en', m);
    expect(en).toContain('master-1');
    expect(en).toContain('SHA256:new');
    expect(en).toContain('SHA256:old');
    expect(en).toContain('/home/u/.ssh/known_hosts');
    expect(render(sshMessages, 'ko', m)).toContain('경고');
  });
});

function fakeTarget(name: string): SshTarget {
  return { name, address: name, port: 22, user: 'u', auth: { name: 'a', method: 'agent', passphrase: false, sudo: 'nopasswd' } };
}

/** A connector whose sessions run "commands" as timers, counting what runs at once. */
function fakeConnector(opts: { fail?: Set<string> } = {}) {
  const stats = { connects: 0, running: 0, peak: 0, perHostPeak: new Map<string, number>(), closed: 0 };
  const perHost = new Map<string, number>();
  const connector: Connector = {
    async connect(target) {
      stats.connects++;
      await new Promise((r) => setTimeout(r, 5));
      if (opts.fail?.has(target.name)) throw new SshError('unreachable', target.name, 'down');
      const session: SshSession = {
        target,
        async exec(command): Promise<ExecResult> {
          stats.running++;
          stats.peak = Math.max(stats.peak, stats.running);
          perHost.set(target.name, (perHost.get(target.name) ?? 0) + 1);
          stats.perHostPeak.set(target.name, Math.max(stats.perHostPeak.get(target.name) ?? 0, perHost.get(target.name)!));
          await new Promise((r) => setTimeout(r, 20));
          perHost.set(target.name, perHost.get(target.name)! - 1);
          stats.running--;
          return { code: 0, stdout: `${target.name}:${command}`, stderr: '' };
        },
        async upload() {
          return { sha256: '' };
        },
        async download() {
          return Buffer.alloc(0);
        },
        async close() {
          stats.closed++;
        },
      };
      return session;
    },
  };
  return { connector, stats };
}

describe('SshPool', () => {
  it('opens one connection per host and holds the global and per-host bounds', async () => {
    const { connector, stats } = fakeConnector();
    const pool = new SshPool(connector, { globalLimit: 5, perHostLimit: 2 });
    const targets = ['a', 'b', 'c', 'd'].map(fakeTarget);
    await Promise.all(targets.flatMap((t) => Array.from({ length: 6 }, (_, i) => pool.exec(t, `cmd${i}`))));
    expect(stats.connects).toBe(4);
    expect(stats.peak).toBeLessThanOrEqual(5);
    expect(stats.peak).toBeGreaterThanOrEqual(4);
    for (const t of targets) expect(stats.perHostPeak.get(t.name)).toBe(2);
    await pool.closeAll();
    expect(stats.closed).toBe(4);
  });

  it('forEach reports each host’s outcome; one failing host does not stop the others', async () => {
    const { connector } = fakeConnector({ fail: new Set(['bad']) });
    const pool = new SshPool(connector);
    const out = await pool.forEach(['ok1', 'bad', 'ok2'].map(fakeTarget), async (s) => (await s.exec('x')).stdout);
    expect(out.map((o) => [o.target.name, o.ok, o.value ?? o.error?.kind])).toEqual([
      ['ok1', true, 'ok1:x'],
      ['bad', false, 'unreachable'],
      ['ok2', true, 'ok2:x'],
    ]);
  });

  it('a failed connection is retried on the next call rather than cached', async () => {
    const fail = new Set(['h']);
    const { connector, stats } = fakeConnector({ fail });
    const pool = new SshPool(connector);
    await expect(pool.exec(fakeTarget('h'), 'x')).rejects.toMatchObject({ kind: 'unreachable' });
    fail.clear();
    await expect(pool.exec(fakeTarget('h'), 'x')).resolves.toMatchObject({ code: 0 });
    expect(stats.connects).toBe(2);
  });

  it('an abort while waiting for a slot is a cancelled SshError and runs nothing', async () => {
    const { connector } = fakeConnector();
    const pool = new SshPool(connector, { globalLimit: 1 });
    const t = fakeTarget('h');
    const first = pool.exec(t, 'long');
    const ac = new AbortController();
    const second = pool.exec(t, 'never', { signal: ac.signal });
    ac.abort();
    await expect(second).rejects.toMatchObject({ kind: 'cancelled', host: 'h' });
    await first;
  });

  it('semaphore hands a released slot to the next waiter', async () => {
    const s = new Semaphore(1);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => s.run(async () => void order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(s.inUse).toBe(0);
  });
});
