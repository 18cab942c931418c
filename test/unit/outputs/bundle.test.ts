import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCredentialFile, writeSupportBundle } from '../../../core/outputs/bundle.js';
import { tarBuffer, writeTarGz } from '../../../core/outputs/tar.js';
import { singleMaster } from '../kubespray/plans.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cp-bundle-'));
  dirs.push(d);
  return d;
}
const tar = (...args: string[]) => execFileSync('tar', args, { encoding: 'utf8' });

describe('writeTarGz', () => {
  it('writes an archive the system tar lists and extracts, long names included', async () => {
    const dir = tmp();
    const big = join(dir, 'big.log');
    writeFileSync(big, Buffer.alloc(200_000, 'a'));
    const long = `deep/${'d'.repeat(120)}/${'n'.repeat(90)}.log`; // fits ustar's prefix + name
    const longer = `x/${'p'.repeat(200)}/${'q'.repeat(120)}/file.txt`; // needs a PAX header
    const out = join(dir, 'a.tar.gz');
    await writeTarGz(out, [
      { name: 'top/', type: 'dir' },
      { name: 'top/hello.txt', data: 'hello\n' },
      { name: 'top/empty', data: '' },
      { name: 'top/big.log', file: big },
      { name: `top/${long}`, data: 'long' },
      { name: `top/${longer}`, data: 'longer' },
      { name: 'top/../../escape.txt', data: 'no' },
    ]);
    expect(tar('-tzf', out).trim().split('\n')).toEqual([
      'top/',
      'top/hello.txt',
      'top/empty',
      'top/big.log',
      `top/${long}`,
      `top/${longer}`,
      'top/escape.txt',
    ]);
    const x = join(dir, 'x');
    mkdirSync(x);
    tar('-xzf', out, '-C', x);
    expect(tar('-xzOf', out, 'top/hello.txt')).toBe('hello\n');
    expect(statSync(join(x, 'top/big.log')).size).toBe(200_000);
    expect(tar('-xzOf', out, `top/${longer}`)).toBe('longer');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('keeps a symlink whose target is longer than ustar holds (a PAX linkpath), and a non-ASCII name', async () => {
    const dir = tmp();
    const target = `../${'t'.repeat(60)}/${'u'.repeat(60)}/kubespray-2.28.0/roles/kubernetes/node/defaults`;
    expect(target.length).toBeGreaterThan(100);
    const out = join(dir, 'links.tar.gz');
    await writeTarGz(out, [
      { name: 'tree/', type: 'dir' },
      { name: 'tree/long-link', type: 'symlink', link: target },
      { name: 'tree/short-link', type: 'symlink', link: 'hello.txt' },
      { name: 'tree/설정.yaml', data: 'a: 1\n' },
    ]);
    const x = join(dir, 'x');
    mkdirSync(x);
    tar('-xzf', out, '-C', x);
    expect(readlinkSync(join(x, 'tree/long-link'))).toBe(target);
    expect(readlinkSync(join(x, 'tree/short-link'))).toBe('hello.txt');
    expect(tar('-xzOf', out, 'tree/설정.yaml')).toBe('a: 1\n');
    const buffer = await tarBuffer([{ name: 'l', type: 'symlink', link: target }]);
    expect(buffer.toString('latin1')).toContain(`linkpath=${target}`);
  });
});

describe('writeSupportBundle', () => {
  it('holds the run folder, plan and facts, and leaves credentials out', async () => {
    const dir = tmp();
    const run = join(dir, 'runs', '20261125-141000-ab12');
    mkdirSync(join(run, 'logs', 'kubespray'), { recursive: true });
    writeFileSync(join(run, 'journal.jsonl'), '{"t":"run-start"}\n');
    writeFileSync(join(run, 'logs', 'kubespray', 'master1.log'), 'PLAY [x]\n');
    writeFileSync(join(run, 'kubeconfig'), 'client-key-data: AAAA');
    writeFileSync(join(run, 'admin.conf'), 'client-key-data: AAAA');
    writeFileSync(join(run, 'id_rsa'), 'KEY');
    const out = join(dir, 'support.tar.gz');
    await writeSupportBundle({ outPath: out, name: 'cp-installer-support 20261125', runDir: run, plan: singleMaster(), facts: { 'master/1': { cpus: 4 } } });
    expect(tar('-tzf', out).trim().split('\n')).toEqual([
      'cp-installer-support_20261125/',
      'cp-installer-support_20261125/plan.yaml',
      'cp-installer-support_20261125/facts/master_1.json',
      'cp-installer-support_20261125/run/journal.jsonl',
      'cp-installer-support_20261125/run/logs/kubespray/master1.log',
    ]);
    expect(tar('-xzOf', out, 'cp-installer-support_20261125/plan.yaml')).toContain('name: master1');
  });

  it('knows credential files by name', () => {
    for (const f of ['kubeconfig', 'x/admin.conf', 'id_ed25519', 'tls.key', 'cert.pem', 'prod-kubeconfig.yaml']) expect(isCredentialFile(f), f).toBe(true);
    for (const f of ['journal.jsonl', 'logs/a.log', 'report.html', 'facts.json']) expect(isCredentialFile(f), f).toBe(false);
  });
});
