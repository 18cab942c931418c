import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../core/common/messages.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { advertiseAddresses, edgeReleaseProblem, EDGE_JOIN_CONCURRENCY } from '../../../core/modes/edge/state.js';
import { expandEdgeMode } from '../../../core/modes/expand-edge/index.js';
import { InstallRun, stepInfos } from '../../../core/install/runner.js';
import { loadJournal, summarize } from '../../../core/install/journal.js';
import { edgeMessages } from '../../../core/tools/kubeedge/messages.js';
import { dryRunEdge, edgePlan } from './plans.js';

const dryRun = async (mode: typeof edgeMode, plan: ReturnType<typeof edgePlan>) => (await dryRunEdge(mode, plan)).result;

describe('release checks', () => {
  it('refuses a KubeEdge/Kubernetes pair outside KubeEdge\'s matrix, accepts one inside', () => {
    expect(edgeReleaseProblem(findRelease('k-paas-v1.6.2')!)).toEqual({
      key: 'edge.incompatible',
      params: { kubeedge: '1.20.0', kubernetes: '1.32.5', range: '1.28–1.30' },
    });
    expect(edgeReleaseProblem(findRelease('k-paas-v1.6.2-kubeedge-1.23')!)).toBeUndefined();
    expect(edgeReleaseProblem(findRelease('paasta-v1.0')!)).toBeUndefined();
  });
});

describe('edge mode, dry run', () => {
  it('lists the real command lines in order, with the join token nowhere', async () => {
    const result = await dryRun(edgeMode, edgePlan());
    expect(result.status).toBe('succeeded');
    const records = result.dryRun!;
    const commands = records.flatMap((r) => (r.kind === 'exec' ? [`${r.step}@${r.host}: ${r.command}`] : []));
    const find = (s: string) => commands.findIndex((c) => c.includes(s));
    expect(find('kubeadm init --config /etc/kubernetes/kubeadm-config.yaml')).toBeGreaterThan(-1);
    expect(find('kubeadm init')).toBeLessThan(find('apply -f https://raw.githubusercontent.com/projectcalico/calico/v3.29.3/manifests/calico.yaml'));
    expect(find('keadm init --advertise-address=203.0.113.5,10.0.0.10 --kubeedge-version v1.23.1')).toBeGreaterThan(find('calico'));
    const joins = records.filter((r) => r.kind === 'exec' && r.command.includes('keadm join'));
    expect(joins.map((r) => (r.kind === 'exec' ? r.host : ''))).toEqual(['edge-1', 'edge-2']);
    for (const j of joins) {
      expect(j.kind === 'exec' && j.command).toContain('--cloudcore-ipport 203.0.113.5:10000 --kubeedge-version v1.23.1');
      expect(j.kind === 'exec' && j.stdinBytes).toBe('dry-run-token\n'.length);
      expect(JSON.stringify(j)).not.toContain('dry-run-token');
    }
    const config = records.find((r) => r.kind === 'upload' && r.path === '/etc/kubernetes/kubeadm-config.yaml');
    expect(config?.kind === 'upload' && config.content).toContain('apiVersion: kubeadm.k8s.io/v1beta4');
  });

  it('stops before any host for a release outside the matrix: the plan error is the failed step `plan`', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'edge-plan-'));
    const plan = edgePlan({ release: 'k-paas-v1.6.2' });
    const events: string[] = [];
    const run = new InstallRun({ runId: 'r-plan', workdir, mode: edgeMode, plan, release: findRelease(plan.release)!, options: { overrides: [] }, secrets: {} });
    run.subscribe((e) => events.push(e.type === 'step-failed' ? `failed ${e.stepId} ${e.error.key}` : e.type));
    expect(run.stepInfos.map((s) => s.id)).toEqual(['plan']);
    const result = await run.start();
    expect(result).toMatchObject({ status: 'failed', failedStep: 'plan', error: { key: 'edge.incompatible' } });
    expect(events).toEqual(['run-started', 'step-started', 'failed plan edge.incompatible', 'step-finished', 'run-finished']);
    const journal = loadJournal(workdir, 'r-plan');
    expect(summarize('r-plan', journal)).toMatchObject({ status: 'failed', failedStep: 'plan' });
    const dry = await dryRun(edgeMode, plan);
    expect(dry).toMatchObject({ status: 'failed', failedStep: 'plan' });
    expect(dry.dryRun).toEqual([]);
    expect(stepInfos(edgeMode, plan, findRelease(plan.release)!, { overrides: [] })).toEqual([{ id: 'plan', title: edgeMode.title, hosts: [], needs: [] }]);
  });

  it('refuses kubeadm for a 2021 release (no config API fits Kubernetes 1.18)', async () => {
    const result = await dryRun(edgeMode, edgePlan({ release: 'paasta-v1.0' }));
    expect(result.error).toEqual({ key: 'kubeadm.config.unsupported-version', params: { version: '1.18.6' } });
  });

  it('the runner puts its one preflight gate in front of the first step', () => {
    const rel = findRelease('k-paas-v1.6.2-kubeedge-1.23')!;
    expect(edgeMode.steps(edgePlan(), rel, { overrides: [] }).map((s) => s.id)).not.toContain('connect');
    const infos = stepInfos(edgeMode, edgePlan(), rel, { overrides: [] });
    expect(infos[0]!.id).toBe('connect');
    expect(infos.find((s) => s.id === 'edge-tools')!.needs).toEqual(['connect']);
  });

  it('joins fan out wider than the runner default', () => {
    const steps = edgeMode.steps(edgePlan(), findRelease('k-paas-v1.6.2-kubeedge-1.23')!, { overrides: [] });
    const join = steps.find((s) => s.id === 'edge-join') as { perHost?: boolean; concurrency?: number; hosts: string[] };
    expect(join.perHost).toBe(true);
    expect(join.concurrency).toBe(EDGE_JOIN_CONCURRENCY);
  });
});

