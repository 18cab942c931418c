// `cp-installer serve` as a person runs it: it prints a 127.0.0.1 address with a one-time ticket in the
// fragment, sets no cookie, opens the API only to that ticket, listens on loopback only, stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_CREDENTIAL_PREFIX, WS_SUBPROTOCOL } from '../../../core/api/index.js';

/** The close code (refused) or 'open' (hello received) of a handshake with this credential. */
function handshake(port: string, credential: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, [WS_SUBPROTOCOL, WS_CREDENTIAL_PREFIX + credential], { origin: `http://127.0.0.1:${port}` });
    ws.once('message', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('close', (code) => resolve(String(code)));
    ws.once('error', (e) => resolve(e.message));
  });
}

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

  it('security #2: prints a one-time address, sets no cookie, opens the API once to it, and stops on SIGTERM', async () => {
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
        const m = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
    });
    const base = url.replace(/#.*$/, '');
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('wizard');
    expect(out).toContain(`Files are read and written only in: ${join(dir, 'work')}`);
    const port = new URL(url).port;
    const ticket = new URL(url).hash.replace('#token=', '');
    expect(await handshake(port, 'wrong')).toBe('4403');
    expect(await handshake(port, ticket)).toBe('open');
    expect(await handshake(port, ticket)).toBe('4403');
    // Loopback only: the same port on another local address is closed.
    await expect(fetch(`http://127.0.0.2:${port}/`)).rejects.toThrow();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
