// How a run lays out the platform's tree around the playbook: the done-marker's hash covers the filled
// templates (a resume after a change that only reaches one runs the playbook again), ~/cp-deployment holds one
// cluster's values at a time (taken over from another cluster unless its playbook is running from it, the
// user's own clone moved aside — the real shell runs the command), and
// master 1 gets the files the platform's roles read there when the deployer is another host.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDryRun } from '../../../core/install/dryrun.js';
import { claimTreeCommand, workspace } from '../../../core/install/modes/deployer.js';
import { playbookInputsHash } from '../../../core/install/modes/kubespray.js';
import { inventoryFiles } from '../../../core/install/modes/kubespray-adapter.js';
import { InstallRun } from '../../../core/install/runner.js';
import { standaloneMode } from '../../../core/modes/standalone/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { homesOffTree, masterOneApplications } from '../../../core/tools/kubespray/platform-reads.js';
import { haExternalEtcd, rookCephOffline, singleMaster } from './plans.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A bundle holding a small tree shaped like cp-deployment v1.6.2 where it matters here: the templates the run
 *  fills, the inventory it starts from and the applications/ folders the roles read. */
function smallPlatformBundle(): string {
  const b = tmp('cp-small-bundle-');
  const root = join(b, 'cp-deployment');
  const put = (p: string, text: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  put('standalone/cluster.yml', '---\n');
  put('standalone/roles/cp/kyverno/defaults/main.yml.tmpl', 'install_kyverno: {INSTALL_KYVERNO}\n');
  put('standalone/roles/cp/storage/defaults/main.yml.tmpl', 'storage_type: {STORAGE_TYPE}\n');
  put('standalone/inventory/mycluster/group_vars/k8s_cluster/addons.yml.tmpl', 'metallb_enabled: true\n');
  put('applications/ingress-nginx-1.12.1/deploy.yaml', 'kind: Namespace\n');
  put('applications/nfs-subdir-external-provisioner-4.0.18/values.yaml.tmpl', 'nfs:\n  server: {NFS_SERVER_PRIVATE_IP}\n');
  put('applications/kyverno-1.13.6/kyverno.yaml', 'kind: Namespace\n');
  return b;
}

function plan(over: Partial<PlanInput> = {}, deployerSeparate = false): Plan {
  const p = singleMaster();
  const hosts = p.hosts.map((h) => ({ ...h, roles: h.name === 'master1' && !deployerSeparate ? [...h.roles, 'deployer' as const] : h.roles }));
  if (deployerSeparate) hosts.push({ ...hosts[1]!, name: 'deploy1', address: '10.0.0.5', roles: ['deployer'] });
  return Plan.parse({ ...p, hosts, bundle: { path: smallPlatformBundle() }, ...over });
}

async function dryRun(p: Plan) {
  const run = new InstallRun({
    runId: 'dry', workdir: '/nonexistent-workdir', mode: standaloneMode, plan: p, release: findRelease(p.release)!,
    options: { overrides: [] }, secrets: {}, dryRun: true,
  });
  const logs: string[] = [];
  run.subscribe((e) => {
    if (e.type === 'log') logs.push(e.line);
  });
  const r = await run.start();
  expect(r.status, JSON.stringify(r.failure)).toBe('succeeded');
  return { hash: r.outputs.inventoryHash as string, text: formatDryRun(r.dryRun ?? []), logs: logs.join('\n') };
}

describe('the playbook done-marker covers what the run filled', () => {
  it('a change only in a filled template changes the hash; the same files give the same hash', () => {
    const inv: Array<[string, string]> = [['hosts.yaml', 'all: {}\n']];
    const off: Array<[string, string]> = [['standalone/roles/cp/kyverno/defaults/main.yml', 'install_kyverno: N\n']];
    const on: Array<[string, string]> = [['standalone/roles/cp/kyverno/defaults/main.yml', 'install_kyverno: Y\n']];
    expect(playbookInputsHash(inv, off)).toBe(playbookInputsHash(inv, [...off]));
    expect(playbookInputsHash(inv, on)).not.toBe(playbookInputsHash(inv, off));
    // A file's place counts, not only its text.
    expect(playbookInputsHash([['a', 'x']], [])).not.toBe(playbookInputsHash([], [['a', 'x']]));
  });

  it('turning Kyverno on (only roles/cp/kyverno/defaults changes) gives the run another inventoryHash; the inventory files are the same', async () => {
    const off = await dryRun(plan({ cluster: { name: 'cp-cluster', kyverno: false } }));
    const on = await dryRun(plan({ cluster: { name: 'cp-cluster', kyverno: true } }));
    expect(off.logs).toContain('{INSTALL_KYVERNO} = "N"');
    expect(on.logs).toContain('{INSTALL_KYVERNO} = "Y"');
    expect(on.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(on.hash).not.toBe(off.hash);
    // Kyverno reaches no inventory file: before the filled templates were in the hash, both hashed the same.
    const release = findRelease('k-paas-v1.6.2')!;
    const files = (k: boolean) => inventoryFiles(plan({ cluster: { name: 'cp-cluster', kyverno: k } }), release, {}).files;
    expect(files(true)).toEqual(files(false));
    // The same plan again: the same hash (a resume of an unchanged plan skips the finished playbook).
    expect((await dryRun(plan({ cluster: { name: 'cp-cluster', kyverno: true } }))).hash).toBe(on.hash);
  });
});

describe('one cluster\'s values in ~/cp-deployment at a time', () => {
  const sh = (home: string, command: string) => spawnSync('bash', ['-c', command], { cwd: home, encoding: 'utf8', env: { ...process.env, HOME: home } });
  const p = singleMaster();
  const marker = `${workspace(p)}/cp-deployment.source`;

  /** A tree another cluster's run filled (owner file: its name, its workspace). */
  function othersTree(home: string): void {
    mkdirSync(join(home, 'cp-deployment'));
    writeFileSync(join(home, 'cp-deployment', '.cp-installer-cluster'), 'other-cluster\n.cp-installer/other-cluster\n');
    writeFileSync(join(home, 'cp-deployment', 'filled.yml'), 'storage_type: nfs\n');
  }

  it('another cluster\'s tree whose playbook is not running is taken over, named (its next run fills it again)', () => {
    const home = tmp('cp-claim-');
    othersTree(home);
    // A lock left by a playbook that ended long ago: its pid is not alive.
    mkdirSync(join(home, '.cp-installer', 'other-cluster', 'run', 'kubespray', 'lock'), { recursive: true });
    writeFileSync(join(home, '.cp-installer', 'other-cluster', 'run', 'kubespray', 'lock', 'pid'), '999999\n');
    const r = sh(home, claimTreeCommand(p, marker));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('cp-installer-tree-was: other-cluster');
    expect(readFileSync(join(home, 'cp-deployment', 'filled.yml'), 'utf8')).toBe('storage_type: nfs\n');
    expect(existsSync(join(home, workspace(p)))).toBe(false);
  });

  it('while the other cluster\'s playbook runs from the tree (its lock held by a live process), the claim is refused', () => {
    const home = tmp('cp-claim-');
    othersTree(home);
    const lock = join(home, '.cp-installer', 'other-cluster', 'run', 'kubespray', 'lock');
    mkdirSync(lock, { recursive: true });
    // This test's own process stands for the running playbook: alive, with its start time as the lock has it.
    const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[19]!;
    writeFileSync(join(lock, 'pid'), `${process.pid}\n`);
    writeFileSync(join(lock, 'start'), `${start}\n`);
    const r = sh(home, claimTreeCommand(p, marker));
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('cp-installer-tree-busy: other-cluster');
    // A pid reused by another process (start time differs) is not the playbook.
    writeFileSync(join(lock, 'start'), '1\n');
    expect(sh(home, claimTreeCommand(p, marker)).status).toBe(0);
    // A workspace path that is not the installer's is never looked into.
    writeFileSync(join(home, 'cp-deployment', '.cp-installer-cluster'), 'other-cluster\n/etc\n');
    writeFileSync(join(lock, 'start'), `${start}\n`);
    expect(sh(home, claimTreeCommand(p, marker)).stdout).toContain('cp-installer-tree-was: other-cluster');
  });

  it('this cluster\'s own tree is kept for the step to replace; a tree not placed by cp-installer is moved aside, never deleted', () => {
    const home = tmp('cp-claim-');
    mkdirSync(join(home, 'cp-deployment'));
    writeFileSync(join(home, 'cp-deployment', '.cp-installer-cluster'), `${p.cluster.name}\n${workspace(p)}\n`);
    expect(sh(home, claimTreeCommand(p, marker)).status).toBe(0);
    expect(existsSync(join(home, 'cp-deployment', '.cp-installer-cluster'))).toBe(true);

    const user = tmp('cp-claim-');
    mkdirSync(join(user, 'cp-deployment'));
    writeFileSync(join(user, 'cp-deployment', 'mine.txt'), 'the user\'s clone\n');
    const r = sh(user, claimTreeCommand(p, marker));
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(user, 'cp-deployment'))).toBe(false);
    expect(readFileSync(join(user, workspace(p), 'cp-deployment.before-cp-installer', 'mine.txt'), 'utf8')).toBe('the user\'s clone\n');
    // A second clone later does not land inside the first one.
    mkdirSync(join(user, 'cp-deployment'));
    expect(sh(user, claimTreeCommand(p, marker)).status).toBe(0);
    expect(readdirSync(join(user, workspace(p))).filter((n) => n.startsWith('cp-deployment.before-cp-installer'))).toHaveLength(2);
  });

  it('an empty home: nothing to do', () => {
    const home = tmp('cp-claim-');
    const r = sh(home, claimTreeCommand(p, marker));
    expect(r.status).toBe(0);
    expect(readdirSync(home)).toEqual([]);
  });
});

