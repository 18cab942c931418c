// The fixture Kubespray tree run by the real ansible-playbook with the inventory, group_vars and command line
// cp-installer generates (connection local, each inventory host writing under its own temp root): a run that
// fails at a known task on a known host, the same run succeeding once the marker is gone, and a hang that a
// cancel ends without leaving the fixture's sleeper behind. Over SSH on test hosts it is the engine's tests'.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { kubeconfigSummary, userKubeconfig } from '../../../core/outputs/kubeconfig.js';
import { inventoryDir, inventoryName, playbookCommand } from '../../../core/tools/kubespray/commands.js';
import { renderGroupVars } from '../../../core/tools/kubespray/group-vars.js';
import { renderInventory } from '../../../core/tools/kubespray/inventory.js';
import { AnsibleOutputParser, type ParserSnapshot } from '../../../core/tools/kubespray/parser.js';

const TREE = fileURLToPath(new URL('../../fixtures/kubespray/', import.meta.url));
const probe = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
const missing = probe.status !== 0 ? 'ansible-playbook is not installed (apt-get install ansible ansible-core)' : undefined;
if (missing) console.log(`skipping fixture playbook tests: ${missing}`);

const plan = Plan.parse({
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  cluster: { name: 'fixture-it' },
  hosts: [
    { name: 'master1', address: '203.0.113.10', privateAddress: '10.0.0.10', roles: ['control-plane'] },
    { name: 'worker1', address: '10.0.0.21', roles: ['worker'] },
  ],
  network: { metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.170' },
});

let work = '';
let tree = '';
const root = (host: string) => join(work, 'roots', host);
const state = (host: string) => join(root(host), 'var', 'lib', 'cp-installer', 'fixture');

function runPlaybook(onLine?: (line: string, kill: () => void) => void): Promise<{ code: number | null; snapshot: ParserSnapshot; output: string }> {
  const command = playbookCommand({
    kubesprayDir: tree,
    cluster: inventoryName(plan),
    playbook: 'cluster.yml',
    hostKeyChecking: false,
    controlPersistSeconds: 0,
    extraVars: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' },
  });
  const parser = new AnsibleOutputParser({ expectedTasks: 40 });
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command.line], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = () => process.kill(-child.pid!, 'SIGTERM');
    let output = '';
    let carry = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      parser.write(chunk);
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      for (const l of lines) onLine?.(l, kill);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => {
      parser.end();
      resolve({ code, snapshot: parser.snapshot(), output });
    });
  });
}

