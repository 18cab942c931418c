// Opens the person's browser on the served page without putting the token on a command line (where any
// local user could read it with `ps`): the browser gets a private file that forwards to the URL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function forwardingPage(url: string): string {
  const safe = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><title>cp-installer</title>\n`;
}

/** Returns a cleanup function (the forwarding file is removed after the browser had time to read it). */
export function openBrowser(url: string): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cp-installer-open-'));
  const file = join(dir, 'open.html');
  writeFileSync(file, forwardingPage(url), { mode: 0o600 });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [file]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', file]]
        : ['xdg-open', [file]];
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
  const timer = setTimeout(cleanup, 60_000);
  timer.unref();
  return () => {
    clearTimeout(timer);
    cleanup();
  };
}
