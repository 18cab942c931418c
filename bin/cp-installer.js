#!/usr/bin/env node
// The command line is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
// Node's on-disk compile cache (Node 22.1+; absent on older Node, where this is a no-op) keeps the
// compiled code of the CLI's modules between runs: loading them is most of a short command's start-up.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/cli/main.js');
