// 100 edge joins, whole processes, on 101 real OpenSSH test hosts with the strict fake keadm
// (test/fakes/keadm: it refuses unknown flags and a wrong token, asks the fake cloudcore for a certificate,
// registers the node; BENCH_PULL_SECONDS, default 1, stands in for the image pull):
//   - the installer: a process running its expand-edge mode at the product's defaults (SSH pool limit,
//     the join step's concurrency), bench/lib/edge-join-worker.ts; its join step is also timed inside;
//   - Ansible: `ansible edges -m shell -b -f 100` running the SAME command line the installer runs on each
//     host (clean-up of an earlier attempt, then `keadm join …`; the token on stdin as the installer sends
//     it), forks = hosts.
// Between runs every edge host is put back to never-joined. The sides take turns, order alternated.
// Needs root; prints "skipped: <why>" otherwise.
//   npx tsx bench/edge-join.bench.ts [--runs R]        BENCH_EDGES=20 npx tsx bench/edge-join.bench.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellJoin } from '../core/common/quote.js';
import { advertiseAddresses, JOIN_MARKER } from '../core/modes/edge/state.js';
import { cloudKubeconfig } from '../core/modes/expand-edge/cloud.js';
import { keadmGettoken, keadmJoin, keadmJoinCleanup } from '../core/tools/kubeedge/commands.js';
import { parseGettoken } from '../core/tools/kubeedge/parser.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../test/hosts/harness.js';
import { readCluster, seedExistingCluster, setPullSeconds, stopCloudcore } from '../test/fakes/install.js';
import { installAllFakes, planFor, release } from '../test/integration/edge/helpers.js';
import { ROOT } from './lib/cli-build.js';
import { loadNote, median, spreadS, timedProcess } from './lib/measure.js';

const EDGES = Number(process.env.BENCH_EDGES ?? 100);
const PULL = Number(process.env.BENCH_PULL_SECONDS ?? 1);

