// Upload and serve (issue 13): the pure parts — the runtimes' registry files, the fork's hard-coded image
// repositories against the real v1.6.2 tree, where each image goes in the site registry, the services'
// files — and the standalone mode's steps and dry run for a plan with a bundle file.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDryRun } from '../../../core/install/dryrun.js';
import { ImageCollision, imageLoads } from '../../../core/install/offline/images.js';
import { checkList, offlineGate } from '../../../core/install/offline/steps.js';
import { InstallRun, orderSteps } from '../../../core/install/runner.js';
import { gated } from '../../../core/install/gate.js';
import { standaloneMode } from '../../../core/modes/standalone/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { offlineRegistry, Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { groupVarChanges, GROUP_VARS_FILES } from '../../../core/tools/kubespray/group-vars.js';
import { keadmJoinArgv, kubeedgeImageRepository } from '../../../core/tools/kubeedge/commands.js';
import { FORK_IMAGE_REPOS, forkImageOverrides, KUBEADM_REPO_EXPRESSION, KUBEADM_REPO_TEMPLATES, patchKubeadmRepo, patchKubeadmRepoCommand } from '../../../core/tools/kubespray/offline-images.js';
import { containerdHostsToml, containerdMirrorsVar, crioDropInPath, crioRegistriesVar, crioRegistryConf, mirrorEntries, runtimeRegistryFiles, siteRef, upstreamRegistries } from '../../../core/tools/registry/mirrors.js';
import { filesServiceSpec, registryConfig, supervisorScript, systemdUnit } from '../../../core/tools/registry/services.js';
import { haveUpstream, TREE_V162 } from '../kubespray/upstream.js';

const release = findRelease('k-paas-v1.6.2')!;
const STANDALONE = join(TREE_V162, 'standalone');

function plan(extra: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    auth: [{ name: 'default', method: 'key', user: 'ubuntu', keyPath: '~/.ssh/id_ed25519' }],
    hosts: [
      { name: 'master-1', address: '203.0.113.10', privateAddress: '10.0.0.10', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.21', roles: ['worker'] },
    ],
    network: { metallbRange: '10.0.0.100-10.0.0.110', ingressIp: '10.0.0.120' },
    ...extra,
  } as PlanInput);
}

