// The edge mode on a site with no route out (issue 13): test hosts whose every outbound attempt beyond the
// test network is recorded and rejected (nftables in each host's namespace; test/hosts/egress.ts), and this
// process's own connections likewise. Bare hosts (no kubeadm, kubelet, kubectl, keadm, runtime) are prepared
// from an unpacked bundle laid out as `bundle unpack` writes it, with the manifest the installer derives
// from the real v1.6.2 tree; each host has its own /etc, /opt and /usr/local/lib (overlays) so sysctl.d,
// modules-load.d, systemd units and CRI-O's install land there and not on this machine. systemctl and
// modprobe are strict fakes (no systemd, no module loading in a namespace); sysctl is the real one (network
// sysctls are per namespace); tar, sha256sum, install and CRI-O's own install script run for real.
import { createHash } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../../core/install/journal.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { expandEdgeMode } from '../../../core/modes/expand-edge/index.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import {
  canRecordEgress,
  EGRESS_RESOLVER,
  recordInstallerEgress,
  type InstallerEgress,
} from '../../hosts/egress.js';
import { installFakes, readCluster, seedExistingCluster, stopCloudcore } from '../../fakes/install.js';
import { fakeVersions, planFor, release, runMode } from './helpers.js';
import { bundleFileMissing, haveTree, offlineBundle, offlineBundleFile, prepareBareHost, type OfflineBundle } from './offline-bundle.js';

const can = canRunTestHosts();
const eg = canRecordEgress();
const reason = !can.ok
  ? can.reason
  : !eg.ok
    ? eg.reason
    : !haveTree
      ? 'the v1.6.2 tree is not in ../shared/upstream'
      : undefined;
if (reason) console.log(`offline edge tests skipped: ${reason}`);

const OWN_DIRS = ['/etc', '/opt', '/usr/local/lib'];
const SYSCTL_FILE = '/etc/sysctl.d/99-cp-installer-kubernetes.conf';

function stepStatus(workdir: string, runId: string) {
  const records = readJournal(join(workdir, 'runs', runId, 'journal.jsonl'));
  const ends = records.filter((r) => r.t === 'step-end') as Array<{
    step: string;
    host?: string;
    status: string;
  }>;
  return (step: string, host?: string) =>
    ends.filter((e) => e.step === step && (host === undefined || e.host === host)).map((e) => e.status);
}

/** What host preparation may have changed on a host: the files' sums and the fakes' state, in one read. */
async function hostSnapshot(th: TestHosts, i: number): Promise<string> {
  const paths = [
    '/usr/local/bin/kubeadm',
    '/usr/local/bin/kubelet',
    '/usr/local/bin/kubectl',
    '/usr/local/bin/keadm',
    '/usr/local/bin/crio',
    '/usr/local/bin/crictl',
    '/etc/crio/crio.conf',
    '/usr/local/lib/systemd/system/crio.service',
    '/etc/systemd/system/kubelet.service',
    '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    '/etc/crictl.yaml',
    SYSCTL_FILE,
    '/etc/modules-load.d/cp-installer-kubernetes.conf',
    '/opt/cni/bin/loopback',
    '/var/lib/cp-installer/fake-systemd/state.json',
  ];
  const r = await th.exec(
    i,
    `for f in ${paths.join(' ')}; do if [ -e "$f" ]; then stat -c '%n %Y %a' "$f"; sha256sum "$f"; else echo "absent $f"; fi; done`,
  );
  return createHash('sha256').update(r.stdout).digest('hex') + '\n' + r.stdout;
}

