// The 2021 edge's `edge-keadm` step over real SSH (guide 2.3: the tree's edge/keadm on the master and the edge
// nodes): a bundle whose platform tree carries a keadm (the strict fake keadm of KubeEdge 1.6.1 stands in for
// the binary the upstream snapshot lacks), a master with an older keadm, an edge node with none. The step and
// the tools check after it run from the edge mode's own descriptor (`mode: edge` + `bosh` on paasta-v1.0).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import { descriptorOf } from '../../../core/modes/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { installFakes } from '../../fakes/install.js';
import { EDGE, edgeBoshHostsPlan, MASTER } from '../caas/edge-bosh-plan.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`tree-keadm integration tests skipped: ${can.reason}`);

const FAKE_KEADM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fakes', 'keadm');
const RELEASE = findRelease('paasta-v1.0')!;

/** Only the KubeEdge tools steps of the 2021 edge (the cluster and BOSH steps are other tests'). */
const toolsOnly: InstallMode = {
  name: 'edge',
  title: descriptorOf('edge').title,
  steps(plan, release, options) {
    const kept = descriptorOf('edge')
      .steps(plan, release, options)
      .filter((s) => s.id === 'edge-keadm' || s.id === 'edge-tools');
    return kept.map((s): Step => ({ ...s, needs: s.needs.filter((n) => kept.some((k) => k.id === n)) }));
  },
};

function bundle(withKeadm: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'tree-keadm-it-'));
  if (withKeadm) {
    mkdirSync(join(dir, 'paas-ta-container-platform-deployment', 'edge'), { recursive: true });
    copyFileSync(FAKE_KEADM, join(dir, 'paas-ta-container-platform-deployment', 'edge', 'keadm'));
  }
  return dir;
}

describe.skipIf(!can.ok)("the tree's keadm on the 2021 edge's master and edge node (real SSH)", { timeout: 120_000 }, () => {
  let hosts: TestHosts;

  beforeAll(async () => {
    // The runner connects to every host of the plan: the worker and the jump box too, which these steps never use.
    hosts = await startTestHosts({ count: 4 });
    const versions = { kubernetes: RELEASE.kubernetes, kubeedge: RELEASE.kubeedge!.version };
    for (const i of [MASTER, EDGE]) installFakes(hosts.hosts[i]!, versions);
    // The edge node has no keadm; the master an older one than the tree's.
    rmSync(join(hosts.hosts[EDGE]!.dir, 'bin', 'keadm'));
    const r = await hosts.exec(MASTER, "printf '#!/bin/sh\\necho old keadm\\n' > /usr/local/bin/keadm && chmod 755 /usr/local/bin/keadm");
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await hosts?.stop();
  });

  // Roles the 2021 edge requires; the keadm steps use only the master and the edge node.
  const plan = (bundlePath: string): Plan =>
    edgeBoshHostsPlan(hosts, { bosh: { directorAddress: '192.0.2.10', caCertFile: `/home/${hosts.user}/director.crt`, haproxyAddress: '192.0.2.120' }, bundle: bundlePath });

  async function run(runId: string, bundlePath: string): Promise<RunResult> {
    const p = plan(bundlePath);
    const ssh = await openSsh(p, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false });
    try {
      return await new InstallRun({
        runId,
        workdir: mkdtempSync(join(tmpdir(), 'tree-keadm-wd-')),
        mode: toolsOnly,
        plan: p,
        release: RELEASE,
        options: { overrides: [] },
        secrets: {},
        sessions: ssh.sessions,
      }).start();
    } finally {
      await ssh.close();
    }
  }

  const keadmState = async (i: number) => (await hosts.exec(i, 'stat -c "%U %a %Y" /usr/local/bin/keadm && sha256sum /usr/local/bin/keadm')).stdout;

  it('installs it where it is missing or differs (root, 0755), keadm version answers, and a second run uploads nothing', async () => {
    const b = bundle(true);
    const want = readFileSync(FAKE_KEADM);
    const first = await run('tk-1', b);
    expect(first.error, JSON.stringify(first.failure)).toBeUndefined();
    expect(first.status).toBe('succeeded');
    for (const i of [MASTER, EDGE]) {
      expect(readFileSync(join(hosts.hosts[i]!.dir, 'bin', 'keadm')).equals(want), hosts.hosts[i]!.name).toBe(true);
      expect(await keadmState(i)).toMatch(/^root 755 /);
      const v = await hosts.exec(i, 'keadm version');
      expect(v.stdout).toContain('GitVersion:"v1.6.1"');
    }
    // Left as it is when it is the tree's already: an old mtime stays.
    for (const i of [MASTER, EDGE]) expect((await hosts.exec(i, 'touch -d 2001-01-01 /usr/local/bin/keadm')).code).toBe(0);
    const before = await Promise.all([MASTER, EDGE].map(keadmState));
    const second = await run('tk-2', b);
    expect(second.status).toBe('succeeded');
    expect(await Promise.all([MASTER, EDGE].map(keadmState))).toEqual(before);
  });

  it('fails naming the host and the path to fill when the tree in the bundle has no edge/keadm', async () => {
    const b = bundle(false);
    const r = await run('tk-3', b);
    expect(r.status).toBe('failed');
    expect(r.failedStep).toBe('edge-keadm');
    expect(r.error).toMatchObject({ key: 'edge.tree-keadm-missing', params: { path: join(b, 'paas-ta-container-platform-deployment', 'edge', 'keadm') } });
    expect([hosts.hosts[MASTER]!.name, hosts.hosts[EDGE]!.name]).toContain(r.error?.params?.host);
  });
});
