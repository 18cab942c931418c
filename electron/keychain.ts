// Remembered secrets, only through the OS keychain (safeStorage) and only when the person asks. Where
// Linux has no keyring, safeStorage falls back to "basic_text" (a fixed key: effectively plain text); then
// nothing is remembered and the person is told why.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SafeStorage } from 'electron';
import type { Keychain } from '../core/api/index.js';

export function keychainStatus(
  safe: Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform = process.platform,
): { ok: true } | { ok: false; why: string } {
  if (!safe.isEncryptionAvailable()) return { ok: false, why: 'keychain.noEncryption' };
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') return { ok: false, why: 'keychain.basicText' };
  }
  return { ok: true };
}

export function createKeychain(safe: SafeStorage, file: string, platform: NodeJS.Platform = process.platform): Keychain {
  return {
    status: () => keychainStatus(safe, platform),
    async save(data: string) {
      const status = keychainStatus(safe, platform);
      if (!status.ok) throw new Error(status.why);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, safe.encryptString(data), { mode: 0o600 });
      chmodSync(file, 0o600);
    },
    async load() {
      if (!existsSync(file) || !keychainStatus(safe, platform).ok) return undefined;
      try {
        return safe.decryptString(readFileSync(file));
      } catch {
        // Encrypted under another user's keyring or a reset one: forget it, the person types again.
        rmSync(file, { force: true });
        return undefined;
      }
    },
    // The portal's first login of a cluster: its own encrypted file beside this one, same rules.
    entry(name: string) {
      const own = createKeychain(safe, join(dirname(file), `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.bin`), platform);
      return {
        save: (data: string) => own.save(data),
        load: () => own.load(),
        forget: async () => rmSync(join(dirname(file), `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.bin`), { force: true }),
      };
    },
  };
}
