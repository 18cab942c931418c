// The CLI's standalone install on the real K-PaaS v1.6.2 tree: `cp-installer apply` of an NFS plan, from the
// bundle real-tree-bundle.ts makes, over SSH to two test hosts (master 1 is the deployer). The product runs
// the tree's own playbooks/cluster.yml with Debian's ansible-playbook: its boilerplate (validate_inventory),
// then a test stand-in for Kubespray's node-level plays only, then the tree's own roles/cp/* plays (kube_config,
// istio, opentofu, csr, ingress-nginx, storage, kyverno, controller) against the strict fake kubectl/helm on
// master 1; then the installer's own steps after the playbook. The failure, resume and cancel cases use the
// fixture tree (standalone.test.ts), which can be made to fail or hang at a known step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runDir } from '../../../core/install/journal.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { haveUpstream, TREE_V162 } from '../../unit/kubespray/upstream.js';
import { fakeState, LEFT_OUT, makeRealTreeBundle, prepareRealTreeHost, STANDIN_PLAY, type TreePlays } from './real-tree-bundle.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const CLI = join(HERE, 'cli-entry.ts');

const can = canRunTestHosts();
const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status === 0;
const netaddr = spawnSync('/usr/bin/python3', ['-c', 'import netaddr, yaml'], { encoding: 'utf8' }).status === 0;
const overlay = existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay');
const reason = !can.ok
  ? can.reason
  : !haveUpstream
    ? 'the upstream trees are not at hand'
    : !ansible
      ? 'ansible-playbook is not installed (apt-get install -y ansible ansible-core)'
      : !netaddr
        ? "python3-netaddr or python3-yaml is missing (the tree's version gate checks netaddr: apt-get install -y python3-netaddr)"
        : !overlay
          ? 'no overlay file system for master 1\'s own /usr/bin'
          : undefined;
if (reason) console.log(`skipping the CLI install on the real tree: ${reason}`);

