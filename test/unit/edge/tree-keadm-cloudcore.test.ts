// The tree's keadm on the hosts of the 2021 edge (guide 2.3: edge/keadm to the master and the edge nodes, only
// where missing or different, then `keadm version`), and which cloudcore check an edge run takes by its
// KubeEdge: the pod from keadm 1.11, the ports of the process before.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorOf } from '../../../core/modes/index.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { cloudcoreStep } from '../../../core/modes/edge/cloudcore-process.js';
import { EdgeRunState } from '../../../core/modes/edge/state.js';
import { parseSha256sum, TREE_KEADM_DEST, treeKeadm, treeKeadmStep } from '../../../core/modes/edge/tree-keadm.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { edgePlan } from './plans.js';
import { edgeBoshPlanInput } from '../caas/edge-bosh-plans.js';

const KEADM = '#!/bin/sh\necho "version: version.Info{GitVersion:\\"v1.6.1\\"}"\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function bundleWith(where: 'cp-deployment' | 'paas-ta-container-platform-deployment' | 'none'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tree-keadm-'));
  if (where !== 'none') {
    mkdirSync(join(dir, where, 'edge'), { recursive: true });
    writeFileSync(join(dir, where, 'edge', 'keadm'), KEADM, { mode: 0o755 });
  }
  return dir;
}

const plan2021 = (bundle: string): Plan => Plan.parse(edgeBoshPlanInput(bundle, {}, 2));

interface Answer {
  code: number;
  stdout: string;
  stderr?: string;
}

/** A step context that answers commands and records uploads (what the step did, in order). */
function fakeCtx(host: string, answer: (cmd: string) => Answer) {
  const calls: Array<{ exec: string; sudo?: boolean } | { upload: string; to: string; sudo?: boolean; mode?: number }> = [];
  const ctx = {
    dryRun: false,
    host: { name: host },
    signal: new AbortController().signal,
    progress() {},
    log() {},
    redact: (s: string) => s,
    exec: async (_h: string, c: string, o: { sudo?: boolean; onStdout?: (l: string) => void } = {}) => {
      calls.push({ exec: c, ...(o.sudo ? { sudo: true } : {}) });
      const a = answer(c);
      for (const l of a.stdout.split('\n')) o.onStdout?.(l);
      return { stderr: '', ...a };
    },
    uploadFile: async (_h: string, local: string, to: string, o: { sudo?: boolean; mode?: number } = {}) => {
      calls.push({ upload: local, to, ...(o.sudo ? { sudo: true } : {}), ...(o.mode !== undefined ? { mode: o.mode } : {}) });
      return { sha256: sha(KEADM) };
    },
  };
  return { calls, ctx: ctx as never };
}

const hasNone = (c: string): Answer => (c.startsWith('sha256sum') ? { code: 0, stdout: '' } : { code: 0, stdout: 'version: version.Info{GitVersion:"v1.6.1"}' });

