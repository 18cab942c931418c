// The fixes' file-writing half runs here against a scratch /etc; the kernel half (swapoff, modprobe,
// sysctl -w) is only read, because it would act on this machine's shared kernel.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MODULES_FILE,
  SYSCTL_FILE,
  modulesFixParts,
  swapFix,
  swapFixParts,
  sysctlFixParts,
} from '../../../core/preflight/fixes.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function scratchEtc(): string {
  const root = mkdtempSync(join(tmpdir(), 'fix-etc-'));
  roots.push(root);
  const etc = join(root, 'etc with space');
  mkdirSync(etc);
  return etc;
}

function runAll(commands: string[]): void {
  for (const c of commands) {
    const r = spawnSync('sh', ['-c', c], { encoding: 'utf8' });
    expect(r.status, `${c}\n${r.stderr}`).toBe(0);
  }
}

const FSTAB = `# /etc/fstab
UUID=1234 / ext4 errors=remount-ro 0 1
/swap.img	none	swap	sw	0	0
# /old.swap none swap sw 0 0
/dev/sdb1 /data xfs defaults 0 2
UUID=abcd none swap sw,pri=5 0 0
`;

describe('swap fix', () => {
  it('comments out exactly the active swap lines, keeps a backup, and is idempotent', () => {
    const etc = scratchEtc();
    writeFileSync(join(etc, 'fstab'), FSTAB);
    const { persist } = swapFixParts({ etc });
    runAll(persist);
    const once = readFileSync(join(etc, 'fstab'), 'utf8');
    expect(once).toBe(`# /etc/fstab
UUID=1234 / ext4 errors=remount-ro 0 1
# /swap.img	none	swap	sw	0	0
# /old.swap none swap sw 0 0
/dev/sdb1 /data xfs defaults 0 2
# UUID=abcd none swap sw,pri=5 0 0
`);
    expect(readFileSync(join(etc, 'fstab.cp-installer.bak'), 'utf8')).toBe(FSTAB);
    runAll(persist);
    expect(readFileSync(join(etc, 'fstab'), 'utf8')).toBe(once);
    expect(readFileSync(join(etc, 'fstab.cp-installer.bak'), 'utf8')).toBe(FSTAB);
  });

  it('does nothing without an fstab', () => {
    const etc = scratchEtc();
    runAll(swapFixParts({ etc }).persist);
    expect(spawnSync('ls', ['-A', etc], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('turns swap off first, then persists', () => {
    expect(swapFix().commands[0]).toBe('swapoff -a');
    expect(swapFix().commands.slice(1).join('\n')).toContain('/etc/fstab');
  });
});

describe('modules and sysctl fixes', () => {
  it('write the same files however often they run', () => {
    const etc = scratchEtc();
    const m = modulesFixParts({ etc });
    const s = sysctlFixParts({ etc });
    runAll([...m.persist, ...s.persist]);
    runAll([...m.persist, ...s.persist]);
    expect(readFileSync(join(etc, MODULES_FILE), 'utf8')).toBe('overlay\nbr_netfilter\n');
    expect(readFileSync(join(etc, SYSCTL_FILE), 'utf8')).toBe(
      'net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\n',
    );
  });

  it('load the modules and set the keys in the running kernel (read, not run, here)', () => {
    expect(modulesFixParts().apply).toEqual(['modprobe overlay', 'modprobe br_netfilter']);
    expect(sysctlFixParts().apply).toEqual([
      'modprobe br_netfilter',
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.bridge.bridge-nf-call-iptables=1',
      'sysctl -w net.bridge.bridge-nf-call-ip6tables=1',
    ]);
  });

  it('treat a hostile path as a path (nothing in it runs)', () => {
    const root = scratchEtc();
    const etc = join(root, "x'; touch pwned; '$(touch pwned2)");
    mkdirSync(etc);
    writeFileSync(join(etc, 'fstab'), FSTAB);
    const all = [...swapFixParts({ etc }).persist, ...modulesFixParts({ etc }).persist, ...sysctlFixParts({ etc }).persist];
    for (const c of all) {
      const r = spawnSync('sh', ['-c', c], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(spawnSync('ls', ['-A', root], { encoding: 'utf8' }).stdout.trim().split('\n')).toEqual([
      "x'; touch pwned; '$(touch pwned2)",
    ]);
    expect(readFileSync(join(etc, MODULES_FILE), 'utf8')).toBe('overlay\nbr_netfilter\n');
  });
});
