// What the edge integration tests and the edge-join benchmark share: a plan for test hosts, a real run
// over SSH (the engine's runner, the SSH pool, the fakes on the hosts), and a search for leaked secrets.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode, RunOptions } from '../../../core/install/step.js';
import type { JournalState } from '../../../core/install/journal.js';
import { findRelease, type Release } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput, type Role } from '../../../core/plan/schema.js';
import type { TestHosts } from '../../hosts/harness.js';
import { installFakes } from '../../fakes/install.js';

export const RELEASE = 'k-paas-v1.6.2-kubeedge-1.23';

export function release(): Release {
  return findRelease(RELEASE)!;
}

export function fakeVersions(r: Release = release()) {
  return { kubernetes: r.kubernetes, kubeedge: r.kubeedge!.version, edgeKubelet: r.kubeedge!.edgeKubelet };
}

export function installAllFakes(hosts: TestHosts, r: Release = release()): void {
  for (const h of hosts.hosts) installFakes(h, fakeVersions(r));
}

/** Host i of the harness with the given roles; hosts not listed are left out of the plan. */
export function planFor(hosts: TestHosts, roles: Array<[number, Role[]]>, over: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: RELEASE,
    auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
    hosts: roles.map(([i, r]) => ({ name: hosts.hosts[i]!.name, address: hosts.hosts[i]!.address, roles: r })),
    ...over,
  } as PlanInput);
}

export interface RunArgs {
  hosts: TestHosts;
  mode: InstallMode;
  plan: Plan;
  workdir?: string;
  runId?: string;
  options?: Partial<RunOptions>;
  resume?: JournalState;
  parallel?: number;
}

export async function runMode(a: RunArgs): Promise<{ result: RunResult; workdir: string; run: InstallRun }> {
  const workdir = a.workdir ?? mkdtempSync(join(tmpdir(), 'cp-edge-'));
  const ssh = await openSsh(a.plan, {}, { knownHostsFile: a.hosts.knownHostsFile, useSshConfig: false, globalLimit: 64 });
  try {
    const run = new InstallRun({
      runId: a.runId ?? `edge-${Date.now()}`,
      workdir,
      mode: a.mode,
      plan: a.plan,
      release: findRelease(a.plan.release)!,
      options: { overrides: [], edgeVerifySeconds: 30, ...a.options },
      secrets: {},
      sessions: ssh.sessions,
      ...(a.resume ? { resume: a.resume } : {}),
      ...(a.parallel ? { parallel: a.parallel } : {}),
    });
    const result = await run.start();
    return { result, workdir, run };
  } finally {
    await ssh.close();
  }
}

/** Every file under dir whose bytes contain needle (journal, logs, outputs). */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}
