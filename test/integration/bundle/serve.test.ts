// Upload and serve on real parts: a bundle file (written by the bundle's own writer) holding two images made
// with buildah, a file of Kubespray's files repo, Debian's docker-registry (the distribution registry) as the
// registry the bundle ships and skopeo as the bundle's skopeo; the offline steps run over SSH against a test
// host as the deployer; a real containerd in a second test host's namespaces pulls the fork's image name
// (registry.k-paas.org/k8s/pause:3.10) through the hosts.toml the node step wrote, from the deployer's
// registry over HTTPS, verified by the CA the run made on the deployer (and refused without that CA: the
// certificate is really checked). A second run loads 0 images and keeps the certificate; a killed registry is
// started again by its supervisor; a changed byte in the bundle is caught on the deployer, naming the file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync, readSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle, type BuiltArtifact, type BuiltManifest } from '../../../core/bundle/archive.js';
import { filesRepoPath, imagePath, registryUrl } from '../../../core/bundle/manifest.js';
import { msg } from '../../../core/common/messages.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { offlineSteps } from '../../../core/install/offline/steps.js';
import type { InstallMode } from '../../../core/install/step.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { canRecordEgress } from '../../hosts/egress.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';

function missing(): string | undefined {
  const can = canRunTestHosts();
  if (!can.ok) return can.reason;
  for (const [tool, pkg] of [['docker-registry', 'docker-registry'], ['skopeo', 'skopeo'], ['buildah', 'buildah'], ['containerd', 'containerd'], ['ctr', 'containerd']] as const) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install -y ${pkg})`;
  }
  if (!existsSync('/bin/busybox')) return 'busybox is not installed (apt-get install -y busybox-static)';
  return undefined;
}
const skip = missing();
if (skip) console.log(`bundle serve integration tests skipped: ${skip}`);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A small image without any daemon or download: busybox (and a marker file, so two images differ). */
function makeImage(work: string, out: string, marker: string): string {
  const storage = ['--storage-driver', 'vfs', '--root', join(work, 'buildah', 'root'), '--runroot', join(work, 'buildah', 'run')];
  const c = run('buildah', [...storage, 'from', 'scratch']).trim();
  run('buildah', [...storage, 'copy', c, '/bin/busybox', '/bin/busybox']);
  writeFileSync(join(work, 'marker'), marker);
  run('buildah', [...storage, 'copy', c, join(work, 'marker'), '/marker']);
  mkdirSync(join(out, '..'), { recursive: true });
  run('buildah', [...storage, 'commit', '--quiet', c, `oci-archive:${out}`]);
  run('buildah', [...storage, 'rm', c]);
  return `sha256:${sha256(run('skopeo', ['inspect', '--raw', `oci-archive:${out}`]))}`;
}

describe.skipIf(!!skip)('offline steps: upload, serve, load, point the runtime (test hosts)', () => {
  let th: TestHosts;
  let scratch: string;
  let bundle: string;
  let containerd: ChildProcess | undefined;
  let pauseDigest = '';
  let siteRegistry: ChildProcess | undefined;
  const egress = canRecordEgress().ok;
  const PAUSE = 'registry.k-paas.org/k8s/pause:3.10';
  const BUSYBOX = 'docker.io/library/busybox:1.36';
  const KUBEADM = 'https://dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm';
  const SKOPEO = 'https://github.com/lework/skopeo-binary/releases/download/v1.16.1/skopeo-linux-amd64';

  const plan = (file: string): Plan =>
    Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'offline-it', runtime: 'containerd' },
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'deployer-1', address: th.hosts[0]!.address, roles: ['deployer'] },
        { name: 'node-1', address: th.hosts[1]!.address, roles: ['control-plane', 'etcd', 'worker'] },
      ],
      network: { metallbRange: '10.213.250.100-10.213.250.110', ingressIp: '10.213.250.120' },
      storage: { type: 'nfs', nfs: { server: th.hosts[1]!.address } },
      portal: { enabled: false, domain: 'portal.site.internal' },
      bundle: { path: scratch, file },
    } as PlanInput);

  /** The offline steps for real over SSH, behind the runner's gate (connect); the tree edit is the unit tests'. */
  const runSteps = async (p: Plan, runId: string): Promise<{ result: RunResult; logs: string[] }> => {
    const ssh = await openSsh(p, {}, { knownHostsFile: th.knownHostsFile, useSshConfig: false, globalLimit: 8 });
    const logs: string[] = [];
    const mode: InstallMode = { name: 'standalone', title: msg('mode.standalone'), steps: () => offlineSteps(p, p.hosts[0]!, ['connect']).filter((s) => s.id !== 'offline-tree') };
    try {
      const r = new InstallRun({ runId, workdir: join(scratch, 'work'), mode, plan: p, release: findRelease(p.release)!, options: { overrides: [] }, secrets: {}, sessions: ssh.sessions });
      r.subscribe((e) => {
        if (e.type === 'log') logs.push(`${e.stepId}: ${e.line}`);
      });
      return { result: await r.start(), logs };
    } finally {
      await ssh.close();
    }
  };

  const nodeGet = async (url: string, ca?: string) =>
    th.exec(1, `python3 -c 'import ssl,sys,urllib.request; c = ssl.create_default_context(cafile=sys.argv[2]) if len(sys.argv) > 2 else None; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5, context=c).read().decode("latin-1"))' ${url}${ca ? ` ${ca}` : ''}`);
  /** The deployer's registry's CA as the node step placed it for containerd (the node's own /etc/containerd). */
  const nodeCa = () => `/etc/containerd/certs.d/${th.hosts[0]!.address}:5000/ca.crt`;

  beforeAll(async () => {
    // /etc/containers a copy of each host's own: the node step puts the CA in /etc/containers/certs.d there.
    th = await startTestHosts({ count: 2, recordEgress: egress, ownDirs: existsSync('/etc/containers') ? ['/etc/containers'] : [] });
    scratch = mkdtempSync(join(tmpdir(), 'cp-serve-'));
    const stage = join(scratch, 'stage');
    const artifacts: BuiltArtifact[] = [];
    const add = (a: Omit<BuiltArtifact, 'entries' | 'neededBy' | 'from'>, path: string) => {
      const data = readFileSync(join(stage, path));
      artifacts.push({ ...a, from: 'test', neededBy: ['deployer'], entries: [{ path, sha256: sha256(data), size: data.length }] });
    };
    // Two images, by the names the fork and Kubespray give them.
    for (const [ref, marker] of [[PAUSE, 'pause'], [BUSYBOX, 'busybox']] as const) {
      const path = imagePath(ref);
      const digest = makeImage(scratch, join(stage, path), marker);
      if (ref === PAUSE) pauseDigest = digest;
      add({ id: `image:${ref}`, kind: 'image', source: ref, path, digest }, path);
    }
    // A file of Kubespray's files repo, the registry the bundle ships (Debian's build here) and skopeo.
    const kubeadm = filesRepoPath(KUBEADM);
    mkdirSync(join(stage, kubeadm, '..'), { recursive: true });
    writeFileSync(join(stage, kubeadm), randomBytes(1024 * 1024));
    add({ id: `file:${KUBEADM}`, kind: 'file', source: KUBEADM, path: kubeadm }, kubeadm);
    const reg = filesRepoPath(registryUrl('amd64'));
    mkdirSync(join(scratch, 'regpkg'), { recursive: true });
    copyFileSync('/usr/bin/docker-registry', join(scratch, 'regpkg', 'registry'));
    mkdirSync(join(stage, reg, '..'), { recursive: true });
    run('tar', ['-czf', join(stage, reg), '-C', join(scratch, 'regpkg'), 'registry']);
    add({ id: `file:${registryUrl('amd64')}`, kind: 'file', source: registryUrl('amd64'), path: reg }, reg);
    const skopeo = filesRepoPath(SKOPEO);
    mkdirSync(join(stage, skopeo, '..'), { recursive: true });
    copyFileSync('/usr/bin/skopeo', join(stage, skopeo));
    add({ id: `file:${SKOPEO}`, kind: 'file', source: SKOPEO, path: skopeo }, skopeo);
    const manifest: BuiltManifest = { format: 'cp-installer-bundle/v1', release: 'k-paas-v1.6.2', mode: 'standalone', arch: ['amd64'], runtime: 'containerd', artifacts, notes: [], createdAt: new Date(0).toISOString(), createdBy: 'test' };
    bundle = join(scratch, 'site.tar');
    await writeBundle(bundle, manifest, stage);
    // The node's /etc/containerd is its own (a folder of the test's, bound in its mount namespace only).
    mkdirSync(join(scratch, 'node-etc-containerd'), { recursive: true });
    const bound = spawnSync('nsenter', ['-t', String(th.hosts[1]!.sshdPid), '-m', '--', 'mount', '--bind', join(scratch, 'node-etc-containerd'), '/etc/containerd']);
    if (bound.status !== 0) throw new Error(`bind /etc/containerd on the node: ${bound.stderr}`);
  }, 180_000);

  afterAll(async () => {
    for (const p of [containerd, siteRegistry]) if (p?.pid && p.exitCode === null) process.kill(p.pid, 'SIGTERM');
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('uploads, checks and unpacks the bundle, serves its files, runs its registry, loads every image, writes the node\'s hosts.toml; containerd on the node pulls the fork\'s image name from it', async () => {
    const { result, logs } = await runSteps(plan(bundle), 'first');
    expect(result.status, JSON.stringify({ e: result.error, f: result.failure, logs: logs.slice(-15) })).toBe('succeeded');
    expect(result.outputs.imagesLoaded).toBe(2);
    expect(result.outputs.imagesPresent).toBe(0);
    const d = th.hosts[0]!.address;

    // The files repo, from the node: Kubespray's URL layout, the same bytes.
    const kubeadm = readFileSync(join(scratch, 'stage', filesRepoPath(KUBEADM)));
    const got = await th.exec(1, `python3 -c 'import sys,hashlib,urllib.request; print(hashlib.sha256(urllib.request.urlopen(sys.argv[1], timeout=5).read()).hexdigest())' http://${d}:8080/dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm`);
    expect(got.stdout.trim(), got.stderr).toBe(sha256(kubeadm));

    // The registry (Debian's docker-registry), from the node, over HTTPS verified by the CA the node was given:
    // both images by their path without the upstream host. Plain HTTP is not served.
    const catalog = await nodeGet(`https://${d}:5000/v2/_catalog`, nodeCa());
    expect(JSON.parse(catalog.stdout), catalog.stderr).toEqual({ repositories: ['k8s/pause', 'library/busybox'] });
    expect((await nodeGet(`http://${d}:5000/v2/`)).code).not.toBe(0);
    // The CA's key stays on the deployer (0600 in a 0700 folder); the node has the CA certificate only.
    const tls = join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'tls');
    expect(statSync(join(tls, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    const ca = readFileSync(join(tls, 'ca.crt'), 'utf8');
    expect(readFileSync(join(scratch, 'node-etc-containerd', 'certs.d', `${d}:5000`, 'ca.crt'), 'utf8')).toBe(ca);
    expect((await th.exec(1, `cat /etc/containers/certs.d/${d}:5000/ca.crt`)).stdout).toBe(ca);
    expect(spawnSync('grep', ['-rl', 'PRIVATE KEY', join(scratch, 'node-etc-containerd')]).stdout.toString()).toBe('');
    expect(logs.some((l) => l.startsWith('registry-cert: a new CA on deployer-1'))).toBe(true);
    // The uploaded file is gone once unpacked and checked; the unpacked copy is what is served.
    expect(existsSync(join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'site.tar'))).toBe(false);
    expect(readFileSync(join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'bundle', '.cp-installer-unpacked'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);

    // The node's runtime: a hosts.toml per upstream registry, the deployer's registry as HTTPS mirror with its CA.
    const hostsToml = readFileSync(join(scratch, 'node-etc-containerd', 'certs.d', 'registry.k-paas.org', 'hosts.toml'), 'utf8');
    expect(hostsToml).toContain(`[host."https://${d}:5000"]\n  capabilities = ["pull","resolve"]\n  skip_verify = false\n  override_path = false\n  ca = ["${nodeCa()}"]\n`);

    // A real containerd in the node's namespaces pulls registry.k-paas.org/k8s/pause:3.10 through it.
    const ctrDir = join(scratch, 'ctr');
    mkdirSync(ctrDir, { recursive: true });
    const sock = join(ctrDir, 'c.sock');
    writeFileSync(join(ctrDir, 'config.toml'), `version = 2\nroot = "${ctrDir}/root"\nstate = "${ctrDir}/state"\n[grpc]\n  address = "${sock}"\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`);
    const pid = String(th.hosts[1]!.sshdPid);
    containerd = spawn('nsenter', ['-t', pid, '-m', '-u', '-n', '--', 'containerd', '--config', join(ctrDir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let ctrErr = '';
    containerd.stderr!.on('data', (b: Buffer) => (ctrErr = (ctrErr + b.toString()).slice(-4000)));
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(sock), ctrErr).toBe(true);
    const ctr = (...args: string[]) => spawnSync('nsenter', ['-t', pid, '-m', '-u', '-n', '--', 'ctr', '-a', sock, ...args], { encoding: 'utf8', timeout: 60_000 });
    const pull = ctr('images', 'pull', '--hosts-dir', '/etc/containerd/certs.d', PAUSE);
    expect(pull.status, `${pull.stdout}\n${pull.stderr}\n${ctrErr}`).toBe(0);
    // The very image of the bundle: the digest containerd holds is the one recorded when it was built.
    const listed = ctr('images', 'ls');
    const line = listed.stdout.split('\n').find((l) => l.startsWith(`${PAUSE} `));
    expect(line, listed.stdout).toContain(pauseDigest);

    // The registry's own hosts.toml without its CA line: the pull is refused for the certificate, so TLS is really
    // checked. (Its own entry: an upstream's would fall back to the upstream server, a lookup outside.)
    const self = `${d}:5000`;
    const selfBusybox = `${self}/library/busybox:1.36`;
    const noCa = join(scratch, 'node-etc-containerd', 'certs-no-ca');
    mkdirSync(join(noCa, self), { recursive: true });
    const selfToml = readFileSync(join(scratch, 'node-etc-containerd', 'certs.d', self, 'hosts.toml'), 'utf8');
    expect(selfToml).toBe(`server = "https://${self}"\n[host."https://${self}"]\n  capabilities = ["pull","resolve"]\n  skip_verify = false\n  override_path = false\n  ca = ["${nodeCa()}"]\n`);
    writeFileSync(join(noCa, self, 'hosts.toml'), selfToml.replace(/\n {2}ca = \[[^\n]*\]/, ''));
    const refused = ctr('images', 'pull', '--hosts-dir', '/etc/containerd/certs-no-ca', selfBusybox);
    expect(refused.status, `${refused.stdout}\n${refused.stderr}`).not.toBe(0);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/x509|certificate signed by unknown authority|failed to verify certificate/);
    // With the CA, the same image comes.
    const withCa = ctr('images', 'pull', '--hosts-dir', '/etc/containerd/certs.d', selfBusybox);
    expect(withCa.status, `${withCa.stdout}\n${withCa.stderr}\n${ctrErr}`).toBe(0);
    if (egress) expect(await th.egressAttempts()).toEqual([]);
  }, 240_000);

  it('a second run loads 0 images and leaves the services as they were; a killed registry is started again by its supervisor', async () => {
    const runDir = join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'run');
    const before = readFileSync(join(runDir, 'cp-installer-registry.pid'), 'utf8').trim();
    const serverCrt = join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'tls', 'server.crt');
    const certBefore = readFileSync(serverCrt, 'utf8');
    const { result, logs } = await runSteps(plan(bundle), 'second');
    expect(readFileSync(serverCrt, 'utf8')).toBe(certBefore);
    expect(result.status, JSON.stringify({ e: result.error, f: result.failure, logs: logs.slice(-10) })).toBe('succeeded');
    expect(result.outputs.imagesLoaded).toBe(0);
    expect(result.outputs.imagesPresent).toBe(2);
    expect(logs.some((l) => l.startsWith('registry: cp-installer-registry runs already with this configuration'))).toBe(true);
    // The certificate is kept, not issued again: the same server certificate, the same CA.
    expect(logs.some((l) => l.startsWith('registry-cert: the registry\'s certificate for ') && l.includes('is kept'))).toBe(true);
    expect(readFileSync(join(runDir, 'cp-installer-registry.pid'), 'utf8').trim()).toBe(before);

    // The registry process itself (the supervisor's child) killed: it answers again a moment later.
    const child = (await th.exec(0, `pgrep -P ${before}`)).stdout.trim().split('\n')[0]!;
    expect(child).toMatch(/^\d+$/);
    process.kill(Number(child), 'SIGKILL');
    const d = th.hosts[0]!.address;
    let answered = false;
    for (let i = 0; i < 40 && !answered; i++) {
      await new Promise((r) => setTimeout(r, 250));
      answered = (await nodeGet(`https://${d}:5000/v2/`, nodeCa())).code === 0;
    }
    expect(answered).toBe(true);
    expect(readFileSync(join(runDir, 'cp-installer-registry.log'), 'utf8')).toMatch(/cp-installer-registry exited \(\d+\), starting it again/);

    // The supervisor itself gone (e.g. the deployer rebooted): the next run starts it again; nothing reloaded.
    process.kill(-Number(before), 'SIGKILL');
    const again = await runSteps(plan(bundle), 'third');
    expect(again.result.status).toBe('succeeded');
    expect(again.result.outputs.imagesLoaded).toBe(0);
    expect(readFileSync(join(runDir, 'cp-installer-registry.pid'), 'utf8').trim()).not.toBe(before);
    expect((await nodeGet(`https://${d}:5000/v2/_catalog`, nodeCa())).stdout).toContain('k8s/pause');
  }, 180_000);

  it('a plan naming a site registry: images pushed there, no registry started, the node pointed at it', async () => {
    const node = th.hosts[1]!;
    const site = `${node.address}:5001`;
    const cfg = join(scratch, 'site-registry.yml');
    writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(scratch, 'site-registry')}\nhttp:\n  addr: ${site}\n`);
    siteRegistry = spawn('nsenter', ['-t', String(node.sshdPid), '-n', '--', 'docker-registry', 'serve', cfg], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      await new Promise((r) => setTimeout(r, 200));
      up = (await nodeGet(`http://${site}/v2/`)).code === 0;
    }
    expect(up).toBe(true);
    await th.exec(0, `rm -rf /home/${th.user}/cp-installer-offline/bundle`);
    const p = Plan.parse({ ...plan(bundle), registry: { address: site, insecure: true } });
    const { result, logs } = await runSteps(p, 'site');
    expect(result.status, JSON.stringify({ e: result.error, f: result.failure, logs: logs.slice(-10) })).toBe('succeeded');
    expect(logs.some((l) => l.startsWith('registry: '))).toBe(false);
    expect(result.outputs.imagesLoaded).toBe(2);
    expect(JSON.parse((await nodeGet(`http://${site}/v2/_catalog`)).stdout)).toEqual({ repositories: ['k8s/pause', 'library/busybox'] });
    expect(readFileSync(join(scratch, 'node-etc-containerd', 'certs.d', 'registry.k-paas.org', 'hosts.toml'), 'utf8')).toContain(`[host."http://${site}"]`);
  }, 120_000);

  it('a changed byte in the bundle is caught on the deployer, naming the file; the damaged upload is removed', async () => {
    // The same manifest, one byte of the kubeadm file changed: the file's own sha256 (and the upload's) match
    // the local copy, so it is the per-file check on the deployer that must catch it.
    const bad = join(scratch, 'site-bad.tar');
    copyFileSync(bundle, bad);
    const fd = openSync(bad, 'r+');
    const data = readFileSync(bundle);
    // The file's tar header (its NUL-padded name; the manifest names it too, but quoted), then its data.
    const header = data.indexOf(Buffer.from(`${filesRepoPath(KUBEADM)}\0`));
    expect(header % 512).toBe(0);
    const at = header + 512 + 4096;
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, at);
    writeSync(fd, Buffer.from([one[0]! ^ 0xff]), 0, 1, at);
    closeSync(fd);
    expect(statSync(bad).size).toBe(statSync(bundle).size);
    await th.exec(0, `rm -rf /home/${th.user}/cp-installer-offline/bundle`);
    const { result } = await runSteps(plan(bad), 'damaged');
    expect(result.status).toBe('failed');
    expect(result.failedStep, JSON.stringify({ e: result.error, f: result.failure })).toBe('bundle-unpack');
    expect(result.error?.key, JSON.stringify({ e: result.error, f: result.failure })).toBe('offline.bundle-damaged');
    expect(String(result.error?.params?.detail)).toContain(`${filesRepoPath(KUBEADM)}: FAILED`);
    expect(existsSync(join(th.hosts[0]!.dir, 'home', 'cp-installer-offline', 'site-bad.tar'))).toBe(false);
    expect(await sha256File(bundle)).not.toBe(await sha256File(bad));
  }, 120_000);
});
