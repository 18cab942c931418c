// A million lines of real recorded Ansible output in the platform's Kubespray format through the install
// engine's log pipeline as a run uses it: the Kubespray output parser, redaction, the per-step/host disk
// sink, the in-memory ring and a subscriber (a window). The input is bench/fixtures/kubespray-v1.6.2.stdout,
// recorded by bench/lib/record-kubespray.ts from a real ansible-playbook run over real OpenSSH test hosts
// with a playbook made of the v1.6.2 tree's plays and task names and the tree's callbacks (profile_tasks);
// it is replayed in a loop to the line count asked for, with a known secret mixed into one line in 50.
// Checked, not assumed: every line is delivered to the subscriber once, in order (the last seq equals the
// input count), the disk log holds exactly the input's line count, the ring holds its capacity's worth, and
// the secret is nowhere in the file. Peers on the same lines from a file: `sed` doing the same redaction and
// `grep -c` just reading them. Target: >= 200,000 lines/s, memory flat in the log's length.
//
// Run: npx tsx bench/log-pipeline.bench.ts [lines]   (or through `npm run bench`)
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogHub } from '../core/install/logs.js';
import { Redactor } from '../core/install/redact.js';
import { AnsibleOutputParser, estimateTasks } from '../core/tools/kubespray/parser.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RECORDING = join(HERE, 'fixtures', 'kubespray-v1.6.2.stdout');
const SECRET = 'B3nch-S3cret!pw';

export interface LogPipelineResult {
  name: string;
  lines: number;
  seconds: number;
  linesPerSecond: number;
  peakRssMb: number;
  /** Heap after 10% of the lines and at the end: flat memory means these stay close. */
  heapEarlyMb: number;
  heapEndMb: number;
  peers: Array<{ name: string; seconds: number; linesPerSecond: number; ratio: number }>;
  recordedLines: number;
  delivered: number;
  lastSeq: number;
  onDisk: number;
  ringHeld: number;
  ringCapacity: number;
  target: number;
  ok: boolean;
}