describe('where the nodes pull from', () => {
  it('a bundle file without a site registry: the deployer\'s registry on its inner address, HTTPS (plain HTTP when bundle.registryTls is false)', () => {
    expect(offlineRegistry(plan())).toBeUndefined();
    expect(offlineRegistry(plan({ bundle: { path: '/b', file: '/b.tar' } }))).toEqual({ address: '10.0.0.10:5000', insecure: false, local: true });
    expect(offlineRegistry(plan({ bundle: { path: '/b', file: '/b.tar', registryTls: false } }))).toEqual({ address: '10.0.0.10:5000', insecure: true, local: true });
    // A site registry named in the plan wins: images are pushed there, no registry is started.
    expect(offlineRegistry(plan({ bundle: { path: '/b', file: '/b.tar' }, registry: { address: 'harbor.site:443', caFile: '/ca.pem' } }))).toEqual({ address: 'harbor.site:443', insecure: false, caFile: '/ca.pem', local: false });
  });

  it('keadm takes KubeEdge\'s images from the same registry, under their upstream path (kubeedge/…)', () => {
    expect(kubeedgeImageRepository(plan())).toBeUndefined();
    const repo = kubeedgeImageRepository(plan({ bundle: { path: '/b', file: '/b.tar' } }));
    expect(repo).toBe('10.0.0.10:5000/kubeedge');
    expect(siteRef('docker.io/kubeedge/installation-package:v1.20.0', '10.0.0.10:5000')).toBe(`${repo}/installation-package:v1.20.0`);
    expect(keadmJoinArgv({ kubeedgeVersion: '1.20.0', cloudcoreAddress: '10.0.0.10', nodeName: 'e1', runtime: 'containerd', imageRepository: repo! })).toEqual(expect.arrayContaining(['--image-repository', '10.0.0.10:5000/kubeedge']));
    expect(kubeedgeImageRepository(plan({ registry: { address: 'harbor.site' } }))).toBe('harbor.site/kubeedge');
  });

  it('bundle.file is checked like every other path of the plan', () => {
    const fields = (file: string) => validatePlan({ ...plan(), bundle: { path: '/b', file } }).errors.filter((i) => i.path === 'bundle.file').map((i) => i.key);
    expect(fields('relative/b.tar')).toEqual(['plan.path.invalid']);
    expect(fields('~/bundles/b.tar')).toEqual([]);
  });

  it('images keep their path without the upstream host; two landing on one name are refused, naming both', () => {
    expect(siteRef('registry.k-paas.org/k8s/pause:3.10', '10.0.0.10:5000')).toBe('10.0.0.10:5000/k8s/pause:3.10');
    const a = (source: string, digest?: string, resolved?: string) => ({ kind: 'image' as const, source, path: `images/${source}.oci.tar`, entries: [{ path: `images/${resolved ?? source}.oci.tar`, sha256: 'x', size: 1 }], ...(digest ? { digest } : {}), ...(resolved ? { resolved } : {}) });
    const loads = imageLoads({ artifacts: [a('registry.k-paas.org/k8s/pause:3.10', 'sha256:1'), a('docker.io/library/nginx:1.25'), a('registry.k-paas.org/k8s/nfs', undefined, 'registry.k-paas.org/k8s/nfs:v4.0.2')] as never }, 'r:5000');
    expect(loads.map((l) => [l.target, l.archive])).toEqual([
      ['r:5000/k8s/pause:3.10', 'images/registry.k-paas.org/k8s/pause:3.10.oci.tar'],
      ['r:5000/library/nginx:1.25', 'images/docker.io/library/nginx:1.25.oci.tar'],
      ['r:5000/k8s/nfs:v4.0.2', 'images/registry.k-paas.org/k8s/nfs:v4.0.2.oci.tar'],
    ]);
    // The same image from two registries (same digest) is loaded once; different ones collide.
    expect(imageLoads({ artifacts: [a('docker.io/library/nginx:1', 'sha256:9'), a('registry.k-paas.org/library/nginx:1', 'sha256:9')] as never }, 'r').length).toBe(1);
    expect(() => imageLoads({ artifacts: [a('docker.io/library/nginx:1', 'sha256:1'), a('registry.k-paas.org/library/nginx:1', 'sha256:2')] as never }, 'r')).toThrow(ImageCollision);
    expect(() => imageLoads({ artifacts: [a('docker.io/library/nginx:1', 'sha256:1'), a('registry.k-paas.org/library/nginx:1', 'sha256:2')] as never }, 'r')).toThrow('docker.io/library/nginx:1 and registry.k-paas.org/library/nginx:1 would both be r/library/nginx:1');
  });

  it('the unpacked bundle is checked with sha256sum -c against every file of the manifest', () => {
    expect(checkList({ artifacts: [{ entries: [{ path: 'files/a b', sha256: 'aa', size: 1 }, { path: 'images/x.oci.tar', sha256: 'bb', size: 2 }] }] as never })).toBe('aa  files/a b\nbb  images/x.oci.tar\n');
  });
});

