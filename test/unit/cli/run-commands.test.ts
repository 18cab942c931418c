// The CLI for what a person hands over and for a plan that changed: `report` and `support-bundle` for a
// failed run, `resume` refusing to re-run a changed plan silently, `export-vars -d` into a missing folder.
// Run as a child process on a journal written here (no hosts needed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, runDir } from '../../../core/install/journal.js';
import { loadPlanFile } from '../../../core/api/install.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cp-installer-runcli-'));
const workdir = join(work, 'wd');
const planPath = join(work, 'plan.yaml');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'cli/main.ts'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  writeFileSync(planPath, readFileSync(join(root, 'test/fixtures/plans/ha.yaml'), 'utf8'));
  const plan = loadPlanFile(planPath).plan!;
  const j = Journal.open(runDir(workdir, 'r-failed'));
  const at = new Date().toISOString();
  j.append({ t: 'run-start', runId: 'r-failed', mode: plan.mode, release: plan.release, planPath, plan, options: { overrides: ['os'] }, pid: 0, at });
  j.append({ t: 'step-start', step: 'deployer-tree', attempt: 1, at });
  j.append({
    t: 'step-end',
    step: 'deployer-tree',
    status: 'failed',
    durationMs: 12,
    error: { key: 'install.command-failed', params: { host: 'master1', command: 'git clone', code: '128' } },
    failure: { host: 'master1', message: 'fatal: Could not resolve host: github.com', cause: { key: 'cause.unreachable', params: { host: 'master1', target: 'github.com' } } },
    at,
  });
  j.append({ t: 'run-end', status: 'failed', at });
  j.close();
});

describe('cp-installer report / support-bundle', { timeout: 180_000 }, () => {
  it('writes the report of a failed run, with what failed and why', () => {
    const r = cli(['report', 'r-failed', '--workdir', workdir, '--lang', 'en']);
    expect(r.code, r.stderr).toBe(0);
    const path = /Report: (.+)/.exec(r.stdout)?.[1]?.trim();
    expect(path && existsSync(path)).toBe(true);
    const html = readFileSync(path!, 'utf8');
    expect(html).toContain('What failed');
    expect(html).toContain('master1 cannot reach github.com');
  });

  it('packs a support bundle with the journal and the report', () => {
    const r = cli(['support-bundle', 'r-failed', '--workdir', workdir]);
    expect(r.code, r.stderr).toBe(0);
    const path = /: (\S+\.tar\.gz)/.exec(r.stdout)?.[1];
    const listing = spawnSync('tar', ['-tzf', path!], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('run/journal.jsonl');
    expect(listing).toContain('run/report.html');
    expect(listing).toContain('plan.yaml');
  });

  it('says which runs exist when the id is wrong, without a stack trace', () => {
    const r = cli(['report', 'no-such-run', '--workdir', workdir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('There is no run no-such-run');
    expect(r.stderr).not.toMatch(/\bat .+\.ts:\d+/);
  });
});

describe('cp-installer resume with a changed plan file', { timeout: 180_000 }, () => {
  it('shows what changed and asks for --new-run or --as-before, running nothing', () => {
    writeFileSync(planPath, `${readFileSync(planPath, 'utf8')}\nbundle:\n  path: /srv/bundle\n`);
    const r = cli(['resume', 'r-failed', '--workdir', workdir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('changed since run r-failed started');
    expect(r.stderr).toContain('+ bundle.path: /srv/bundle');
    expect(r.stderr).toContain('--new-run');
    expect(r.stderr).toContain('--as-before');
    expect(r.stderr).toContain('os');
  });
});

describe('cp-installer export-vars -d into a missing folder', { timeout: 180_000 }, () => {
  it('ends with a clear message, not a stack trace', () => {
    const r = cli(['export-vars', join(root, 'test/fixtures/plans/ha.yaml'), '-d', join(work, 'nope'), '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The folder ${join(work, 'nope')} does not exist`);
    expect(r.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });
});
