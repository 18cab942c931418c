// security #11: a full disk under the workdir (a real tmpfs filled to ENOSPC, root only) ends the run
// cleanly — a message naming the workdir and the free space a run needs, no uncaught exception, a journal
// whose every line is a whole record — and the run resumes once there is space again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg, render } from '../../../core/common/messages.js';
import { coreMessages } from '../../../core/api/messages.js';
import { JOURNAL_FILE, listRuns, loadJournal, runDir, WORKDIR_MIN_FREE_BYTES } from '../../../core/install/journal.js';
import { InstallRun } from '../../../core/install/runner.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import type { RunEvent } from '../../../core/install/types.js';
import { FakeSessions, testPlan, testRelease } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const base = mkdtempSync(join(tmpdir(), 'cpi-full-'));
const mnt = join(base, 'mnt');
let mounted = false;

function mount(sizeMiB: number): void {
  if (mounted) execFileSync('umount', [mnt]);
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', mnt]);
  mounted = true;
}

beforeAll(() => {
  if (isRoot) mount(WORKDIR_MIN_FREE_BYTES / (1024 * 1024) + 8);
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(base, { recursive: true, force: true });
});

const filler = () => join(mnt, 'filler');

function fillDisk(): void {
  const chunk = Buffer.alloc(1024 * 1024, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(filler(), chunk, { flag: i === 0 ? 'w' : 'a' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw e;
    }
  }
}

describe.skipIf(!isRoot)('security #11: ENOSPC in the workdir', () => {
  const ran: Record<string, number> = {};
  const step = (id: string, needs: string[], run: Step['run']): Step => ({
    id,
    title: msg('step.verify'),
    hosts: ['master-1'],
    needs,
    run: async (ctx) => {
      ran[id] = (ran[id] ?? 0) + 1;
      await run(ctx);
    },
  });
  const steps: Step[] = [
    step('one', [], async (ctx) => ctx.log('first step')),
    step('fills', ['one'], async (ctx) => {
      if (!existsSync(filler())) fillDisk();
      // More than one log buffer's worth: the flush meets the full disk.
      for (let i = 0; i < 3000; i++) ctx.log(`line ${i} ${'x'.repeat(80)}`);
    }),
    step('three', ['fills'], async (ctx) => ctx.log('third step')),
    step('four', ['three'], async (ctx) => ctx.log('fourth step')),
  ];
  const mode: InstallMode = { name: 'test', title: msg('t'), steps: () => steps };
  const config = (workdir: string) => ({
    runId: 'full-1',
    workdir,
    mode,
    plan: testPlan(),
    release: testRelease(),
    options: { overrides: [] },
    secrets: {},
    sessions: new FakeSessions(),
  });

  it('security #11: the run fails cleanly naming the workdir and the space needed; the journal stays whole; resume finishes it', async () => {
    const workdir = join(mnt, 'work');
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const events: RunEvent[] = [];
      const run = new InstallRun(config(workdir));
      run.subscribe((e) => events.push(e));
      const result = await run.start();
      await new Promise((r) => setTimeout(r, 1200)); // the log files' 1 s flush timer has fired by now
      expect(uncaught).toEqual([]);
      expect(result.status).toBe('failed');
      expect(result.failedStep).toBe('three');
      expect(result.error).toMatchObject({ key: 'install.disk-full', params: { path: workdir, need: '32.0 MiB' } });
      for (const lang of ['en', 'ko'] as const) {
        const text = render(coreMessages, lang, result.error!);
        expect(text).toContain(workdir);
        expect(text).toContain('32.0 MiB');
        expect(text).not.toMatch(/\{\{/);
      }
      expect(events).toContainEqual(expect.objectContaining({ type: 'step-failed', stepId: 'three', error: result.error }));
      expect(ran).toMatchObject({ one: 1, fills: 1 });
      expect(ran.three).toBeUndefined();

      // Every line of the journal is a whole record; the run is failed or interrupted (both resumable, whichever
      // records still fit), never "running" though this process lives on.
      const raw = readFileSync(join(runDir(workdir, 'full-1'), JOURNAL_FILE), 'utf8');
      expect(raw.endsWith('\n')).toBe(true);
      for (const line of raw.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      const state = loadJournal(workdir, 'full-1');
      expect(state.finishedSteps.has('one')).toBe(true);
      expect(state.finishedSteps.has('three')).toBe(false);
      expect(['failed', 'interrupted']).toContain(listRuns(workdir)[0]?.status);

      // Space again: resume goes on from the journal, finished steps are not repeated.
      unlinkSync(filler());
      const resumed = await new InstallRun({ ...config(workdir), resume: loadJournal(workdir, 'full-1') }).start();
      expect(resumed.status).toBe('succeeded');
      expect(ran.one).toBe(1);
      expect(ran.three).toBe(1);
      expect(ran.four).toBe(1);
      expect(listRuns(workdir)[0]).toMatchObject({ id: 'full-1', status: 'succeeded' });
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });

  it('security #11: with less free space than a run needs, it is refused before any host is touched', async () => {
    mount(8);
    const workdir = join(mnt, 'small');
    const sessions = new FakeSessions();
    const result = await new InstallRun({ ...config(workdir), runId: 'full-2', sessions }).start();
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ key: 'install.disk-full', params: { path: workdir } });
    expect(sessions.commands).toEqual([]);
  });
});
