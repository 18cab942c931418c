// The 2021 tree caps Ansible (`maximal_ansible_version: 2.10.0`, asserted by its first play): a deployer whose
// ansible-playbook is newer gets the tree's own pinned Ansible in a virtualenv, and the playbook runs from it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployerSteps } from '../../../core/install/modes/deployer.js';
import { InstallRun } from '../../../core/install/runner.js';
import type { InstallMode } from '../../../core/install/step.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { FakeSessions } from '../install/helpers.js';
import { singleMaster } from './plans.js';
import { haveUpstream, TREE_V104 } from './upstream.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!haveUpstream)('Ansible for the 2021 tree', () => {
  it('a host ansible-core 2.16 is refused as too new; Ansible 2.9 from the tree\'s requirements.txt in a virtualenv is used', async () => {
    const plan = Plan.parse({ ...singleMaster(), release: 'paasta-v1.0' });
    const versionFile = readFileSync(join(TREE_V104, 'standalone', 'aws', 'ansible_version.yml'), 'utf8');
    let venvReady = false;
    const sessions = new FakeSessions([
      [/^cat .*ansible_version\.yml/, { stdout: versionFile }],
      [/venv\/bin\/ansible-playbook'? --version/, () => (venvReady ? { stdout: 'ansible-playbook 2.9.16\n' } : { code: 127, stderr: 'not found' })],
      [/ansible-playbook'? --version/, { stdout: 'ansible-playbook [core 2.16.14]\n' }],
      [/pip'? install/, () => ((venvReady = true), { stdout: 'Successfully installed ansible-2.9.16\n' })],
      [/^pwd$/, { stdout: '/home/ubuntu\n' }],
    ]);
    const master = plan.hosts[0]!;
    const ansible = deployerSteps(plan, master, [])[1]!;
    const mode: InstallMode = { name: 'ansible-only', title: { key: 'mode.standalone' }, steps: () => [{ ...ansible, needs: [] }] };
    const workdir = mkdtempSync(join(tmpdir(), 'cp-ansible-cap-'));
    dirs.push(workdir);
    const run = new InstallRun({ runId: 'cap', workdir, mode, plan, release: findRelease('paasta-v1.0')!, options: { overrides: [] }, secrets: {}, sessions });
    const r = await run.start();
    expect(r.status, JSON.stringify([r.failure, r.error, sessions.commands.map((c) => c.command)])).toBe("succeeded");
    const cmds = sessions.commands.map((c) => c.command);
    expect(cmds.some((c) => c.includes("-r cp-deployment/standalone/aws/requirements.txt"))).toBe(true);
    expect(r.outputs.ansibleBinDir).toBe('/home/ubuntu/.cp-installer/cp-cluster/venv/bin');
  });
});