describe('the platform\'s files where its roles read them', () => {
  it('master 1 needs ingress-nginx always, the storage\'s folder, Kyverno\'s only when asked', () => {
    expect(masterOneApplications(singleMaster())).toEqual(['applications/ingress-nginx-*', 'applications/nfs-subdir-external-provisioner-*']);
    expect(masterOneApplications(Plan.parse({ ...rookCephOffline(), cluster: { name: 'ceph', kyverno: true } }))).toEqual([
      'applications/ingress-nginx-*',
      'applications/rook-*',
      'applications/kyverno-*',
    ]);
    expect(homesOffTree('/home/ubuntu', [{ host: 'm2', home: '/home/ubuntu' }, { host: 'm3', home: '/home/ops' }])).toEqual([{ host: 'm3', home: '/home/ops' }]);
  });

  it('no platform-files step when the deployer is the only control plane; with a separate deployer the playbook waits for it', () => {
    const own = standaloneMode.steps(plan(), findRelease('k-paas-v1.6.2')!, { overrides: [] });
    expect(own.map((s) => s.id)).not.toContain('platform-files');
    const sep = standaloneMode.steps(plan({}, true), findRelease('k-paas-v1.6.2')!, { overrides: [] });
    const files = sep.find((s) => s.id === 'platform-files');
    expect(files?.hosts).toEqual(['deploy1', 'master1']);
    expect(files?.needs).toEqual(['inventory']);
    expect(sep.find((s) => s.id === 'kubespray')?.needs).toContain('platform-files');
    // HA with master 1 as the deployer: only the home check (masters 2 and 3 are read through the deployer).
    const ha = Plan.parse({ ...haExternalEtcd(), hosts: haExternalEtcd().hosts.map((h) => (h.name === 'master1' ? { ...h, roles: ['control-plane', 'deployer'] } : h)) });
    expect(standaloneMode.steps(ha, findRelease('k-paas-v1.6.2')!, { overrides: [] }).find((s) => s.id === 'platform-files')?.hosts).toEqual(['master1', 'master2', 'master3']);
  });

  it('a control plane that logs in with another home than the deployer stops the run, naming it (cp/istio would look there)', async () => {
    const p = plan({}, true);
    const hosts = p.hosts.map((h) => (h.name === 'master1' ? { ...h, user: 'ops' } : h));
    const run = new InstallRun({
      runId: 'dry', workdir: '/nonexistent-workdir', mode: standaloneMode, plan: Plan.parse({ ...p, hosts }), release: findRelease(p.release)!,
      options: { overrides: [] }, secrets: {}, dryRun: true,
    });
    const r = await run.start();
    expect(r.status).toBe('failed');
    expect(r.failedStep).toBe('platform-files');
    expect(r.error).toMatchObject({ key: 'install.node-home-differs', params: { hosts: 'master1 (/home/ops)', deployer: 'deploy1', home: '/home/ubuntu' } });
  });

  it('dry run with a separate deployer: the folders packed on the deployer, master 1\'s tree claimed, unpacked, owned', async () => {
    const { text, logs } = await dryRun(plan({ cluster: { name: 'cp-cluster', kyverno: true } }, true));
    expect(text).toContain('[deploy1] run: cd cp-deployment && for f in applications/ingress-nginx-* applications/nfs-subdir-external-provisioner-* applications/kyverno-*; do');
    expect(text).toContain('[master1] run: if test -f cp-deployment/.cp-installer-cluster; then');
    expect(text).toMatch(/tar -xf \.cp-installer\/cp-cluster\/platform-files\.tar -C cp-deployment/);
    expect(logs).toContain('control planes log in with the deployer\'s home /home/ubuntu');
  });
});