describe.skipIf(!!reason)('edge mode from the offline bundle on hosts with no route out', () => {
  let th: TestHosts;
  let bundle: OfflineBundle;
  let installer: InstallerEgress | undefined;
  const versions = fakeVersions();

  beforeAll(async () => {
    th = await startTestHosts({ count: 3, recordEgress: true, ownDirs: OWN_DIRS });
    for (const i of [0, 1]) prepareBareHost(th.hosts[i]!, versions);
    bundle = offlineBundle(
      release(),
      { mode: 'edge', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never },
      versions,
    );
  }, 120_000);

  afterAll(async () => {
    installer?.restore();
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
    if (bundle) rmSync(bundle.dir, { recursive: true, force: true });
  });

  it('the recorder records and rejects what leaves the test network, and only that', async () => {
    // Host 2 is not in the plans below: its attempts are this check's own.
    const out = await th.exec(
      2,
      [
        `timeout 5 bash -c 'echo > /dev/tcp/198.51.100.7/443' 2>&1; echo "tcp=$?"`,
        `timeout 5 getent hosts dl.k8s.io; echo "dns=$?"`,
        `timeout 5 bash -c 'echo > /dev/tcp/${th.hosts[0]!.address}/22' 2>&1; echo "inside=$?"`,
      ].join('\n'),
    );
    expect(out.stdout).toMatch(/tcp=1/);
    expect(out.stdout).toMatch(/dns=2/);
    expect(out.stdout).toMatch(/inside=0/);
    const attempts = await th.egressAttempts([2]);
    expect(attempts).toContainEqual(
      expect.objectContaining({ address: '198.51.100.7', protocol: 'tcp', port: 443 }),
    );
    expect(attempts).toContainEqual(
      expect.objectContaining({ address: EGRESS_RESOLVER, protocol: 'udp', port: 53 }),
    );
    expect(attempts.some((a) => a.address === th.hosts[0]!.address)).toBe(false);

    // The installer's side: a connection outside is refused and recorded; one to a test host goes through.
    const rec = recordInstallerEgress([`${th.bridgeAddress.replace(/\.\d+$/, '.0')}/24`]);
    try {
      const tryConnect = (host: string, port: number) =>
        new Promise<string>((resolve) => {
          const s = net.connect({ host, port });
          s.on('connect', () => (s.destroy(), resolve('connected')));
          s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        });
      expect(await tryConnect('198.51.100.7', 443)).toBe('EACCES');
      expect(await tryConnect(th.hosts[0]!.address, 22)).toBe('connected');
      expect(rec.attempts()).toEqual([
        { host: 'installer', address: '198.51.100.7', protocol: 'tcp', port: 443, count: 1 },
      ]);
    } finally {
      rec.restore();
    }
  });

  it(
    'prepares bare hosts from the bundle and installs, with zero outbound attempts; a rerun changes nothing',
    { timeout: 300_000 },
    async () => {
      installer = recordInstallerEgress([`${th.bridgeAddress.replace(/\.\d+$/, '.0')}/24`]);
      const plan = planFor(
        th,
        [
          [0, ['control-plane']],
          [1, ['edge']],
        ],
        { bundle: { path: bundle.dir } },
      );
      // Bare: none of the tools is there before the run.
      for (const i of [0, 1])
        expect((await th.exec(i, 'command -v kubeadm kubelet kubectl keadm crio; true')).stdout.trim()).toBe(
          '',
        );

      const first = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'offline-1' });
      expect(first.result.status, JSON.stringify(first.result.failure)).toBe('succeeded');
      const status = stepStatus(first.workdir, 'offline-1');
      expect(status('prepare-cloud')).toEqual(['done']);
      expect(status('prepare-edge', th.hosts[1]!.name)).toEqual(['done']);

      // The cloud host: runtime (CRI-O's own install), kubeadm/kubelet/kubectl, the kubelet unit, keadm,
      // modules and sysctls; the units as the fake systemd holds them.
      const cloud = await th.exec(
        0,
        [
          'for t in kubeadm kubelet kubectl keadm crio crictl; do command -v $t; done',
          'kubelet --version',
          `cat ${SYSCTL_FILE}`,
          'sysctl -n net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables',
          'systemctl is-enabled kubelet crio; systemctl is-active crio kubelet; true',
          'cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
          'cat /etc/crictl.yaml',
          'ls /opt/cni/bin /usr/local/lib/systemd/system',
        ].join('; '),
      );
      for (const t of ['kubeadm', 'kubelet', 'kubectl', 'keadm', 'crio', 'crictl'])
        expect(cloud.stdout).toContain(`/usr/local/bin/${t}\n`);
      expect(cloud.stdout).toContain(`Kubernetes v${versions.kubernetes}`);
      expect(cloud.stdout).toContain('net.bridge.bridge-nf-call-iptables = 1');
      expect(cloud.stdout).toMatch(/^1\n1\n/m);
      expect(cloud.stdout).toMatch(/enabled\nenabled\nactive\ninactive\n/);
      expect(cloud.stdout).toContain('ExecStart=/usr/local/bin/kubelet $KUBELET_KUBECONFIG_ARGS');
      expect(cloud.stdout).toContain('runtime-endpoint: unix:///var/run/crio/crio.sock');
      expect(cloud.stdout).toMatch(/loopback/);
      expect(cloud.stdout).toContain('crio.service');
      // The edge host: the platform's CRI-O (1.30, cri_install's tarball) and keadm; no kubeadm.
      const edge = await th.exec(
        1,
        'crio; command -v keadm; command -v kubeadm; systemctl is-active crio; true',
      );
      expect(edge.stdout).toContain('crio version 1.30.0');
      expect(edge.stdout).toContain('/usr/local/bin/keadm');
      expect(edge.stdout).not.toContain('/usr/local/bin/kubeadm');
      expect(edge.stdout).toContain('active');
      // The cluster came up on those tools: the edge host joined.
      const cluster = readCluster(th.hosts[0]!);
      expect(cluster!.nodes.map((n) => n.metadata.name).sort()).toEqual(
        [th.hosts[0]!.name, th.hosts[1]!.name].sort(),
      );
      // This machine's own /etc was not touched.
      expect(existsSync(SYSCTL_FILE)).toBe(false);

      // Zero outbound attempts, on the hosts and from the installer.
      expect(await th.egressAttempts([0, 1])).toEqual([]);
      expect(installer.attempts()).toEqual([]);

      // A rerun: every preparation item checks out, nothing is installed, restarted or rewritten.
      const before = await Promise.all([0, 1].map((i) => hostSnapshot(th, i)));
      const callsBefore = (
        await th.exec(0, 'wc -l < /var/lib/cp-installer/fake-systemd/calls.log')
      ).stdout.trim();
      const second = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'offline-2' });
      expect(second.result.status, JSON.stringify(second.result.failure)).toBe('succeeded');
      const again = stepStatus(second.workdir, 'offline-2');
      expect(again('prepare-cloud')).toEqual(['skipped']);
      expect(again('prepare-edge', th.hosts[1]!.name)).toEqual(['skipped']);
      expect(await Promise.all([0, 1].map((i) => hostSnapshot(th, i)))).toEqual(before);
      const newCalls = (
        await th.exec(0, `tail -n +${Number(callsBefore) + 1} /var/lib/cp-installer/fake-systemd/calls.log`)
      ).stdout
        .trim()
        .split('\n')
        .filter(Boolean);
      expect(newCalls.filter((c) => !/^is-(enabled|active) /.test(c))).toEqual([]);
      expect(await th.egressAttempts([0, 1])).toEqual([]);
      expect(installer.attempts()).toEqual([]);
    },
  );

  it(
    'resumes a preparation left half-done: only what is missing or changed is installed again',
    { timeout: 300_000 },
    async () => {
      // As if an earlier run stopped between items: keadm gone from the edge host, the kubelet drop-in edited.
      await th.exec(1, 'rm -f /usr/local/bin/keadm');
      await th.exec(0, "echo '# edited' >> /etc/systemd/system/kubelet.service.d/10-kubeadm.conf");
      const plan = planFor(
        th,
        [
          [0, ['control-plane']],
          [1, ['edge']],
        ],
        { bundle: { path: bundle.dir } },
      );
      const callsBefore = Number(
        (await th.exec(0, 'wc -l < /var/lib/cp-installer/fake-systemd/calls.log')).stdout.trim(),
      );
      const { result, workdir } = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'offline-3' });
      expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
      const status = stepStatus(workdir, 'offline-3');
      expect(status('prepare-cloud')).toEqual(['done']);
      expect(status('prepare-edge', th.hosts[1]!.name)).toEqual(['done']);
      const log = (
        await th.exec(0, `tail -n +${callsBefore + 1} /var/lib/cp-installer/fake-systemd/calls.log`)
      ).stdout;
      // The drop-in changed: a reload, kubelet enabled again (idempotent); crio untouched.
      expect(log).toMatch(/^daemon-reload$/m);
      expect(log).not.toMatch(/^(start|restart) crio$/m);
      expect(
        (await th.exec(0, 'cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf')).stdout,
      ).not.toContain('# edited');
      expect((await th.exec(1, 'command -v keadm')).stdout.trim()).toBe('/usr/local/bin/keadm');
      expect(await th.egressAttempts([0, 1])).toEqual([]);
    },
  );
});

