// A million lines of recorded Ansible output (test/fixtures/ansible/*.stdout, replayed in a loop, with a
// known secret mixed into some lines) through the install engine's log pipeline as a run uses it: the
// Kubespray output parser, redaction, the per-step/host disk sink and the in-memory ring. Prints lines/s and
// peak memory, and a peer run side by side over the same lines written to a file: `sed` doing the same
// redaction and `grep -c` just reading them. Target: >= 200,000 lines/s, memory flat in the log's length.
//
// Run: npx tsx bench/log-pipeline.bench.ts [lines]   (or through `npm run bench`)
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogHub } from '../core/install/logs.js';
import { Redactor } from '../core/install/redact.js';
import { AnsibleOutputParser, estimateTasks } from '../core/tools/kubespray/parser.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RECORDINGS = join(HERE, '..', 'test', 'fixtures', 'ansible');
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
  target: number;
  ok: boolean;
}

function recordedLines(): string[] {
  const files = readdirSync(RECORDINGS).filter((f) => f.endsWith('.stdout')).sort();
  if (files.length === 0) throw new Error(`no recordings in ${RECORDINGS}`);
  const lines: string[] = [];
  for (const f of files) lines.push(...readFileSync(join(RECORDINGS, f), 'utf8').split('\n'));
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
    hub.subscribe((batch) => (delivered += batch.length));
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
    };
    void statSync(logFile);
    void delivered;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(r: LogPipelineResult): string {
  const rows = [
    `log pipeline: ${r.lines.toLocaleString('en')} lines of recorded Ansible output (parser + redaction + disk + ring)`,
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
