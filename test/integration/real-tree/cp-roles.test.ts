// The platform's own roles after Kubespray (the K-PaaS v1.6.2 tree's `roles/cp/*`, the plays at the end of its
// playbooks/cluster.yml, taken from that file as they are) run by the real ansible-playbook from the deployer,
// on a plan whose deployer is NOT master 1, against real test hosts: the tree prepared exactly as a run
// prepares it (the engine's steps over SSH: ~/cp-deployment from the bundle, the deployer's key, known_hosts,
// the inventory, the filled templates, the platform-files step). Where a binary cannot run here (kubectl and
// helm: no API server), master 1 has the strict fakes of test/integration/install/fakes, which refuse a
// missing file, namespace, CRD, repository or chart.
//
// What runs for real: the plays of cp/kube_config, cp/csr, cp/ingress-nginx, cp/storage (NFS), cp/kyverno and
// cp/controller, each with the tree's kubespray_defaults, under Debian's ansible-core (2.14; the tree's own
// version gate wants 2.16 and is not imported), over SSH with the deployer's key. What does not, and why
// (asserted below so a new cp/* play in the tree is noticed):
const NOT_HERE: Record<string, string> = {
  'cp/istio': 'copies applications/istio-*/bin/istioctl to /usr/bin: the binary is not in the snapshot, and /usr/bin is this machine\'s',
  'cp/opentofu': 'copies applications/opentofu-*/tofu to /usr/bin: the binary is not in the snapshot, and /usr/bin is this machine\'s',
  'cp/nfs': 'apt-get installs nfs-common: the test hosts share this machine\'s packages (and there is no network)',
  'cp/podman': 'git-clones podman from GitHub and builds it: no network here',
  'cp/cve_cce/amd64': 'runs the tree\'s security.bin (an opaque hardening binary) as root: it would change this machine\'s /etc',
};
const RUNS = ['cp/kube_config', 'cp/csr', 'cp/ingress-nginx', 'cp/storage', 'cp/kyverno', 'cp/controller'];

import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { shq } from '../../../core/common/quote.js';
import { deployerSteps, DEPLOYER_KEY } from '../../../core/install/modes/deployer.js';
import { kubesprayStep } from '../../../core/install/modes/kubespray.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import { Plan } from '../../../core/plan/schema.js';
import { playbookCommand, type KubesprayPlaybook } from '../../../core/tools/kubespray/commands.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { runMode } from '../edge/helpers.js';
import { writeChart } from '../install/fixture-bundle.js';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';

const FAKE = fileURLToPath(new URL('../install/fakes/fake-k8s-tool', import.meta.url));
const NFS_REPO = 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner';

const can = canRunTestHosts();
const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status === 0;
const pyyaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
const reason = !can.ok ? can.reason : !haveUpstream ? 'the upstream trees are not at hand' : !ansible ? 'ansible-playbook is not installed' : !pyyaml ? 'python3-yaml is missing' : undefined;
if (reason) console.log(`skipping the real tree's cp/* roles test: ${reason}`);

type Play = { hosts: string; roles: Array<{ role: string } | string> };
const roleOf = (r: { role: string } | string) => (typeof r === 'string' ? r : r.role);

/** The plays of the tree's playbooks/cluster.yml that carry a platform role (cp/*), as the file has them. */
function platformPlays(): Play[] {
  const plays = parse(readFileSync(join(TREE_V162, 'standalone', 'playbooks', 'cluster.yml'), 'utf8')) as Play[];
  return plays.filter((p) => Array.isArray(p.roles) && p.roles.some((r) => roleOf(r).startsWith('cp/')));
}

