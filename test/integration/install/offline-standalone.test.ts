// The standalone mode on a site with no route out (issue 13): `cp-installer apply` of an NFS plan with the
// offline bundle (bundle.file, and bundle.path the same bundle unpacked on this machine, as `bundle unpack`
// writes it), over SSH to two test hosts whose every outbound attempt beyond the test network is recorded and
// rejected (nftables in each host's namespace, test/hosts/egress.ts); the CLI's own connections likewise (a
// preload in its process, test/hosts/egress-preload.ts). The run serves the bundle from master 1 (upload,
// unpack, files repo, registry, image load, the nodes' registries, the tree's edits), then runs the real
// v1.6.2 tree's playbooks/cluster.yml with the real-tree test's stand-in for Kubespray's node-level plays
// (real-tree-bundle.ts), then the installer's own steps. No site mirror of any chart repository: the fake
// helm on master 1 reaches none.
//
// The bundle is built by the real build code (core/bundle/build.ts) from stand-ins for the upstream sites
// (test/integration/bundle/mirror.ts): the files Kubespray's files_repo serves, the tree (the real-tree test's
// copy of it, so bundle.path needs nothing else), the NFS provisioner's chart, and every image of the plan
// (one real busybox image pushed to Debian's docker-registry under each repository path). The bundle's
// registry is Debian's docker-registry, its skopeo this machine's. The checksums.yml of the tree's copy names
// the stand-in files' sha256, as in the bundle test.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildBundle, bundleManifest, treeFromDir, unpackBundle, type BundleManifest } from '../../../core/bundle/index.js';
import { registryUrl } from '../../../core/bundle/manifest.js';
import { readJournal, runDir } from '../../../core/install/journal.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { canRecordEgress, EGRESS_RESOLVER, type EgressAttempt } from '../../hosts/egress.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { haveUpstream } from '../../unit/kubespray/upstream.js';
import { buildBusyboxImage, missingTools, pushImage, putFile, startMirror, startRegistry } from '../bundle/mirror.js';
import { fakeState, makeRealTreeBundle, prepareRealTreeHost, STANDIN_PLAY } from './real-tree-bundle.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const CLI = join(HERE, 'cli-entry.ts');
const PRELOAD = join(ROOT, 'test', 'hosts', 'egress-preload.ts');

const can = canRunTestHosts();
const eg = canRecordEgress();
const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status === 0;
const netaddr = spawnSync('/usr/bin/python3', ['-c', 'import netaddr, yaml'], { encoding: 'utf8' }).status === 0;
const overlay = existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay');
const tools = missingTools(['skopeo', 'docker-registry', 'buildah', 'git']);
const reason = !can.ok
  ? can.reason
  : !eg.ok
    ? eg.reason
    : !haveUpstream
      ? 'the upstream trees are not at hand'
      : !ansible
        ? 'ansible-playbook is not installed (apt-get install -y ansible ansible-core)'
        : !netaddr
          ? 'python3-netaddr or python3-yaml is missing (apt-get install -y python3-netaddr)'
          : !overlay
            ? "no overlay file system for master 1's own /usr/bin"
            : tools.length
              ? `missing ${tools.join(', ')} (apt-get install -y skopeo docker-registry buildah git)`
              : !existsSync('/bin/busybox')
                ? 'busybox is not installed (apt-get install -y busybox-static)'
                : undefined;
if (reason) console.log(`offline standalone install skipped: ${reason}`);

const release = findRelease('k-paas-v1.6.2')!;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CHART_IMAGE_TAG = 'v4.0.2';

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
}

/**
 * The bundle for the plan, built by `buildBundle` from stand-ins for the upstream sites, and unpacked beside
 * it. `src` holds the real-tree test's copy of the tree (cp-deployment/); its checksums.yml is changed to the
 * stand-in files' sums before the tree is served.
 */
