// The offline bundle's upload to a deployer, whole processes, on one real OpenSSH test host:
//   - the installer: `cp-installer bundle upload FILE --plan P --to DIR` (into `<dest>.part`, the bytes carried
//     by OpenSSH's client when there is one, else SFTP over ssh2 (CP_INSTALLER_OPENSSH=0 forces that); the
//     host's sha256 of the whole file compared with the local one, then the rename): what a person runs;
//   - OpenSSH: `scp` of the same file to the same host with the same key and known_hosts, no checksum.
// Every run starts with nothing on the host (no part to resume from). The sides take turns, order
// alternated; medians and spread; the ratio is the installer's throughput over scp's (goal ≥ 0.9×).
// Needs root (the test hosts); prints "skipped: <why>" otherwise.
//   npx tsx bench/bundle-upload.bench.ts [--runs R] [--phases: where the time goes, piece by piece]        BENCH_UPLOAD_MB=1024 npx tsx bench/bundle-upload.bench.ts
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../test/hosts/harness.js';
import { cliBin } from './lib/cli-build.js';
import { CpuGroup, loadNote, median, spreadS, timedProcess, turnOrder, type Timed } from './lib/measure.js';
import { phases } from './lib/upload-phases.js';

const MB = Number(process.env.BENCH_UPLOAD_MB ?? 256);
const GOAL = 0.9;

async function main(): Promise<void> {
  const can = canRunTestHosts();
  if (!can.ok) {
    console.log(`bundle-upload bench skipped: ${can.reason}`);
    return;
  }
  if (spawnSync('scp', ['-V'], { encoding: 'utf8' }).error) {
    console.log('bundle-upload bench skipped: no scp (openssh-client) on this machine');
    return;
  }
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const rounds = at >= 0 ? Math.max(1, Number(args[at + 1]) || 1) : 3;
  const bin = cliBin();
  const th: TestHosts = await startTestHosts({ count: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'bundle-upload-bench-'));
  try {
    const size = MB * 1024 * 1024;
    const file = join(dir, 'bundle.tar');
    const fd = openSync(file, 'w');
    for (let done = 0; done < size; done += 4 * 1024 * 1024) writeSync(fd, randomBytes(Math.min(4 * 1024 * 1024, size - done)));
    closeSync(fd);
    const h = th.hosts[0]!;
    const net = th.bridgeAddress.replace(/\.\d+$/, '');
    const planFile = join(dir, 'plan.json');
    writeFileSync(
      planFile,
      JSON.stringify({
        apiVersion: 'cp-installer/v1',
        kind: 'Plan',
        mode: 'standalone',
        release: 'k-paas-v1.6.2',
        auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
        hosts: [{ name: 'deployer', address: h.address, roles: ['control-plane', 'worker', 'deployer', 'nfs'] }],
        network: { metallbRange: `${net}.150-${net}.160`, ingressIp: `${net}.161` },
      }),
    );
    if (args.includes('--phases')) {
      await phases(th, file, bin, planFile, rounds);
      return;
    }
    const home = `/home/${th.user}`;
    const clean = async () => {
      const r = await th.exec(0, `rm -rf ${home}/bench-up ${home}/bench-scp && install -d -o ${th.user} ${home}/bench-up ${home}/bench-scp`);
      if (r.code !== 0) throw new Error(`cleaning the host: ${r.stderr}`);
    };

    // What carried the bytes (OpenSSH's client when this machine has one, else SFTP over ssh2), as reported.
    const carriers = new Set<string>();
    const product = async (): Promise<Timed> => {
      const t = await timedProcess(process.execPath, [bin, 'bundle', 'upload', file, '--plan', planFile, '--to', 'bench-up', '--known-hosts', th.knownHostsFile, '--json'], {
        name: 'upload',
      });
      if (t.code !== 0) throw new Error(`cp-installer bundle upload: exit ${t.code}: ${t.stderr.slice(-500)}`);
      const r = JSON.parse(t.stdout) as { sent: number; size: number; carrier?: string };
      if (r.sent !== size) throw new Error(`cp-installer sent ${r.sent} of ${size} bytes (a part was resumed?)`);
      carriers.add(r.carrier ?? 'sftp');
      return t;
    };
    const scp = async (): Promise<Timed> => {
      const t = await timedProcess(
        'scp',
        ['-q', '-i', th.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${th.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes', file, `${th.user}@${h.address}:bench-scp/bundle.tar`],
        { name: 'scp' },
      );
      if (t.code !== 0) throw new Error(`scp: exit ${t.code}: ${t.stderr.slice(-500)}`);
      return t;
    };

    console.log(`${MB} MiB file, ${rounds} rounds; node ${process.version}; CLI: ${bin}; CPU accounting: ${CpuGroup.available() ? 'cpuacct cgroups' : 'rusage (no cgroup)'}`);
    // One of each first, uncounted: page cache, sshd's first fork, the CLI bundle's first load.
    await clean();
    await product();
    await clean();
    await scp();
    const runs = { product: [] as Timed[], scp: [] as Timed[] };
    for (let r = 0; r < rounds; r++) {
      for (const side of turnOrder(['product', 'scp'] as const, r)) {
        await clean();
        runs[side].push(side === 'product' ? await product() : await scp());
      }
    }
    const rate = (ms: number) => `${(MB / (ms / 1000)).toFixed(1)} MiB/s`;
    const p = runs.product.map((x) => x.wallMs);
    const s = runs.scp.map((x) => x.wallMs);
    console.log(`--- bundle upload of ${MB} MiB to a test host, ${rounds} rounds (${loadNote()} at the end) ---`);
    console.log(`cp-installer bundle upload (whole process, sha256 on both ends, bytes carried by ${[...carriers].join(' + ')})  wall ${spreadS(p)}  ${rate(median(p))}; CPU ${spreadS(runs.product.map((x) => x.cpuMs))}; peak RSS ${Math.max(...runs.product.map((x) => x.peakRssKb))} kB`);
    console.log(`scp (whole process, no checksum)                                   wall ${spreadS(s)}  ${rate(median(s))}; CPU ${spreadS(runs.scp.map((x) => x.cpuMs))}`);
    const ratio = median(s) / median(p);
    const per = s.map((x, i) => x / p[i]!);
    console.log(`bundle-upload ratio cp-installer / scp throughput: ${ratio.toFixed(2)}× (per round ${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)}×)`);
    console.log(`target: ≥ ${GOAL}× scp's throughput with the checksum included: ${ratio >= GOAL ? 'met' : 'missed'}`);
  } finally {
    await th.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
