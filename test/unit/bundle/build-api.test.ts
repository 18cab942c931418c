// `bundle.build` / `bundle.cancel` at the service's boundary (what a page in browser mode may ask for), and the
// wizard panel's folding of build events into its bars. The build itself against a mirror is in
// test/e2e/bundle.test.ts and test/integration/bundle/bundle.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstallerService } from '../../../core/api/service.js';
import type { ApiEvent } from '../../../core/api/types.js';
import { foldBuildEvent, type BuildProgress } from '../../../renderer/components/bundle-build.js';

const plan = { apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2' } as const;

describe('bundle.build at the service', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpi-build-api-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('browser mode writes only where its path policy allows, and checks the mirror and registry given', async () => {
    const s = createInstallerService({ workdir: work, shell: 'browser' });
    try {
      await expect(s.invoke('bundle.build', { buildId: 'b1', plan, output: '/etc/site.tar', mirror: 'http://127.0.0.1:1' })).rejects.toMatchObject({ key: 'plan.path.notAllowed' });
      await expect(s.invoke('bundle.build', { buildId: 'b1', plan, output: join(work, 'x.tar'), mirror: 'not a url' })).rejects.toMatchObject({ key: 'api.badArgs' });
      await expect(s.invoke('bundle.build', { buildId: 'b1', plan, output: join(work, 'x.tar'), imagesFrom: 'reg; rm -rf /' })).rejects.toMatchObject({ key: 'api.badArgs' });
      await expect(s.invoke('bundle.build', { buildId: '../b', plan, output: join(work, 'x.tar') })).rejects.toMatchObject({ key: 'api.badArgs' });
      await expect(s.invoke('bundle.build', { buildId: 'b1', plan: { ...plan, release: 'nope' }, output: join(work, 'x.tar'), mirror: 'http://127.0.0.1:1' })).rejects.toMatchObject({
        message: expect.stringContaining('unknown release nope'),
      });
    } finally {
      await s.dispose();
    }
  });

  it('cancel stops a build waiting on a mirror that never answers; its events carry the build id', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((c) => void held.push(c));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const s = createInstallerService({ workdir: work, shell: 'browser' });
    const events: ApiEvent[] = [];
    s.on((e) => events.push(e));
    try {
      const running = s.invoke('bundle.build', { buildId: 'b2', plan, output: join(work, 'y.tar'), mirror: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, without: ['image', 'wheels'] });
      await expect.poll(() => events.some((e) => e.type === 'bundle-build' && e.buildId === 'b2' && e.event.type === 'artifact'), { timeout: 10_000 }).toBe(true);
      // A second build under the same id is refused while the first runs.
      await expect(s.invoke('bundle.build', { buildId: 'b2', plan, output: join(work, 'z.tar'), mirror: 'http://127.0.0.1:1' })).rejects.toMatchObject({ key: 'api.badArgs' });
      await s.invoke('bundle.cancel', { buildId: 'b2' });
      const r = await running;
      expect(r.ok).toBe(false);
      expect(r.failed[0]?.id).toBe('tree');
      expect(await s.invoke('bundle.cancel', { buildId: 'gone' })).toEqual({ ok: true });
    } finally {
      await s.dispose();
      for (const c of held) c.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 30_000);
});

describe('the build panel', () => {
  it('folds events into total and per-item progress', () => {
    let p: BuildProgress = { count: 0, finished: 0, done: 0, bytes: 0, failed: [] };
    p = foldBuildEvent(p, { type: 'artifact', id: 'tree', kind: 'tree', index: 0, count: 0 });
    p = foldBuildEvent(p, { type: 'progress', id: 'tree', done: 500, total: 1000, resumedFrom: 0 });
    expect(p).toMatchObject({ current: 'tree', done: 500, total: 1000 });
    p = foldBuildEvent(p, { type: 'done', id: 'tree', sha256: 'a', size: 1000, reused: false });
    p = foldBuildEvent(p, { type: 'start', count: 3 });
    p = foldBuildEvent(p, { type: 'artifact', id: 'file:x', kind: 'file', index: 1, count: 2 });
    expect(p).toMatchObject({ current: 'file:x', done: 0, total: undefined, finished: 1, count: 3, bytes: 1000 });
    p = foldBuildEvent(p, { type: 'failed', id: 'file:x', message: 'HTTP 404' });
    expect(p.failed).toEqual([{ id: 'file:x', message: 'HTTP 404' }]);
    expect(p.finished).toBe(2);
    p = foldBuildEvent(p, { type: 'writing', path: 'files/x', size: 1 });
    expect(p.writing).toBe('files/x');
  });
});
