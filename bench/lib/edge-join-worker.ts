// One whole process of the edge-join bench's product side: the installer's expand-edge mode (its cloud
// steps find their work done and skip; the token is fetched once; then one `keadm join` per edge host)
// with the product's defaults: the SSH pool's default limit and the join step's own concurrency. Prints
// one JSON line: the join step's time (from the token being there to the step after the joins starting),
// the run's status, and the process's time from its start.
//   node --import tsx bench/lib/edge-join-worker.ts PLAN.json KNOWN_HOSTS WORKDIR
import { readFileSync } from 'node:fs';
import { InstallRun } from '../../core/install/runner.js';
import { openSsh } from '../../core/install/ssh-provider.js';
import type { InstallMode, Step } from '../../core/install/step.js';
import { expandEdgeMode } from '../../core/modes/expand-edge/index.js';
import { findRelease } from '../../core/plan/catalog.js';
import { Plan } from '../../core/plan/schema.js';

const [planFile, knownHostsFile, workdir] = process.argv.slice(2);
const times = { start: 0, end: 0 };

/** expand-edge as the product runs it, with the join step's start and end stamped (nothing else changed). */
const mode: InstallMode = {
  ...expandEdgeMode,
  steps: (plan, rel, options) =>
    expandEdgeMode.steps(plan, rel, options).map((s): Step => {
      if (s.id === 'keadm-gettoken') return { ...s, run: async (ctx) => (await s.run(ctx), void (times.start = performance.now())) };
      // The step after the joins may be skipped (isDone): its isDone call or run, whichever comes first.
      if (s.id === 'edge-affinity-after-join') {
        const stamp = () => (times.end ||= performance.now());
        return { ...s, isDone: async (ctx) => (stamp(), s.isDone!(ctx)), run: async (ctx) => (stamp(), s.run(ctx)) };
      }
      return s;
    }),
};

const plan = Plan.parse(JSON.parse(readFileSync(planFile!, 'utf8')));
const ssh = await openSsh(plan, {}, { knownHostsFile: knownHostsFile!, useSshConfig: false });
try {
  const run = new InstallRun({
    runId: `bench-${Date.now()}`,
    workdir: workdir!,
    mode,
    plan,
    release: findRelease(plan.release)!,
    options: { overrides: [], edgeVerifySeconds: 120 },
    secrets: {},
    sessions: ssh.sessions,
  });
  const result = await run.start();
  process.stdout.write(
    `${JSON.stringify({ status: result.status, joinMs: times.end - times.start, processMs: performance.now(), error: result.status === 'succeeded' ? undefined : JSON.stringify(result.error ?? result.failure).slice(0, 500) })}\n`,
  );
} finally {
  await ssh.close();
}
