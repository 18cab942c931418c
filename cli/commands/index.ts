// Every command of `cp-installer`. Each module exports `register(program)`; add a new command by adding
// its module to this list (main.ts registers them in this order, which is also the order of --help).
import type { Command } from 'commander';
import * as init from './init.js';
import * as validate from './validate.js';
import * as importVars from './import.js';
import * as exportVars from './export-vars.js';
import * as preflight from './preflight.js';
import * as apply from './apply.js';
import * as resume from './resume.js';
import * as runs from './runs.js';
import * as report from './report.js';
import * as supportBundle from './support-bundle.js';
import * as serve from './serve.js';
import * as bundle from './bundle.js';
import * as portal from './portal.js';

export interface CommandModule {
  register(program: Command): void;
}

export const commands: readonly CommandModule[] = [
  init,
  validate,
  importVars,
  exportVars,
  preflight,
  apply,
  resume,
  runs,
  report,
  supportBundle,
  portal,
  bundle,
  serve,
];
