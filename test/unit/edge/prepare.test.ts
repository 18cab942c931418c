// Host preparation for the edge modes: the planner against the manifest the installer derives from the
// real v1.6.2 tree, the rendered files, the shell lines (run for real here with sh, in a folder whose name
// needs quoting), and the steps in a dry run with and without the bundle at hand.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleManifest } from '../../../core/bundle/manifest.js';
import { treeFromDir } from '../../../core/bundle/archive.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { expandEdgeMode } from '../../../core/modes/expand-edge/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { archOf, HostPrepMissing, hostPrepPlan, type PrepItem } from '../../../core/tools/hostprep/plan.js';
import {
  renderContainerdConfig,
  renderKubeadmDropIn,
  renderSysctl,
} from '../../../core/tools/hostprep/render.js';
import {
  installCommand,
  itemCheck,
  parseStatus,
  serviceCommand,
  statusCommand,
} from '../../../core/tools/hostprep/script.js';
import { haveTree, offlineBundle } from '../../integration/edge/offline-bundle.js';
import { TREE_V162 } from '../kubespray/upstream.js';
import { dryRunEdge, edgePlan } from './plans.js';

const TREE = TREE_V162;
const tree = treeFromDir(TREE);
const release = findRelease('k-paas-v1.6.2-kubeedge-1.23')!;

