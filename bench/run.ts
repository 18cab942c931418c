// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose file name contains one of the
// NAMEs), one after the other, each in its own process (so each one's memory is its own), shows its output
// as it comes, and ends with a summary of every bench's ratio lines and exit status.
//
// A bench is a file `bench/<name>.bench.ts` that runs when executed directly (`npx tsx bench/x.bench.ts`)
// and prints its figures; the lines it prints containing "ratio" or "×" are its ratios for the summary, and
// its "target: …" and "… skipped: <why>" lines are carried there too, so a skipped bench or a missed goal
// is never lost in the scroll.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

export function discover(filters: string[], files = readdirSync(DIR)): string[] {
  return files
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
    .sort();
}

/** The lines of a bench's output that carry its ratios, targets, or why it was skipped. */
export function ratioLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => /ratio|×|skipped: |target: /i.test(l));
}

interface Outcome {
  file: string;
  code: number | null;
  ms: number;
  ratios: string[];
}

function runOne(file: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(DIR, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ file, code, ms: Date.now() - started, ratios: ratioLines(out) }));
  });
}

async function main(argv: string[]): Promise<number> {
  const files = discover(argv);
  if (!files.length) {
    process.stderr.write(`no bench matches ${argv.join(' ')} (have: ${discover([]).join(', ')})\n`);
    return 2;
  }
  const outcomes: Outcome[] = [];
  for (const f of files) {
    process.stdout.write(`\n=== ${f} ===\n`);
    outcomes.push(await runOne(f));
  }
  process.stdout.write('\n=== summary ===\n');
  for (const o of outcomes) {
    process.stdout.write(`${o.file}  ${o.code === 0 ? 'ok' : `FAILED (exit ${o.code})`}  ${(o.ms / 1000).toFixed(1)} s\n`);
    for (const r of o.ratios) process.stdout.write(`    ${r.trim()}\n`);
  }
  return outcomes.every((o) => o.code === 0) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
