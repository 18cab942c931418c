#!/usr/bin/env node
// `npm start`: build what is missing, then open the desktop app; where Electron cannot start here (no
// binary — e.g. installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 — or no display), say why and start browser
// mode (`cp-installer serve`) instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\`${[cmd, ...cmdArgs].join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function build() {
  const built = join(root, 'dist', 'cli', 'main.js');
  const sources = Math.max(newest(join(root, 'core')), newest(join(root, 'cli')), newest(join(root, 'electron')));
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    console.log('Building the engine and shells (tsc)…');
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
    run(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')]);
  }
  const page = join(root, 'dist-renderer', 'index.html');
  if (!existsSync(page) || statSync(page).mtimeMs < newest(join(root, 'renderer'))) {
    console.log('Building the wizard (vite)…');
    run(process.execPath, [require.resolve('vite/bin/vite.js'), 'build']);
  }
}

/**
 * Electron's own install script downloads its binary. `npm ci` does not run it (package.json's allowScripts
 * says no), so installing never needs more than the npm registry — an air-gapped mirror or this build
 * machine. The first `npm start` fetches the binary instead; where that fails, browser mode takes over.
 */
function fetchElectron() {
  let script;
  try {
    script = require.resolve('electron/install.js');
  } catch {
    return;
  }
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return;
  console.log('Fetching the Electron binary (first start only)…');
  const r = spawnSync(process.execPath, [script], { cwd: dirname(script), stdio: ['ignore', 'inherit', 'pipe'], timeout: 300_000 });
  if (r.status !== 0) {
    const first = String(r.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? `exit ${r.status ?? r.signal}`;
    console.log(`Could not fetch the Electron binary: ${first.trim()}`);
  }
}

/** The Electron binary's path, or why there is none. */
function electronBinary() {
  let binary;
  try {
    binary = require('electron');
  } catch {
    fetchElectron();
    try {
      binary = require('electron');
    } catch (e) {
      return { why: `the Electron binary is not installed (${String(e.message).split('\n')[0]})` };
    }
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { why: 'the Electron binary is not installed' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { why: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { binary };
}

function browserMode(why) {
  console.log(`Electron cannot start here: ${why}.`);
  console.log('Starting browser mode instead (cp-installer serve): open the address it prints.\n');
  const child = spawn(process.execPath, [join(root, 'bin', 'cp-installer.js'), 'serve', ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
}

build();
const found = electronBinary();
if (!found.binary) {
  browserMode(found.why);
} else {
  const started = Date.now();
  const child = spawn(found.binary, [root, ...args], { cwd: root, stdio: ['inherit', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  child.on('error', (e) => browserMode(`the Electron binary did not run (${e.message})`));
  child.on('exit', (code, signal) => {
    // A crash within seconds of launch is Electron failing to start (missing libraries, no GPU/display).
    if (code !== 0 && Date.now() - started < 5000) {
      browserMode(`Electron exited at once (exit ${code ?? signal}): ${stderr.trim().split('\n').pop() ?? ''}`);
      return;
    }
    process.exit(code ?? 0);
  });
}