describe('the runtimes\' registry files', () => {
  const local = { address: '10.0.0.10:5000', insecure: true, local: true };
  const site = { address: 'harbor.site', insecure: false, caFile: '/ca.pem', local: false };

  it('containerd: a hosts.toml per upstream registry with the deployer\'s registry as its plain-HTTP mirror', () => {
    const entries = mirrorEntries(local, upstreamRegistries(['ghcr.io/x/y:1', 'gcr.io/a/b:2'], local.address));
    expect(entries.map((e) => e.prefix)).toEqual(['10.0.0.10:5000', 'registry.k-paas.org', 'docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io', 'gcr.io']);
    const fork = entries.find((e) => e.prefix === 'registry.k-paas.org')!;
    expect(containerdHostsToml(fork)).toBe('server = "https://registry.k-paas.org"\n[host."http://10.0.0.10:5000"]\n  capabilities = ["pull","resolve"]\n  skip_verify = true\n  override_path = false\n');
    expect(containerdHostsToml(entries.find((e) => e.prefix === 'docker.io')!)).toMatch(/^server = "https:\/\/registry-1\.docker\.io"\n/);
    expect(runtimeRegistryFiles('containerd', entries).map(([p]) => p)).toContain('/etc/containerd/certs.d/registry.k-paas.org/hosts.toml');
  });

  it('a site registry with its CA: https, verified, the CA named for containerd', () => {
    const e = mirrorEntries(site, ['quay.io'])[1]!;
    expect(containerdHostsToml(e)).toBe('server = "https://quay.io"\n[host."https://harbor.site"]\n  capabilities = ["pull","resolve"]\n  skip_verify = false\n  override_path = false\n  ca = ["/etc/containerd/certs.d/harbor.site/ca.crt"]\n');
  });

  it('CRI-O: a registries.conf.d drop-in per upstream registry, named as Kubespray\'s cri-o role names it', () => {
    const [self, fork] = mirrorEntries(local, ['registry.k-paas.org']);
    expect(crioDropInPath(self!.prefix)).toBe('/etc/containers/registries.conf.d/10-10.0.0.10_5000.conf');
    expect(crioRegistryConf(self!)).toBe('[[registry]]\nprefix = "10.0.0.10:5000"\ninsecure = true\nblocked = false\nlocation = "10.0.0.10:5000"\n');
    expect(crioRegistryConf(fork!)).toBe('[[registry]]\nprefix = "registry.k-paas.org"\ninsecure = false\nblocked = false\nlocation = "registry.k-paas.org"\n\n[[registry.mirror]]\nlocation = "10.0.0.10:5000"\ninsecure = true\n');
  });

  it('Kubespray gets the same entries, so its container-engine roles write the same files again', () => {
    const entries = mirrorEntries(local, ['docker.io']);
    expect(containerdMirrorsVar(entries)[1]).toEqual({ prefix: 'docker.io', server: 'https://registry-1.docker.io', mirrors: [{ host: 'http://10.0.0.10:5000', capabilities: ['pull', 'resolve'], skip_verify: true }] });
    expect(crioRegistriesVar(entries)[1]).toEqual({ prefix: 'docker.io', location: 'docker.io', insecure: false, unqualified: false, mirrors: [{ location: '10.0.0.10:5000', insecure: true }] });
  });
});

