// The command line as a user runs it: `node bin/cp-installer.js …` over what `npm run build` makes (tsc's
// dist/ and the bundle scripts/bundle-cli.mjs makes of it). The bench builds the current source into a
// private copy (node_modules/.cache/cp-installer-bench: its own dist/ and dist/cli-bundle/, a copy of bin/,
// installer-assets/ linked), so it measures this tree without touching the dist/ others use.
// CP_BENCH_USE_DIST=1 runs the repository's own bin/ and dist/ instead.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let built: string | undefined;

/** Path of the bin script to run with node. */
export function cliBin(): string {
  if (process.env.CP_BENCH_USE_DIST === '1') return join(ROOT, 'bin', 'cp-installer.js');
  if (built) return built;
  const dir = join(ROOT, 'node_modules', '.cache', 'cp-installer-bench');
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  // tsc emits even when some file of the tree has a type error (someone's work in progress): the
  // command line still runs, and the bench says so.
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], {
    encoding: 'utf8',
  });
  if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) throw new Error(`could not compile the CLI: ${tsc.stdout}${tsc.stderr}`);
  if (tsc.status !== 0) process.stdout.write(`note: tsc reported type errors in the tree; the compiled CLI is measured anyway\n`);
  // Then the bundle, as `npm run build` makes it (bin/ runs it when it is the newer of the two).
  const bundle = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), join(dir, 'dist', 'cli-bundle')], { encoding: 'utf8' });
  if (bundle.status !== 0) throw new Error(`could not bundle the CLI: ${bundle.stdout}${bundle.stderr}`);
  copyFileSync(join(ROOT, 'bin', 'cp-installer.js'), join(dir, 'bin', 'cp-installer.js'));
  if (!existsSync(join(dir, 'installer-assets'))) symlinkSync(join(ROOT, 'installer-assets'), join(dir, 'installer-assets'));
  return (built = join(dir, 'bin', 'cp-installer.js'));
}
