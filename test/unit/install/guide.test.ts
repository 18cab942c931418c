// The pure parts that tell a person what went wrong and what a plan reaches: causes of a failed step read
// from real tool output, the outside addresses of a plan, and the field-level diff resume shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { render } from '../../../core/common/messages.js';
import { coreMessages } from '../../../core/api/messages.js';
import { diagnose } from '../../../core/install/causes.js';
import { bundleProblem, formatEgress, planEgress } from '../../../core/install/egress.js';
import { formatPlanChanges, planChanges } from '../../../core/install/plan-diff.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { egressOf } from '../../../core/api/install.js';
import { singleMaster } from '../kubespray/plans.js';

describe('diagnose: the cause of a failed step in words', () => {
  it('reads git\'s "Could not resolve host" as this host cannot reach github.com, with the bundle and the proxy as ways out', () => {
    const cause = diagnose({
      host: 'master-1',
      command: "git clone --depth 1 --branch v2.28 https://github.com/K-PaaS/cp-deployment.git .cp-installer/x/src.new",
      output: "Cloning into '.cp-installer/x/src.new'...\nfatal: unable to access 'https://github.com/K-PaaS/cp-deployment.git/': Could not resolve host: github.com",
    });
    expect(cause).toEqual({ key: 'cause.unreachable', params: { host: 'master-1', target: 'github.com' } });
    const en = render(coreMessages, 'en', cause!);
    expect(en).toContain('master-1 cannot reach github.com');
    expect(en).toContain('offline bundle');
    expect(en).toContain('bundle.file');
    expect(en).toContain('proxy');
    const ko = render(coreMessages, 'ko', cause!);
    expect(ko).toContain('github.com');
    expect(ko).not.toContain('{{');
  });

  it.each([
    ['curl', 'curl: (7) Failed to connect to get.helm.sh port 443 after 3 ms: Couldn\'t connect to server', 'get.helm.sh'],
    ['helm', 'Error: looks like "https://charts.rook.io/release" is not a valid chart repository: Get "https://charts.rook.io/release/index.yaml": dial tcp: lookup charts.rook.io on 10.0.0.2:53: no such host', 'charts.rook.io'],
    ['pip', "WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError(...: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/ansible/\nERROR: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded", 'pypi.org'],
    ['Ansible get_url', 'fatal: [node1]: FAILED! => {"msg": "Request failed: <urlopen error [Errno -3] Temporary failure in name resolution>", "url": "https://dl.k8s.io/release/v1.32.4/bin/linux/amd64/kubeadm"}', 'dl.k8s.io'],
  ])('reads %s output', (_tool, output, target) => {
    expect(diagnose({ host: 'h', output })?.params?.target).toBe(target);
  });

  it('says nothing about output it does not know, and names a full disk', () => {
    expect(diagnose({ host: 'h', output: 'error: something else entirely' })).toBeUndefined();
    expect(diagnose({ host: 'h', output: 'tar: write error: No space left on device' })?.key).toBe('cause.disk-full');
  });
});

describe('planEgress: every outside address a plan reaches', () => {
  const release = findRelease('k-paas-v1.6.2')!;
  const standaloneSteps = ['connect', 'deployer-tree', 'deployer-ansible', 'kubespray', 'storage', 'ingress', 'verify'];

  it('lists the Kubespray git host, PyPI, Kubespray\'s downloads, images and the storage chart without a bundle', () => {
    const hosts = planEgress(singleMaster(), release, standaloneSteps).map((e) => `${e.step}:${e.host}`);
    expect(hosts).toContain(`deployer-tree:${new URL(release.kubespray.git).hostname}`);
    expect(hosts).toContain('deployer-ansible:pypi.org');
    expect(hosts).toContain('kubespray:dl.k8s.io');
    expect(hosts).toContain('kubespray:registry.k8s.io');
    expect(hosts).toContain('storage:kubernetes-sigs.github.io');
  });

  it('drops what an offline bundle and a registry replace, and keeps a chart the bundle lacks', () => {
    const plan = Plan.parse({ ...singleMaster(), bundle: { path: '/srv/bundle' }, registry: { address: '10.0.0.5:5000' } });
    const withChart = planEgress(plan, release, standaloneSteps, { exists: (p) => p.startsWith('/srv/bundle/charts/') });
    expect(withChart).toEqual([]);
    const noChart = planEgress(plan, release, standaloneSteps, { exists: () => false });
    expect(noChart.map((e) => e.host)).toEqual(['kubernetes-sigs.github.io']);
  });

  it('lists raw.githubusercontent.com for Calico and docker.io for KubeEdge in edge mode', () => {
    const edgeRelease = findRelease('k-paas-v1.6.2-kubeedge-1.23')!;
    const hosts = planEgress(singleMaster(), edgeRelease, ['kubeadm-init', 'cni', 'keadm-init', 'edge-join']).map((e) => e.host);
    expect(hosts).toContain('raw.githubusercontent.com');
    expect(hosts).toContain('docker.io');
    expect(hosts).toContain('registry.k8s.io');
  });

  it('is what the API gives for a real standalone plan, and formats for a terminal', () => {
    const entries = egressOf(singleMaster());
    expect(entries.some((e) => e.step === 'deployer-tree')).toBe(true);
    const text = formatEgress(entries, (m) => render(coreMessages, 'en', m));
    expect(text).toMatch(/github\.com\s+the Kubespray tree/);
  });
});

