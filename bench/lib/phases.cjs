// Preloaded (`node --require bench/lib/phases.cjs bin/cp-installer.js …`) into a WHOLE cp-installer
// process to see where its time goes without changing the product: it timestamps, from the process's
// own start (performance.timeOrigin), when
//   - this preload ran (node's own boot is over),
//   - the plan file was first read (module loading is over; plan load starts),
//   - each SSH handshake started and finished, and each exec channel opened and closed (ssh2's Client
//     patched in place: the product loads the same CommonJS module instance),
//   - the process exited (what is left after the last channel closed is rendering the report).
// It writes them as JSON to the file named by CP_BENCH_PHASES when the process exits.
'use strict';
// A CommonJS preload by necessity (--require runs before the ESM loader, and patches the CJS ssh2 module).
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const out = process.env.CP_BENCH_PHASES;
const planFile = process.env.CP_BENCH_PLAN;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// Wall times (ms since the process started) and this process's CPU (ms) at the same moments.
const t = { preload: performance.now(), planRead: undefined, connects: [], execs: [], exit: undefined, cpu: { preload: cpu() } };

if (out) {
    const watch = (obj, name) => {
    const orig = obj[name];
    obj[name] = function patched(p, ...rest) {
      if (t.planRead === undefined && planFile && String(p) === planFile) {
        t.planRead = performance.now();
        t.cpu.planRead = cpu();
      }
      return orig.call(this, p, ...rest);
    };
  };
  // The first touch of the plan file, whichever call the loader makes (read, open or stat).
  for (const name of ['readFile', 'open', 'stat', 'lstat']) watch(fs.promises, name);
  for (const name of ['readFile', 'readFileSync', 'open', 'openSync', 'stat', 'statSync', 'lstat', 'lstatSync']) watch(fs, name);
  // ESM `import { readFile } from 'node:fs/promises'` sees the patched functions only after this.
  require('node:module').syncBuiltinESMExports();

  const ssh2 = require('ssh2');
  const C = ssh2.Client.prototype;
  const connect = C.connect;
  C.connect = function patchedConnect(cfg) {
    const rec = { start: performance.now(), ready: undefined };
    if (!t.connects.length) t.cpu.firstConnect = cpu();
    t.connects.push(rec);
    this.once('ready', () => (rec.ready = performance.now()));
    return connect.call(this, cfg);
  };
  const exec = C.exec;
  C.exec = function patchedExec(cmd, ...rest) {
    const rec = { start: performance.now(), end: undefined };
    t.execs.push(rec);
    const cb = rest[rest.length - 1];
    if (typeof cb === 'function') {
      rest[rest.length - 1] = (err, ch) => {
        if (ch) ch.once('close', () => (rec.end = performance.now()));
        return cb(err, ch);
      };
    }
    return exec.call(this, cmd, ...rest);
  };

  process.on('exit', () => {
    t.exit = performance.now();
    t.cpu.exit = cpu();
    try {
      fs.writeFileSync(out, JSON.stringify(t));
    } catch {
      /* the bench reports the phases as missing */
    }
  });
}
