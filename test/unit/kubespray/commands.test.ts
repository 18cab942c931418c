import { describe, expect, it } from 'vitest';
import { Plan } from '../../../core/plan/schema.js';
import {
  ansibleEnv,
  clusterCommand,
  inventoryGraphCommand,
  inventoryName,
  playbookCommand,
} from '../../../core/tools/kubespray/commands.js';

const base = { kubesprayDir: '/home/ubuntu/cp-installer/kubespray', cluster: 'cp-cluster' };

describe('Kubespray command lines', () => {
  it('cluster.yml: inventory file, become root, env first, playbook last', () => {
    const c = clusterCommand(base);
    expect(c.argv).toEqual(['ansible-playbook', '-i', 'inventory/cp-cluster/hosts.yaml', '--become', '--become-user=root', 'cluster.yml']);
    expect(c.line).toBe(
      "cd /home/ubuntu/cp-installer/kubespray && env ANSIBLE_INVENTORY_UNPARSED_FAILED=True ANSIBLE_HOST_KEY_CHECKING=True " +
        "'ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=30 -o StrictHostKeyChecking=yes' " +
        'ANSIBLE_FORCE_COLOR=False ANSIBLE_NOCOLOR=True PYTHONUNBUFFERED=1 ansible-playbook -i inventory/cp-cluster/hosts.yaml --become --become-user=root cluster.yml',
    );
  });

  it('extra vars travel as one JSON word, so false stays false; hostile values stay one quoted word', () => {
    const c = playbookCommand({
      ...base,
      kubesprayDir: "/tmp/it's here",
      playbook: 'cluster.yml',
      extraVars: { fixture_fail_task: '', flag: false, n: "a'; rm -rf / #" },
      limit: ['w1', 'w2'],
      becomePasswordOnStdin: true,
      privateKeyFile: '/home/u/.ssh/cp key',
      ansibleBinDir: '/home/u/venv/bin/',
    });
    expect(c.argv.slice(0, 1)).toEqual(['/home/u/venv/bin/ansible-playbook']);
    expect(c.argv).toContain('--ask-become-pass');
    expect(c.argv).toContain('--limit=w1,w2');
    expect(c.argv).toContain('--private-key=/home/u/.ssh/cp key');
    expect(c.argv.at(-2)).toBe('{"fixture_fail_task":"","flag":false,"n":"a\'; rm -rf / #"}');
    expect(c.line.startsWith("cd '/tmp/it'\\''s here' && env ")).toBe(true);
    expect(c.line).toContain(`'{"fixture_fail_task":"","flag":false,"n":"a'\\''; rm -rf / #"}' cluster.yml`);
    expect(c.line).toContain("'--private-key=/home/u/.ssh/cp key'");
  });

  it('host keys: checked against a given known_hosts; connection reuse can be turned off', () => {
    const env = ansibleEnv({ ...base, knownHostsFile: '/home/u/.ssh/known hosts', controlPersistSeconds: 0 });
    expect(env.ANSIBLE_SSH_ARGS).toBe("-o ControlMaster=no -o ServerAliveInterval=30 -o StrictHostKeyChecking=yes -o UserKnownHostsFile='/home/u/.ssh/known hosts'");
    expect(ansibleEnv({ ...base, hostKeyChecking: false, color: true })).toMatchObject({
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_FORCE_COLOR: 'True',
      ANSIBLE_NOCOLOR: 'False',
    });
  });

  it('inventory graph', () => {
    expect(inventoryGraphCommand(base).argv).toEqual(['ansible-inventory', '-i', 'inventory/cp-cluster/hosts.yaml', '--graph']);
  });

  it('inventoryName makes a safe folder name from the cluster name', () => {
    const plan = (name: string) =>
      Plan.parse({ apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2', cluster: { name } });
    expect(inventoryName(plan('cp-cluster'))).toBe('cp-cluster');
    expect(inventoryName(plan('../../etc'))).toBe('-..-etc');
    expect(inventoryName(plan('my cluster/1'))).toBe('my-cluster-1');
    expect(inventoryName(plan('..'))).toBe('cluster');
  });
});
