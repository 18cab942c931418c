// A site registry that needs a login (issue 13): Debian's docker-registry with htpasswd auth (bcrypt, as
// `htpasswd -B` writes it) in the second test host's namespace; the offline steps upload and unpack a bundle
// holding a real image (busybox, made with buildah: test/integration/bundle/mirror.ts) on the deployer and push
// it there with skopeo. The plan names registry.user; the password is the registryPassword secret (from the
// environment, a prompt or the keychain in the shells), handed to skopeo in an auth.json in a private folder
// that is removed when the step ends: never on a command line (sampled with `ps` on both hosts throughout),
// never in the plan, the run's files or the hosts' files afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBag } from '../../../core/api/preflight.js';
import { writeBundle, type BuiltManifest } from '../../../core/bundle/archive.js';
import { imagePath } from '../../../core/bundle/manifest.js';
import { msg } from '../../../core/common/messages.js';
import { offlineSteps } from '../../../core/install/offline/steps.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode } from '../../../core/install/step.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { assertNoSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { buildBusyboxImage, missingTools } from '../bundle/mirror.js';

const can = canRunTestHosts();
const tools = missingTools(['docker-registry', 'skopeo', 'buildah']);
// bcrypt through libxcrypt (Python's crypt module): no apache2-utils needed for the htpasswd file.
const bcrypt = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt; print(crypt.crypt("x", crypt.mksalt(crypt.METHOD_BLOWFISH)))'], { encoding: 'utf8' });
const reason = !can.ok
  ? can.reason
  : tools.length
    ? `missing ${tools.join(', ')} (apt-get install -y docker-registry skopeo buildah)`
    : !existsSync('/bin/busybox')
      ? 'busybox is not installed (apt-get install -y busybox-static)'
      : !/^\$2[aby]\$/.test(bcrypt.stdout.trim())
        ? "python3's crypt has no bcrypt here (needed for the registry's htpasswd file)"
        : undefined;
if (reason) console.log(`site registry login tests skipped: ${reason}`);

const USER = 'cp-pusher';
const PASSWORD = 'Site-Reg1stry-Pa55';
const IMAGE = 'registry.k-paas.org/k8s/pause:3.10';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!!reason)('offline image load into a site registry that needs a login', () => {
  let th: TestHosts;
  let scratch: string;
  let bundle: string;
  let registry: ChildProcess | undefined;
  let site: string;
  let ps: PsSampler;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-site-registry-'));
    // The bundle: one real image under the fork's name, as the bundle's writer lays it out.
    const stage = join(scratch, 'stage');
    const path = imagePath(IMAGE);
    mkdirSync(join(stage, path, '..'), { recursive: true });
    const archive = buildBusyboxImage(scratch);
    writeFileSync(join(stage, path), readFileSync(archive));
    const digest = `sha256:${sha256(spawnSync('skopeo', ['inspect', '--raw', `oci-archive:${archive}`]).stdout)}`;
    const data = readFileSync(join(stage, path));
    const manifest: BuiltManifest = {
      format: 'cp-installer-bundle/v1', release: 'k-paas-v1.6.2', mode: 'standalone', arch: ['amd64'], runtime: 'crio', notes: [], createdAt: new Date(0).toISOString(), createdBy: 'test',
      artifacts: [{ id: `image:${IMAGE}`, kind: 'image', source: IMAGE, path, digest, from: 'test', neededBy: ['deployer'], entries: [{ path, sha256: sha256(data), size: data.length }] }],
    };
    bundle = join(scratch, 'site.tar');
    await writeBundle(bundle, manifest, stage);

    // The site registry, with htpasswd auth, listening in the second host's namespace.
    const node = th.hosts[1]!;
    site = `${node.address}:5002`;
    const hash = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', PASSWORD], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(scratch, 'htpasswd'), `${USER}:${hash}\n`, { mode: 0o600 });
    const cfg = join(scratch, 'site-registry.yml');
    writeFileSync(
      cfg,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(scratch, 'site-registry')}\nhttp:\n  addr: ${site}\nauth:\n  htpasswd:\n    realm: site\n    path: ${join(scratch, 'htpasswd')}\n`,
    );
    registry = spawn('nsenter', ['-t', String(node.sshdPid), '-n', '--', 'docker-registry', 'serve', cfg], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      await new Promise((r) => setTimeout(r, 200));
      up = await fetch(`http://${site}/v2/`).then((r) => r.status === 401, () => false);
    }
    if (!up) throw new Error('the site registry did not start');
    ps = startPsSampler({ hosts: th, intervalMs: 200 });
  }, 180_000);

  afterAll(async () => {
    ps?.stop();
    if (registry?.pid && registry.exitCode === null) process.kill(registry.pid, 'SIGTERM');
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const plan = (): Plan =>
    Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'site-login', runtime: 'crio' },
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'deployer-1', address: th.hosts[0]!.address, roles: ['deployer'] },
        { name: 'node-1', address: th.hosts[1]!.address, roles: ['control-plane', 'etcd', 'worker'] },
      ],
      network: { metallbRange: '10.213.250.100-10.213.250.110', ingressIp: '10.213.250.120' },
      storage: { type: 'nfs', nfs: { server: th.hosts[1]!.address } },
      portal: { enabled: false, domain: 'portal.site.internal' },
      registry: { address: site, insecure: true, user: USER },
      bundle: { path: scratch, file: bundle },
    } as PlanInput);

  /** Upload, unpack and image load for real over SSH (the nodes' files are the serve test's). */
  const load = async (runId: string, password?: string): Promise<RunResult> => {
    const p = plan();
    const ssh = await openSsh(p, {}, { knownHostsFile: th.knownHostsFile, useSshConfig: false });
    const mode: InstallMode = { name: 'standalone', title: msg('mode.standalone'), steps: () => offlineSteps(p, p.hosts[0]!, ['connect']).filter((s) => ['bundle-upload', 'bundle-unpack', 'image-load'].includes(s.id)) };
    try {
      const secrets = password ? secretBag([{ kind: 'registryPassword', profile: '', value: password }]) : {};
      return await new InstallRun({ runId, workdir: join(scratch, 'work'), mode, plan: p, release: findRelease(p.release)!, options: { overrides: [] }, secrets, sessions: ssh.sessions }).start();
    } finally {
      await ssh.close();
    }
  };

  const authDirs = async () => (await th.exec(0, `ls -d /dev/shm/cp-installer-auth.* "\${XDG_RUNTIME_DIR:-/nonexistent}"/cp-installer-auth.* ~${th.user}/cp-installer-offline/cp-installer-auth.* 2>/dev/null; true`)).stdout.trim();
  const catalog = (auth?: string) => fetch(`http://${site}/v2/_catalog`, auth ? { headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } } : {});

  it('without the password the run stops before any push, naming the registry, the user and the variable', async () => {
    const r = await load('no-password');
    expect(r.status).toBe('failed');
    expect(r.failedStep).toBe('image-load');
    expect(r.error?.key).toBe('offline.registry-password');
    expect(r.error?.params).toMatchObject({ address: site, user: USER, env: 'CP_REGISTRY_PASSWORD' });
    expect(await authDirs()).toBe('');
  }, 120_000);

  it('pushes the bundle\'s image with the login from a private auth file, removed afterwards; the password on no command line and in no file', async () => {
    const r = await load('login', PASSWORD);
    expect(r.status, JSON.stringify({ e: r.error, f: r.failure })).toBe('succeeded');
    expect(r.outputs.imagesLoaded).toBe(1);
    // The registry holds it, and shows it only to the login.
    expect((await catalog()).status).toBe(401);
    expect(await (await catalog(`${USER}:${PASSWORD}`)).json()).toEqual({ repositories: ['k8s/pause'] });
    // The login's folder is gone; nothing the run or the hosts keep holds the password.
    expect(await authDirs()).toBe('');
    expect(readdirSync('/dev/shm').filter((n) => n.startsWith('cp-installer-auth.'))).toEqual([]);
    assertNoSecrets({ secrets: [{ label: 'registryPassword', value: PASSWORD }, { label: 'registry basic auth', value: `${USER}:${PASSWORD}` }], paths: [join(scratch, 'work'), join(th.hosts[0]!.dir, 'home'), join(th.hosts[0]!.dir, 'lib')], sampler: ps, minFiles: 3, minSamples: 5 });
    // A second run: present, nothing pushed again (the digest check logs in too).
    const again = await load('login-again', PASSWORD);
    expect(again.status).toBe('succeeded');
    expect(again.outputs.imagesLoaded).toBe(0);
    expect(again.outputs.imagesPresent).toBe(1);
  }, 180_000);

  it('a wrong password: skopeo is refused by the registry and the step fails; the folder is removed all the same', async () => {
    // The image is there from the run before, but the check of its digest is refused too: the copy is tried and refused.
    const r = await load('wrong', 'Not-The-Pa55word');
    expect(r.status).toBe('failed');
    expect(r.failedStep).toBe('image-load');
    expect(`${r.failure?.message ?? ''} ${JSON.stringify(r.error ?? {})}`).toMatch(/unauthorized|authentication required|401/i);
    expect(await authDirs()).toBe('');
  }, 180_000);
});