/** Puts the edge hosts back to never-joined: the fake's edgecore state, our marker, the Node objects. */
function unjoin(hosts: TestHosts): void {
  for (const h of hosts.hosts.slice(1)) {
    rmSync(join(h.dir, 'lib', 'fake-k8s', 'edge'), { recursive: true, force: true });
    rmSync(join(h.dir, 'lib', JOIN_MARKER.split('/').pop()!), { force: true });
  }
  const file = join(hosts.hosts[0]!.dir, 'lib', 'fake-k8s', 'cluster.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ metadata: { labels: Record<string, string> } }> };
  state.nodes = state.nodes.filter((n) => !('node-role.kubernetes.io/edge' in n.metadata.labels));
  writeFileSync(file, JSON.stringify(state));
}

function joinedCount(hosts: TestHosts): number {
  return (readCluster(hosts.hosts[0]!)?.nodes ?? []).filter((n) => 'node-role.kubernetes.io/edge' in n.metadata.labels).length;
}

interface Run {
  wallMs: number;
  cpuMs: number;
  joinMs?: number;
  joined: number;
}

async function main(): Promise<void> {
  const can = canRunTestHosts();
  if (!can.ok) {
    console.log(`edge-join bench skipped: ${can.reason}`);
    return;
  }
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const rounds = at >= 0 ? Math.max(1, Number(args[at + 1]) || 1) : 3;
  const t0 = performance.now();
  let hosts: TestHosts | undefined;
  // The harness occasionally loses a host at start-up under heavy load: try up to three times.
  for (let attempt = 1; !hosts; attempt++) {
    try {
      hosts = await startTestHosts({ count: EDGES + 1 });
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`test hosts did not start (${(e as Error).message.split('\n')[0]}); trying again`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'edge-join-bench-'));
  console.log(`${EDGES + 1} test hosts up in ${((performance.now() - t0) / 1000).toFixed(1)} s; fake image pull ${PULL} s per join`);
  try {
    installAllFakes(hosts);
    for (const h of hosts.hosts.slice(1)) setPullSeconds(h, PULL);
    const h0 = hosts.hosts[0]!;
    seedExistingCluster(h0, release().kubernetes, [{ name: h0.name, ip: h0.address, roles: ['control-plane'] }]);
    const plan = planFor(hosts, [[0, ['control-plane']], ...hosts.hosts.slice(1).map((h): [number, ['edge']] => [h.index, ['edge']])], { mode: 'expand-edge' });
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));

    const product = async (): Promise<Run> => {
      const workdir = mkdtempSync(join(dir, 'run-'));
      const t = await timedProcess(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'lib', 'edge-join-worker.ts'), planFile, hosts!.knownHostsFile, workdir], { name: 'edge-product', cwd: ROOT });
      const out = JSON.parse(t.stdout.trim().split('\n').pop() || '{}') as { status?: string; joinMs?: number; error?: string };
      if (out.status !== 'succeeded') throw new Error(`installer run: ${out.status ?? `exit ${t.code}`} ${out.error ?? t.stderr.slice(-500)}`);
      return { wallMs: t.wallMs, cpuMs: t.cpuMs, joinMs: out.joinMs!, joined: joinedCount(hosts!) };
    };

    // The first installer run also does the cloud side (keadm init → the fake cloudcore), which Ansible's
    // side then needs as well; it is a warm-up, not counted. The token is then read as the installer reads it.
    await product();
    unjoin(hosts);
    const tok = await hosts.exec(0, `PATH=/usr/local/bin:$PATH ${keadmGettoken(cloudKubeconfig(plan))}`);
    const token = parseGettoken(tok.stdout);
    if (!token) throw new Error(`no join token from the fake cloud side: ${tok.stdout}${tok.stderr}`);

    // The installer's own command line for each host, as its join step builds it.
    const version = release().kubeedge!.version;
    const cloudcore = advertiseAddresses(plan, plan.hosts[0]!)[0]!;
    const lines = ['edges:', '  vars:', `    ansible_user: ${JSON.stringify(hosts.user)}`, `    ansible_ssh_private_key_file: ${JSON.stringify(hosts.keyPath)}`];
    lines.push('    ansible_python_interpreter: /usr/bin/python3', `    ansible_ssh_common_args: ${JSON.stringify(`-o UserKnownHostsFile=${hosts.knownHostsFile}`)}`, '  hosts:');
    for (const h of hosts.hosts.slice(1)) {
      const cmd = keadmJoin({ kubeedgeVersion: version, cloudcoreAddress: cloudcore, nodeName: h.name, runtime: plan.cluster.runtime, labels: plan.hosts.find((x) => x.name === h.name)!.labels }, keadmJoinCleanup(version, JOIN_MARKER));
      // The token on stdin, as the installer sends it.
      const full = `printf '%s\\n' ${shellJoin([token])} | { ${cmd}; }`;
      lines.push(`    ${h.name}:`, `      ansible_host: ${JSON.stringify(h.address)}`, `      join_cmd: !unsafe ${JSON.stringify(full)}`);
    }
    const inv = join(dir, 'edges.yaml');
    writeFileSync(inv, `${lines.join('\n')}\n`);

    const ansible = async (): Promise<Run> => {
      const cp = mkdtempSync(join(dir, 'cp-'));
      const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_SSH_CONTROL_PATH_DIR: cp };
      const t = await timedProcess('ansible', ['edges', '-i', inv, '-m', 'shell', '-b', '-a', '{{ join_cmd }}', '-f', String(EDGES), '-o'], { name: 'edge-ansible', env });
      const ok = t.stdout.split('\n').filter((l) => / \| CHANGED \| rc=0 /.test(l)).length;
      if (ok < EDGES) console.log(`ansible: ${ok}/${EDGES} joined; ${t.stdout.split('\n').filter((l) => /FAILED|UNREACHABLE/.test(l)).slice(0, 2).join(' | ').slice(0, 500)}`);
      return { wallMs: t.wallMs, cpuMs: t.cpuMs, joined: joinedCount(hosts!) };
    };

    const runs = { product: [] as Run[], ansible: [] as Run[] };
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (['product', 'ansible'] as const) : (['ansible', 'product'] as const)) {
        const x = side === 'product' ? await product() : await ansible();
        runs[side].push(x);
        unjoin(hosts);
      }
    }
    const p = runs.product;
    const a = runs.ansible;
    console.log(`--- ${EDGES} edge joins, ${rounds} rounds (${loadNote()} at the end) ---`);
    console.log(`cp-installer (whole process)         wall ${spreadS(p.map((x) => x.wallMs), 1)}; join step ${spreadS(p.map((x) => x.joinMs!), 1)}; CPU ${spreadS(p.map((x) => x.cpuMs), 1)}; joined ${p.map((x) => x.joined).join('/')}`);
    console.log(`ansible -m shell -b -f ${EDGES} (same line)  wall ${spreadS(a.map((x) => x.wallMs), 1)}; CPU ${spreadS(a.map((x) => x.cpuMs), 1)}; joined ${a.map((x) => x.joined).join('/')}`);
    const perRound = a.map((x, i) => x.wallMs / p[i]!.wallMs);
    console.log(`edge-join ratio ansible / cp-installer, whole processes: ${(median(a.map((x) => x.wallMs)) / median(p.map((x) => x.wallMs))).toFixed(1)}× (per round ${Math.min(...perRound).toFixed(1)}–${Math.max(...perRound).toFixed(1)}×)`);
    console.log(`edge-join ratio ansible whole process / cp-installer join step: ${(median(a.map((x) => x.wallMs)) / median(p.map((x) => x.joinMs!))).toFixed(1)}×`);
  } finally {
    stopCloudcore(hosts.hosts[0]!);
    await hosts.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
