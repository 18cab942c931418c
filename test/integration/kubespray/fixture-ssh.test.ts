// The fixture Kubespray tree over real SSH, as the engine uses it: ansible-playbook here, logging in to two
// OpenSSH test hosts with the harness's key, checking their host keys against its known_hosts (the command
// line's host-key settings), becoming root through sudo; each host's /etc/kubernetes and
// /var/lib/cp-installer are its own, so admin.conf lands on the control plane only.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { kubeconfigSummary } from '../../../core/outputs/kubeconfig.js';
import { inventoryDir, inventoryName, playbookCommand } from '../../../core/tools/kubespray/commands.js';
import { renderGroupVars } from '../../../core/tools/kubespray/group-vars.js';
import { renderInventory } from '../../../core/tools/kubespray/inventory.js';
import { parseAnsibleOutput } from '../../../core/tools/kubespray/parser.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';

const TREE = fileURLToPath(new URL('../../fixtures/kubespray/', import.meta.url));
const can = canRunTestHosts();
const ansible = spawnSync('ansible-playbook', ['--version']).status === 0;
const reason = !can.ok ? can.reason : !ansible ? 'ansible-playbook is not installed' : undefined;
if (reason) console.log(`skipping fixture-over-SSH test: ${reason}`);

describe.skipIf(!!reason)('fixture Kubespray tree over SSH on test hosts', () => {
  let hosts: TestHosts;
  let work = '';

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    work = mkdtempSync(join(tmpdir(), 'cp-fixture-ssh-'));
  });

  afterAll(async () => {
    await hosts?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes admin.conf on the control plane and node markers on both', async () => {
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'fixture-ssh' },
      auth: [{ name: 'default', method: 'key', user: hosts.user, keyPath: hosts.keyPath }],
      hosts: [
        { name: 'master-1', address: hosts.hosts[0]!.address, roles: ['control-plane'] },
        { name: 'worker-1', address: hosts.hosts[1]!.address, roles: ['worker'] },
      ],
    });
    const tree = join(work, 'kubespray');
    cpSync(TREE, tree, { recursive: true });
    const files: Record<string, string> = {
      'hosts.yaml': renderInventory(plan, { privateKeyFile: hosts.keyPath }),
      ...renderGroupVars(plan, findRelease(plan.release)!).files,
    };
    for (const [path, text] of Object.entries(files)) {
      const full = join(tree, inventoryDir(inventoryName(plan)), path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    const command = playbookCommand({
      kubesprayDir: tree,
      cluster: inventoryName(plan),
      playbook: 'cluster.yml',
      knownHostsFile: hosts.knownHostsFile,
      controlPersistSeconds: 0,
    });
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('sh', ['-c', command.line], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (c) => resolve({ code: c, output: out }));
    });
    const s = parseAnsibleOutput(output);
    expect(code, output.slice(-3000)).toBe(0);
    expect(s.recap!.map((r) => r.host)).toEqual(['master-1', 'worker-1']);
    const master = hosts.hosts[0]!.dir;
    const worker = hosts.hosts[1]!.dir;
    expect(kubeconfigSummary(readFileSync(join(master, 'kube', 'admin.conf'), 'utf8')).clusters).toEqual([
      { name: 'cluster.local', server: 'https://127.0.0.1:6443' },
    ]);
    expect(existsSync(join(worker, 'kube', 'admin.conf'))).toBe(false);
    expect(JSON.parse(readFileSync(join(worker, 'lib', 'fixture', 'node.json'), 'utf8'))).toMatchObject({ name: 'worker-1', ip: hosts.hosts[1]!.address });
    expect(JSON.parse(readFileSync(join(master, 'kube', 'fixture-cluster.json'), 'utf8'))).toMatchObject({ nodes: ['master-1', 'worker-1'] });
  }, 1_500_000);
});
