// Building the offline bundle from the wizard, in browser mode, on the connected machine: Settings' "Build an
// offline bundle" panel runs the same core build the CLI's `bundle build` runs, against a node http server
// standing in for a mirror of the upstream sites (test/integration/bundle/mirror.ts). The tree served is the
// real v1.6.2 tree with the checksums of the stand-in files it fetches; images and wheels are left out (the
// panel's own switches), so the bundle is small. Shown: total and per-item progress, Cancel against a mirror
// that never answers, the result (path, size, sha256) put into bundle.file, which alone makes the plan valid.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleManifest, verifyBundle } from '../../core/bundle/index.js';
import { registryUrl } from '../../core/bundle/manifest.js';
import { findRelease } from '../../core/plan/catalog.js';
import { putFile, startMirror, type Mirror } from '../integration/bundle/mirror.js';
import { cannotRunBrowser, chooseStandalone, openBrowser, passwordProfile, replaceHosts, screenshot, startBrowserMode, type Browser, type BrowserMode } from './support.js';

const UPSTREAM = process.env.UPSTREAM_DIR ? join(process.env.UPSTREAM_DIR, 'cp-deployment-v1.6.2') : '/work/shared/upstream/cp-deployment-v1.6.2';
const why =
  cannotRunBrowser() ??
  (existsSync(join(UPSTREAM, 'standalone/roles/kubespray_defaults/defaults/main/download.yml')) ? undefined : `no upstream tree at ${UPSTREAM}`) ??
  (spawnSync('tar', ['--version']).status === 0 ? undefined : 'tar is missing');
if (why) console.log(`e2e bundle: skipped — ${why}`);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A mirror of what a standalone CRI-O/NFS plan fetches: the tree (checksums made to fit), its files, the chart. */
function fillMirror(work: string, root: string): void {
  const release = findRelease('k-paas-v1.6.2')!;
  const treeDir = join(work, 'tree', 'cp-deployment-1.6.2');
  cpSync(UPSTREAM, treeDir, { recursive: true });
  const fsTree = {
    read: (p: string) => (existsSync(join(treeDir, p)) && statSync(join(treeDir, p)).isFile() ? readFileSync(join(treeDir, p), 'utf8') : undefined),
    list: (p: string) => (existsSync(join(treeDir, p)) && statSync(join(treeDir, p)).isDirectory() ? readdirSync(join(treeDir, p)) : []),
  };
  const planned = bundleManifest({ release, tree: fsTree, plan: { mode: 'standalone', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never } });
  const checksumsFile = join(treeDir, 'standalone/roles/kubespray_defaults/vars/main/checksums.yml');
  let checksums = readFileSync(checksumsFile, 'utf8');
  for (const a of planned.artifacts.filter((x) => x.kind === 'file')) {
    // kubeadm is big enough for its own bar to move; the rest are small.
    const data = randomBytes(a.source.endsWith('/kubeadm') ? 8 * 1024 * 1024 : 32 * 1024);
    putFile(root, a.source, data);
    if (a.source === registryUrl('amd64')) continue;
    checksums = checksums.split(`sha256:${a.sha256}`).join(`sha256:${sha(data)}`);
  }
  writeFileSync(checksumsFile, checksums);
  const treeTgz = join(work, 'tree.tar.gz');
  expect(spawnSync('tar', ['-czf', treeTgz, '-C', join(work, 'tree'), 'cp-deployment-1.6.2']).status).toBe(0);
  putFile(root, planned.artifacts.find((a) => a.kind === 'tree')!.source, readFileSync(treeTgz));
  const chart = planned.artifacts.find((a) => a.kind === 'chart')!;
  const chartDir = join(work, 'chart', chart.chart!.name);
  mkdirSync(chartDir, { recursive: true });
  writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: ${chart.chart!.name}\nversion: ${chart.chart!.version}\n`);
  writeFileSync(join(chartDir, 'values.yaml'), 'image:\n  repository: registry.k8s.io/sig-storage/nfs-subdir-external-provisioner\n  tag: v4.0.2\n');
  const chartTgz = join(work, 'chart.tgz');
  expect(spawnSync('tar', ['-czf', chartTgz, '-C', join(work, 'chart'), chart.chart!.name]).status).toBe(0);
  const chartUrl = `https://github.com/kubernetes-sigs/nfs-subdir-external-provisioner/releases/download/${chart.chart!.name}-${chart.chart!.version}/${chart.chart!.name}-${chart.chart!.version}.tgz`;
  putFile(root, chartUrl, readFileSync(chartTgz));
  putFile(
    root,
    `${chart.source}/index.yaml`,
    Buffer.from(`apiVersion: v1\nentries:\n  ${chart.chart!.name}:\n    - name: ${chart.chart!.name}\n      version: ${chart.chart!.version}\n      digest: ${sha(readFileSync(chartTgz))}\n      urls: [${chartUrl}]\n`),
  );
}