describe.skipIf(!!missing)('fixture Kubespray tree with the generated inventory', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cp-fixture-it-'));
    tree = join(work, 'kubespray');
    cpSync(TREE, tree, { recursive: true });
    const inv = join(tree, inventoryDir(inventoryName(plan)));
    const files: Record<string, string> = { 'hosts.yaml': renderInventory(plan), ...renderGroupVars(plan, findRelease(plan.release)!).files };
    for (const h of plan.hosts) files[`host_vars/${h.name}.yml`] = `fixture_root: ${JSON.stringify(root(h.name))}\n`;
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(inv, path)), { recursive: true });
      writeFileSync(join(inv, path), text);
    }
    for (const h of plan.hosts) mkdirSync(state(h.name), { recursive: true });
  });

  afterAll(() => {
    // Nothing of a test may outlive it: no fixture step still sleeping.
    const left = spawnSync('pgrep', ['-f', `${work}/roots/`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const pid of left) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('fails at the marked task on the marked host, and shows that first', async () => {
    writeFileSync(join(state('worker1'), 'fail'), 'preinstall\n');
    const r = await runPlaybook();
    expect(r.code, r.output.slice(-2000)).not.toBe(0);
    expect(r.snapshot.firstFailure).toMatchObject({
      play: 'Prepare for etcd install',
      task: 'Disable swap',
      host: 'worker1',
      kind: 'failed',
      message: 'fixture: failure requested at step preinstall',
    });
    expect(r.snapshot.recap?.find((x) => x.host === 'worker1')?.failed).toBe(1);
    expect(existsSync(join(root('master1'), 'etc/kubernetes/admin.conf'))).toBe(false);
  }, 900_000);

  it('once the marker is gone, the run reaches a well-formed admin.conf that rewrites to the user-facing address', async () => {
    rmSync(join(state('worker1'), 'fail'));
    const r = await runPlaybook();
    expect(r.code, r.output.slice(-2000)).toBe(0);
    expect(r.snapshot.failures).toEqual([]);
    expect(r.snapshot.recap!.map((x) => x.host)).toEqual(['master1', 'worker1']);
    expect(r.snapshot.progress).toBe(1);

    const adminPath = join(root('master1'), 'etc/kubernetes/admin.conf');
    expect(statSync(adminPath).mode & 0o777).toBe(0o600);
    const admin = readFileSync(adminPath, 'utf8');
    expect(kubeconfigSummary(admin)).toEqual({
      clusters: [{ name: 'cluster.local', server: 'https://127.0.0.1:6443' }],
      contexts: ['kubernetes-admin@cluster.local'],
      current: 'kubernetes-admin@cluster.local',
    });
    // The certificate data is real: the client certificate verifies against the CA in the same file.
    const kc = parse(admin) as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: Record<string, string> }> };
    writeFileSync(join(work, 'ca.crt'), Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data']!, 'base64'));
    writeFileSync(join(work, 'admin.crt'), Buffer.from(kc.users[0]!.user['client-certificate-data']!, 'base64'));
    expect(execFileSync('openssl', ['verify', '-CAfile', join(work, 'ca.crt'), join(work, 'admin.crt')], { encoding: 'utf8' })).toContain(': OK');
    expect(kubeconfigSummary(userKubeconfig(plan, admin)).clusters).toEqual([{ name: 'fixture-it', server: 'https://203.0.113.10:6443' }]);

    // What the group_vars said reached the plays.
    const kubeadm = readFileSync(join(root('master1'), 'etc/kubernetes/kubeadm-config.yaml'), 'utf8');
    expect(kubeadm).toContain('kubernetesVersion: v1.32.5');
    expect(kubeadm).toContain('- 203.0.113.10');
    expect(JSON.parse(readFileSync(join(state('master1'), 'metallb-pools.json'), 'utf8'))).toEqual({
      primary: { ip_range: ['10.0.0.150-10.0.0.160'], auto_assign: true },
      'ingress-nginx': { ip_range: ['10.0.0.170/32'], auto_assign: false },
    });
    expect(JSON.parse(readFileSync(join(root('master1'), 'etc/kubernetes/fixture-cluster.json'), 'utf8'))).toMatchObject({
      nodes: ['master1', 'worker1'],
      controlPlanes: ['master1'],
      kubeVersion: 'v1.32.5',
    });
    expect(JSON.parse(readFileSync(join(state('worker1'), 'node.json'), 'utf8'))).toMatchObject({ name: 'worker1', ip: '10.0.0.21' });
  }, 900_000);

  it('a hang ends with the cancel, and no fixture step is left sleeping', async () => {
    writeFileSync(join(state('worker1'), 'hang'), 'preinstall 600\n');
    let killedAt = 0;
    const r = await runPlaybook((line, kill) => {
      if (!killedAt && line.startsWith('TASK [kubernetes/preinstall : Disable swap]')) {
        killedAt = Date.now();
        // Give the step time to start sleeping, then cancel the way a run is cancelled: the process group.
        setTimeout(kill, 8000);
      }
    });
    expect(killedAt).toBeGreaterThan(0);
    expect(r.code).not.toBe(0);
    let left = '';
    for (let i = 0; i < 20; i++) {
      left = spawnSync('pgrep', ['-af', `${work}/roots/worker1/var/lib/cp-installer/fixture/bin/step`], { encoding: 'utf8' }).stdout.trim();
      if (!left) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(left).toBe('');
    rmSync(join(state('worker1'), 'hang'));
  }, 900_000);
});
