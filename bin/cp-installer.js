#!/usr/bin/env node
// The command line is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
import '../dist/cli/main.js';