describe.skipIf(!!why)('wizard: build an offline bundle', () => {
  let work: string;
  let mirror: Mirror;
  let silent: Server;
  let silentUrl: string;
  const held: Socket[] = [];
  let bm: BrowserMode;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cpi-e2e-bundle-'));
    mkdirSync(join(work, 'mirror'));
    fillMirror(work, join(work, 'mirror'));
    mirror = await startMirror(join(work, 'mirror'));
    // A mirror that takes the connection and never answers: the build waits on it until Cancel.
    silent = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    bm = await startBrowserMode();
  }, 180_000);

  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
    await mirror?.close();
    await bm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const lang of ['en', 'ko'] as const) {
    it(`${lang}: cancel, then build from the mirror into bundle.file`, async () => {
      let b: Browser | undefined;
      try {
        b = await openBrowser(bm.server.url, lang);
        const { page } = b;
        await chooseStandalone(page);
        // Settings opens once the plan has hosts and a login (nothing here connects to them).
        await replaceHosts(page, ['master1 10.0.0.11 control-plane worker nfs']);
        await passwordProfile(page, 'ubuntu', 'not-used-here');
        await page.getByTestId('nav-settings').click();
        await page.getByTestId('screen-settings').waitFor();
        const panel = page.getByTestId('bundle-build');
        await panel.locator('summary').click();
        const out = join(bm.workdir, `site-${lang}.tar`);
        await page.getByTestId('bundle-build-output').fill(out);
        await page.getByTestId('bundle-build-no-images').check();
        await page.getByTestId('bundle-build-no-wheels').check();

        // Cancel: the silent mirror holds the tree's download until the person stops it.
        await page.getByTestId('bundle-build-mirror').fill(silentUrl);
        await page.getByTestId('bundle-build-start').click();
        await page.getByTestId('bundle-build-cancel').click();
        await page.getByTestId('bundle-build-failed').waitFor({ timeout: 30_000 });
        expect(existsSync(out)).toBe(false);

        // The real build: total and per-item bars while it runs, then the result.
        const before = mirror.requests.length;
        await page.getByTestId('bundle-build-mirror').fill(mirror.url);
        await page.getByTestId('bundle-build-start').click();
        await page.getByTestId('bundle-build-total').waitFor();
        await page.getByTestId('bundle-build-item').waitFor();
        const result = page.getByTestId('bundle-build-result');
        await result.waitFor({ timeout: 120_000 });
        expect(mirror.requests.length).toBeGreaterThan(before);
        const text = await result.innerText();
        const file = readFileSync(out);
        expect(text).toContain(out);
        expect(text).toContain(sha(file));
        expect(await page.getByTestId('bundle-build-total').getAttribute('value')).toBe('100');
        // The plan now names the file, and nothing else about the bundle is needed.
        expect(await page.getByTestId('setting-bundle.file').inputValue()).toBe(out);
        expect(await page.getByTestId('setting-bundle.path').inputValue()).toBe('');
        expect(await page.locator('[data-testid^="error-bundle."]').count()).toBe(0);
        const v = await verifyBundle(out);
        expect(v.ok, JSON.stringify(v.problems)).toBe(true);
        expect(v.manifest!.artifacts.some((a) => a.kind === 'image')).toBe(false);
        await panel.scrollIntoViewIfNeeded();
        await screenshot(page, lang, '4-settings-bundle-build');
      } finally {
        await b?.close();
      }
    });
  }
});
