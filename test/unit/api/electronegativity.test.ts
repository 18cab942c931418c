// Electronegativity audits electron/ and must find nothing of high severity. It always exits 0, so the
// test reads its CSV report. Its CLI breaks on the hoisted commander 14, so its runner is called directly.
// A deliberately insecure sample is scanned too, to prove the audit really runs here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cpi-electronegativity-'));

// Its translations and its "available security fixes" check fetch from the internet with `got` (there is
// none here, and got's retry then crashes the process), so `got` is replaced by one that fails at once
// (the runner falls back to its bundled en-US strings) and that check is off.
const RUNNER = `
const path = require('path');
const base = path.join(process.cwd(), 'node_modules/@doyensec/electronegativity/dist');
const offline = () => Promise.reject(new Error('offline'));
offline.head = offline;
for (const from of [base, path.join(base, 'locales'), path.join(base, 'finder/checks/GlobalChecks')]) {
  const file = require.resolve('got', { paths: [from] });
  require.cache[file] = { id: file, filename: file, loaded: true, exports: offline };
}
const run = require(path.join(base, 'runner.js'));
run({ input: path.resolve(process.argv[1]), output: process.argv[2], isSarif: false, customScan: [],
  excludeFromScan: ['availablesecurityfixesglobalcheck'], isRelative: true, isVerbose: false,
  electronVersionOverride: process.argv[3], parserPlugins: [] }, false)
  .catch((e) => { console.error(e.stack); process.exit(1); });
`;

interface Finding {
  issue: string;
  severity: string;
  file: string;
  location: string;
}

async function audit(input: string, name: string): Promise<Finding[]> {
  const out = join(dir, `${name}.csv`);
  const electronVersion = (JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version;
  await run(process.execPath, ['-e', RUNNER, input, out, electronVersion], { timeout: 120_000 });
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [issue = '', severity = '', , file = '', location = ''] = line.split(',');
    return { issue, severity: severity.replace(/"/g, ''), file: file.replace(/"/g, ''), location: location.replace(/"/g, '') };
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('electronegativity', () => {
  it('finds nothing of HIGH severity in electron/, and does find it in an insecure sample', { timeout: 180_000 }, async () => {
    const bad = join(dir, 'bad');
    await import('node:fs').then((fs) => fs.mkdirSync(bad));
    writeFileSync(
      join(bad, 'main.js'),
      "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n",
    );
    const [ours, sample] = await Promise.all([audit('electron', 'ours'), audit(bad, 'sample')]);
    console.log(`electronegativity on electron/: ${ours.map((f) => `${f.issue}(${f.severity})`).join(', ') || 'no findings'}`);
    expect(sample.filter((f) => f.severity === 'HIGH').map((f) => f.issue)).toEqual(
      expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK']),
    );
    expect(ours.filter((f) => f.severity === 'HIGH')).toEqual([]);
  });
});