// Deriving a manifest renders the whole tree's download.yml (about a second of CPU): once per shape.
const manifests = new Map<string, ReturnType<typeof bundleManifest>>();
function manifest(runtime: 'crio' | 'containerd', arch: Array<'amd64' | 'arm64'> = ['amd64']) {
  const key = `${runtime}/${arch.join(',')}`;
  if (!manifests.has(key))
    manifests.set(
      key,
      bundleManifest({
        release,
        tree,
        plan: { mode: 'edge', cluster: { runtime } as never, storage: { type: 'nfs' } as never },
        arch,
      }),
    );
  return manifests.get(key)!;
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe.skipIf(!haveTree)('the host preparation planner, on the manifest of the v1.6.2 tree', () => {
  it('cloud host with CRI-O: modules, sysctls, CRI-O by its own install, crictl, kubeadm/kubelet/kubectl, the kubelet unit, keadm', () => {
    const items = hostPrepPlan({
      artifacts: manifest('crio').artifacts,
      role: 'cloud',
      runtime: 'crio',
      arch: 'amd64',
    });
    expect(items.map((i) => i.id)).toEqual([
      'kernel-modules',
      'sysctls',
      'cri-o',
      'crio-pause',
      'crio-service',
      'crictl',
      'crictl-config',
      'kubeadm',
      'kubelet',
      'kubectl',
      'kubelet-unit',
      'kubelet-dropin',
      'kubelet-service',
      'keadm',
    ]);
    const byId = (id: string) => items.find((i) => i.id === id)!;
    expect(byId('kubeadm')).toMatchObject({
      kind: 'binary',
      artifact: 'files/dl.k8s.io/release/v1.32.5/bin/linux/amd64/kubeadm',
      dest: '/usr/local/bin/kubeadm',
    });
    // The checksum the tree's checksums.yml gives travels with the item.
    expect((byId('kubeadm') as { sha256?: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    // The cloud host's CRI-O is Kubespray's (downloads.crio), run with its own install script.
    expect(byId('cri-o')).toMatchObject({
      kind: 'archive',
      artifact: 'files/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.32.0.tar.gz',
      run: 'cri-o/install',
    });
    expect(byId('keadm')).toMatchObject({
      artifact: 'cp-deployment/edge/keadm/amd64/keadm.tar.gz',
      install: { member: 'keadm', dest: '/usr/local/bin/keadm' },
    });
    expect(byId('kubelet-service')).toMatchObject({ start: false });
    expect(byId('crio-service')).toMatchObject({ start: true, after: ['cri-o', 'crio-pause'] });
    // CRI-O's own default pause follows its release; the drop-in names the tree's, which the bundle carries.
    expect(byId('crio-pause')).toMatchObject({ kind: 'file', dest: '/etc/crio/crio.conf.d/10-cp-installer-pause.conf' });
    expect((byId('crio-pause') as { content: string }).content).toContain('[crio.image]\npause_image = "registry.k8s.io/pause:3.10"\n');
  });

  it("edge node with CRI-O: the platform's own CRI-O (roles/cp/edge/cri_install, 1.30.0) and keadm; no kubeadm", () => {
    const items = hostPrepPlan({
      artifacts: manifest('crio').artifacts,
      role: 'edge',
      runtime: 'crio',
      arch: 'amd64',
    });
    expect(items.map((i) => i.id)).toEqual(['kernel-modules', 'sysctls', 'cri-o', 'crio-pause', 'crio-service', 'keadm']);
    expect(items[2]).toMatchObject({
      artifact: 'files/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.30.0.tar.gz',
    });
  });

  it('containerd: the tarball into /usr/local, runc, the CNI plugins, config version 3 for containerd 2 with the pause image the tree names', () => {
    const items = hostPrepPlan({
      artifacts: manifest('containerd').artifacts,
      role: 'cloud',
      runtime: 'containerd',
      arch: 'amd64',
    });
    expect(items.slice(0, 8).map((i) => i.id)).toEqual([
      'kernel-modules',
      'sysctls',
      'cni-plugins',
      'runc',
      'containerd',
      'containerd-config',
      'containerd-unit',
      'containerd-service',
    ]);
    const config = items.find((i) => i.id === 'containerd-config') as Extract<PrepItem, { kind: 'file' }>;
    expect(config.content).toContain('version = 3');
    expect(config.content).toMatch(/sandbox = "registry\.k8s\.io\/pause:3\.\d+"/);
    expect(config.content).toContain('SystemdCgroup = true');
    expect(items.find((i) => i.id === 'containerd')).toMatchObject({
      into: '/usr/local',
      check: '/usr/local/bin/containerd',
    });
  });

  it("an existing cluster's control plane gets keadm only", () => {
    expect(
      hostPrepPlan({
        artifacts: manifest('crio').artifacts,
        role: 'keadm',
        runtime: 'crio',
        arch: 'amd64',
      }).map((i) => i.id),
    ).toEqual(['keadm']);
  });

  it('names everything the bundle lacks at once (an amd64 bundle for an arm64 host)', () => {
    try {
      hostPrepPlan({ artifacts: manifest('crio').artifacts, role: 'cloud', runtime: 'crio', arch: 'arm64' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HostPrepMissing);
      const missing = (e as HostPrepMissing).missing;
      expect(missing).toEqual(
        expect.arrayContaining([
          "crio (arm64, Kubespray's downloads.crio)",
          "kubeadm (arm64, Kubespray's downloads.kubeadm)",
          "keadm (edge/keadm/arm64/keadm.tar.gz of the platform's tree)",
        ]),
      );
    }
    // With both architectures in the bundle, the arm64 host is planned from the arm64 files.
    const items = hostPrepPlan({
      artifacts: manifest('crio', ['amd64', 'arm64']).artifacts,
      role: 'edge',
      runtime: 'crio',
      arch: 'arm64',
    });
    expect(items.find((i) => i.id === 'cri-o')).toMatchObject({
      artifact: 'files/storage.googleapis.com/cri-o/artifacts/cri-o.arm64.v1.30.0.tar.gz',
    });
  });

  it("uname -m to the bundle's architecture", () => {
    expect([archOf('x86_64\n'), archOf('aarch64'), archOf('riscv64')]).toEqual(['amd64', 'arm64', undefined]);
  });
});

describe('rendered files', () => {
  it("network sysctls only (per namespace), containerd 1.x config version 2, kubeadm's drop-in for /usr/local/bin/kubelet", () => {
    expect(renderSysctl()).toMatch(/^net\.ipv4\.ip_forward = 1$/m);
    expect(renderSysctl()).not.toMatch(/^(kernel|vm|fs)\./m);
    const v2 = renderContainerdConfig({
      containerdVersion: '1.7.27',
      sandboxImage: 'registry.k8s.io/pause:3.10',
    });
    expect(v2).toContain('version = 2');
    expect(v2).toContain('sandbox_image = "registry.k8s.io/pause:3.10"');
    expect(renderKubeadmDropIn()).toMatch(
      /^ExecStart=$\n^ExecStart=\/usr\/local\/bin\/kubelet \$KUBELET_KUBECONFIG_ARGS/m,
    );
  });
});

describe('the shell lines, run for real with sh', () => {
  const root = mkdtempSync(join(tmpdir(), "cp hostprep 'quoted' "));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const base = join(root, 'state dir');
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });

  function upload(content: Buffer): string {
    const s = sha(content);
    mkdirSync(join(base, 'incoming'), { recursive: true });
    writeFileSync(join(base, 'incoming', s), content);
    return s;
  }

  it('a binary: checked, installed, then found in place; a changed byte makes it todo again', () => {
    const content = Buffer.from('#!/bin/sh\necho hi\n');
    const s = upload(content);
    const item: PrepItem = {
      kind: 'binary',
      id: 'tool',
      artifact: 'files/x/tool',
      dest: join(root, 'bin dir', 'tool'),
    };
    const status = () => parseStatus(sh(statusCommand([{ item, sha: s }], base)).stdout);
    expect(status().todo.has('tool')).toBe(true);
    // The upload is whole: a resumed run would not send it again.
    expect(status().have.has(s)).toBe(true);
    const r = sh(installCommand(item, s, base));
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(item.dest).mode & 0o777).toBe(0o755);
    expect(existsSync(join(base, 'incoming', s))).toBe(false);
    expect(status().done.has('tool')).toBe(true);
    expect(status().have.has(s)).toBe(false);
    writeFileSync(item.dest, 'changed');
    chmodSync(item.dest, 0o755);
    expect(status().todo.has('tool')).toBe(true);
  });

  it('an upload that does not match its sha256 is refused before anything is installed', () => {
    const s = upload(Buffer.from('good'));
    writeFileSync(join(base, 'incoming', s), 'bad!');
    const item: PrepItem = {
      kind: 'binary',
      id: 'tool2',
      artifact: 'files/x/tool2',
      dest: join(root, 'bin dir', 'tool2'),
    };
    const r = sh(installCommand(item, s, base));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`files/x/tool2: the upload does not match sha256 ${s}`);
    expect(existsSync(item.dest)).toBe(false);
  });

  it("an archive with an install script (CRI-O's way) and one with a member to copy (keadm's)", () => {
    const stage = join(root, 'stage');
    mkdirSync(join(stage, 'cri-o'), { recursive: true });
    writeFileSync(
      join(stage, 'cri-o', 'install'),
      `#!/bin/sh\nmkdir -p ${JSON.stringify(join(root, 'prefix'))} && touch ${JSON.stringify(join(root, 'prefix', 'crio'))}\n`,
    );
    chmodSync(join(stage, 'cri-o', 'install'), 0o755);
    writeFileSync(join(stage, 'keadm'), '#!/bin/sh\n');
    spawnSync('tar', ['-czf', join(root, 'crio.tgz'), '-C', stage, 'cri-o']);
    spawnSync('tar', ['-czf', join(root, 'keadm.tgz'), '-C', stage, 'keadm']);
    const crio = upload(readFileSync(join(root, 'crio.tgz')));
    const keadm = upload(readFileSync(join(root, 'keadm.tgz')));
    const items: Array<{ item: PrepItem; sha: string }> = [
      {
        item: {
          kind: 'archive',
          id: 'cri-o',
          artifact: 'files/cri-o.tgz',
          into: join(base, 'cri-o'),
          run: 'cri-o/install',
          check: join(root, 'prefix', 'crio'),
        },
        sha: crio,
      },
      {
        item: {
          kind: 'archive',
          id: 'keadm',
          artifact: 'tree/keadm.tar.gz',
          into: join(base, 'keadm'),
          install: { member: 'keadm', dest: join(root, 'bin dir', 'keadm') },
          check: join(root, 'bin dir', 'keadm'),
        },
        sha: keadm,
      },
    ];
    for (const { item, sha: s } of items) {
      const r = sh(installCommand(item as Extract<PrepItem, { kind: 'archive' }>, s, base));
      expect(r.status, r.stderr).toBe(0);
    }
    expect(existsSync(join(root, 'prefix', 'crio'))).toBe(true);
    expect(
      existsSync(join(base, 'cri-o')),
      "the staging folder is removed, as the platform's role does",
    ).toBe(false);
    expect(statSync(join(root, 'bin dir', 'keadm')).mode & 0o777).toBe(0o755);
    const st = parseStatus(sh(statusCommand(items, base)).stdout);
    expect([...st.done].sort()).toEqual(['cri-o', 'keadm']);
    // The marker holds the archive's sha256: a different archive (another version) is todo again.
    expect(
      sh(
        `if ${itemCheck(items[1]!.item, sha('other'), base)}; then echo done; else echo todo; fi`,
      ).stdout.trim(),
    ).toBe('todo');
  });

  it('a service: reload only when a unit changed, restart only when it runs and something it runs from changed', () => {
    const item: Extract<PrepItem, { kind: 'service' }> = {
      kind: 'service',
      id: 'c',
      unit: 'containerd',
      start: true,
      after: [],
    };
    expect(serviceCommand(item, { reload: false, changed: false })).toBe(
      'systemctl enable containerd && systemctl start containerd',
    );
    expect(serviceCommand(item, { reload: true, changed: true })).toBe(
      'systemctl daemon-reload && systemctl enable containerd && if [ "$(systemctl is-active containerd 2>/dev/null)" = active ]; then systemctl restart containerd; else systemctl start containerd; fi',
    );
    expect(serviceCommand({ ...item, unit: 'kubelet', start: false }, { reload: false, changed: true })).toBe(
      'systemctl enable kubelet',
    );
  });
});

describe('the prepare steps in the modes (dry run)', () => {

  it('no bundle: no preparation, the tools are checked on the hosts as before', async () => {
    const { infos } = await dryRunEdge(edgeMode, edgePlan());
    expect(infos.map((s) => s.id)).not.toContain('prepare-cloud');
  });

  it('a bundle not at hand: the dry run says what it would install and from where, and goes on', async () => {
    const { result, infos } = await dryRunEdge(edgeMode, edgePlan({ bundle: { path: '/nonexistent/bundle' } }));
    expect(result.status).toBe('succeeded');
    expect(infos.slice(1, 4).map((s) => [s.id, s.needs])).toEqual([
      ['prepare-cloud', ['connect']],
      ['prepare-edge', ['connect']],
      ['edge-tools', ['prepare-cloud', 'prepare-edge']],
    ]);
    // Calico comes from the bundle too: no address outside the site in any command.
    expect(JSON.stringify(result.dryRun)).not.toContain('raw.githubusercontent.com');
  });

  it.skipIf(!haveTree)(
    'the bundle at hand: each file is uploaded by its sha256 and installed from there, in order',
    async () => {
      const b = offlineBundle(
        release,
        { mode: 'edge', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never },
        { kubernetes: release.kubernetes, kubeedge: release.kubeedge!.version },
      );
      try {
        const { result } = await dryRunEdge(edgeMode, edgePlan({ bundle: { path: b.dir } }, 1));
        expect(result.status).toBe('succeeded');
        const records = result.dryRun!.filter((r) => r.step === 'prepare-cloud');
        const uploads = records.flatMap((r) => (r.kind === 'upload' ? [r.path] : []));
        const kubeadmSha = sha(readFileSync(join(b.dir, b.files.kubeadm!)));
        expect(uploads).toContain(`/var/lib/cp-installer/hostprep/incoming/${kubeadmSha}`);
        // Streamed from the bundle folder into the root-owned folder (sudo), not read into memory first.
        const kubeadmUpload = records.find((r) => r.kind === 'upload' && r.path.endsWith(kubeadmSha));
        expect(kubeadmUpload).toMatchObject({ sudo: true, describe: expect.stringContaining(b.files.kubeadm!) });
        expect(uploads).toEqual(
          expect.arrayContaining([
            '/etc/sysctl.d/99-cp-installer-kubernetes.conf',
            '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
          ]),
        );
        const commands = records.flatMap((r) => (r.kind === 'exec' ? [r.command] : []));
        const at = (s: string) => commands.findIndex((c) => c.includes(s));
        expect(at('sysctl -p /etc/sysctl.d/99-cp-installer-kubernetes.conf')).toBeGreaterThan(-1);
        expect(at('./install')).toBeLessThan(at('systemctl enable crio'));
        expect(
          at(
            `install -D -m 0755 /var/lib/cp-installer/hostprep/incoming/${kubeadmSha} /usr/local/bin/kubeadm`,
          ),
        ).toBeGreaterThan(at('systemctl enable crio'));
        const edge = result
          .dryRun!.filter((r) => r.step === 'prepare-edge' && r.kind === 'upload')
          .map((r) => (r.kind === 'upload' ? r.path : ''));
        expect(edge).toContain(
          `/var/lib/cp-installer/hostprep/incoming/${sha(readFileSync(join(b.dir, b.files['edge-crio']!)))}`,
        );
      } finally {
        rmSync(b.dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!haveTree)(
    'a changed byte in the unpacked bundle, or an artifact it lacks, stops the step naming the file',
    async () => {
      const b = offlineBundle(
        release,
        { mode: 'edge', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never },
        { kubernetes: release.kubernetes, kubeedge: release.kubeedge!.version },
      );
      try {
        const kubelet = join(b.dir, b.files.kubelet!);
        writeFileSync(kubelet, `${readFileSync(kubelet, 'utf8')}#`);
        const corrupt = await dryRunEdge(edgeMode, edgePlan({ bundle: { path: b.dir } }, 1));
        expect(corrupt.result).toMatchObject({
          status: 'failed',
          failedStep: 'prepare-cloud',
          error: { key: 'edge.prepare-bundle-corrupt', params: { path: kubelet } },
        });
        const manifestFile = join(b.dir, 'bundle-manifest.json');
        const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts: Array<{ id: string }> };
        writeFileSync(
          manifestFile,
          JSON.stringify({
            ...m,
            artifacts: m.artifacts.filter((a) => !a.id.startsWith('tree-file:edge/keadm/')),
          }),
        );
        const lacking = await dryRunEdge(edgeMode, edgePlan({ bundle: { path: b.dir } }, 1));
        expect(lacking.result.error?.key).toBe('edge.prepare-missing');
        expect(lacking.result.error?.params?.missing).toContain(
          "keadm (edge/keadm/amd64/keadm.tar.gz of the platform's tree)",
        );
      } finally {
        rmSync(b.dir, { recursive: true, force: true });
      }
    },
  );

  it('expand-edge: keadm only on the existing control plane', async () => {
    const { infos } = await dryRunEdge(
      expandEdgeMode,
      edgePlan({ mode: 'expand-edge', bundle: { path: '/nonexistent/bundle' } }),
    );
    expect(infos.find((s) => s.id === 'prepare-cloud')?.title).toEqual({
      key: 'edge.step.prepare-keadm',
      params: { host: 'cp1' },
    });
  });
});
