// security #8: a dry run either lists every action of the run or fails naming the step and why. A step that
// throws inside the recording context (a bundle path that is not there, a NUL in a plan string) used to end
// the listing early with status 0, so 2 or 8 of about 40 actions read like the whole run.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DryRunIncomplete, dryRunPlan, renderMessage } from '../../../core/api/install.js';
import { completeDryRun } from '../../../core/install/dryrun.js';
import { testPlan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cpi-dryrun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: ReturnType<typeof testPlan>): Promise<DryRunIncomplete> {
  const e = await dryRunPlan(p, { workdir: dir }).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DryRunIncomplete);
  return e as DryRunIncomplete;
}

describe('security #8: a dry run is complete or fails', () => {
  it('security #8: a sound plan lists the whole run, every step of it', async () => {
    const { records, text } = await dryRunPlan(testPlan(), { workdir: dir });
    expect(records.length).toBeGreaterThan(20);
    for (const step of ['deployer-tree', 'deployer-key', 'inventory', 'kubespray', 'verify']) expect(text).toContain(`## step ${step}`);
  });

  it('security #8: an offline bundle path that does not exist fails naming the bundle and the step', async () => {
    const e = await failure(testPlan({ bundle: { path: join(dir, 'no-such-bundle') } }));
    expect(e.step).toBe('deployer-tree');
    expect(e.key).toBe('install.bundle-missing');
    expect(e.params).toMatchObject({ path: join(dir, 'no-such-bundle'), step: 'deployer-tree' });
    expect(renderMessage(e, 'en')).toContain(join(dir, 'no-such-bundle'));
  });

  it('security #8: an empty bundle folder fails the same way (issue 17: a bad bundle is never silent)', async () => {
    const empty = join(dir, 'empty-bundle');
    mkdirSync(empty, { recursive: true });
    const e = await failure(testPlan({ bundle: { path: empty } }));
    expect(e.key).toBe('install.bundle-missing');
  });

  it('security #8: a step that throws inside the recording ctx (a NUL in cluster.name) fails the dry run naming the step', async () => {
    const e = await failure(testPlan({ cluster: { name: 'a\u0000b' } as never }));
    // deployer-tree writes the cluster's name as the owner of ~/cp-deployment: the first command that carries it.
    expect(e.step).toBe('deployer-tree');
    expect(e.records.length).toBeGreaterThan(0);
    expect(e.message).toContain('NUL');
  });

  it('security #8: the stop renders in words in both languages, with the reason nested', () => {
    for (const lang of ['en', 'ko'] as const) {
      const text = renderMessage(
        { key: 'install.dryrun-stopped', params: { step: 'deployer-tree', shown: 3 }, nested: { reason: { key: 'install.bundle-missing', params: { path: '/b' } } } },
        lang,
      );
      expect(text).toContain('deployer-tree');
      expect(text).toContain('/b');
      expect(text).not.toMatch(/\{\{|install\./);
    }
  });

  it('security #8: completeDryRun passes only a succeeded result', () => {
    expect(completeDryRun({ status: 'succeeded', dryRun: [] })).toEqual([]);
    expect(() => completeDryRun({ status: 'cancelled', failedStep: 'x', dryRun: [] })).toThrow(DryRunIncomplete);
  });
});
