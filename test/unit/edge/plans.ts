// Plans for the edge unit tests, and a dry run of an edge mode over one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallRun } from '../../../core/install/runner.js';
import type { ModeDescriptor } from '../../../core/modes/descriptor.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';

export function edgePlan(over: Partial<PlanInput> = {}, edges = 2): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'edge',
    release: 'k-paas-v1.6.2-kubeedge-1.23',
    auth: [{ name: 'default', method: 'key', keyPath: '/k', user: 'ubuntu' }],
    hosts: [
      { name: 'cp1', address: '203.0.113.5', privateAddress: '10.0.0.10', roles: ['control-plane'] },
      ...Array.from({ length: edges }, (_, i) => ({ name: `edge-${i + 1}`, address: `10.0.1.${i + 1}`, roles: ['edge'] })),
    ],
    ...over,
  } as PlanInput);
}

/** A dry run of `mode` over `plan` (no connection): its result and the steps it listed. */
export async function dryRunEdge(mode: ModeDescriptor, plan: Plan) {
  const run = new InstallRun({
    runId: 'dry',
    workdir: mkdtempSync(join(tmpdir(), 'edge-dry-')),
    mode,
    plan,
    release: findRelease(plan.release)!,
    options: { overrides: [] },
    secrets: {},
    dryRun: true,
  });
  const result = await run.start();
  return { result, infos: run.stepInfos };
}
