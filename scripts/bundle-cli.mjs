#!/usr/bin/env node
// Bundles the command line into dist/cli-bundle/ with esbuild (run by `npm run build`, after tsc).
// Why: a short command such as `cp-installer preflight` spent most of its own CPU loading modules (about
// 400 files through Node's ESM loader: resolving, reading and linking each). One entry per command plus
// shared chunks is a few files; bin/cp-installer.js runs the bundle when it is at least as new as
// dist/cli/main.js (tsc's output), so a tree rebuilt with tsc alone never runs a stale bundle.
// ssh2 stays outside: it is CommonJS with optional native parts (its crypto addon, cpu-features) that
// must be looked up beside it, and a preloaded tool (bench/lib/phases.cjs) patches that same module.
//
// Usage: node scripts/bundle-cli.mjs [OUT_DIR]   (default dist/cli-bundle)
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// zod's `locales` export (its error texts in some 40 languages, half of zod's code) is loaded by every
// command and used by none: the installer words its own messages (core/*/messages.ts) and zod keeps its
// English default, which zod's schemas import directly. The bundle's `locales` holds that one language.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
const outdir = resolve(process.argv[2] ?? join(root, 'dist', 'cli-bundle'));
const commands = readdirSync(join(root, 'cli', 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(root, 'cli', 'commands', f));

await build({
  absWorkingDir: root,
  // main.js imports `./commands/<name>.js` by name at run time: each command is its own entry, at the same
  // place relative to main.js as in dist/cli/.
  entryPoints: [join(root, 'cli', 'main.ts'), ...commands],
  outbase: root,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features', 'electron'],
  plugins: [zodEnglishOnly],
  // The CommonJS packages inside the bundle (commander, ws…) call require for Node's own modules.
  banner: { js: "import { createRequire as __cpiCreateRequire } from 'node:module'; const require = __cpiCreateRequire(import.meta.url);" },
  // Names stay readable in stack traces and profiles; whitespace is what costs parse time.
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
});
