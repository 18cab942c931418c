#!/usr/bin/env node
// The command line is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`): tsc
// writes dist/cli/, then scripts/bundle-cli.mjs bundles it into dist/cli-bundle/, which loads in a few
// files instead of hundreds (module loading was most of a short command's start-up). The bundle runs only
// when it is at least as new as tsc's output, so a tree rebuilt with tsc alone runs dist/cli/.
// Node's on-disk compile cache (Node 22.1+; absent on older Node, where this is a no-op) keeps the
// compiled code between runs.
import { statSync } from 'node:fs';
import module from 'node:module';

module.enableCompileCache?.();
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('../dist/cli-bundle/cli/main.js');
await import(bundled >= 0 && bundled >= mtime('../dist/cli/main.js') ? '../dist/cli-bundle/cli/main.js' : '../dist/cli/main.js');
