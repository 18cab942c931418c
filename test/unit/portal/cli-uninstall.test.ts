// `cp-installer portal uninstall RUN_ID` before it reaches any host: a run that is not there, a run that did
// not install the portal, a run that is still going, and no terminal to ask on without --yes — each said in
// words, exit 2, with the guide's warning shown first whenever there is a run to act on.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portalUninstall, type PortalIo } from '../../../cli/commands/portal.js';
import { Journal, runDir } from '../../../core/install/journal.js';
import { Plan } from '../../../core/plan/schema.js';

const workdir = mkdtempSync(join(tmpdir(), 'cpi-portal-cli-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

const plan = Plan.parse({
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  auth: [{ name: 'default', method: 'agent', user: 'ubuntu' }],
  hosts: [{ name: 'm1', address: '10.0.0.11', roles: ['control-plane'] }],
  network: { metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.161' },
});

function seed(runId: string, steps: string[], o: { pid?: number; ended?: boolean } = {}): void {
  const j = Journal.open(runDir(workdir, runId));
  const at = new Date().toISOString();
  j.append({ t: 'run-start', runId, mode: 'standalone', release: plan.release, plan, options: { overrides: [] }, pid: o.pid ?? 999_999_999, at });
  for (const step of steps) j.append({ t: 'step-end', step, status: 'done', durationMs: 1, at });
  if (o.ended !== false) j.append({ t: 'run-end', status: 'succeeded', at });
  j.close();
}

function io(): PortalIo & { text(): string } {
  let text = '';
  const w = { write: (s: string) => (text += s) };
  return { out: w, err: w, isTTY: false, text: () => text };
}

describe('portal uninstall from the command line, refused before any host', () => {
  it('a run that is not there', async () => {
    const t = io();
    expect(await portalUninstall('nope', { workdir, yes: true, lang: 'en' }, t)).toBe(2);
    expect(t.text()).toContain('There is no run nope in');
    expect(t.text()).not.toContain('reclaim policy');
  });

  it('a run that did not install the portal: the warning, then why nothing is done', async () => {
    seed('no-portal', ['connect', 'verify', 'kubeconfig', 'report']);
    const t = io();
    expect(await portalUninstall('no-portal', { workdir, yes: true, lang: 'en' }, t)).toBe(2);
    expect(t.text()).toContain('With NFS storage the reclaim policy is Retain');
    expect(t.text()).toContain('Run no-portal did not install the portal: there is nothing of it to uninstall.');
  });

  it('a run still going (its process alive, no end)', async () => {
    // Another installer process that runs it (this process's own runs are running only while their journal is open).
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      seed('going', ['connect', 'portal-archive'], { pid: other.pid!, ended: false });
      const t = io();
      expect(await portalUninstall('going', { workdir, yes: true, lang: 'ko' }, t)).toBe(2);
      expect(t.text()).toContain('실행 going이(가) 아직 진행 중입니다');
    } finally {
      other.kill();
    }
  });

  it('no terminal and no --yes: nothing is asked, nothing is done', async () => {
    seed('with-portal', ['connect', 'portal-archive', 'portal-deploy']);
    const t = io();
    expect(await portalUninstall('with-portal', { workdir, lang: 'en' }, t)).toBe(2);
    expect(t.text()).toContain('approve with --yes');
  });

  it('a terminal: the answer "n" leaves everything as it was', async () => {
    const t = { ...io(), isTTY: true, ask: async () => 'n' };
    expect(await portalUninstall('with-portal', { workdir, lang: 'en' }, t)).toBe(1);
  });
});
