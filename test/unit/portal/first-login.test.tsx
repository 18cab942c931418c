// The portal's first login between the engine and a window: handed over once through `portal.firstLogin`
// as a HandedSecret; on the desktop with a keyring kept in the OS keychain (its own entry per cluster, not in
// clear text) and readable again from there; in browser mode kept nowhere and said so; forgotten with the
// portal's uninstall. The Done screen's panel masks the password until asked, and a run whose portal was
// uninstalled shows neither the hand-over nor the uninstall button.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import type { SafeStorage } from 'electron';
import { describe, expect, it } from 'vitest';
import { bindEngine } from '../../../core/api/engine-bind.js';
import type { Engine, InstallPart, Keychain } from '../../../core/api/engine.js';
import { createInstallerService } from '../../../core/api/service.js';
import type { PortalFirstLogin, RunOutputs } from '../../../core/api/types.js';
import { Secret } from '../../../core/common/secret.js';
import { createKeychain } from '../../../electron/keychain.js';
import { FirstLoginView } from '../../../renderer/components/first-login.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { DoneScreen } from '../../../renderer/screens/done.js';
import { useStore } from '../../../renderer/store/index.js';

const PASSWORD = 'f3a9c0d1e2b4a5968778695a4b3c2d1e';

/** A memory keychain whose entries are kept apart, as the Electron one keeps them in their own files. */
function memoryKeychain(ok = true): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    status: () => (ok ? { ok: true } : { ok: false, why: 'keychain.basicText' }),
    save: async () => undefined,
    load: async () => undefined,
    entry: (name) => ({
      save: async (d) => void entries.set(name, d),
      load: async () => entries.get(name),
      forget: async () => void entries.delete(name),
    }),
  };
}

/** The engine's install part as far as the hand-over and the uninstall go: the admin is there once. */
function engineWithAdmin(): Engine & { uninstalled: string[] } {
  let admin: { user: string; password: Secret } | undefined = { user: 'admin', password: Secret.of(PASSWORD, 'portal admin password') };
  const uninstalled: string[] = [];
  const install = {
    modes: () => ['standalone'],
    portalAdmin: (runId: string) => {
      const a = admin;
      admin = undefined;
      return { cluster: `cluster of ${runId}`, ...(a ? { admin: a } : {}) };
    },
    uninstallPortal: async (runId: string) => {
      uninstalled.push(runId);
      return { cluster: `cluster of ${runId}`, removed: ['openbao', 'cp-portal'], outputs: { endpoints: [{ name: 'api-server', url: 'https://10.0.0.11:6443' }], portalUninstalledAt: '2026-12-06T08:00:00.000Z' } };
    },
  } as unknown as InstallPart;
  return { ...bindEngine({ workdir: '/nonexistent' }), install, uninstalled };
}

