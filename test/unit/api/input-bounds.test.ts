// security #9 and #11: what a vars file or a plan's YAML can make the installer do is bounded, and each
// refusal is a message with its own key (en and ko), never a crash, a hang or gigabytes of memory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstallerService } from '../../../core/api/service.js';
import { importVars, load, renderMessage } from '../../../core/api/plan.js';
import { PLAN_LIMITS, VARS_LIMITS } from '../../../core/api/input-files.js';
import { parseShellVars } from '../../../core/plan/vars.js';

const dir = mkdtempSync(join(tmpdir(), 'cpi-bounds-'));
const service = createInstallerService({ workdir: dir, shell: 'electron', knownHostsFile: join(dir, 'known_hosts') });
afterAll(async () => {
  await service.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const HEAD = ['KUBE_CONTROL_HOSTS=1', 'MASTER1_NODE_HOSTNAME=m1', 'MASTER1_NODE_PUBLIC_IP=10.0.0.1', 'MASTER1_NODE_PRIVATE_IP=10.0.0.1'];

function keysOf(issues: Array<{ key: string }>): string[] {
  return issues.map((i) => i.key);
}

function words(key: string, params: Record<string, string | number> = {}): void {
  for (const lang of ['en', 'ko'] as const) {
    const text = renderMessage({ key, params }, lang);
    expect(text, `${key} ${lang}`).not.toBe(key);
    expect(text).not.toMatch(/\{\{/);
  }
}

describe('security #9: bounded vars-file import', () => {
  it('security #9: KUBE_WORKER_HOSTS=50000000 is refused naming the variable, in bounded time and memory', () => {
    const before = process.memoryUsage().heapUsed;
    const t0 = Date.now();
    const { issues } = importVars([...HEAD, 'KUBE_WORKER_HOSTS=50000000'].join('\n'), undefined, { env: {} });
    const grew = process.memoryUsage().heapUsed - before;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(grew).toBeLessThan(64 * 1024 * 1024);
    const tooMany = issues.find((i) => i.key === 'plan.vars.tooMany');
    expect(tooMany?.params).toMatchObject({ name: 'KUBE_WORKER_HOSTS', value: '50000000', max: VARS_LIMITS.maxHosts });
    expect(renderMessage(tooMany!, 'en')).toContain('KUBE_WORKER_HOSTS');
    words('plan.vars.tooMany', tooMany!.params);
  });

  it('security #9: every count (control, workers, edges, etcd slots) is bounded; 1000 is still read', () => {
    for (const name of ['KUBE_CONTROL_HOSTS', 'KUBE_WORKER_HOSTS']) {
      const { issues } = importVars([...HEAD.filter((l) => !l.startsWith(`${name}=`)), `${name}=1001`].join('\n'), undefined, { env: {} });
      expect(keysOf(issues)).toContain('plan.vars.tooMany');
    }
    const edge = importVars([...HEAD, 'KUBE_WORKER_HOSTS=0'].join('\n'), 'EDGE_HOSTS=99999999999999999999', { env: {} });
    expect(edge.issues.find((i) => i.key === 'plan.vars.tooMany')?.params).toMatchObject({ name: 'EDGE_HOSTS' });
    const workers = Array.from({ length: 1000 }, (_, i) => `WORKER${i + 1}_NODE_HOSTNAME=w${i + 1}\nWORKER${i + 1}_NODE_PRIVATE_IP=10.1.${i >> 8}.${(i & 255) + 1}`);
    const ok = importVars([...HEAD, 'KUBE_WORKER_HOSTS=1000', ...workers].join('\n'), undefined, { env: {} });
    expect(ok.plan.hosts?.length).toBe(1001);
    // ≈ 2 s on a quiet machine (most of it writing the YAML); the bound is for a loaded one.
  }, 60_000);

  it('security #9: file size, line length and value growth (A=$A$A…) are bounded', () => {
    const big = parseShellVars('A=1\n'.repeat(VARS_LIMITS.maxBytes / 4 + 1));
    expect(keysOf(big.issues)).toEqual(['plan.vars.tooBig']);
    expect(big.values.size).toBe(0);
    const long = parseShellVars(`A=${'x'.repeat(VARS_LIMITS.maxLineLength + 1)}\nB=ok`);
    expect(keysOf(long.issues)).toEqual(['plan.vars.lineTooLong']);
    expect(long.values.get('B')).toBe('ok');
    const doubling = ['A=xxxxxxxxxxxxxxxx', ...Array.from({ length: 40 }, () => 'A=$A$A')].join('\n');
    const t0 = Date.now();
    const grown = parseShellVars(doubling);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(keysOf(grown.issues)).toContain('plan.vars.valueTooLong');
    expect((grown.values.get('A') ?? '').length).toBeLessThanOrEqual(VARS_LIMITS.maxValueLength);
    const noisy = parseShellVars('not an assignment\n'.repeat(10_000));
    expect(noisy.issues.length).toBe(VARS_LIMITS.maxLineIssues + 1);
    expect(noisy.issues.at(-1)).toMatchObject({ key: 'plan.vars.moreIssues', params: { count: 10_000 - VARS_LIMITS.maxLineIssues } });
    for (const k of ['plan.vars.tooBig', 'plan.vars.lineTooLong', 'plan.vars.valueTooLong', 'plan.vars.moreIssues']) words(k, { line: 1, name: 'A', size: 1, max: 1, length: 1, count: 1 });
  });

  it('security #9: the API refuses an oversized vars text the same way', async () => {
    const r = await service.invoke('plan.importVars', { clusterVars: '#'.repeat(VARS_LIMITS.maxBytes + 1) });
    expect(r.plan.hosts).toEqual([]);
  });
});

describe('security #11: import names each shell construct accurately', () => {
  it.each([
    ["A='unterminated", 'plan.vars.unterminatedQuote', { quote: "'" }],
    ['A="unterminated', 'plan.vars.unterminatedQuote', { quote: '"' }],
    ['A=1; rm -rf /', 'plan.vars.separator', {}],
    ['A=1;rm', 'plan.vars.separator', {}],
    ['A=1 && touch /tmp/x', 'plan.vars.andOr', { op: '&&' }],
    ['A=1&&touch', 'plan.vars.andOr', { op: '&&' }],
    ['A=1 || true', 'plan.vars.andOr', { op: '||' }],
    ['A=1 | tee /tmp/x', 'plan.vars.pipe', {}],
    ['A=a|b', 'plan.vars.pipe', {}],
    ['A=1 > /tmp/x', 'plan.vars.operator', { op: '>' }],
    ['A=x&', 'plan.vars.operator', { op: '&' }],
    ['A=$(id)', 'plan.vars.commandSubstitution', {}],
    ['A=`id`', 'plan.vars.commandSubstitution', {}],
    ['A="x$(id)"', 'plan.vars.commandSubstitution', {}],
    ['A=${B:-x}', 'plan.vars.expansion', {}],
    ['A=a b', 'plan.vars.extraWord', {}],
  ])('security #11: %s → %s', (line, key, params) => {
    const { values, issues } = parseShellVars(line);
    expect(values.size).toBe(0);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ key, params: { line: 1, name: 'A', ...params } });
    words(key, issues[0]!.params);
  });

  it('security #11: quoted operators are text, as in a shell', () => {
    const { values, issues } = parseShellVars(`A='a|b;c&&d'\nB="x > y"`);
    expect(issues).toEqual([]);
    expect(values.get('A')).toBe('a|b;c&&d');
    expect(values.get('B')).toBe('x > y');
  });
});

describe('security #11: plan YAML that is no plan ends in a message', () => {
  function bomb(): string {
    let text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 0; i < 9; i++) text += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]\n`;
    return text;
  }

  it.each([
    ['an alias bomb', bomb(), 'plan.yaml.aliases'],
    ['deep flow nesting', `a: ${'['.repeat(200_000)}`, 'plan.yaml.tooDeep'],
    ['deep block nesting', Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), 'plan.yaml.tooDeep'],
    ['nested sequences on one line', `${'- '.repeat(100_000)}x`, 'plan.yaml.tooDeep'],
    ['a duplicate key', 'apiVersion: cp-installer/v1\nkind: Plan\nmode: standalone\nmode: edge\n', 'plan.yaml.duplicateKey'],
    ['a huge file', `# ${'x'.repeat(PLAN_LIMITS.maxBytes)}\n`, 'plan.yaml.tooBig'],
    ['text that was not UTF-8', Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).toString('utf8'), 'plan.yaml.notUtf8'],
  ])('security #11: %s → %s, quickly, over the API', async (_what, yaml, key) => {
    const t0 = Date.now();
    const r = await service.invoke('plan.parse', { yaml });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.plan).toBeUndefined();
    expect(r.issues[0]?.key).toBe(key);
    words(key, r.issues[0]!.params);
  });

  it('security #11: plan.load refuses a file that is too big, not a file, or not UTF-8, with a key', async () => {
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, Buffer.alloc(PLAN_LIMITS.maxBytes + 10, 0x23));
    await expect(load(huge)).rejects.toMatchObject({ key: 'plan.file.tooBig' });
    await expect(load('/dev/zero')).rejects.toMatchObject({ key: 'plan.file.notFile' });
    await expect(load(dir)).rejects.toMatchObject({ key: 'plan.file.notFile' });
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from('apiVersion: cp-installer/v1\nkind: Plan # caf\xe9\n', 'latin1'));
    await expect(load(latin1)).rejects.toMatchObject({ key: 'plan.file.notUtf8' });
    for (const k of ['plan.file.tooBig', 'plan.file.notFile', 'plan.file.notUtf8']) words(k, { path: 'p', max: 1 });
  });
});
