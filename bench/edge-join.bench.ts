// Joining 100 edge test hosts to a cluster (expand-edge: the cloud steps, then one `keadm join` per host over
// SSH) with the edge mode's join concurrency, against the same run one host at a time, on the same hosts in
// the same process. Prints both times, the ratio (target ≥ 8×) and peak memory.
//
// The fake keadm on each host spends BENCH_PULL_SECONDS (default 1) in "Pull Images", standing in for the
// image pull that dominates a real join (tens of seconds for kubeedge/installation-package on a real site); the rest is real: SSH sessions, sudo, the fake's Python start-up,
// the token fetched once, isDone per host. Needs root (the test hosts); exits 0 with a note otherwise.
//   npx tsx bench/edge-join.bench.ts           BENCH_EDGES=20 npx tsx bench/edge-join.bench.ts
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDGE_JOIN_CONCURRENCY, JOIN_MARKER } from '../core/modes/edge/state.js';
import { expandEdgeMode } from '../core/modes/expand-edge/index.js';
import type { InstallMode, Step } from '../core/install/step.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../test/hosts/harness.js';
import { readCluster, seedExistingCluster, setPullSeconds, stopCloudcore } from '../test/fakes/install.js';
import { installAllFakes, planFor, release, runMode } from '../test/integration/edge/helpers.js';

const EDGES = Number(process.env.BENCH_EDGES ?? 100);
const PULL = Number(process.env.BENCH_PULL_SECONDS ?? 1);

/**
 * expand-edge with the join step's fan-out set, and the join step timed: from the token being there to the
 * step after the joins starting.
 */
function timedMode(concurrency: number, times: { start: number; end: number }): InstallMode {
  return {
    ...expandEdgeMode,
    steps: (plan, rel, options) =>
      expandEdgeMode.steps(plan, rel, options).map((s): Step => {
        if (s.id === 'edge-join') return { ...s, concurrency } as Step;
        if (s.id === 'keadm-gettoken') return { ...s, run: async (ctx) => (await s.run(ctx), void (times.start = performance.now())) };
        // The step after the joins may be skipped (isDone), so the timer is its isDone call or run, whichever comes.
        if (s.id === 'edge-affinity-after-join') {
          const stamp = () => (times.end ||= performance.now());
          return { ...s, isDone: async (ctx) => (stamp(), s.isDone!(ctx)), run: async (ctx) => (stamp(), s.run(ctx)) };
        }
        return s;
      }),
  };
}

/** Puts the edge hosts back to never-joined: the fake's edgecore state, our marker, the Node objects. */
async function unjoin(hosts: TestHosts): Promise<void> {
  for (const h of hosts.hosts.slice(1)) {
    rmSync(join(h.dir, 'lib', 'fake-k8s', 'edge'), { recursive: true, force: true });
    rmSync(join(h.dir, 'lib', JOIN_MARKER.split('/').pop()!), { force: true });
  }
  const file = join(hosts.hosts[0]!.dir, 'lib', 'fake-k8s', 'cluster.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ metadata: { labels: Record<string, string> } }> };
  state.nodes = state.nodes.filter((n) => !('node-role.kubernetes.io/edge' in n.metadata.labels));
  writeFileSync(file, JSON.stringify(state));
}

interface Measured {
  totalMs: number;
  joinMs: number;
  peakRssMb: number;
  joined: number;
}

async function measure(hosts: TestHosts, concurrency: number, runId: string): Promise<Measured> {
  const plan = planFor(
    hosts,
    [[0, ['control-plane']], ...hosts.hosts.slice(1).map((h): [number, ['edge']] => [h.index, ['edge']])],
    { mode: 'expand-edge' },
  );
  const times = { start: 0, end: 0 };
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const { result } = await runMode({ hosts, mode: timedMode(concurrency, times), plan, runId, parallel: concurrency, options: { edgeVerifySeconds: 120 } });
  const totalMs = performance.now() - t0;
  clearInterval(sampler);
  if (result.status !== 'succeeded') throw new Error(`${runId}: ${JSON.stringify(result.error)} ${JSON.stringify(result.failure)}`);
  const joined = (readCluster(hosts.hosts[0]!)?.nodes ?? []).filter((n) => 'node-role.kubernetes.io/edge' in n.metadata.labels).length;
  return { totalMs, joinMs: times.end - times.start, peakRssMb: peak / 1024 / 1024, joined };
}

async function main(): Promise<void> {
  const can = canRunTestHosts();
  if (!can.ok) {
    console.log(`edge-join bench skipped: ${can.reason}`);
    return;
  }
  const t0 = performance.now();
  // The harness occasionally loses a host at start-up under heavy load (a host key it cannot read, an sshd
  // not ready in time): try up to three times.
  let hosts: TestHosts | undefined;
  for (let attempt = 1; !hosts; attempt++) {
    try {
      hosts = await startTestHosts({ count: EDGES + 1 });
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`test hosts did not start (${(e as Error).message.split('\n')[0]}); trying again`);
    }
  }
  console.log(`${EDGES + 1} test hosts up in ${((performance.now() - t0) / 1000).toFixed(1)} s; fake image pull ${PULL} s per join`);
  try {
    installAllFakes(hosts);
    for (const h of hosts.hosts.slice(1)) setPullSeconds(h, PULL);
    const h0 = hosts.hosts[0]!;
    seedExistingCluster(h0, release().kubernetes, [{ name: h0.name, ip: h0.address, roles: ['control-plane'] }]);

    const par = await measure(hosts, EDGE_JOIN_CONCURRENCY, 'bench-parallel');
    await unjoin(hosts);
    const seq = await measure(hosts, 1, 'bench-one-by-one');
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`edge hosts joined: ${par.joined} (parallel run), ${seq.joined} (one-by-one run)`);
    console.log(`joins, concurrency ${EDGE_JOIN_CONCURRENCY}: ${s(par.joinMs)} (whole run ${s(par.totalMs)}); one by one: ${s(seq.joinMs)} (whole run ${s(seq.totalMs)})`);
    console.log(`edge-join ratio (one-by-one / parallel, join step): ${(seq.joinMs / par.joinMs).toFixed(1)}× (target ≥ 8×)`);
    console.log(`edge-join ratio (whole run): ${(seq.totalMs / par.totalMs).toFixed(1)}×`);
    console.log(`peak RSS: parallel ${par.peakRssMb.toFixed(0)} MB, one-by-one ${seq.peakRssMb.toFixed(0)} MB`);
  } finally {
    stopCloudcore(hosts.hosts[0]!);
    await hosts.stop();
  }
}

await main();