describe.skipIf(!!reason)('expand-edge from the offline bundle on hosts with no route out', () => {
  let th: TestHosts;
  let bundle: OfflineBundle;
  const versions = fakeVersions();
  beforeAll(async () => {
    th = await startTestHosts({ count: 2, recordEgress: true, ownDirs: OWN_DIRS });
    const [cp, edge] = th.hosts;
    // A cluster that runs (kubectl there, no keadm), and a bare edge host.
    installFakes(cp!, versions);
    rmSync(join(cp!.dir, 'bin', 'keadm'));
    seedExistingCluster(cp!, release().kubernetes, [
      { name: cp!.name, ip: cp!.address, roles: ['control-plane'] },
    ]);
    prepareBareHost(edge!, versions);
    bundle = offlineBundle(
      release(),
      { mode: 'expand-edge', cluster: { runtime: 'crio' } as never, storage: { type: 'nfs' } as never },
      versions,
    );
  }, 120_000);
  afterAll(async () => {
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
    if (bundle) rmSync(bundle.dir, { recursive: true, force: true });
  });

  it(
    'puts keadm on the existing control plane and the runtime and keadm on the edge host, with zero outbound attempts',
    { timeout: 300_000 },
    async () => {
      const plan = planFor(
        th,
        [
          [0, ['control-plane']],
          [1, ['edge']],
        ],
        { mode: 'expand-edge', bundle: { path: bundle.dir } },
      );
      const { result, workdir } = await runMode({
        hosts: th,
        mode: expandEdgeMode,
        plan,
        runId: 'offline-expand',
      });
      expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
      const status = stepStatus(workdir, 'offline-expand');
      expect(status('prepare-cloud')).toEqual(['done']);
      expect(status('prepare-edge', th.hosts[1]!.name)).toEqual(['done']);
      // The control plane got keadm and nothing else: no runtime, no sysctl file, no systemd call.
      const cp = await th.exec(
        0,
        `command -v keadm; command -v crio; test -e ${SYSCTL_FILE} && echo sysctl-file; test -e /var/lib/cp-installer/fake-systemd/calls.log && echo systemd; true`,
      );
      expect(cp.stdout.trim()).toBe('/usr/local/bin/keadm');
      expect((await th.exec(1, 'crio; systemctl is-active crio')).stdout).toContain(
        'crio version 1.30.0\nactive',
      );
      expect(readCluster(th.hosts[0]!)!.nodes.map((n) => n.metadata.name)).toContain(th.hosts[1]!.name);
      expect(await th.egressAttempts()).toEqual([]);
    },
  );
});