describe.skipIf(!!reason)('cp-installer apply on the real v1.6.2 tree (CLI)', () => {
  let th: TestHosts;
  let scratch: string;
  let plays: TreePlays;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-real-tree-cli-'));
    plays = makeRealTreeBundle(join(scratch, 'bundle')).plays;
    await prepareRealTreeHost(th, 0);
  }, 120_000);

  afterAll(async () => {
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  let secretsPs: PsSampler | undefined;
  beforeAll(() => void (secretsPs = startPsSampler({ hosts: th })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => void assertNoSecrets({ secrets: harnessSecrets(th), paths: scratch ? [scratch] : [], sampler: secretsPs, minSamples: 0 }));

  it("the bundle's cluster.yml keeps every cp/* play of the tree but the ones left out, and stands in only for Kubespray's own", () => {
    const real = (parse(readFileSync(join(TREE_V162, 'standalone', 'playbooks', 'cluster.yml'), 'utf8')) as Array<{ roles?: Array<{ role: string }> }>)
      .flatMap((p) => (p.roles ?? []).map((r) => r.role))
      .filter((r) => r.startsWith('cp/'));
    expect(new Set([...plays.realCp, ...Object.keys(LEFT_OUT)])).toEqual(new Set(real));
    expect(plays.kept[0]).toBe('Common tasks for every playbooks');
    // Stood in: only plays without a platform role.
    expect(plays.stoodIn).toContain('Install the control plane');
    expect(plays.stoodIn.every((p) => !p.startsWith('(cp/'))).toBe(true);
  });

  it('apply runs the tree\'s playbook to a verified cluster: the real cp/* plays ran on master 1, then the installer\'s steps', { timeout: 900_000 }, async () => {
    const [m, w] = th.hosts;
    const net = m!.address.replace(/\.\d+$/, '');
    const planPath = join(scratch, 'plan.yaml');
    writeFileSync(
      planPath,
      stringify({
        apiVersion: 'cp-installer/v1',
        kind: 'Plan',
        mode: 'standalone',
        release: 'k-paas-v1.6.2',
        cluster: { name: 'realcli' },
        auth: [{ name: 'default', method: 'password', user: th.user, sudo: 'nopasswd' }],
        hosts: [
          { name: 'master-1', address: m!.address, roles: ['control-plane', 'etcd'] },
          { name: 'worker-1', address: w!.address, roles: ['worker'] },
        ],
        network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
        storage: { type: 'nfs', nfs: { server: m!.address, path: '/srv/nfs' } },
        bundle: { path: join(scratch, 'bundle') },
      }),
    );
    const workdir = join(scratch, 'wd');
    const env = { ...process.env, CP_SSH_PASSWORD: th.password };
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'apply', planPath, '--workdir', workdir, '--known-hosts', th.knownHostsFile, '--override', 'os', 'cgroup', 'cross.machineId', 'leftovers'],
      { env, encoding: 'utf8', timeout: 840_000, cwd: ROOT },
    );
    const runId = /run (\S+) \(/.exec(r.stdout)?.[1] ?? '';
    const log = runId ? readFileSync(join(runDir(workdir, runId), 'logs', 'kubespray', 'master-1.log'), 'utf8') : '';
    expect(r.status, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}\n${log.slice(-6000)}`).toBe(0);
    expect(r.stdout).toContain('installed and verified');

    // The tree's own boilerplate (validate_inventory on the inventory the run wrote), the stand-in, then the
    // tree's cp/* tasks, in the playbook's order.
    const order = [
      'TASK [validate_inventory : ',
      `PLAY [${STANDIN_PLAY}]`,
      'TASK [cp/kube_config : Copy admin kubeconfig to current/ansible become user home]',
      'TASK [cp/istio : Copy istioctl]',
      'TASK [cp/opentofu : Copy tofu]',
      'TASK [cp/csr : Approve CSR resource]',
      'TASK [cp/ingress-nginx : Deploy ingress nginx controller]',
      'TASK [cp/storage : Deploy nfs-subdir-external-provisioner]',
    ];
    let at = 0;
    for (const marker of order) {
      const i = log.indexOf(marker, at);
      expect(i, marker).toBeGreaterThanOrEqual(0);
      at = i;
    }
    // cp/kyverno's and cp/controller's plays ran too, every task skipped by its own `when` (no Kyverno in this
    // plan, no CSP_TYPE): Kubespray's output settings print no skipped task.
    expect(log).not.toContain('TASK [cp/kyverno : Deploy kyverno]');
    for (const role of Object.keys(LEFT_OUT)) expect(log).toContain(`PLAY [Left out in this test bundle: ${role}]`);
    expect(log).toMatch(/PLAY RECAP[\s\S]*master-1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(log).toMatch(/worker-1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);

    // What the real plays left: the login user's kubeconfig (cp/kube_config), the binaries in master 1's own
    // /usr/bin (cp/istio, cp/opentofu; not this machine's), the ingress controller from the tree's manifest and
    // the provisioner's release with the tree's values file, filled from the plan.
    const home = join(m!.dir, 'home');
    expect(statSync(join(home, '.kube', 'config')).mode & 0o777).toBe(0o600);
    expect((await th.exec(0, 'test -x /usr/bin/istioctl && test -x /usr/bin/tofu && echo both')).stdout.trim()).toBe('both');
    expect(existsSync('/usr/bin/istioctl') && readFileSync('/usr/bin/istioctl', 'utf8').includes('test stand-in')).toBe(false);
    const state = fakeState(th, 0);
    expect(state.objects['Deployment/ingress-nginx/ingress-nginx-controller']).toBeDefined();
    const release = state.releases['default/nfs-subdir-external-provisioner'];
    expect(release).toMatchObject({ chart: 'nfs-subdir-external-provisioner', version: '4.0.18' });
    const valuesFile = release!.values[0]!;
    expect(valuesFile).toMatch(/\/cp-deployment\/applications\/\/nfs-subdir-external-provisioner-4\.0\.18\/values\.yaml$/);
    const values = parse((await th.exec(0, `cat '${valuesFile}'`)).stdout) as { nfs: { server: string; path: string } };
    expect(values.nfs).toMatchObject({ server: m!.address, path: '/srv/nfs' });
    // The installer's steps after the playbook: the ingress IP on the tree's controller Service, the kubeconfig.
    const svc = state.objects['Service/ingress-nginx/ingress-nginx-controller'] as { spec?: { loadBalancerIP?: string } };
    expect(svc.spec?.loadBalancerIP).toBe(`${net}.220`);
    const kubeconfig = readFileSync(join(workdir, 'clusters', 'realcli', 'kubeconfig'), 'utf8');
    expect(kubeconfig).toContain(`server: https://${m!.address}:6443`);
  });
});
