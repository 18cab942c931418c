// The command line run as a child process, the way a person runs it, on fixture files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const plans = join(root, 'test/fixtures/plans');
const vars = join(root, 'test/fixtures/vars');
const work = mkdtempSync(join(tmpdir(), 'cp-installer-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'cli/main.ts'), ...args],
    {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8', ...env },
      timeout: 120_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cp-installer validate', { timeout: 180_000 }, () => {
  it('exits 0 on a valid plan', () => {
    const r = cli(['validate', join(plans, 'ha.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ha.yaml: the plan is valid.');
  });

  it('exits 1 and prints each error with file, line, column and path', () => {
    const r = cli(['validate', join(plans, 'invalid.yaml')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /invalid\.yaml:11:5: error: hosts\[1\]\.address: "10\.0\.0\.300" is not a valid IPv4/,
    );
    expect(r.stdout).toMatch(
      /invalid\.yaml:13:5: error: hosts\[2\]\.name: Host name "worker1" is already used by hosts\[1\]/,
    );
    expect(r.stdout).toMatch(
      /invalid\.yaml:25:3: error: network\.ingressIp: 10\.0\.0\.155 lies inside the MetalLB range/,
    );
    expect(r.stdout).toContain('3 error(s)');
  });

  it('prints JSON with --json, in Korean with --lang ko', () => {
    const r = cli(['validate', join(plans, 'invalid.yaml'), '--json', '--lang', 'ko']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      errors: Array<Record<string, unknown>>;
      warnings: unknown[];
    };
    expect(out.valid).toBe(false);
    expect(out.errors[0]).toMatchObject({
      path: 'hosts[1].address',
      key: 'plan.ip.invalid',
      params: { value: '10.0.0.300' },
      line: 11,
      column: 5,
    });
    expect(String(out.errors[0]?.message)).toContain('올바른 IPv4/IPv6 주소가 아닙니다');
    expect(Array.isArray(out.warnings)).toBe(true);
  });

  it('takes the language from LANG', () => {
    const r = cli(['validate', join(plans, 'ha.yaml')], { LANG: 'ko_KR.UTF-8' });
    expect(r.stdout).toContain('플랜이 올바릅니다');
  });

  it('exits 2 when the file is missing or not YAML', () => {
    const missing = cli(['validate', join(work, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('ENOENT');
    // What to do, not only what failed.
    expect(missing.stdout).toContain('Check the path, and that this user may read the file.');
    const broken = cli(['validate', join(plans, 'broken.yaml'), '--json']);
    expect(broken.code).toBe(2);
    expect(JSON.parse(broken.stdout).errors[0]).toMatchObject({
      key: 'plan.yaml.syntax',
      line: 4,
      column: 11,
    });
  });

  it('rejects a plan holding a password and says where', () => {
    const r = cli(['validate', join(plans, 'secret.yaml')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /secret\.yaml:10:5: error: auth\[0\]\.password: auth\[0\]\.password holds a secret/,
    );
    expect(r.stdout).not.toContain('hunter2');
  });
});

describe('cp-installer init, import, export-vars', { timeout: 180_000 }, () => {
  it('init writes a commented plan that validates, and will not overwrite it', () => {
    const file = join(work, 'edge.yaml');
    expect(cli(['init', '--mode', 'edge', '-o', file]).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# cp-installer plan/);
    expect(cli(['validate', file]).code).toBe(0);
    const again = cli(['init', '-o', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(cli(['init', '--mode', 'multi']).code).not.toBe(0);
  });

  it('import → export-vars gives back the variable files', () => {
    const plan = join(work, 'imported.yaml');
    const imp = cli([
      'import',
      join(vars, 'cp-cluster-vars.sh'),
      join(vars, 'cp-edge-vars.sh'),
      '-o',
      plan,
      '--user',
      'ops',
    ]);
    expect(imp.code).toBe(0);
    const text = readFileSync(plan, 'utf8');
    expect(text).toContain('mode: expand-edge');
    expect(text).toContain('user: ops');
    const out = join(work, 'out');
    rmSync(out, { recursive: true, force: true });
    spawnSync('mkdir', [out]);
    const exp = cli(['export-vars', plan, '-d', out]);
    expect(exp.code).toBe(0);
    const written = readFileSync(join(out, 'cp-cluster-vars.sh'), 'utf8');
    for (const line of [
      'export KUBE_CONTROL_HOSTS=3',
      'export MASTER1_NODE_PUBLIC_IP=203.0.113.10',
      'export INSTALL_KYVERNO=Y',
    ]) {
      expect(written).toContain(line);
    }
    expect(readFileSync(join(out, 'cp-edge-vars.sh'), 'utf8')).toContain(
      'export EDGE2_NODE_PUBLIC_IP=198.51.100.32',
    );
    expect(cli(['export-vars', plan, '-d', out]).code).toBe(1);
  });

  it('import uses the agent when SSH_AUTH_SOCK is set and prints to stdout without -o', () => {
    const r = cli(['import', join(vars, 'cp-cluster-vars-single.sh')], {
      SSH_AUTH_SOCK: join(work, 'agent.sock'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('method: agent');
  });

  it('import exits 1 on incomplete files and names the variable', () => {
    const file = join(work, 'partial.sh');
    writeFileSync(file, 'export KUBE_CONTROL_HOSTS=1\nexport MASTER1_NODE_HOSTNAME=m\n');
    const r = cli(['import', file]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('MASTER1_NODE_PUBLIC_IP is empty or missing');
  });

  it('export-vars refuses a plan with errors', () => {
    const r = cli(['export-vars', join(plans, 'invalid.yaml'), '-d', work]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('has errors');
  });
});

describe('caas (BOSH + PaaS-TA): the example plan', { timeout: 180_000 }, () => {
  const caas = join(root, 'installer-assets/examples/plan-caas.yaml');

  it('validates with no error and no "cannot be installed" warning', () => {
    const r = cli(['validate', caas]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/cannot install the caas mode/);
  });

  it('apply --dry-run of a plan whose bundle is not there names the step and why, in English and Korean, with no stack trace', () => {
    for (const [env, text] of [
      [{}, /The dry run stopped at step/],
      [{ LANG: 'ko_KR.UTF-8' }, /[가-힣]/],
    ] as const) {
      const r = cli(['apply', caas, '--workdir', join(work, 'caas-wd'), '--dry-run'], env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toMatch(text);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
