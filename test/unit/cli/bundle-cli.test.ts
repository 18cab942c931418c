// The bundled command line (scripts/bundle-cli.mjs): what a short command such as `preflight` loads before
// its first SSH connection is only what it uses (not the install engine, not zod's other languages), and
// the bundle still says what the sources say.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the tree so the bundle finds ssh2 (kept outside it) in node_modules, as dist/cli-bundle does.
let out = '';

/** The text of a bundle file and of every file it imports statically, transitively. */
function loadedWith(entries: string[]): string {
  const seen = new Set<string>();
  const queue = entries.map((e) => join(out, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports only (`import{…}from"./x.js"`, `import"./x.js"`); `import("./x.js")` is loaded on demand.
    for (const m of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.js)"/g))
      queue.push(join(dirname(file), m[1]!));
  }
  return [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('bundled command line', () => {
  beforeAll(() => {
    out = mkdtempSync(join(ROOT, 'node_modules', '.cpi-bundle-test-'));
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('loads neither the install engine nor tar-stream for preflight, only on failure or for the commands that use them', () => {
    const preflight = loadedWith(['cli/main.js', 'cli/commands/preflight.js']);
    expect(preflight).toContain('node_modules/semver/'); // what preflight uses is there…
    expect(preflight).not.toContain('node_modules/tar-stream/'); // …what only install and bundle use is not
    expect(loadedWith(['cli/commands/bundle.js'])).toContain('node_modules/tar-stream/');
  });

  it("holds zod's English texts only: its other languages are used by no command", () => {
    const all = readdirSync(out)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    expect(all).toContain('unit:"characters"');
    expect(all).not.toContain('unit:"\uBB38\uC790"'); // zod's Korean locale
  });

  it(
    'reports a plan error and a failure no command handled exactly as the sources do',
    { timeout: 300_000 },
    () => {
      const dir = mkdtempSync(join(ROOT, 'node_modules', '.cpi-bundle-plan-'));
      try {
        // One plan refused for its structure (a number for a path), one for a release the catalog lacks.
        const plan = (name: string, lines: string[]) => {
          const file = join(dir, name);
          writeFileSync(file, lines.join('\n') + '\n');
          return file;
        };
        const head = ['apiVersion: cp-installer/v1', 'kind: Plan', 'mode: standalone'];
        const tail = [
          'storage: { type: nfs, nfs: { server: 10.0.0.1 } }',
          'portal: { domain: portal.example.com }',
        ];
        const hosts = ['hosts:', '  - { name: node0, address: 10.0.0.1, roles: [control-plane] }'];
        const badField = plan('field.yaml', [
          ...head,
          'release: k-paas-v1.6.2',
          ...hosts,
          'auth:',
          '  - { name: default, method: key, keyPath: 5 }',
          ...tail,
        ]);
        const badRelease = plan('release.yaml', [
          ...head,
          'release: k-paas-v9.9',
          ...hosts,
          'auth:',
          '  - { name: default, method: key, keyPath: ~/.ssh/id_ed25519 }',
          ...tail,
        ]);
        const env = {
          ...process.env,
          LANG: 'C',
          LC_ALL: '',
          LC_MESSAGES: '',
          CP_INSTALLER_ASSETS: join(ROOT, 'installer-assets'),
        };
        const run = (main: string[], args: string[]) =>
          spawnSync(process.execPath, [...main, ...args], {
            cwd: ROOT,
            encoding: 'utf8',
            env,
            timeout: 280_000,
          });
        const bundled = [join(out, 'cli', 'main.js')];
        const sources = ['--import', 'tsx', 'cli/main.ts'];
        for (const args of [
          ['preflight', badField, '--json'],
          ['preflight', badRelease, '--json'],
          ['init', '-o', join(dir, 'missing', 'plan.yaml')],
        ]) {
          const a = run(bundled, args);
          const b = run(sources, args);
          expect({ status: a.status, stdout: a.stdout, stderr: a.stderr }).toEqual({
            status: b.status,
            stdout: b.stdout,
            stderr: b.stderr,
          });
          expect(a.stderr).not.toMatch(/\n\s+at /); // words, never a stack trace
        }
        const wrong = run(bundled, ['preflight', badRelease, '--json']);
        expect(wrong.status).toBe(2);
        expect(wrong.stderr).toContain(
          'k-paas-v1.6.1, k-paas-v1.6.2-kubeedge-1.23, k-paas-v1.6.2, paasta-v1.0',
        );
        expect(wrong.stderr).toContain('No host was contacted');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
