// cli/main.ts loads only the command named on the command line (start-up is mostly module loading);
// anything else loads every command, so help and errors stay complete.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });

describe('CLI start-up', () => {
  // Each spawn transforms the CLI with tsx: seconds on a quiet machine, minutes on this shared one under load.
  it('runs a named command with only its own module loaded', { timeout: 300_000 }, () => {
    const r = cli('preflight', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('preflight');
    expect(r.stdout).toContain('--json');
  });

  it('lists every command in the top-level help', { timeout: 300_000 }, () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const name of ['init', 'validate', 'preflight', 'apply', 'resume', 'serve']) expect(r.stdout).toContain(name);
  });

  it('names an unknown command as commander does, with every command loaded', { timeout: 300_000 }, () => {
    const r = cli('frobnicate');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/i);
  });
});
