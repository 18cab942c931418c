// The command line as a person runs it (a child process) on hostile or broken input: each ends in words
// from the catalog (en and ko) and the documented exit code, never a stack trace or a raw key.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cp-installer-sec-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

export function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'cli/main.ts'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8', ...env },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No stack trace, no raw message key, no unfilled placeholder. */
export function clean(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  expect(text).not.toMatch(/\{\{\s*\w+\s*\}\}/);
  expect(text).not.toMatch(/\b(plan|install|preflight|api|ssh)\.[a-z]+[.-][A-Za-z.-]+ \(/);
}

export function planYaml(extra = ''): string {
  return [
    'apiVersion: cp-installer/v1',
    'kind: Plan',
    'mode: standalone',
    'release: k-paas-v1.6.2',
    'hosts:',
    '  - { name: master1, address: 10.0.0.11, roles: [control-plane] }',
    '  - { name: worker1, address: 10.0.0.21, roles: [worker] }',
    '  - { name: nfs1, address: 10.0.0.31, roles: [nfs] }',
    'auth:',
    '  - { name: default, method: agent, user: ubuntu }',
    'network: { metallbRange: 10.0.0.150-10.0.0.160, ingressIp: 10.0.0.161 }',
    extra,
  ].join('\n');
}

describe('security #8: apply --dry-run', { timeout: 180_000 }, () => {
  it('security #8: a bundle path that does not exist ends non-zero naming the step and the bundle, in en and ko', () => {
    const file = join(work, 'bundle-missing.yaml');
    writeFileSync(file, planYaml(`bundle: { path: ${join(work, 'nowhere')} }`));
    const en = cli(['apply', file, '--dry-run', '--workdir', join(work, 'wd')]);
    expect(en.code, en.stderr).toBe(1);
    expect(en.stderr).toContain('deployer-tree');
    expect(en.stderr).toContain(join(work, 'nowhere'));
    expect(en.stderr).toMatch(/dry run stopped/i);
    clean(en.stderr);
    const ko = cli(['apply', file, '--dry-run', '--workdir', join(work, 'wd')], { LANG: 'ko_KR.UTF-8' });
    expect(ko.code).toBe(1);
    expect(ko.stderr).toContain('드라이 런');
    clean(ko.stderr);
  });

  it('security #8: a sound plan still lists its whole run and exits 0', () => {
    const file = join(work, 'ok.yaml');
    writeFileSync(file, planYaml());
    const r = cli(['apply', file, '--dry-run', '--workdir', join(work, 'wd')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('## step verify');
  });
});

describe('security #9 and #11: import and validate on hostile files', { timeout: 180_000 }, () => {
  it('security #9: import of KUBE_WORKER_HOSTS=50000000 ends in a message naming the variable, within a 160 MB heap', () => {
    const file = join(work, 'huge-count.sh');
    writeFileSync(file, 'KUBE_CONTROL_HOSTS=1\nMASTER1_NODE_HOSTNAME=m1\nMASTER1_NODE_PUBLIC_IP=10.0.0.1\nMASTER1_NODE_PRIVATE_IP=10.0.0.1\nKUBE_WORKER_HOSTS=50000000\n');
    const r = cli(['import', file], { NODE_OPTIONS: '--max-old-space-size=160' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/KUBE_WORKER_HOSTS is 50000000; the installer takes at most 1000/);
    clean(r.stderr);
  });

  it('security #9: import of /dev/zero is refused (not a regular file), not read', () => {
    const r = cli(['import', '/dev/zero'], { NODE_OPTIONS: '--max-old-space-size=160' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/dev/zero is not a regular file');
    clean(r.stderr);
  });

  it('security #11: import names `;`, `&&`, `|` and an open quote each for what it is', () => {
    const file = join(work, 'constructs.sh');
    writeFileSync(file, "A=1; rm -rf /tmp/x\nB=1 && touch /tmp/x\nC=1 | tee /tmp/x\nD='open\n");
    const r = cli(['import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:1:1: error: Line 1: after A=… comes `;`/);
    expect(r.stderr).toMatch(/Line 2: after B=… comes `&&`/);
    expect(r.stderr).toMatch(/Line 3: the value of C has an unquoted `\|`/);
    expect(r.stderr).toMatch(/Line 4: the value of D opens a ' quote that is not closed/);
    expect(r.stderr).not.toMatch(/command substitution/);
    clean(r.stderr);
  });

  it('security #11: validate and apply of a YAML alias bomb exit 2 with a message, in en and ko', () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 0; i < 9; i++) bomb += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]\n`;
    const file = join(work, 'bomb.yaml');
    writeFileSync(file, bomb);
    const v = cli(['validate', file]);
    expect(v.code).toBe(2);
    expect(v.stdout).toMatch(/aliases/);
    expect(`${v.stdout}${v.stderr}`).not.toMatch(/ReferenceError|Excessive alias/);
    const a = cli(['apply', file, '--dry-run'], { LANG: 'ko_KR.UTF-8' });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/별칭/);
    clean(a.stderr);
  });

  it('security #11: apply of a plan file that is not there ends in words, exit 2', () => {
    const r = cli(['apply', join(work, 'missing.yaml'), '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ENOENT');
    clean(r.stderr);
  });
});