describe.skipIf(!haveUpstream)('the fork\'s hard-coded image repositories (v1.6.2 tree)', () => {
  it('every registry.k-paas.org repository in download.yml is set again, with the same path', () => {
    const text = readFileSync(join(STANDALONE, 'roles/kubespray_defaults/defaults/main/download.yml'), 'utf8');
    const hard = Object.fromEntries([...text.matchAll(/^(\w+):\s*"registry\.k-paas\.org\/([^"]+)"/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(hard).length).toBeGreaterThanOrEqual(12);
    expect(FORK_IMAGE_REPOS).toEqual(hard);
  });

  it('the two templates read kubeadm\'s imageRepository from a variable; real sed does the same edit, twice changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-offline-tree-'));
    try {
      for (const t of KUBEADM_REPO_TEMPLATES) {
        mkdirSync(join(dir, t, '..'), { recursive: true });
        copyFileSync(join(STANDALONE, t), join(dir, t));
      }
      const first = execFileSync('sh', ['-c', patchKubeadmRepoCommand(dir)], { encoding: 'utf8' });
      expect(first.trim().split('\n')).toEqual(KUBEADM_REPO_TEMPLATES.map((t) => `${t} 0`));
      for (const t of KUBEADM_REPO_TEMPLATES) {
        const original = readFileSync(join(STANDALONE, t), 'utf8');
        const edited = readFileSync(join(dir, t), 'utf8');
        const pure = patchKubeadmRepo(original);
        expect(pure.count, t).toBeGreaterThan(0);
        expect(edited, t).toBe(pure.text);
        expect(edited).toContain(`imageRepository: ${KUBEADM_REPO_EXPRESSION}`);
        expect(edited).not.toMatch(/imageRepository:\s*registry\.k-paas\.org/);
      }
      execFileSync('sh', ['-c', patchKubeadmRepoCommand(dir)]);
      for (const t of KUBEADM_REPO_TEMPLATES) expect(readFileSync(join(dir, t), 'utf8')).toBe(patchKubeadmRepo(readFileSync(join(STANDALONE, t), 'utf8')).text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the inventory sets the offline variables, each hard-coded repository and kubeadm\'s to the deployer\'s registry', () => {
    const changes = groupVarChanges(plan({ bundle: { path: '/b', file: '/b.tar' } }), release).filter((c) => c.file === GROUP_VARS_FILES.offline);
    const v = Object.fromEntries(changes.map((c) => [c.key, c.value]));
    expect(v.registry_host).toBe('10.0.0.10:5000');
    expect(v.files_repo).toBe('http://10.0.0.10:8080');
    expect(v.kube_image_repo).toBe('{{ registry_host }}');
    for (const o of forkImageOverrides()) expect(v[o.key], o.key).toBe(o.value);
    expect(v.kube_proxy_image_repo).toBe('{{ registry_host }}/k8s/kube-proxy');
    expect(v.cp_kubeadm_image_repo).toBe('{{ registry_host }}/k8s');
    expect(v.skopeo_download_url).toMatch(/^\{\{ files_repo \}\}\/github\.com\/lework\/skopeo-binary\//);
    expect((v.containerd_registries_mirrors as Array<{ prefix: string }>).map((m) => m.prefix)).toContain('registry.k-paas.org');
    expect((v.crio_registries as Array<{ prefix: string }>).map((m) => m.prefix)).toContain('registry.k-paas.org');
  });
});

describe('services on the deployer', () => {
  const spec = filesServiceSpec({ home: '/home/u', user: 'u', address: '10.0.0.10', port: 8080 });
  it('files repo: python3\'s http.server on the bundle\'s files/, bound to the node network address', () => {
    expect(spec.argv).toEqual(['python3', '-m', 'http.server', '8080', '--bind', '10.0.0.10', '--directory', '/home/u/cp-installer-offline/bundle/files']);
    expect(spec.health).toBe('http://10.0.0.10:8080/');
  });
  it('supervised: a systemd unit that restarts it, else a loop that starts it again', () => {
    const unit = systemdUnit({ ...spec, argv: [...spec.argv.slice(0, -1), '/home/u/my files/x%y'] }, 'd');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('User=u');
    expect(unit).toContain('ExecStart=python3 -m http.server 8080 --bind 10.0.0.10 --directory "/home/u/my files/x%%y"');
    const script = supervisorScript(spec);
    expect(script).toMatch(/while :; do\n {2}python3 -m http.server 8080 --bind 10.0.0.10 --directory \/home\/u\/cp-installer-offline\/bundle\/files >> /);
    expect(script).toContain('sleep 1');
  });
  it('the registry stores on the deployer\'s disk and listens on the node network', () => {
    expect(registryConfig({ home: '/home/u', address: '10.0.0.10', port: 5000 })).toContain('    rootdirectory: "/home/u/cp-installer-offline/registry"\nhttp:\n  addr: "10.0.0.10:5000"');
  });
});

describe.skipIf(!haveUpstream)('the standalone mode with a bundle file', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cp-offline-dry-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('adds the offline steps; the playbook waits for them; without a bundle file nothing changes', () => {
    const p = plan({ bundle: { path: scratch, file: join(scratch, 'b.tar') } });
    const ids = orderSteps(gated(p, standaloneMode.steps(p, release, { overrides: [] }))).map((s) => s.id);
    for (const id of ['bundle-upload', 'bundle-unpack', 'files-repo', 'registry', 'image-load', 'node-registries', 'offline-tree']) expect(ids).toContain(id);
    expect(ids.indexOf('image-load')).toBeLessThan(ids.indexOf('kubespray'));
    const playbook = standaloneMode.steps(p, release, { overrides: [] }).find((s) => s.id === 'kubespray')!;
    expect(playbook.needs).toEqual(expect.arrayContaining(offlineGate(p)));
    // A site registry: images pushed there, no registry started on the deployer.
    const site = plan({ bundle: { path: scratch, file: join(scratch, 'b.tar') }, registry: { address: 'harbor.site', insecure: true } });
    const siteIds = standaloneMode.steps(site, release, { overrides: [] }).map((s) => s.id);
    expect(siteIds).toContain('image-load');
    expect(siteIds).not.toContain('registry');
    expect(standaloneMode.steps(site, release, { overrides: [] }).find((s) => s.id === 'image-load')!.needs).toEqual(['bundle-unpack']);
    const none = standaloneMode.steps(plan(), release, { overrides: [] }).map((s) => s.id);
    expect(none.some((id) => ['bundle-upload', 'registry', 'image-load', 'node-registries', 'offline-tree'].includes(id))).toBe(false);
  });

  it('the dry run, without the bundle at hand, shows the upload, the services, the runtimes\' files and every override', async () => {
    symlinkSync(TREE_V162, join(scratch, 'cp-deployment'));
    const p = plan({ bundle: { path: scratch, file: join(scratch, 'not-here.tar') }, cluster: { runtime: 'containerd' } as never });
    const r = await new InstallRun({ runId: 'dry', workdir: join(scratch, 'work'), mode: standaloneMode, plan: p, release, options: { overrides: [] }, secrets: {}, dryRun: true }).start();
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const text = formatDryRun(r.dryRun ?? []);
    expect(text).toMatch(/## step bundle-upload\n\d+\. \[master-1\] write cp-installer-offline\/not-here\.tar mode 600 \(0 bytes\): the bundle .*not-here\.tar, size known once it is at hand: resumable at the byte/);
    expect(text).toContain('tar -xf cp-installer-offline/not-here.tar -C cp-installer-offline/bundle.new');
    expect(text).toContain('python3 -m http.server 8080 --bind 10.0.0.10 --directory /home/ubuntu/cp-installer-offline/bundle/files');
    expect(text).toContain('/home/ubuntu/cp-installer-offline/bin/registry serve /home/ubuntu/cp-installer-offline/run/registry.yml');
    expect(text).toMatch(/\[worker-1\] write \/etc\/containerd\/certs\.d\/registry\.k-paas\.org\/hosts\.toml mode 644 \(sudo\)/);
    // HTTPS by default: the certificate step, the registry's tls, the CA on every node beside its hosts.toml.
    expect(text).toContain('## step registry-cert\n');
    expect(text).toContain('[host."https://10.0.0.10:5000"]\n    |   capabilities = ["pull","resolve"]\n    |   skip_verify = false\n    |   override_path = false\n    |   ca = ["/etc/containerd/certs.d/10.0.0.10:5000/ca.crt"]');
    expect(text).toMatch(/\[worker-1\] write \/etc\/containerd\/certs\.d\/10\.0\.0\.10:5000\/ca\.crt mode 644 \(sudo\)/);
    expect(text).toContain("s#^\\([[:space:]]*imageRepository:[[:space:]]*\\)registry\\.k-paas\\.org/k8s");
    // Each override in the inventory's offline.yml, marked as the plan's.
    for (const o of forkImageOverrides()) expect(text).toContain(`${o.key}: "${o.value}"`);
    expect(text).toContain('registry_host: 10.0.0.10:5000');
    expect(text).toContain('files_repo: http://10.0.0.10:8080');
  }, 60_000);

  it('a site registry with its CA: no registry started, the CA on every node for both runtimes\' lookups, https mirrors', async () => {
    const ca = join(scratch, 'site-ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIBsite\n-----END CERTIFICATE-----\n');
    const p = plan({ bundle: { path: scratch, file: join(scratch, 'not-here.tar') }, registry: { address: 'harbor.site', caFile: ca }, cluster: { runtime: 'containerd' } as never });
    const r = await new InstallRun({ runId: 'dry-site', workdir: join(scratch, 'work'), mode: standaloneMode, plan: p, release, options: { overrides: [] }, secrets: {}, dryRun: true }).start();
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const text = formatDryRun(r.dryRun ?? []);
    expect(text).not.toContain('## step registry\n');
    expect(text).toMatch(/\[worker-1\] write \/etc\/containerd\/certs\.d\/harbor\.site\/ca\.crt mode 644 \(sudo\)/);
    expect(text).toMatch(/\[worker-1\] write \/etc\/containers\/certs\.d\/harbor\.site\/ca\.crt mode 644 \(sudo\)/);
    expect(text).toContain('[host."https://harbor.site"]\n    |   capabilities = ["pull","resolve"]\n    |   skip_verify = false\n    |   override_path = false\n    |   ca = ["/etc/containerd/certs.d/harbor.site/ca.crt"]');
    // skopeo on the deployer gets the same CA for its pushes.
    expect(text).toMatch(/\[master-1\] write cp-installer-offline\/certs\/harbor\.site\/ca\.crt mode 644/);
    expect(text).toContain('registry_host: harbor.site');
  }, 60_000);
});
