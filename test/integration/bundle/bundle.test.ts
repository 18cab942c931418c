// The offline bundle end to end with real parts: the real download code against a node http server standing
// in for the upstream sites (a connection cut mid-file and resumed with a Range request), Debian's
// docker-registry standing in for the upstream registries, images copied by skopeo into OCI archives, pip
// downloading the deployer's wheels from a simple index, the CLI's build / verify / covers / unpack.
//
// The tree is the real v1.6.2 tree, copied, with one change: the sha256 values of checksums.yml for the files
// this plan fetches are replaced by those of the stand-in files the mirror serves (the real binaries are not
// here). Everything else — which files, their URLs, which images, the chart — is derived from the tree as is.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, bundleManifest, coversPlan, readManifest, treeFromBundle, unpackBundle, verifyBundle, type BundleManifest } from '../../../core/bundle/index.js';
import { registryUrl } from '../../../core/bundle/manifest.js';
import { writeBundle, type BuiltManifest } from '../../../core/bundle/archive.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { bundlePlatformTree } from '../../../core/install/modes/deployer.js';
import { buildBusyboxImage, missingTools, pushImage, putFile, startMirror, startRegistry, type Mirror, type Registry } from './mirror.js';

const UPSTREAM = '/work/shared/upstream/cp-deployment-v1.6.2';
const TREE_SOURCE = process.env.UPSTREAM_DIR ? join(process.env.UPSTREAM_DIR, 'cp-deployment-v1.6.2') : UPSTREAM;
const missing = missingTools(['skopeo', 'docker-registry', 'buildah', 'tar']);
const noTree = !existsSync(join(TREE_SOURCE, 'standalone/roles/kubespray_defaults/defaults/main/download.yml'));
const reason = missing.length ? `missing ${missing.join(', ')} (apt-get install -y docker-registry skopeo buildah)` : noTree ? `no upstream tree at ${TREE_SOURCE}` : '';
if (reason) console.log(`bundle integration tests skipped: ${reason}`);
// pip builds the wheels directory; without it the build leaves the wheels out and `covers` must say so.
const hasPip = spawnSync('python3', ['-m', 'pip', '--version']).status === 0;
if (!reason && !hasPip) console.log('bundle integration: python3 -m pip is missing, so the wheels are left out of the build (covers names them)');