describe('expand-edge mode', () => {
  it('LB in front: pool, keadm init advertising the LB, Service patch', async () => {
    const plan = edgePlan({
      mode: 'expand-edge',
      edge: { cloudcoreAddress: '203.0.113.50', cloudcorePrivateAddress: '10.0.0.200' },
    } as never);
    const result = await dryRun(expandEdgeMode, plan);
    expect(result.status).toBe('succeeded');
    const steps = [...new Set(result.dryRun!.map((r) => r.step))];
    expect(steps).toEqual([
      'connect', 'edge-tools', 'edge-kubeconfig', 'edge-affinity', 'cloudcore-pool', 'keadm-init', 'cloudcore-service', 'edge-join', 'edge-affinity-after-join', 'edge-verify',
    ]);
    const all = JSON.stringify(result.dryRun);
    expect(all).not.toContain('kubeadm init');
    expect(all).toContain('--advertise-address=203.0.113.50,10.0.0.200,203.0.113.5,10.0.0.10');
    expect(advertiseAddresses(plan, plan.hosts[0]!)[0]).toBe('203.0.113.50');
  });

  it('joins only the named edge hosts when asked', () => {
    const plan = edgePlan({ mode: 'expand-edge' }, 5);
    const steps = expandEdgeMode.steps(plan, findRelease(plan.release)!, { overrides: [], edgeHosts: ['edge-4', 'edge-5'] });
    expect(steps.find((s) => s.id === 'edge-join')!.hosts).toEqual(['edge-4', 'edge-5']);
  });
});

describe('messages', () => {
  it('every key in both languages, placeholders the same', () => {
    expect(Object.keys(edgeMessages.ko).sort()).toEqual(Object.keys(edgeMessages.en).sort());
    for (const [key, en] of Object.entries(edgeMessages.en)) {
      const names = (t: string) => [...t.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(names(edgeMessages.ko[key]!), key).toEqual(names(en));
      expect(interpolate(edgeMessages.ko[key]!, Object.fromEntries(names(en).map((n) => [n!, 'x'])))).not.toContain('{{');
    }
  });
});