function recordedLines(): string[] {
  if (!existsSync(RECORDING)) throw new Error(`${RECORDING} is missing: record it with npx tsx bench/lib/record-kubespray.ts`);
  const lines = readFileSync(RECORDING, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // Secrets show up in real output now and then (a failed task echoing its command): one line in 50 here.
  return lines.map((l, i) => (i % 50 === 7 ? `${l} password=${SECRET}` : l));
}

function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

async function writeReplay(path: string, base: string[], total: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk: string[] = [];
  for (let i = 0; i < total; i++) {
    chunk.push(base[i % base.length] as string);
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

function timePeer(name: string, cmd: string, args: string[], lines: number, ours: number) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && !(cmd === 'grep' && r.status === 1)) throw new Error(`${name} failed: ${r.stderr?.toString()}`);
  const lps = lines / seconds;
  return { name, seconds, linesPerSecond: Math.round(lps), ratio: Math.round((ours / lps) * 100) / 100 };
}

export async function run(total = 1_000_000): Promise<LogPipelineResult> {
  const base = recordedLines();
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-logs-'));
  try {
    const redactor = new Redactor([SECRET, 'another-token-value', 'sudo-pass-123']);
    const hub = new LogHub({ runId: 'bench', logsDir: join(dir, 'logs'), redactor, ringSize: 20_000 });
    // A subscriber as a window would have one: batches arrive and are dropped.
    let delivered = 0;
    let inOrder = true;
    let lastSeq = 0;
    hub.subscribe((batch) => {
      for (const e of batch) {
        if (e.seq !== lastSeq + 1) inOrder = false;
        lastSeq = e.seq;
      }
      delivered += batch.length;
    });
    const parser = new AnsibleOutputParser({ expectedTasks: estimateTasks('2.28') });
    global.gc?.();
    let peakRss = process.memoryUsage().rss;
    let heapEarly = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < total; i++) {
      const line = base[i % base.length] as string;
      parser.line(line);
      hub.write('kubespray', 'master-1', 'stdout', line);
      if (i % 50_000 === 0) {
        const m = process.memoryUsage();
        if (m.rss > peakRss) peakRss = m.rss;
        if (i === Math.floor(total / 10 / 50_000) * 50_000) {
          global.gc?.();
          heapEarly = process.memoryUsage().heapUsed;
        }
        // Let the batch timers run, as the event loop would between SSH data events.
        await new Promise((r) => setImmediate(r));
      }
    }
    hub.close();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // Live heap, not garbage not yet collected (when run with --expose-gc, as `npm run bench` can).
    global.gc?.();
    const end = process.memoryUsage();
    peakRss = Math.max(peakRss, end.rss);
    const logFile = LogHub.pathFor(join(dir, 'logs'), 'kubespray', 'master-1');
    const written = readFileSync(logFile, 'utf8');
    if (written.includes(SECRET)) throw new Error('a secret reached the log file');
    let onDisk = 0;
    for (let i = written.indexOf('\n'); i >= 0; i = written.indexOf('\n', i + 1)) onDisk++;
    const ringHeld = hub.tail().length;
    const problems = [
      delivered !== total && `delivered ${delivered} of ${total} lines`,
      !inOrder && 'lines delivered out of order or twice',
      lastSeq !== total && `last seq ${lastSeq}, expected ${total}`,
      onDisk !== total && `${onDisk} lines on disk, expected ${total}`,
      ringHeld !== Math.min(total, 20_000) && `ring holds ${ringHeld}, expected ${Math.min(total, 20_000)}`,
    ].filter(Boolean);
    if (problems.length) throw new Error(`log pipeline lost or changed lines: ${problems.join('; ')}`);
    const lps = total / seconds;

    const replay = join(dir, 'replay.log');
    await writeReplay(replay, base, total);
    const peers = [
      timePeer('sed (same redaction)', 'sed', ['-e', `s/${SECRET}/***/g`, replay], total, lps),
      timePeer('grep -c (read only)', 'grep', ['-c', '', replay], total, lps),
    ];
    const result: LogPipelineResult = {
      name: 'log-pipeline',
      lines: total,
      seconds: Math.round(seconds * 1000) / 1000,
      linesPerSecond: Math.round(lps),
      peakRssMb: mb(peakRss),
      heapEarlyMb: mb(heapEarly),
      heapEndMb: mb(end.heapUsed),
      peers,
      target: 200_000,
      ok: lps >= 200_000,
      recordedLines: base.length,
      delivered,
      lastSeq,
      onDisk,
      ringHeld,
      ringCapacity: 20_000,
    };
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(r: LogPipelineResult): string {
  const rows = [
    `log pipeline: ${r.lines.toLocaleString('en')} lines (a ${r.recordedLines.toLocaleString('en')}-line real recording in the v1.6.2 Kubespray format, looped) through parser + redaction + disk + ring`,
    `  delivered ${r.delivered.toLocaleString('en')} of ${r.lines.toLocaleString('en')} in order (last seq ${r.lastSeq}), ${r.onDisk.toLocaleString('en')} lines on disk, ring ${r.ringHeld}/${r.ringCapacity}: checked`,
    `  cp-installer          ${r.linesPerSecond.toLocaleString('en').padStart(12)} lines/s  ${r.seconds.toFixed(2)} s  (target ≥ ${r.target.toLocaleString('en')}: ${r.ok ? 'met' : 'NOT met'})`,
    ...r.peers.map(
      (p) => `  ${p.name.padEnd(22)}${p.linesPerSecond.toLocaleString('en').padStart(12)} lines/s  ${p.seconds.toFixed(2)} s  ratio cp-installer/peer ${p.ratio}`,
    ),
    `  memory: peak RSS ${r.peakRssMb} MB; heap after 10% ${r.heapEarlyMb} MB, at the end ${r.heapEndMb} MB`,
  ];
  return rows.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = await run(n);
  console.log(format(r));
  process.exitCode = r.ok ? 0 : 1;
}
