// The Electron shell's rules that need no Electron binary: who may call over IPC, what the preload names,
// when secrets may be remembered.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SafeStorage } from 'electron';
import { handleInvoke } from '../../../electron/ipc.js';
import { createKeychain, keychainStatus } from '../../../electron/keychain.js';
import { APP_CSP, IPC_EVENT, IPC_INVOKE, externalLinkAllowed, trustedSender } from '../../../electron/window-options.js';
import { createInstallerService } from '../../../core/api/service.js';

type Backend = ReturnType<SafeStorage['getSelectedStorageBackend']>;

function fakeSafeStorage(available: boolean, backend: Backend): SafeStorage {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    // A reversible stand-in for the OS cipher: enough to prove the file never holds the clear text.
    encryptString: (s: string) => Buffer.from(s, 'utf8').map((b) => b ^ 0x5a),
    decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
  } as unknown as SafeStorage;
}

describe('electron shell', () => {
  it('trusts IPC only from the main frame of the app origin', () => {
    expect(trustedSender('app://wizard/index.html', true)).toBe(true);
    expect(trustedSender('app://wizard/index.html', false)).toBe(false);
    expect(trustedSender('https://evil.example/', true)).toBe(false);
    expect(trustedSender('file:///work/main/dist-renderer/index.html', true)).toBe(false);
    expect(trustedSender('app://other/index.html', true)).toBe(false);
    expect(trustedSender(undefined, true)).toBe(false);
  });

  it('answers an untrusted frame or an unknown command with an error envelope, never calling the engine', async () => {
    const service = createInstallerService({ workdir: '/x', shell: 'electron' });
    const bad = await handleInvoke(service, { url: 'https://evil.example/', isMainFrame: true }, 'app.info', {});
    expect(bad).toMatchObject({ ok: false, error: { key: 'api.forbidden' } });
    const unknown = await handleInvoke(service, { url: 'app://wizard/index.html', isMainFrame: true }, 'child_process.exec', {});
    expect(unknown).toMatchObject({ ok: false, error: { key: 'api.unknownCommand' } });
    const good = await handleInvoke(service, { url: 'app://wizard/index.html', isMainFrame: true }, 'app.info', {});
    expect(good).toMatchObject({ ok: true, result: { shell: 'electron' } });
    const badArgs = await handleInvoke(service, { url: 'app://wizard/index.html', isMainFrame: true }, 'plan.new', { mode: 1 });
    expect(badArgs).toMatchObject({ ok: false, error: { key: 'api.badArgs' } });
    await service.dispose();
  });

  it('the sandboxed preload uses the same channel names as the main process', () => {
    const preload = readFileSync(new URL('../../../electron/preload.cts', import.meta.url), 'utf8');
    expect(preload).toContain(`const IPC_INVOKE = '${IPC_INVOKE}'`);
    expect(preload).toContain(`const IPC_EVENT = '${IPC_EVENT}'`);
    expect(preload).toContain("exposeInMainWorld('installer'");
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });

  it('has a CSP with no remote scripts and no connections', () => {
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).toContain("connect-src 'none'");
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('opens only web links externally', () => {
    expect(externalLinkAllowed('https://portal.10.0.0.5.nip.io')).toBe(true);
    expect(externalLinkAllowed('file:///etc/passwd')).toBe(false);
    expect(externalLinkAllowed('smb://host/share')).toBe(false);
    expect(externalLinkAllowed('javascript:alert(1)')).toBe(false);
  });

  it('refuses to remember secrets where Linux has no keyring (basic_text) and says why', () => {
    expect(keychainStatus(fakeSafeStorage(true, 'basic_text'), 'linux')).toEqual({ ok: false, why: 'keychain.basicText' });
    expect(keychainStatus(fakeSafeStorage(false, 'unknown'), 'linux')).toEqual({ ok: false, why: 'keychain.noEncryption' });
    expect(keychainStatus(fakeSafeStorage(true, 'gnome_libsecret'), 'linux')).toEqual({ ok: true });
    expect(keychainStatus(fakeSafeStorage(true, 'unknown'), 'darwin')).toEqual({ ok: true });
  });

  it('stores remembered secrets encrypted, 0600, and reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpi-keychain-'));
    try {
      const file = join(dir, 'secrets.bin');
      const kc = createKeychain(fakeSafeStorage(true, 'kwallet6'), file, 'linux');
      await kc.save('{"password":{"default":"hunter2"}}');
      expect(readFileSync(file).toString('utf8')).not.toContain('hunter2');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await kc.load()).toContain('hunter2');
      const refused = createKeychain(fakeSafeStorage(true, 'basic_text'), join(dir, 'other.bin'), 'linux');
      await expect(refused.save('x')).rejects.toThrow('keychain.basicText');
      expect(await refused.load()).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