describe('portal first login through the API', () => {
  it('desktop with a keyring: handed over once, kept in its own keychain entry, shown again only when asked', async () => {
    const keychain = memoryKeychain();
    const s = createInstallerService({ workdir: '/x', shell: 'electron', engine: engineWithAdmin(), keychain });
    const first = await s.invoke('portal.firstLogin', { runId: 'r1' });
    expect(first).toEqual({ realm: 'cp-realm', user: 'admin', kept: 'keychain', password: { kind: 'handed-secret', label: 'portal admin password', text: PASSWORD } });
    expect([...keychain.entries.keys()]).toEqual(['portal-admin-cluster_of_r1']);
    expect(JSON.parse(keychain.entries.get('portal-admin-cluster_of_r1')!)).toEqual({ user: 'admin', password: PASSWORD });
    // Asked again (a reopened window): the user name and where it is kept, not the password.
    const again = await s.invoke('portal.firstLogin', { runId: 'r1' });
    expect(again).toEqual({ realm: 'cp-realm', user: 'admin', kept: 'keychain', fromKeychain: true });
    expect(JSON.stringify(again)).not.toContain(PASSWORD);
    const shown = await s.invoke('portal.firstLogin', { runId: 'r1', fromKeychain: true });
    expect(shown.password?.text).toBe(PASSWORD);
    // The uninstall forgets it.
    const un = await s.invoke('portal.uninstall', { runId: 'r1' });
    expect(un.removed).toEqual(['openbao', 'cp-portal']);
    expect(un.outputs.endpoints?.map((e) => e.name)).toEqual(['api-server']);
    expect(keychain.entries.size).toBe(0);
    expect(await s.invoke('portal.firstLogin', { runId: 'r1', fromKeychain: true })).toEqual({ realm: 'cp-realm', kept: 'nowhere' });
  });

  it('browser mode: shown once, kept nowhere, and the answer says why', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: engineWithAdmin() });
    const first = await s.invoke('portal.firstLogin', { runId: 'r2' });
    expect(first).toMatchObject({ user: 'admin', kept: 'nowhere', whyNotKept: 'keychain.browser', password: { text: PASSWORD } });
    expect(await s.invoke('portal.firstLogin', { runId: 'r2', fromKeychain: true })).toEqual({ realm: 'cp-realm', kept: 'nowhere', whyNotKept: 'keychain.browser' });
  });

  it('desktop on a keyring that only pretends (basic_text): kept nowhere, with that reason', async () => {
    const keychain = memoryKeychain(false);
    const s = createInstallerService({ workdir: '/x', shell: 'electron', engine: engineWithAdmin(), keychain });
    expect(await s.invoke('portal.firstLogin', { runId: 'r3' })).toMatchObject({ kept: 'nowhere', whyNotKept: 'keychain.basicText', password: { text: PASSWORD } });
    expect(keychain.entries.size).toBe(0);
  });

  it('the Electron keychain keeps each entry in its own file, never in clear text, and forgets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpi-portal-kc-'));
    try {
      const safe = {
        isEncryptionAvailable: () => true,
        getSelectedStorageBackend: () => 'gnome_libsecret',
        encryptString: (t: string) => Buffer.from(t, 'utf8').map((b) => b ^ 0x5a),
        decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
      } as unknown as SafeStorage;
      const kc = createKeychain(safe, join(dir, 'secrets.bin'), 'linux');
      const entry = kc.entry!('portal-admin-cp-cluster');
      await entry.save(JSON.stringify({ user: 'admin', password: PASSWORD }));
      expect(readdirSync(dir)).toEqual(['portal-admin-cp-cluster.bin']);
      expect(readFileSync(join(dir, 'portal-admin-cp-cluster.bin')).toString('utf8')).not.toContain(PASSWORD);
      expect(await entry.load()).toContain(PASSWORD);
      expect(await kc.load()).toBeUndefined();
      await entry.forget();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function view(login: PortalFirstLogin | undefined, o: { shown?: boolean; browser?: boolean; lang?: 'en' | 'ko' } = {}): string {
  const el = createElement(FirstLoginView, { login, shown: !!o.shown, browser: !!o.browser, onShow: () => undefined, onCopy: () => undefined, onFromKeychain: () => undefined });
  return renderToStaticMarkup(createElement(I18nextProvider, { i18n: createI18n(o.lang ?? 'en') }, el));
}

const handed: PortalFirstLogin = { realm: 'cp-realm', user: 'admin', kept: 'nowhere', whyNotKept: 'keychain.browser', password: { kind: 'handed-secret', label: 'portal admin password', text: PASSWORD } };

describe('the first-login panel', () => {
  it('masks the password until asked, and says plainly that browser mode keeps it nowhere', () => {
    const masked = view(handed, { browser: true });
    expect(masked).not.toContain(PASSWORD);
    expect(masked).toContain('data-testid="first-login-user">admin</code>');
    expect(masked).toContain('data-testid="first-login-realm">cp-realm</code>');
    expect(masked).toContain('Shown this once: browser mode keeps it nowhere');
    expect(masked).toContain('data-testid="first-login-copy"');
    expect(view(handed, { browser: true, shown: true })).toContain(`data-shown="true">${PASSWORD}</code>`);
    expect(view(handed, { browser: true, lang: 'ko' })).toContain('브라우저 모드는 어디에도');
  });

  it('on the desktop: kept in the keychain, or the reason it is not; later only a button to read it back', () => {
    expect(view({ ...handed, kept: 'keychain', whyNotKept: undefined } as PortalFirstLogin)).toContain('Kept in this computer&#x27;s OS keychain');
    expect(view({ ...handed, whyNotKept: 'keychain.basicText' })).toContain('Shown this once and kept nowhere:');
    const later = view({ realm: 'cp-realm', user: 'admin', kept: 'keychain', fromKeychain: true });
    expect(later).toContain('data-testid="first-login-from-keychain"');
    expect(later).not.toContain('first-login-password');
    expect(view({ realm: 'cp-realm', kept: 'nowhere' })).toContain('handed over once already and is not kept');
  });
});

describe('Done screen around the portal', () => {
  function render(outputs: RunOutputs): string {
    Object.assign(useStore.getInitialState(), { runId: 'r1', outputs });
    return renderToStaticMarkup(createElement(I18nextProvider, { i18n: createI18n('en') }, createElement(DoneScreen)));
  }

  it('a run with the portal: the hand-over panel, the guide\'s next steps and the uninstall button', () => {
    const html = render({
      endpoints: [
        { name: 'api-server', url: 'https://10.0.0.11:6443' },
        { name: 'portal', url: 'https://portal.d.nip.io', state: 'ok', status: 200, via: '10.0.0.200' },
      ],
    });
    expect(html).toContain('data-testid="first-login"');
    expect(html).toContain('data-testid="portal-next"');
    expect(html).toContain('data-testid="portal-uninstall-open"');
  });

  it('after the uninstall: the API server only, said when the portal went, no hand-over or uninstall', () => {
    const html = render({ endpoints: [{ name: 'api-server', url: 'https://10.0.0.11:6443' }], portalUninstalledAt: '2026-12-06T08:00:00.000Z' });
    expect(html).toContain('data-testid="portal-gone"');
    expect(html).toContain('The portal was uninstalled (');
    expect(html).not.toContain('first-login');
    expect(html).not.toContain('portal-uninstall-open');
    expect(html).not.toContain('portal.d.nip.io');
  });
});