const release = findRelease('k-paas-v1.6.2')!;
const root = '/work/main';
// Asynchronous: the mirror answering the CLI lives in this process, so its event loop must keep turning.
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'cli/main.ts'), ...args], { cwd: root, env: { ...process.env, LANG: 'C' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A minimal but valid wheel (pip checks its name, version and metadata), made with Python's zipfile. */
function makeWheel(dir: string, name: string, version: string): string {
  const file = `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  const py = `
import zipfile, sys
n, v, out = sys.argv[1], sys.argv[2], sys.argv[3]
d = n.replace('-', '_') + '-' + v + '.dist-info'
with zipfile.ZipFile(out, 'w') as z:
    z.writestr(d + '/METADATA', 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n' % (n, v))
    z.writestr(d + '/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
    z.writestr(d + '/RECORD', '')
`;
  const r = spawnSync('python3', ['-c', py, name, version, join(dir, file)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

describe.skipIf(!!reason)('bundle build, verify, covers and unpack against stand-ins for the upstream sites', () => {
  let work: string;
  let mirror: Mirror;
  let registry: Registry;
  let planned: BundleManifest;
  let planFile: string;
  let bundle: string;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cp-bundle-it-'));
    const mirrorRoot = join(work, 'mirror');
    mkdirSync(mirrorRoot);
    // The plan: standalone, CRI-O, NFS (the chart), one architecture.
    planFile = join(work, 'plan.yaml');
    writeFileSync(
      planFile,
      `apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nrelease: k-paas-v1.6.2\nhosts:\n  - { name: cp-1, address: 10.0.0.11, roles: [control-plane, worker] }\nauth:\n  - { name: default, method: agent, user: ubuntu }\nstorage:\n  type: nfs\n  nfs: { server: 10.0.0.11 }\nnetwork:\n  metallbRange: 10.0.0.200-10.0.0.210\n  ingressIp: 10.0.0.199\n`,
    );
    // The tree: real, copied; the checksums of the files served are those of the stand-ins.
    const treeDir = join(work, 'tree', 'cp-deployment-1.6.2');
    cpSync(TREE_SOURCE, treeDir, { recursive: true });
    const fsTree = {
      read: (p: string) => (existsSync(join(treeDir, p)) && statSync(join(treeDir, p)).isFile() ? readFileSync(join(treeDir, p), 'utf8') : undefined),
      list: (p: string) => (existsSync(join(treeDir, p)) && statSync(join(treeDir, p)).isDirectory() ? readdirSync(join(treeDir, p)) : []),
    };
    planned = bundleManifest({ release, tree: fsTree, plan: { mode: 'standalone', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never } });
    const checksumsFile = join(treeDir, 'standalone/roles/kubespray_defaults/vars/main/checksums.yml');
    let checksums = readFileSync(checksumsFile, 'utf8');
    for (const a of planned.artifacts.filter((x) => x.kind === 'file')) {
      // kubeadm is large enough for a cut in the middle to matter; the rest are small.
      const data = randomBytes(a.source.endsWith('/kubeadm') ? 3 * 1024 * 1024 : 64 * 1024);
      served.set(a.source, data);
      putFile(mirrorRoot, a.source, data);
      // The deployer's registry is not the tree's download: its sha256 is recorded at build.
      if (a.source === registryUrl('amd64')) continue;
      expect(a.sha256, `${a.source} has a checksum in the real tree`).toBeTruthy();
      checksums = checksums.split(`sha256:${a.sha256}`).join(`sha256:${sha(data)}`);
    }
    writeFileSync(checksumsFile, checksums);
    // The tree as GitHub serves a tag: one top folder in a .tar.gz.
    const treeUrl = planned.artifacts.find((a) => a.kind === 'tree')!.source;
    const treeTgz = join(work, 'tree.tar.gz');
    const tarred = spawnSync('tar', ['-czf', treeTgz, '-C', join(work, 'tree'), 'cp-deployment-1.6.2']);
    expect(tarred.status).toBe(0);
    putFile(mirrorRoot, treeUrl, readFileSync(treeTgz));
    // The NFS provisioner chart and its repository index, as the chart repository serves them.
    const chart = planned.artifacts.find((a) => a.kind === 'chart')!;
    const chartDir = join(work, 'chart', chart.chart!.name);
    mkdirSync(chartDir, { recursive: true });
    writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: ${chart.chart!.name}\nversion: ${chart.chart!.version}\nappVersion: 4.0.2\n`);
    writeFileSync(join(chartDir, 'values.yaml'), 'image:\n  repository: registry.k8s.io/sig-storage/nfs-subdir-external-provisioner\n  tag: v4.0.2\n');
    const chartTgz = join(work, 'chart.tgz');
    expect(spawnSync('tar', ['-czf', chartTgz, '-C', join(work, 'chart'), chart.chart!.name]).status).toBe(0);
    const chartUrl = `https://github.com/kubernetes-sigs/nfs-subdir-external-provisioner/releases/download/${chart.chart!.name}-${chart.chart!.version}/${chart.chart!.name}-${chart.chart!.version}.tgz`;
    putFile(mirrorRoot, chartUrl, readFileSync(chartTgz));
    putFile(
      mirrorRoot,
      `${chart.source}/index.yaml`,
      Buffer.from(`apiVersion: v1\nentries:\n  ${chart.chart!.name}:\n    - name: ${chart.chart!.name}\n      version: ${chart.chart!.version}\n      digest: ${sha(readFileSync(chartTgz))}\n      urls: [${chartUrl}]\n`),
    );
    // The deployer's wheels on a PEP 503 simple index.
    if (hasPip) {
      const reqs = planned.artifacts.find((a) => a.kind === 'wheels')!.requirements!;
      for (const req of reqs) {
        const [name, version] = req.split('==') as [string, string];
        const dir = join(mirrorRoot, 'pypi.org/simple', name);
        mkdirSync(dir, { recursive: true });
        const file = makeWheel(dir, name, version);
        writeFileSync(join(dir, 'index.html'), `<html><body><a href="${file}#sha256=${sha(readFileSync(join(dir, file)))}">${file}</a></body></html>\n`);
      }
    }
    mirror = await startMirror(mirrorRoot);
    // The images: one real busybox image pushed under every repository path the plan needs.
    const t0 = Date.now();
    registry = await startRegistry(join(work, 'registry'));
    const image = buildBusyboxImage(work);
    const refs = planned.artifacts.filter((a) => a.kind === 'image').map((a) => (a.chart ? `${a.source}:v4.0.2` : a.source));
    await pushImage(image, registry.address, refs.map((r) => r.slice(r.indexOf('/') + 1)));
    bundle = join(work, 'site.bundle');
    console.log(`bundle integration: ${refs.length} images made and pushed in ${Date.now() - t0} ms`);
  }, 240_000);

  afterAll(async () => {
    await mirror?.close();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('builds the bundle through the CLI, resuming kubeadm from the bytes it kept when its connection was cut', async () => {
    const kubeadm = planned.artifacts.find((a) => a.source.endsWith('/kubeadm'))!;
    const path = `/${new URL(kubeadm.source).host}${new URL(kubeadm.source).pathname}`;
    mirror.cutOnce(path, 1024 * 1024 + 123);
    const r = await cli([
      'bundle', 'build', '--plan', planFile, '--from', mirror.url, '--images-from', registry.address, '--insecure-registry',
      ...(hasPip ? [] : ['--without', 'wheels']), '-o', bundle,
    ]);
    if (r.status !== 0) console.log(r.stdout, r.stderr);
    expect(r.stderr + r.stdout).toContain('Manifest sha256');
    expect(r.status, r.stderr).toBe(0);
    const tries = mirror.requests.filter((q) => q.path === path);
    expect(tries.length).toBe(2);
    expect(tries[0]!.range).toBeUndefined();
    expect(tries[0]!.bytes).toBe(1024 * 1024 + 123);
    // The second request asks for the rest only, from the byte the part file holds. That is where the first
    // stopped, or a little before: the HTTP client drops what it had received but not yet handed over when
    // the connection broke (seen under load: 123 and 273 bytes short of the cut; how much it holds is the
    // client's business, so the bound here is loose). Never after, never from 0.
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(tries[1]!.range ?? '')?.[1] ?? -1);
    expect(resumedAt, tries[1]!.range).toBeGreaterThan(512 * 1024);
    expect(resumedAt).toBeLessThanOrEqual(1024 * 1024 + 123);
    expect(tries[1]!.status).toBe(206);
    expect(resumedAt + tries[1]!.bytes).toBe(3 * 1024 * 1024);
    // Progress on the terminal: every artifact reported with its checksum (lines, as stderr is not a TTY).
    expect(r.stderr).toMatch(/ok 3\.0 MiB sha256:[0-9a-f]{16}… file:https:\/\/dl\.k8s\.io\/release\/v1\.32\.5\/bin\/linux\/amd64\/kubeadm/);
  }, 170_000);

  it('verify passes the bundle, and names the artifact when one byte of it changes', async () => {
    const ok = await verifyBundle(bundle);
    expect(ok.problems).toEqual([]);
    expect(ok.manifest!.artifacts.find((a) => a.id === 'image:registry.k-paas.org/k8s/pause:3.10')?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const data = readFileSync(bundle);
    const kubeadmUrl = planned.artifacts.find((a) => a.source.endsWith('/kubeadm'))!.source;
    const marker = served.get(kubeadmUrl)!.subarray(2_000_000, 2_000_064);
    const at = data.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    const damaged = join(work, 'damaged.bundle');
    const copy = Buffer.from(data);
    copy[at + 10] = (copy[at + 10] ?? 0) ^ 0xff;
    writeFileSync(damaged, copy);
    const bad = await verifyBundle(damaged);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual([expect.objectContaining({ artifact: `file:${kubeadmUrl}`, problem: 'checksum' })]);
    const r = await cli(['bundle', 'verify', damaged]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`file:${kubeadmUrl}`);
    // A byte of the manifest itself: its own checksum no longer matches.
    const m = Buffer.from(data);
    const inManifest = m.indexOf(Buffer.from('"release": "k-paas-v1.6.2"'));
    m[inManifest + 14] = 'X'.charCodeAt(0);
    writeFileSync(damaged, m);
    const r2 = await verifyBundle(damaged);
    expect(r2.problems[0]).toMatchObject({ problem: 'manifest', detail: 'the manifest does not match its checksum' });
    // Cut short (a copy that stopped): the read fails after the last whole entry, named.
    writeFileSync(damaged, data.subarray(0, at));
    const r3 = await verifyBundle(damaged);
    expect(r3.ok).toBe(false);
    expect(r3.problems.some((p) => p.problem === 'damaged')).toBe(true);
  });

  it('covers the plan, and names the one image a bundle lacks', async () => {
    const r = await cli(['bundle', 'covers', bundle, planFile]);
    if (hasPip) {
      expect(r.stdout).toContain('holds every artifact');
      expect(r.status).toBe(0);
    } else {
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('wheels ansible==9.13.0');
    }
    // A bundle like it but without the pause image: unpack, drop it from the manifest, write it again.
    const dir = join(work, 'unpacked');
    const un = await unpackBundle(bundle, dir);
    expect(un.ok).toBe(true);
    const head = await readManifest(bundle);
    const m = head.manifest as BuiltManifest;
    const without: BuiltManifest = { ...m, artifacts: m.artifacts.filter((a) => a.id !== 'image:registry.k-paas.org/k8s/pause:3.10') };
    const smaller = join(work, 'no-pause.bundle');
    await writeBundle(smaller, without, dir);
    const r2 = await cli(['bundle', 'covers', smaller, planFile]);
    expect(r2.status).toBe(1);
    expect(r2.stdout).toMatch(/lacks \d+ artifact/);
    expect(r2.stdout).toContain('image registry.k-paas.org/k8s/pause:3.10');
    // The same check, pure: exactly that image is missing (besides wheels left out for want of pip).
    const tree = await treeFromBundle(smaller);
    const needed = bundleManifest({ release, tree: tree!, plan: { mode: 'standalone', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never } });
    const gaps = coversPlan(without, needed, tree!.files).filter((g) => g.kind !== 'wheels');
    expect(gaps.map((g) => g.name)).toEqual(['registry.k-paas.org/k8s/pause:3.10']);
  });

  it('unpacks into the folder layout the offline install reads (tree, files repo, images, charts, wheels)', async () => {
    const dir = join(work, 'unpacked');
    expect(bundlePlatformTree(dir, 'standalone')).toBe(join(dir, 'cp-deployment'));
    const kubeadmUrl = planned.artifacts.find((a) => a.source.endsWith('/kubeadm'))!.source;
    expect(readFileSync(join(dir, 'files/dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm')).equals(served.get(kubeadmUrl)!)).toBe(true);
    expect(existsSync(join(dir, 'charts/nfs-subdir-external-provisioner-4.0.18.tgz'))).toBe(true);
    expect(existsSync(join(dir, 'images/registry.k-paas.org/k8s/nfs-subdir-external-provisioner/v4.0.2.oci.tar'))).toBe(true);
    if (hasPip) expect(existsSync(join(dir, 'wheels/ansible-9.13.0-py3-none-any.whl'))).toBe(true);
    // The manifest's own checksum line checks with sha256sum, by hand, on the site.
    const check = spawnSync('sha256sum', ['-c', 'bundle-manifest.json.sha256'], { cwd: dir, encoding: 'utf8' });
    expect(check.stdout).toContain('bundle-manifest.json: OK');
    // An image from the bundle is a real image skopeo can read.
    const inspect = spawnSync('skopeo', ['inspect', `oci-archive:${join(dir, 'images/registry.k-paas.org/k8s/pause/3.10.oci.tar')}`], { encoding: 'utf8' });
    expect(inspect.status, inspect.stderr).toBe(0);
  });

  it('stops on a file whose checksum does not match, naming it, and a rerun fetches only what is left', async () => {
    const helm = planned.artifacts.find((a) => a.source.includes('get.helm.sh'))!;
    const helmFile = join(mirror.root, new URL(helm.source).host, new URL(helm.source).pathname);
    const good = readFileSync(helmFile);
    writeFileSync(helmFile, Buffer.concat([good.subarray(0, 100), Buffer.from('tampered'), good.subarray(108)]));
    const out = join(work, 'second.bundle');
    const events: string[] = [];
    const opts = {
      release,
      plan: { mode: 'standalone' as const, cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never },
      mirror: mirror.url,
      imageMirror: registry.address,
      insecureRegistry: true,
      // Images play no part in this check (and copying them again would only cost time).
      without: ['wheels' as const, 'image' as const],
      out,
      retryDelayMs: 10,
    };
    const first = await buildBundle({ ...opts, onEvent: (e) => void (e.type === 'failed' && events.push(`${e.id}: ${e.message}`)) });
    expect(first.ok).toBe(false);
    expect(first.failed.map((f) => f.id)).toEqual([`file:${helm.source}`]);
    expect(events[0]).toContain(`${mirror.url}/get.helm.sh/`);
    expect(events[0]).toMatch(/sha256 [0-9a-f]{64} does not match the expected [0-9a-f]{64}/);
    expect(existsSync(out)).toBe(false);
    // Put the right file back: the rerun fetches helm and nothing else again.
    writeFileSync(helmFile, good);
    const before = mirror.requests.length;
    const reused: string[] = [];
    const second = await buildBundle({ ...opts, onEvent: (e) => void (e.type === 'done' && e.reused && reused.push(e.id)) });
    expect(second.ok).toBe(true);
    const fetched = mirror.requests.slice(before).map((q) => q.path);
    expect(fetched.filter((p) => !p.endsWith('index.yaml'))).toEqual([`/get.helm.sh${new URL(helm.source).pathname}`]);
    expect(reused).toContain(`file:${planned.artifacts.find((a) => a.source.endsWith('/kubeadm'))!.source}`);
    expect((await verifyBundle(out)).ok).toBe(true);
  }, 170_000);
});
