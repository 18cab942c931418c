// `cp-installer runs`: every run in the workdir with its status, newest first.
import type { Command } from 'commander';
import { defaultWorkdir, runSummaries } from '../../core/api/install.js';

export function formatRuns(runs: ReturnType<typeof runSummaries>): string {
  if (runs.length === 0) return 'No runs yet.\n';
  const rows = runs.map((r) => [r.id, r.mode, r.status, r.startedAt.replace('T', ' ').slice(0, 19), r.failedStep ?? '', r.planPath ?? '']);
  const head = ['RUN', 'MODE', 'STATUS', 'STARTED', 'FAILED STEP', 'PLAN'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('runs')
    .description('List runs with their status (interrupted: the installer stopped before the run ended)')
    .option('--workdir <dir>', 'where runs are kept (default ~/.cp-installer)')
    .option('--json', 'print JSON')
    .action((opts: { workdir?: string; json?: boolean }) => {
      const runs = runSummaries(opts.workdir ?? defaultWorkdir());
      process.stdout.write(opts.json ? `${JSON.stringify(runs, null, 2)}\n` : formatRuns(runs));
    });
}