describe.skipIf(!!reason)('the v1.6.2 tree\'s cp/* roles, run from a deployer that is not master 1', () => {
  let th: TestHosts;
  let scratch: string;
  let plan: Plan;
  let home: string;
  const cluster = 'real-roles';
  const nfsServer = () => `${th.hosts[2]!.address.replace(/\.\d+$/, '')}.50`;

  beforeAll(async () => {
    th = await startTestHosts({ count: 3 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-real-roles-'));
    mkdirSync(join(scratch, 'bundle'));
    // The whole tree, read where it is (the run packs and uploads it as from any bundle).
    symlinkSync(TREE_V162, join(scratch, 'bundle', 'cp-deployment'));
    const [d, m, w] = th.hosts;
    plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'deploy-1', address: d!.address, roles: ['deployer'] },
        { name: 'master-1', address: m!.address, roles: ['control-plane'] },
        { name: 'worker-1', address: w!.address, roles: ['worker'] },
      ],
      cluster: { name: cluster, kyverno: true },
      network: { metallbRange: `${m!.address.replace(/\.\d+$/, '')}.200-${m!.address.replace(/\.\d+$/, '')}.210`, ingressIp: `${m!.address.replace(/\.\d+$/, '')}.220` },
      storage: { type: 'nfs', nfs: { server: nfsServer() } },
      bundle: { path: join(scratch, 'bundle') },
    });
    home = (await th.exec(0, `getent passwd ${shq(th.user)} | cut -d: -f6`)).stdout.trim();

    // What Kubespray leaves on master 1 that these roles use: the admin kubeconfig, root's ~/.kube/config (its
    // kubernetes/client role; /root is this machine's, so the host gets a /root of its own), and the cluster
    // the fakes answer for. kubectl and helm are the strict fakes.
    const mh = m!;
    writeFileSync(join(mh.dir, 'kube', 'admin.conf'), 'apiVersion: v1\nkind: Config\nclusters: []\n');
    writeFileSync(join(mh.dir, 'kube', 'fixture-cluster.json'), JSON.stringify({ nodes: ['master-1', 'worker-1'], controlPlanes: ['master-1'], kubeVersion: 'v1.32.5' }));
    mkdirSync(join(mh.dir, 'root'), { recursive: true });
    const bind = await th.exec(1, `mount --bind ${shq(join(mh.dir, 'root'))} /root && mkdir -p /root/.kube && cp /etc/kubernetes/admin.conf /root/.kube/config`);
    expect(bind.code, bind.stderr).toBe(0);
    for (const tool of ['kubectl', 'helm']) {
      copyFileSync(FAKE, join(mh.dir, 'bin', tool));
      chmodSync(join(mh.dir, 'bin', tool), 0o755);
    }
    // The NFS provisioner's repository, reachable as through a site's mirror (no network here otherwise).
    writeChart(join(mh.dir, 'lib', 'mirror'), 'nfs-subdir-external-provisioner', '4.0.18');
    mkdirSync(join(mh.dir, 'lib', 'fake-tools'), { recursive: true });
    // cp/kyverno's "Check kyverno" runs kubectl as the login user (become: false): the fakes' call log must take it.
    writeFileSync(join(mh.dir, 'lib', 'fake-tools.log'), '');
    chmodSync(join(mh.dir, 'lib', 'fake-tools.log'), 0o666);
    writeFileSync(join(mh.dir, 'lib', 'fake-tools', 'reachable-repos.json'), JSON.stringify({ [NFS_REPO]: '/var/lib/cp-installer/mirror' }));
  }, 120_000);

  afterAll(async () => {
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The engine's steps up to the playbook (no deployer-ansible: Debian's ansible-core is used as it is). */
  function prepareMode(withPlatformFiles: boolean): InstallMode {
    const deployer = plan.hosts[0]!;
    const [tree, , key, nodeKeys, knownHosts] = deployerSteps(plan, deployer, []);
    const ks = kubesprayStep(plan, deployer, ['known-hosts']);
    const inventory = ks.find((s) => s.id === 'inventory')!;
    const files = ks.find((s) => s.id === 'platform-files');
    expect(files, 'a separate deployer gets the platform-files step').toBeDefined();
    const steps: Step[] = [tree!, key!, nodeKeys!, knownHosts!, inventory, ...(withPlatformFiles ? [files!] : [])];
    return { name: 'prepare', title: { key: 'mode.standalone' }, steps: () => steps };
  }

  /** The plays the tree runs after Kubespray that can run here, written beside the run's state on the deployer
   *  and run with the run's own command line (env, inventory, become, the deployer's key). */
  async function runPlatformPlays(): Promise<{ code: number | null; out: string }> {
    const plays = platformPlays().filter((p) => p.roles.some((r) => RUNS.includes(roleOf(r))));
    const file = `${home}/.cp-installer/${cluster}/cp-after-kubespray.yml`;
    writeFileSync(join(th.hosts[0]!.dir, 'home', `.cp-installer/${cluster}/cp-after-kubespray.yml`), stringify(plays));
    const command = playbookCommand({
      kubesprayDir: `${home}/cp-deployment/standalone`,
      cluster,
      playbook: file as KubesprayPlaybook,
      privateKeyFile: `${home}/${DEPLOYER_KEY}`,
      controlPersistSeconds: 0,
    });
    const r = await th.exec(0, `su -s /bin/sh ${shq(th.user)} -c ${shq(command.line)} 2>&1`);
    return { code: r.code, out: r.stdout };
  }

  const masterTree = () => join(th.hosts[1]!.dir, 'home', 'cp-deployment');
  const fakeState = () => JSON.parse(readFileSync(join(th.hosts[1]!.dir, 'lib', 'fake-tools', 'objects.json'), 'utf8')) as {
    objects: Record<string, { spec?: unknown; rules?: Array<{ verbs: string[] }> }>;
    releases: Record<string, { chart: string; version: string; values: string[] }>;
  };

  it('the tree\'s cluster.yml has exactly the cp/* plays this test knows (run here, or not here and why)', () => {
    const roles = platformPlays().flatMap((p) => p.roles.map(roleOf)).filter((r) => r.startsWith('cp/'));
    expect(new Set(roles)).toEqual(new Set([...RUNS, ...Object.keys(NOT_HERE)]));
  });

  it('without the platform-files step the tree\'s cp/ingress-nginx fails on master 1: its manifest is only on the deployer', { timeout: 600_000 }, async () => {
    const { result } = await runMode({ hosts: th, mode: prepareMode(false), plan, runId: 'prepare-1' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    expect(existsSync(join(th.hosts[0]!.dir, 'home', 'cp-deployment', 'applications', 'ingress-nginx-1.12.1', 'deploy.yaml'))).toBe(true);
    expect(existsSync(masterTree())).toBe(false);
    const r = await runPlatformPlays();
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/TASK \[cp\/ingress-nginx : Deploy ingress nginx controller\][\s\S]*fatal: \[master-1\][\s\S]*cp-deployment\/applications\/ingress-nginx-1\.12\.1\/deploy\.yaml\\?" does not exist/);
    // The plays before it ran for real on master 1: cp/kube_config put the admin kubeconfig in the login home.
    expect(existsSync(join(th.hosts[1]!.dir, 'home', '.kube', 'config'))).toBe(true);
  });

  it('with it, master 1 has the folders its roles read (filled as on the deployer), and the tree\'s plays all pass', { timeout: 900_000 }, async () => {
    const { result, run } = await runMode({ hosts: th, mode: prepareMode(true), plan, runId: 'prepare-2' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    // Only what master 1's roles read: ingress-nginx, the NFS provisioner's values (filled), Kyverno; not the
    // binaries the controller copies (istio, opentofu) nor Rook (an NFS plan).
    const root = masterTree();
    expect(readFileSync(join(root, '.cp-installer-cluster'), 'utf8')).toBe(`${cluster}\n.cp-installer/${cluster}\n`);
    expect(existsSync(join(root, 'applications', 'ingress-nginx-1.12.1', 'deploy.yaml'))).toBe(true);
    expect(existsSync(join(root, 'applications', 'kyverno-1.13.6', 'deploy-cp-kyverno-policies.sh'))).toBe(true);
    const values = parse(readFileSync(join(root, 'applications', 'nfs-subdir-external-provisioner-4.0.18', 'values.yaml'), 'utf8')) as { nfs: { server: string } };
    expect(values.nfs.server).toBe(nfsServer());
    for (const absent of ['istio-1.24.3', 'opentofu-1.9.0', 'rook-1.16.4']) expect(existsSync(join(root, 'applications', absent)), absent).toBe(false);
    expect(existsSync(join(root, 'standalone'))).toBe(false);
    expect(run.runDir).toBeTruthy();

    const r = await runPlatformPlays();
    expect(r.code, r.out.slice(-6000)).toBe(0);
    for (const task of ['cp/kube_config : Copy admin kubeconfig', 'cp/csr : Approve CSR resource', 'cp/ingress-nginx : Deploy ingress nginx controller', 'cp/storage : Deploy nfs-subdir-external-provisioner', 'cp/kyverno : Deploy kyverno', 'cp/kyverno : Deploy cp-kyverno-policies']) {
      expect(r.out, task).toContain(`TASK [${task}`);
    }
    expect(r.out).toMatch(/PLAY RECAP[\s\S]*master-1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);

    // What the fakes were handed, and kept: the tree's manifests, the chart with the filled values, Kyverno's
    // CRDs before its policies, the policy script's patch of a ClusterRole Kyverno created.
    const state = fakeState();
    expect(state.objects['Deployment/ingress-nginx/ingress-nginx-controller']).toBeDefined();
    const release = state.releases['default/nfs-subdir-external-provisioner'];
    expect(release).toMatchObject({ chart: 'nfs-subdir-external-provisioner', version: '4.0.18' });
    expect(release!.values[0]).toBe(`${home}/cp-deployment/applications//nfs-subdir-external-provisioner-4.0.18/values.yaml`);
    expect(state.objects['CustomResourceDefinition//clusterpolicies.kyverno.io']).toBeDefined();
    expect(Object.keys(state.objects).filter((k) => k.startsWith('ClusterPolicy//')).length).toBeGreaterThanOrEqual(17 + 4);
    expect(state.objects['ClusterPolicy//cp-default-namespace-policy']).toBeDefined();
    expect(state.objects['ClusterRole//kyverno:background-controller:core']!.rules![2]!.verbs).toContain('update');
  });

  it('a second cluster from the same deployer: refused while the first\'s playbook runs from the tree, else it takes the tree over; the first\'s next run fills it again', { timeout: 300_000 }, async () => {
    const deployerHome = join(th.hosts[0]!.dir, 'home');
    const kyvernoDefaults = join(deployerHome, 'cp-deployment', 'standalone', 'roles', 'cp', 'kyverno', 'defaults', 'main.yml');
    const owner = () => readFileSync(join(deployerHome, 'cp-deployment', '.cp-installer-cluster'), 'utf8').split('\n')[0];
    expect(readFileSync(kyvernoDefaults, 'utf8')).toContain('install_kyverno: Y');
    const other = Plan.parse({ ...plan, cluster: { ...plan.cluster, name: 'second', kyverno: false } });
    const [tree] = deployerSteps(other, other.hosts[0]!, []);
    const second = (runId: string) => runMode({ hosts: th, mode: { name: 'second', title: { key: 'mode.standalone' }, steps: () => [tree!] }, plan: other, runId });

    // The first cluster's playbook running from the tree: its detached lock held by a live process (this one).
    const lock = join(deployerHome, '.cp-installer', cluster, 'run', 'kubespray', 'lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
    writeFileSync(join(lock, 'start'), `${readFileSync(`/proc/${process.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[19]}\n`);
    const refused = (await second('second-1')).result;
    expect(refused.status).toBe('failed');
    expect(refused.failedStep).toBe('deployer-tree');
    expect(refused.error).toMatchObject({ key: 'install.tree-busy', params: { other: cluster, cluster: 'second' } });
    expect(readFileSync(kyvernoDefaults, 'utf8')).toContain('install_kyverno: Y');
    expect(owner()).toBe(cluster);

    // Once it ended: the second cluster takes the tree over (named in its log) and fills its own values.
    rmSync(lock, { recursive: true });
    const taken = await second('second-2');
    expect(taken.result.status, JSON.stringify(taken.result.failure)).toBe('succeeded');
    expect(owner()).toBe('second');
    expect(readFileSync(join(taken.run.runDir, 'logs', 'deployer-tree', 'deploy-1.log'), 'utf8')).toContain(`held cluster ${cluster}'s filled templates`);

    // The first cluster's next run fills the tree with its own values again before its playbook.
    const inventory = kubesprayStep(plan, plan.hosts[0]!, []).find((s) => s.id === 'inventory')!;
    const again = await runMode({ hosts: th, mode: { name: 'again', title: { key: 'mode.standalone' }, steps: () => [inventory] }, plan, runId: 'again-1' });
    expect(again.result.status, JSON.stringify(again.result.failure)).toBe('succeeded');
    expect(owner()).toBe(cluster);
    expect(readFileSync(kyvernoDefaults, 'utf8')).toContain('install_kyverno: Y');
  });
});
