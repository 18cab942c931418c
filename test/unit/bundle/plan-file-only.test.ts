// A plan may name only `bundle.file`: the folder the tree, wheels and charts are read from is derived from it
// and unpacked by the run (core/api/bundle.ts ensureBundleUnpacked); old plans with `bundle.path` keep working.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBundleUnpacked } from '../../../core/api/bundle.js';
import { sha256, writeBundle, type BuiltManifest } from '../../../core/bundle/archive.js';
import { TREE_PATH } from '../../../core/bundle/manifest.js';
import { render } from '../../../core/common/messages.js';
import { planMessages } from '../../../core/plan/messages.js';
import { derivedBundleDir, Plan } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';

const base = {
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_ed25519', user: 'ubuntu' }],
  hosts: [{ name: 'm1', address: '10.0.0.11', roles: ['control-plane', 'worker', 'deployer', 'nfs'] }],
  network: { metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.161' },
};

describe('bundle.file alone', () => {
  it('derives the unpacked folder beside the file, whatever its extension', () => {
    expect(derivedBundleDir('/data/site.tar')).toBe('/data/site.unpacked');
    expect(derivedBundleDir('~/b/site.tar.gz')).toBe('~/b/site.unpacked');
    expect(derivedBundleDir('/data/site.bundle')).toBe('/data/site.bundle.unpacked');
  });

  it('a plan with only bundle.file validates and reads its folder as bundle.path', () => {
    const v = validatePlan({ ...base, bundle: { file: '/data/site.tar' } });
    expect(v.errors).toEqual([]);
    expect(v.plan?.bundle).toEqual({ file: '/data/site.tar', path: '/data/site.unpacked' });
  });

  it('old plans with bundle.path (with or without file) are unchanged', () => {
    expect(validatePlan({ ...base, bundle: { path: '/data/b' } }).plan?.bundle).toEqual({ path: '/data/b' });
    expect(validatePlan({ ...base, bundle: { path: '/data/b', file: '/data/x.tar' } }).plan?.bundle).toEqual({ path: '/data/b', file: '/data/x.tar' });
  });

  it('a bundle with neither names bundle.file, in English and Korean', () => {
    const v = validatePlan({ ...base, bundle: {} });
    expect(v.valid).toBe(false);
    const issue = v.errors.find((e) => e.path === 'bundle.file');
    expect(issue?.key).toBe('plan.bundle.fileOrPath');
    const en = render(planMessages, 'en', issue!);
    const ko = render(planMessages, 'ko', issue!);
    expect(en).toContain('bundle.file');
    expect(en).toContain('bundle build');
    expect(ko).toContain('bundle.file');
    expect(ko).not.toBe(en);
  });

  it('a relative bundle.file is one error on bundle.file, not a second on the derived path', () => {
    const v = validatePlan({ ...base, bundle: { file: 'site.tar' } });
    expect(v.errors.map((e) => e.path)).toEqual(['bundle.file']);
  });
});

describe('ensureBundleUnpacked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpi-file-only-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function makeBundle(out: string, marker: string): Promise<void> {
    const stage = join(dir, `stage-${marker}`);
    const tree = join(dir, `tree-${marker}`, 'cp-deployment');
    mkdirSync(join(tree, 'standalone'), { recursive: true });
    writeFileSync(join(tree, 'standalone', 'cluster.yml'), `# ${marker}\n`);
    mkdirSync(join(stage, 'tree'), { recursive: true });
    execFileSync('tar', ['-czf', join(stage, TREE_PATH), '-C', join(dir, `tree-${marker}`), 'cp-deployment']);
    const data = readFileSync(join(stage, TREE_PATH));
    const manifest: BuiltManifest = {
      format: 'cp-installer-bundle/v1',
      release: 'k-paas-v1.6.2',
      mode: 'standalone',
      arch: ['amd64'],
      runtime: 'crio',
      notes: [],
      createdAt: '2026-12-06T00:00:00Z',
      createdBy: 'test',
      artifacts: [{ id: 'tree', kind: 'tree', source: 'x', path: TREE_PATH, from: 't', neededBy: [], entries: [{ path: TREE_PATH, sha256: sha256(data), size: data.length }] }],
    };
    await writeBundle(out, manifest, stage);
  }

  it('unpacks once, leaves a matching folder alone, and replaces it for another bundle', async () => {
    const file = join(dir, 'site.tar');
    await makeBundle(file, 'one');
    const plan = Plan.parse({ ...base, bundle: { file } });
    expect(await ensureBundleUnpacked(plan)).toBe(join(dir, 'site.unpacked'));
    const cluster = join(dir, 'site.unpacked', 'cp-deployment', 'standalone', 'cluster.yml');
    expect(readFileSync(cluster, 'utf8')).toBe('# one\n');
    const mtime = statSync(cluster).mtimeMs;
    expect(await ensureBundleUnpacked(plan)).toBeUndefined();
    expect(statSync(cluster).mtimeMs).toBe(mtime);
    await makeBundle(file, 'two');
    expect(await ensureBundleUnpacked(plan)).toBe(join(dir, 'site.unpacked'));
    expect(readFileSync(cluster, 'utf8')).toBe('# two\n');
    expect(existsSync(`${join(dir, 'site.unpacked')}.partial-${process.pid}`)).toBe(false);
  });

  it('a plan with its own bundle.path is never unpacked into', async () => {
    const plan = Plan.parse({ ...base, bundle: { file: join(dir, 'site.tar'), path: join(dir, 'mine') } });
    expect(await ensureBundleUnpacked(plan)).toBeUndefined();
    expect(existsSync(join(dir, 'mine'))).toBe(false);
  });

  it('a damaged file is refused and leaves no folder', async () => {
    const file = join(dir, 'bad.tar');
    await makeBundle(file, 'bad');
    const bytes = readFileSync(file);
    bytes[bytes.length - 2000] = bytes[bytes.length - 2000]! ^ 0xff;
    writeFileSync(file, bytes);
    const plan = Plan.parse({ ...base, bundle: { file } });
    await expect(ensureBundleUnpacked(plan)).rejects.toThrow(/damaged|not a readable bundle/);
    expect(existsSync(join(dir, 'bad.unpacked'))).toBe(false);
  });
});
