// What a person hands over about a run — the HTML report and the support bundle — for any run that ended
// (succeeded, failed, cancelled, interrupted), found through its journal. The wizard (through the service)
// and the CLI (`cp-installer report`, `cp-installer support-bundle`) both come here.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Lang } from '../common/messages.js';
import { loadJournal, runDir } from '../install/journal.js';
import { writeRunReport } from '../install/run-report.js';
import { writeSupportBundle } from '../outputs/bundle.js';
import { Plan } from '../plan/schema.js';
import { coreMessages } from './messages.js';
import { runState } from './install.js';

export class NoSuchRunError extends Error {}

function checkRun(workdir: string, runId: string): void {
  let dir: string;
  try {
    dir = runDir(workdir, runId);
  } catch {
    throw new NoSuchRunError(runId);
  }
  if (!existsSync(join(dir, 'journal.jsonl'))) throw new NoSuchRunError(runId);
}

/**
 * The run's report, written now from the journal in the reader's language: a failed or cancelled run has one
 * too, with the failure first, and a Korean screen opens a Korean report (the report step's copy was English).
 */
export function runReport(workdir: string, runId: string, lang: Lang = 'en'): string {
  checkRun(workdir, runId);
  const state = runState(workdir, runId);
  return writeRunReport(workdir, runId, coreMessages, lang, new Map(state.steps.map((s) => [s.id, s.title])));
}

/** `<workdir>/support/cp-installer-<run>.tar.gz`: the run folder (with its report), the plan; no credentials. */
export async function runSupportBundle(workdir: string, runId: string, lang: Lang = 'en'): Promise<string> {
  checkRun(workdir, runId);
  runReport(workdir, runId, lang);
  const state = loadJournal(workdir, runId);
  const parsed = Plan.safeParse(state.start.plan);
  // Beside the runs, not inside the run folder the bundle packs.
  const outPath = join(workdir, 'support', `cp-installer-${runId}.tar.gz`);
  await mkdir(dirname(outPath), { recursive: true, mode: 0o700 });
  await writeSupportBundle({
    outPath,
    name: `cp-installer-${runId}`,
    runDir: runDir(workdir, runId),
    ...(parsed.success ? { plan: parsed.data } : {}),
  });
  return outPath;
}