describe("the tree's keadm on the 2021 edge's hosts (guide 2.3)", () => {
  it('is found in the bundle\'s platform tree (cp-deployment/ first, then the guide\'s folder name)', () => {
    expect(treeKeadm(bundleWith('cp-deployment'))).toMatch(/\/cp-deployment\/edge\/keadm$/);
    expect(treeKeadm(bundleWith('paas-ta-container-platform-deployment'))).toMatch(/\/paas-ta-container-platform-deployment\/edge\/keadm$/);
    expect(treeKeadm(bundleWith('none'))).toBeUndefined();
    expect(parseSha256sum(`${sha(KEADM)}  /usr/local/bin/keadm\n`)).toBe(sha(KEADM));
    expect(parseSha256sum('')).toBeUndefined();
  });

  it('runs on the master and every edge node, before the tools check, in the 2021 edge only', () => {
    const plan = plan2021(bundleWith('paas-ta-container-platform-deployment'));
    const steps = descriptorOf('edge').steps(plan, findRelease('paasta-v1.0')!, { overrides: [] });
    const keadm = steps.find((s) => s.id === 'edge-keadm')!;
    expect(keadm.hosts).toEqual(['master1', 'edge1', 'edge2']);
    expect(steps.find((s) => s.id === 'edge-tools')!.needs).toEqual(['edge-keadm']);
    expect(steps.findIndex((s) => s.id === 'edge-keadm')).toBeLessThan(steps.findIndex((s) => s.id === 'edge-tools'));
    // The kubeadm edge installs keadm in its host preparation (prepare.ts): its tools step is unchanged.
    const kubeadmEdge = edgeMode.steps(edgePlan(), findRelease('k-paas-v1.6.2-kubeedge-1.23')!, { overrides: [] });
    expect(kubeadmEdge.some((s) => s.id === 'edge-keadm')).toBe(false);
    expect(kubeadmEdge.find((s) => s.id === 'edge-tools')!.needs).toEqual([]);
  });

  it('uploads it with sudo, mode 0755, to /usr/local/bin/keadm where it is missing, then runs keadm version', async () => {
    const plan = plan2021(bundleWith('cp-deployment'));
    const step = treeKeadmStep(plan, plan.hosts[0]!, [plan.hosts[2]!], []);
    const { calls, ctx } = fakeCtx('edge1', hasNone);
    await step.run(ctx);
    expect(calls).toEqual([
      { exec: `sha256sum ${TREE_KEADM_DEST} 2>/dev/null || true` },
      { upload: join(plan.bundle!.path, 'cp-deployment', 'edge', 'keadm'), to: '/usr/local/bin/keadm', sudo: true, mode: 0o755 },
      { exec: 'keadm version', sudo: true },
    ]);
  });

  it('leaves a host whose keadm is the tree\'s alone, and replaces one that differs', async () => {
    const plan = plan2021(bundleWith('cp-deployment'));
    const step = treeKeadmStep(plan, plan.hosts[0]!, [plan.hosts[2]!], []);
    const same = fakeCtx('master1', (c) => (c.startsWith('sha256sum') ? { code: 0, stdout: `${sha(KEADM)}  /usr/local/bin/keadm` } : hasNone(c)));
    await step.run(same.ctx);
    expect(same.calls.some((c) => 'upload' in c)).toBe(false);
    expect(same.calls.at(-1)).toEqual({ exec: 'keadm version', sudo: true });
    const other = fakeCtx('master1', (c) => (c.startsWith('sha256sum') ? { code: 0, stdout: `${'0'.repeat(64)}  /usr/local/bin/keadm` } : hasNone(c)));
    await step.run(other.ctx);
    expect(other.calls.filter((c) => 'upload' in c)).toHaveLength(1);
  });

  it('fails naming the host and where to put the binary when the tree lacks edge/keadm', async () => {
    const bundle = bundleWith('none');
    const plan = plan2021(bundle);
    const step = treeKeadmStep(plan, plan.hosts[0]!, [plan.hosts[2]!], []);
    const { calls, ctx } = fakeCtx('edge1', hasNone);
    await expect(step.run(ctx)).rejects.toMatchObject({
      permanent: true,
      error: { key: 'edge.tree-keadm-missing', params: { host: 'edge1', path: join(bundle, 'paas-ta-container-platform-deployment', 'edge', 'keadm') } },
    });
    expect(calls).toEqual([]);
  });

  it('fails naming the host when the installed keadm does not run (a binary of another architecture)', async () => {
    const plan = plan2021(bundleWith('cp-deployment'));
    const step = treeKeadmStep(plan, plan.hosts[0]!, [plan.hosts[2]!], []);
    const { ctx } = fakeCtx('edge1', (c) => (c === 'keadm version' ? { code: 126, stdout: '', stderr: 'sh: 1: keadm: Exec format error' } : hasNone(c)));
    await expect(step.run(ctx)).rejects.toMatchObject({
      error: { key: 'edge.tree-keadm-broken', params: { host: 'edge1', path: '/usr/local/bin/keadm', message: 'sh: 1: keadm: Exec format error' } },
    });
  });
});

describe('which cloudcore check an edge run takes (keadm before 1.11 runs cloudcore as a process)', () => {
  const ports = (c: string) => c.includes('/dev/tcp/');
  const pods = (c: string) => /kubectl .*get pods/.test(c) || /get pods/.test(c);
  async function firstCheck(step: { isDone?: (ctx: never) => Promise<boolean> }): Promise<string> {
    const { calls, ctx } = fakeCtx('cp1', (c) => (ports(c) ? { code: 0, stdout: 'ok cloudhub\nok certificates' } : { code: 0, stdout: '{"items":[]}' }));
    await step.isDone!(ctx);
    return (calls[0] as { exec: string }).exec;
  }

  it('a kubeadm edge plan on a legacy release (KubeEdge 1.6.1) gets the port check; on v1.6.2 the pod wait', async () => {
    const plan = edgePlan();
    const state = new EdgeRunState(plan.hosts[0]!, () => '/etc/kubernetes/admin.conf');
    const o = { tolerateControlPlane: true, loadBalanced: false };
    const legacy = cloudcoreStep(plan, findRelease('paasta-v1.0')!, state, o, ['edge-affinity']);
    expect(legacy).toMatchObject({ id: 'keadm-init', needs: ['edge-affinity'] });
    const legacyCheck = await firstCheck(legacy);
    expect(legacyCheck).toContain('/dev/tcp/203.0.113.5/10000');
    expect(legacyCheck).toContain('/dev/tcp/203.0.113.5/10002');
    const helm = cloudcoreStep(plan, findRelease('k-paas-v1.6.2')!, state, o, ['edge-affinity']);
    const helmCheck = await firstCheck(helm);
    expect(pods(helmCheck)).toBe(true);
    expect(ports(helmCheck)).toBe(false);
  });

  it('the kubeadm edge descriptor takes it: the pod wait for KubeEdge 1.23 (v1.6.2)', async () => {
    const steps = edgeMode.steps(edgePlan(), findRelease('k-paas-v1.6.2-kubeedge-1.23')!, { overrides: [] });
    expect(pods(await firstCheck(steps.find((s) => s.id === 'keadm-init')!))).toBe(true);
  });
});
