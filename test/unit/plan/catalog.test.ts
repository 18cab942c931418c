// The release catalog read lazily: a plan names one release, and a command about it reads that release's
// file alone; the whole catalog is read only when a name is not one file's (and then every valid name is
// listed), and a release read alone is the same object the whole catalog later holds.
import * as realFs from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { assetPath } from '../../../core/common/assets.js';

// Every read of the catalog is seen: the loader's node:fs is the real one, watched.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, readFileSync: vi.fn(fs.readFileSync), readdirSync: vi.fn(fs.readdirSync) };
});

const catalogDir = assetPath('catalog');
const releaseFiles = realFs
  .readdirSync(catalogDir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kubeedge-compatibility.yaml')
  .sort();
const allNames = releaseFiles.map(
  (f) => (parse(realFs.readFileSync(join(catalogDir, f), 'utf8')) as { name: string }).name,
);

/** The catalog module as a fresh process has it: nothing read yet. */
async function freshCatalog() {
  vi.resetModules();
  vi.mocked(readFileSync).mockClear();
  vi.mocked(readdirSync).mockClear();
  return import('../../../core/plan/catalog.js');
}

/** Catalog files the loader read since the last freshCatalog(). */
function catalogReads(): string[] {
  return vi
    .mocked(readFileSync)
    .mock.calls.map((c) => String(c[0]))
    .filter((p) => p.startsWith(catalogDir))
    .map((p) => basename(p));
}

describe('release catalog', () => {
  beforeEach(() => {
    vi.resetModules();
  });

  it('names every release file for its release, each name once (the lazy lookup relies on it)', () => {
    expect(releaseFiles.length).toBeGreaterThan(1);
    expect(releaseFiles.map((f) => f.slice(0, -'.yaml'.length))).toEqual(allNames);
    expect(new Set(allNames).size).toBe(allNames.length);
  });

  it('finds the release a plan names by reading its file alone, never listing the folder', async () => {
    const catalog = await freshCatalog();
    const release = catalog.findRelease('k-paas-v1.6.2');
    expect(release?.name).toBe('k-paas-v1.6.2');
    expect(catalogReads()).toEqual(['k-paas-v1.6.2.yaml']);
    expect(vi.mocked(readdirSync)).not.toHaveBeenCalled();
    // Asked again: no second read.
    expect(catalog.findRelease('k-paas-v1.6.2')).toBe(release);
    expect(catalogReads()).toEqual(['k-paas-v1.6.2.yaml']);
  });

  it('gives the same release object, equal to the whole catalog read at once', async () => {
    const lazy = await freshCatalog();
    const alone = lazy.findRelease('k-paas-v1.6.1');
    const all = lazy.loadCatalog();
    expect(all.get('k-paas-v1.6.1')).toBe(alone);
    expect([...all.keys()]).toEqual(allNames);
    // The release file read alone is not read a second time for the whole catalog.
    expect(catalogReads().filter((f) => f === 'k-paas-v1.6.1.yaml')).toHaveLength(1);
    expect(lazy.findRelease('k-paas-v1.6.1')).toBe(alone);

    const eager = await freshCatalog();
    const whole = eager.loadCatalog();
    for (const name of allNames) expect(lazy.findRelease(name)).toEqual(whole.get(name));
  });

  it('reads the whole catalog for a name that is no release file, and finds nothing outside it', async () => {
    const catalog = await freshCatalog();
    expect(catalog.findRelease('k-paas-v9.9')).toBeUndefined();
    expect(vi.mocked(readdirSync)).toHaveBeenCalled();
    expect(catalogReads()).toEqual(releaseFiles);

    const again = await freshCatalog();
    expect(again.findRelease('../catalog/k-paas-v1.6.2')).toBeUndefined();
    expect(again.findRelease('kubeedge-compatibility')).toBeUndefined();
    expect(catalogReads()).not.toContain('kubeedge-compatibility.yaml');
  });

  it('lists every valid release when a plan names a wrong one, with nothing read before', async () => {
    const catalog = await freshCatalog();
    const { validatePlan } = await import('../../../core/plan/validate.js');
    const result = validatePlan({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v9.9',
      hosts: [{ name: 'master1', address: '192.168.0.11', roles: ['control-plane'] }],
      auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_rsa' }],
      storage: { type: 'nfs', nfs: { server: '192.168.0.31' } },
      portal: { domain: 'portal.example.com' },
    });
    const issue = result.errors.find((e) => e.key === 'plan.release.unknown');
    expect(issue?.path).toBe('release');
    expect(issue?.params?.known).toBe(allNames.join(', '));
    expect(catalog.releaseNames()).toEqual(allNames);
  });
});