async function buildSiteBundle(work: string, src: string): Promise<{ file: string; dir: string; planned: BundleManifest }> {
  const tree = join(src, 'cp-deployment');
  const plan = { mode: 'standalone' as const, cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never };
  const planned = bundleManifest({ release, tree: treeFromDir(tree), plan });
  const root = join(work, 'upstream');
  mkdirSync(root, { recursive: true });
  const checksumsFile = join(tree, 'standalone/roles/kubespray_defaults/vars/main/checksums.yml');
  let checksums = readFileSync(checksumsFile, 'utf8');
  for (const a of planned.artifacts.filter((x) => x.kind === 'file')) {
    let data: Buffer;
    if (a.source === registryUrl('amd64')) {
      // The distribution registry's release archive: Debian's build, as `registry` at its top.
      mkdirSync(join(work, 'regpkg'), { recursive: true });
      copyFileSync('/usr/bin/docker-registry', join(work, 'regpkg', 'registry'));
      must('tar', ['-czf', join(work, 'registry.tar.gz'), '-C', join(work, 'regpkg'), 'registry']);
      data = readFileSync(join(work, 'registry.tar.gz'));
    } else if (a.source.endsWith('/skopeo-linux-amd64')) data = readFileSync('/usr/bin/skopeo');
    else data = randomBytes(16 * 1024);
    putFile(root, a.source, data);
    // The registry is not one of the tree's downloads: its sha256 is recorded at build.
    if (a.source === registryUrl('amd64')) continue;
    if (!a.sha256) throw new Error(`${a.source} has no checksum in the tree`);
    checksums = checksums.split(`sha256:${a.sha256}`).join(`sha256:${sha(data)}`);
  }
  writeFileSync(checksumsFile, checksums);
  // The tree as GitHub serves a tag: one top folder in a .tar.gz.
  const treeTgz = join(work, 'tree.tar.gz');
  must('tar', ['-czf', treeTgz, '-C', src, '--transform', 's,^cp-deployment,cp-deployment-1.6.2,', 'cp-deployment']);
  putFile(root, planned.artifacts.find((a) => a.kind === 'tree')!.source, readFileSync(treeTgz));
  // The NFS provisioner's chart and its repository's index.yaml.
  const chart = planned.artifacts.find((a) => a.kind === 'chart')!;
  const { name, version } = chart.chart!;
  const chartDir = join(work, 'chart', name);
  mkdirSync(join(chartDir, 'templates'), { recursive: true });
  writeFileSync(join(chartDir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: 4.0.2\n`);
  writeFileSync(join(chartDir, 'values.yaml'), `image:\n  repository: registry.k8s.io/sig-storage/nfs-subdir-external-provisioner\n  tag: ${CHART_IMAGE_TAG}\n`);
  const chartTgz = join(work, 'chart.tgz');
  must('tar', ['-czf', chartTgz, '-C', join(work, 'chart'), name]);
  const chartUrl = `https://github.com/kubernetes-sigs/nfs-subdir-external-provisioner/releases/download/${name}-${version}/${name}-${version}.tgz`;
  putFile(root, chartUrl, readFileSync(chartTgz));
  putFile(root, `${chart.source}/index.yaml`, Buffer.from(`apiVersion: v1\nentries:\n  ${name}:\n    - name: ${name}\n      version: ${version}\n      digest: ${sha(readFileSync(chartTgz))}\n      urls: [${chartUrl}]\n`));

  const mirror = await startMirror(root);
  const registry = await startRegistry(join(work, 'registry'));
  try {
    const image = buildBusyboxImage(work);
    const refs = planned.artifacts.filter((a) => a.kind === 'image').map((a) => (a.chart ? `${a.source}:${CHART_IMAGE_TAG}` : a.source));
    await pushImage(image, registry.address, refs.map((r) => r.slice(r.indexOf('/') + 1)));
    const file = join(work, 'site.bundle');
    // Wheels left out: Debian's ansible-playbook on master 1 is new enough for the tree (as lowered), so pip never runs.
    const built = await buildBundle({ release, plan, mirror: mirror.url, imageMirror: registry.address, insecureRegistry: true, without: ['wheels'], out: file, retryDelayMs: 10 });
    if (!built.ok) throw new Error(`bundle build: ${JSON.stringify(built.failed)}`);
    const dir = join(work, 'unpacked');
    const un = await unpackBundle(file, dir);
    if (!un.ok) throw new Error(`bundle unpack: ${JSON.stringify(un.problems)}`);
    return { file, dir, planned };
  } finally {
    await mirror.close();
    await registry.stop();
  }
}

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  runId: string;
  installer: EgressAttempt[];
}

describe.skipIf(!!reason)('cp-installer apply of a standalone plan on hosts with no route out', () => {
  let th: TestHosts;
  let scratch: string;
  let bundle: { file: string; dir: string; planned: BundleManifest };
  let testNet: string;

  beforeAll(async () => {
    const t0 = Date.now();
    // Each host's /etc/containers its own: the node-registries step writes CRI-O's registries.conf.d there.
    th = await startTestHosts({ count: 2, recordEgress: true, ownDirs: ['/etc/containers'] });
    testNet = `${th.bridgeAddress.replace(/\.\d+$/, '.0')}/24`;
    scratch = mkdtempSync(join(tmpdir(), 'cp-offline-standalone-'));
    makeRealTreeBundle(join(scratch, 'src'));
    // No site mirror of the NFS provisioner's chart repository: the fake helm reaches none.
    await prepareRealTreeHost(th, 0, { repoReachable: false });
    bundle = await buildSiteBundle(scratch, join(scratch, 'src'));
    console.log(`offline standalone: hosts and the bundle (${bundle.planned.artifacts.length} artifacts) in ${Date.now() - t0} ms`);
  }, 300_000);

  afterAll(async () => {
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const writePlan = (name: string, withBundle: boolean): string => {
    const [m, w] = th.hosts;
    const net = m!.address.replace(/\.\d+$/, '');
    const path = join(scratch, `${name}.yaml`);
    writeFileSync(
      path,
      stringify({
        apiVersion: 'cp-installer/v1',
        kind: 'Plan',
        mode: 'standalone',
        release: 'k-paas-v1.6.2',
        cluster: { name },
        auth: [{ name: 'default', method: 'password', user: th.user, sudo: 'nopasswd' }],
        hosts: [
          { name: 'master-1', address: m!.address, roles: ['control-plane', 'etcd'] },
          { name: 'worker-1', address: w!.address, roles: ['worker'] },
        ],
        network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
        storage: { type: 'nfs', nfs: { server: m!.address, path: '/srv/nfs' } },
        ...(withBundle ? { bundle: { path: bundle.dir, file: bundle.file } } : {}),
      }),
    );
    return path;
  };

  /** `cp-installer apply` as a child process with the installer-side recorder preloaded. */
  const apply = (planPath: string, tag: string): CliRun => {
    const workdir = join(scratch, `wd-${tag}`);
    const egressOut = join(scratch, `installer-egress-${tag}.json`);
    const env = { ...process.env, CP_SSH_PASSWORD: th.password, CP_TEST_EGRESS_ALLOW: testNet, CP_TEST_EGRESS_OUT: egressOut };
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', PRELOAD, CLI, 'apply', planPath, '--workdir', workdir, '--known-hosts', th.knownHostsFile, '--override', 'os', 'cgroup', 'cross.machineId', 'leftovers'],
      { env, encoding: 'utf8', timeout: 600_000, cwd: ROOT },
    );
    const runId = /run (\S+) \(/.exec(r.stdout)?.[1] ?? '';
    // The recorder was in the CLI's process: its file is there (`[]` from the start).
    expect(existsSync(egressOut), `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(true);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, runId, installer: JSON.parse(readFileSync(egressOut, 'utf8')) as EgressAttempt[] };
  };

  const stepEnds = (tag: string, runId: string) =>
    (readJournal(join(runDir(join(scratch, `wd-${tag}`), runId), 'journal.jsonl')).filter((r) => r.t === 'step-end') as Array<{ step: string; host?: string; status: string }>);

  it('serves the bundle from master 1 and installs through the tree\'s playbook to a verified cluster, with zero outbound attempts', { timeout: 660_000 }, async () => {
    const [m] = th.hosts;
    const r = apply(writePlan('offcli', true), 'offline');
    const log = r.runId ? readFileSync(join(runDir(join(scratch, 'wd-offline'), r.runId), 'logs', 'kubespray', 'master-1.log'), 'utf8') : '';
    expect(r.status, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}\n${log.slice(-6000)}`).toBe(0);
    expect(r.stdout).toContain('installed and verified');

    // Zero outbound attempts: on both hosts (name lookups included) and from the installer itself.
    expect(await th.egressAttempts()).toEqual([]);
    expect(r.installer).toEqual([]);

    // The offline steps ran, each once, before the playbook.
    const ends = stepEnds('offline', r.runId);
    for (const step of ['bundle-upload', 'bundle-unpack', 'files-repo', 'registry-cert', 'registry', 'image-load', 'offline-tree', 'kubespray', 'verify'])
      expect(ends.filter((e) => e.step === step).map((e) => e.status), step).toEqual(['done']);
    expect(ends.filter((e) => e.step === 'node-registries' && e.host).map((e) => e.status)).toEqual(['done', 'done']);
    // The tree's cp/storage installed the provisioner inside the playbook: the installer's storage step finds it.
    expect(ends.filter((e) => e.step === 'storage').map((e) => e.status)).toEqual(['skipped']);
    // Every image of the plan in master 1's registry, by its path without the upstream host.
    const images = bundle.planned.artifacts.filter((a) => a.kind === 'image').map((a) => a.source.slice(a.source.indexOf('/') + 1).replace(/:[^/:]+$/, ''));
    // Over HTTPS, verified by the CA the run made on master 1 and placed in the node's containers certs.d (CRI-O's).
    const catalog = await th.exec(1, `python3 -c 'import ssl,sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5, context=ssl.create_default_context(cafile=sys.argv[2])).read().decode())' 'https://${m!.address}:5000/v2/_catalog?n=1000' /etc/containers/certs.d/${m!.address}:5000/ca.crt`);
    const repos = (JSON.parse(catalog.stdout) as { repositories: string[] }).repositories;
    expect(new Set(repos)).toEqual(new Set(images));
    expect(repos).toContain('k8s/kube-apiserver');
    // The inventory the playbook read: Kubespray's files from master 1's files repo, images from its registry.
    const offlineYml = (await th.exec(0, `cat /home/${th.user}/cp-deployment/standalone/inventory/offcli/group_vars/all/offline.yml`)).stdout;
    expect(offlineYml).toMatch(new RegExp(`^files_repo: ["']?http://${m!.address.replace(/\./g, '\\.')}:8080["']?$`, 'm'));
    expect(offlineYml).toMatch(new RegExp(`^registry_host: ["']?${m!.address.replace(/\./g, '\\.')}:5000["']?$`, 'm'));
    // The tree's cp/storage task installs the bundle's chart from the tree; no repository is added.
    const storageTask = (await th.exec(0, `cat /home/${th.user}/cp-deployment/standalone/roles/cp/storage/tasks/main.yml`)).stdout;
    expect(storageTask).not.toMatch(/^\s*helm repo add/m);
    expect(storageTask).toContain('/cp-deployment/applications/nfs-subdir-external-provisioner-4.0.18/nfs-subdir-external-provisioner-4.0.18.tgz -f ');
    const chartThere = await th.exec(0, `sha256sum /home/${th.user}/cp-deployment/applications/nfs-subdir-external-provisioner-4.0.18/nfs-subdir-external-provisioner-4.0.18.tgz`);
    expect(chartThere.stdout.split(' ')[0]).toBe(sha(readFileSync(join(bundle.dir, 'charts', 'nfs-subdir-external-provisioner-4.0.18.tgz'))));
    // The node's CRI-O pointed at it.
    const crio = (await th.exec(1, 'cat /etc/containers/registries.conf.d/*.conf')).stdout;
    expect(crio).toContain(`${m!.address}:5000`);

    // The tree's plays ran as in the real-tree test, cp/storage included: the chart came from the bundle.
    expect(log).toContain(`PLAY [${STANDIN_PLAY}]`);
    expect(log).toContain('TASK [cp/storage : Deploy nfs-subdir-external-provisioner]');
    expect(log).toMatch(/PLAY RECAP[\s\S]*master-1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    const state = fakeState(th, 0) as ReturnType<typeof fakeState> & { repos?: Record<string, string> };
    expect(state.releases['default/nfs-subdir-external-provisioner']).toMatchObject({ chart: 'nfs-subdir-external-provisioner', version: '4.0.18' });
    expect(state.repos ?? {}).toEqual({});
    console.log(`offline standalone: ${images.length} images loaded; egress attempts: hosts 0, installer 0`);
  });

  it('the same plan without the bundle fails at the first download, naming what was missing and the host, and that attempt is on record', { timeout: 300_000 }, async () => {
    const before = await th.egressAttempts();
    expect(before).toEqual([]);
    const r = apply(writePlan('onlinecli', false), 'online');
    expect(r.status).not.toBe(0);
    const ends = stepEnds('online', r.runId);
    const failed = ends.filter((e) => e.status === 'failed');
    expect(failed.map((e) => e.step)).toEqual(['deployer-tree']);
    // The platform's tree is the first thing fetched: git clone of github.com on master 1.
    expect(r.stdout + r.stderr).toContain('master-1 cannot reach github.com');
    const attempts = await th.egressAttempts();
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a) => a.host === th.hosts[0]!.name)).toBe(true);
    expect(attempts).toContainEqual(expect.objectContaining({ address: EGRESS_RESOLVER, protocol: 'udp', port: 53 }));
    expect(r.installer).toEqual([]);
  });
});
