// `cp-installer serve` as a person runs it: it prints a 127.0.0.1 URL with a token, answers 401 without it,
// listens on loopback only, and stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const ENTRY = join(import.meta.dirname, 'cli-entry.ts');

describe('cp-installer serve (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpi-serve-cmd-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the token URL, refuses requests without it, and stops on SIGTERM', async () => {
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>wizard</title>');
    child = spawn(TSX, [ENTRY, 'serve', '--port', '0', '--no-open', '--workdir', join(dir, 'work')], {
      env: { ...process.env, CP_INSTALLER_RENDERER: renderer },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
      child!.stdout!.on('data', () => {
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
    });
    const base = url.replace(/\?.*$/, '');
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}index.html`)).status).toBe(401);
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await fetch(base, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('wizard');
    // Loopback only: the same port on another local address is closed.
    const port = new URL(url).port;
    await expect(fetch(`http://127.0.0.2:${port}/`)).rejects.toThrow();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
