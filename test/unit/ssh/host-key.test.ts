import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ed25519HostKey } from '../../hosts/host-key.js';

const keygen = ['/usr/bin/ssh-keygen', '/bin/ssh-keygen'].find(existsSync);
if (!keygen) console.log('host-key format test skipped: ssh-keygen not installed');

describe.skipIf(!keygen)('test-host ed25519 keys', () => {
  it('are read back by OpenSSH with the same public key, every time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostkey-'));
    try {
      for (let i = 0; i < 40; i++) {
        const k = ed25519HostKey(`host-${i}`);
        writeFileSync(join(dir, 'k'), k.privateKey, { mode: 0o600 });
        const r = spawnSync(keygen!, ['-y', '-f', join(dir, 'k')], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.trim()).toBe(k.publicLine);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