const fileMissing = reason ?? bundleFileMissing();
if (!reason && fileMissing) console.log(`offline edge tests with the bundle file skipped: ${fileMissing}`);

describe.skipIf(!!fileMissing)('edge mode with the bundle file: every image from the deployer\'s registry', () => {
  let th: TestHosts;
  let bundle: OfflineBundle;
  let scratch: string;
  let file: { file: string; digest: string; images: string[] };
  let containerd: ChildProcess | undefined;
  const versions = fakeVersions();
  const kubeedge = `v${release().kubeedge!.version}`;
  // What the cloud host and the edge node pull: kubeadm's (its preflight pulls them: the fake kubeadm asks
  // the registry for each), KubeEdge's (keadm join's own, which the fake keadm asks for, and the chart's
  // broker), Calico's node — each under its upstream name in the bundle.
  const WANTED = [/\/kube-(apiserver|controller-manager|scheduler|proxy):/, /\/etcd:/, /\/coredns\/coredns:/, /registry\.k8s\.io\/pause:/, /\/kubeedge\//, /eclipse-mosquitto/, /calico\/node:/];

  beforeAll(async () => {
    th = await startTestHosts({ count: 2, recordEgress: true, ownDirs: OWN_DIRS });
    for (const i of [0, 1]) prepareBareHost(th.hosts[i]!, versions);
    bundle = offlineBundle(
      release(),
      { mode: 'edge', cluster: { runtime: 'containerd' } as never, storage: { type: 'nfs' } as never },
      versions,
    );
    scratch = mkdtempSync(join(tmpdir(), 'cp-edge-serve-'));
    file = await offlineBundleFile(bundle, (ref) => WANTED.some((w) => w.test(ref)), join(scratch, 'site.tar'));
  }, 180_000);

  afterAll(async () => {
    if (containerd?.pid && containerd.exitCode === null) process.kill(containerd.pid, 'SIGTERM');
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
    for (const d of [bundle?.dir, scratch]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it(
    'serves the bundle from the cloud host, points both runtimes there, installs with zero outbound attempts; a real containerd on the edge node pulls through the generated hosts.toml',
    { timeout: 420_000 },
    async () => {
      const plan = planFor(
        th,
        [
          [0, ['control-plane']],
          [1, ['edge']],
        ],
        { bundle: { path: bundle.dir, file: file.file }, cluster: { runtime: 'containerd' } as never },
      );
      const cloud = th.hosts[0]!.address;
      const registry = `${cloud}:5000`;
      const { result, workdir } = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'served-1' });
      expect(result.status, JSON.stringify({ e: result.error, f: result.failure })).toBe('succeeded');
      const status = stepStatus(workdir, 'served-1');
      for (const step of ['bundle-upload', 'bundle-unpack', 'registry', 'image-load']) expect(status(step), step).toEqual(['done']);
      expect(status('node-registries', th.hosts[1]!.name)).toEqual(['done']);
      expect(result.outputs.imagesLoaded).toBe(file.images.length);

      // The registry on the cloud host holds every image under its upstream path.
      // Over HTTPS, verified by the CA the run made on the cloud host and gave the edge node.
      const catalog = await th.exec(1, `python3 -c 'import ssl,sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5, context=ssl.create_default_context(cafile=sys.argv[2])).read().decode())' https://${registry}/v2/_catalog /etc/containerd/certs.d/${registry}/ca.crt`);
      const repos = (JSON.parse(catalog.stdout) as { repositories: string[] }).repositories;
      expect(repos).toEqual(expect.arrayContaining(['kubeedge/installation-package', 'kubeedge/pause', 'library/eclipse-mosquitto', 'kube-proxy', 'coredns/coredns', 'pause']));
      // kubeadm was given that registry (the fake records the config it was run with).
      expect((readCluster(th.hosts[0]!) as { imageRepository?: string } | undefined)?.imageRepository).toBe(registry);
      // Both runtimes: containerd's hosts.toml per upstream registry, the deployer's registry as HTTPS mirror with its CA.
      for (const i of [0, 1]) {
        const toml = await th.exec(i, 'cat /etc/containerd/certs.d/docker.io/hosts.toml /etc/containerd/certs.d/registry.k8s.io/hosts.toml');
        expect(toml.stdout.match(new RegExp(`\\[host\\."https://${registry.replace(/\./g, '\\.')}"\\]`, 'g'))?.length, `host ${i}`).toBe(2);
        expect(toml.stdout.match(new RegExp(`ca = \\["/etc/containerd/certs\\.d/${registry.replace(/\./g, '\\.')}/ca\\.crt"\\]`, 'g'))?.length, `host ${i}`).toBe(2);
      }

      // A real containerd in the edge node's namespaces, reading the node's own /etc/containerd/certs.d.
      const ctrDir = join(scratch, 'ctr');
      mkdirSync(ctrDir, { recursive: true });
      const sock = join(ctrDir, 'c.sock');
      writeFileSync(join(ctrDir, 'config.toml'), `version = 2\nroot = "${ctrDir}/root"\nstate = "${ctrDir}/state"\n[grpc]\n  address = "${sock}"\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`);
      const pid = String(th.hosts[1]!.sshdPid);
      containerd = spawn('nsenter', ['-t', pid, '-m', '-u', '-n', '--', '/usr/bin/containerd', '--config', join(ctrDir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let ctrErr = '';
      containerd.stderr!.on('data', (b: Buffer) => (ctrErr = (ctrErr + b.toString()).slice(-4000)));
      for (let i = 0; i < 150 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(sock), ctrErr).toBe(true);
      const ctr = (...args: string[]) => spawnSync('nsenter', ['-t', pid, '-m', '-u', '-n', '--', '/usr/bin/ctr', '-a', sock, ...args], { encoding: 'utf8', timeout: 90_000 });
      // By the upstream names the chart and the runtime use (through the mirrors), and by the name keadm join
      // pulls under --image-repository (the registry itself, HTTPS with the CA by its own hosts.toml).
      const refs = ['docker.io/library/eclipse-mosquitto:1.6.15', 'registry.k8s.io/pause:3.10', `${registry}/kubeedge/installation-package:${kubeedge}`, `${registry}/kubeedge/pause:3.6`];
      for (const ref of refs) {
        const pull = ctr('images', 'pull', '--hosts-dir', '/etc/containerd/certs.d', ref);
        expect(pull.status, `${ref}\n${pull.stdout}\n${pull.stderr}\n${ctrErr}`).toBe(0);
      }
      const listed = ctr('images', 'ls').stdout;
      for (const ref of refs) expect(listed.split('\n').find((l) => l.startsWith(`${ref} `)), ref).toContain(file.digest);

      // Zero outbound attempts, on the hosts (the pulls included) and from the installer.
      expect(await th.egressAttempts()).toEqual([]);
    },
  );
});

describe.skipIf(!!reason)('the same edge install without the bundle', () => {
  let th: TestHosts;
  beforeAll(async () => {
    th = await startTestHosts({ count: 2, recordEgress: true });
    // Without a bundle the hosts must already have the tools (the tools step checks them): the fakes are
    // there, and the fake kubectl fetches URLs for real (the knob), as the real one does.
    for (const h of th.hosts) {
      installFakes(h, fakeVersions());
      writeFileSync(join(h.dir, 'bin', '.fakes', 'fetch-urls'), '');
    }
  }, 120_000);
  afterAll(async () => {
    if (th) stopCloudcore(th.hosts[0]!);
    await th?.stop();
  });

  it(
    'fails at the first download, naming what was missing, and that attempt is on record',
    { timeout: 300_000 },
    async () => {
      const plan = planFor(th, [
        [0, ['control-plane']],
        [1, ['edge']],
      ]);
      const { result } = await runMode({ hosts: th, mode: edgeMode, plan, runId: 'online-1' });
      expect(result.status).toBe('failed');
      expect(result.failedStep).toBe('cni');
      expect(result.error?.key).toBe('edge.download-failed');
      const url = `https://raw.githubusercontent.com/projectcalico/calico/v${release().calico}/manifests/calico.yaml`;
      expect(result.error?.params?.url).toBe(url);
      expect(result.error?.params?.host).toBe(th.hosts[0]!.name);
      expect(result.failure?.message).toContain('raw.githubusercontent.com');
      // The lookup of raw.githubusercontent.com is the attempt the recorder caught, on the cloud host only.
      const attempts = await th.egressAttempts();
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.every((a) => a.host === th.hosts[0]!.name)).toBe(true);
      expect(attempts).toContainEqual(
        expect.objectContaining({ address: EGRESS_RESOLVER, protocol: 'udp', port: 53 }),
      );
    },
  );
});