describe('planChanges: what changed since a run started', () => {
  it('names each changed field, matching hosts by name', () => {
    const before = singleMaster();
    const after = Plan.parse({
      ...before,
      bundle: { path: '/srv/bundle' },
      hosts: before.hosts.filter((h) => h.name !== 'edge1').map((h) => (h.name === 'worker1' ? { ...h, address: '10.0.0.22' } : h)),
    });
    const changes = planChanges(before, after);
    expect(changes).toEqual([
      { path: 'hosts[worker1].address', kind: 'changed', before: '10.0.0.21', after: '10.0.0.22' },
      expect.objectContaining({ path: 'hosts[edge1]', kind: 'removed' }),
      { path: 'bundle.path', kind: 'added', after: '/srv/bundle' },
    ]);
    expect(formatPlanChanges(changes)).toContain('~ hosts[worker1].address: 10.0.0.21 → 10.0.0.22');
    expect(planChanges(before, Plan.parse(before))).toEqual([]);
  });
});

describe('the report of a failed run', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpi-report-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  it('is written from the journal with the failed step, its cause and the steps so far', async () => {
    const { Journal, runDir } = await import('../../../core/install/journal.js');
    const { runReportHtml } = await import('../../../core/install/run-report.js');
    const plan = singleMaster();
    const j = Journal.open(runDir(work, 'r1'));
    const at = new Date().toISOString();
    j.append({ t: 'run-start', runId: 'r1', mode: 'standalone', release: plan.release, plan, options: { overrides: ['os'] }, pid: 0, at });
    j.append({ t: 'step-start', step: 'connect', attempt: 1, at });
    j.append({ t: 'step-end', step: 'connect', status: 'done', durationMs: 5, outputs: { preflight: { ok: true, hosts: 4, overridden: ['os'] } }, at });
    j.append({ t: 'step-start', step: 'deployer-tree', attempt: 1, at });
    j.append({
      t: 'step-end',
      step: 'deployer-tree',
      status: 'failed',
      durationMs: 9,
      error: { key: 'install.command-failed', params: { host: 'master1', command: 'git clone', code: '128' } },
      failure: { host: 'master1', message: 'Could not resolve host: github.com', cause: { key: 'cause.unreachable', params: { host: 'master1', target: 'github.com' } } },
      at,
    });
    j.append({ t: 'run-end', status: 'failed', at });
    j.close();
    const html = runReportHtml(work, 'r1', coreMessages, 'en');
    expect(html).toContain('What failed');
    expect(html).toContain('Put the Kubespray tree on the deployer');
    expect(html).toContain('master1 cannot reach github.com');
    expect(html).toContain('overridden checks: os');
    expect(html).toContain('class="badge bad">failed');
  });
});

describe('the dry run shows the login user\'s home', () => {
  it('writes --private-key under /home/<user>, not a made-up /home/user', async () => {
    const { dryRunPlan } = await import('../../../core/api/install.js');
    const work = mkdtempSync(join(tmpdir(), 'cpi-dry-home-'));
    try {
      const { text } = await dryRunPlan(singleMaster(), { workdir: work });
      expect(text).toContain('--private-key=/home/ubuntu/');
      expect(text).not.toContain('/home/user/');
      // The outside addresses come first.
      expect(text.split('\n')[0]).toMatch(/Addresses outside the site/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('step titles', () => {
  it('every step of every mode has a title with text in both languages', async () => {
    const { newPlan } = await import('../../../core/api/plan.js');
    const { descriptorOf } = await import('../../../core/modes/index.js');
    const { stepInfos } = await import('../../../core/install/runner.js');
    for (const mode of ['standalone', 'edge', 'expand-edge'] as const) {
      const plan = Plan.parse(newPlan(mode).plan);
      for (const s of stepInfos(descriptorOf(mode), plan, findRelease(plan.release)!, { overrides: [] })) {
        expect([mode, s.id, !!coreMessages.en[s.title.key], !!coreMessages.ko[s.title.key]]).toEqual([mode, s.id, true, true]);
        expect(render(coreMessages, 'en', s.title)).not.toContain('{{');
      }
    }
  });
});

describe('an offline bundle folder', () => {
  it('accepts the folder `bundle unpack` writes (cp-deployment/<subdir>) and a bare Kubespray tree; names the folder otherwise', () => {
    const files = (...paths: string[]) => (p: string) => paths.includes(p);
    const isDir = () => true;
    expect(bundleProblem('/b', isDir, files('/b/cp-deployment/standalone/cluster.yml'), 'standalone')).toBeUndefined();
    expect(bundleProblem('/b/', isDir, files('/b/kubespray/cluster.yml'))).toBeUndefined();
    expect(bundleProblem('/b', isDir, files('/b/cluster.yml'), 'standalone')).toBeUndefined();
    // The platform's tree for another release's subdir is not this plan's tree.
    expect(bundleProblem('/b', isDir, files('/b/cp-deployment/other/cluster.yml'), 'standalone')).toEqual(expect.objectContaining({ key: 'bundle.no-tree' }));
    expect(render(coreMessages, 'en', bundleProblem('/b', isDir, files(), 'standalone')!)).toContain('/b/cp-deployment/');
    expect(bundleProblem('/b', () => false, files())).toEqual(expect.objectContaining({ key: 'bundle.not-a-folder' }));
  });
});
