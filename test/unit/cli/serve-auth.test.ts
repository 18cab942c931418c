// security #2: browser mode's credential rules (cli/serve/auth.ts).
import { describe, expect, it } from 'vitest';
import { Credentials, handshakeAllowed, hostAllowed, loginUrl, offeredProtocols } from '../../../cli/serve/auth.js';
import { adoptTicket, currentCredential, defaultWsUrl, type CredentialStore } from '../../../renderer/transport/ws-client.js';

function memory(): CredentialStore & { m: Map<string, string> } {
  const m = new Map<string, string>();
  return { m, getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

describe('security #2: browser-mode credentials', () => {
  it('a ticket works once and becomes a session key; only the newest unused ticket works', () => {
    const c = new Credentials('T1');
    expect(c.present(undefined)).toEqual({ ok: false });
    expect(c.present('nope')).toEqual({ ok: false });
    const first = c.present('T1');
    expect(first).toMatchObject({ ok: true, fresh: true });
    const key = (first as { key: string }).key;
    expect(c.present('T1')).toEqual({ ok: false });
    expect(c.present(key)).toEqual({ ok: true, fresh: false, key });
    const t2 = c.issue();
    const t3 = c.issue();
    expect(c.present(t2)).toEqual({ ok: false });
    expect(c.present(t3)).toMatchObject({ ok: true, fresh: true });
    expect(c.present(key)).toMatchObject({ ok: true, fresh: false });
  });

  it('reads the credential from the offered subprotocols only', () => {
    expect(offeredProtocols('cp-installer.v1, cpi-key.abc')).toEqual({ protocols: ['cp-installer.v1', 'cpi-key.abc'], credential: 'abc' });
    expect(offeredProtocols(undefined)).toEqual({ protocols: [] });
  });

  it('checks Host and Origin exactly, and that they name the same server', () => {
    expect(hostAllowed('127.0.0.1:80', 80)).toBe(true);
    expect(hostAllowed('127.0.0.1:81', 80)).toBe(false);
    expect(hostAllowed('evil.example:80', 80)).toBe(false);
    expect(handshakeAllowed({ host: '127.0.0.1:80', origin: 'http://127.0.0.1:80' }, 80)).toBe(true);
    expect(handshakeAllowed({ host: 'localhost:80', origin: 'http://localhost:80' }, 80)).toBe(true);
    expect(handshakeAllowed({ host: '127.0.0.1:80', origin: 'http://localhost:80' }, 80)).toBe(false);
    expect(handshakeAllowed({ host: '127.0.0.1:80', origin: 'http://127.0.0.1:81' }, 80)).toBe(false);
    expect(handshakeAllowed({ host: '127.0.0.1:80', origin: 'null' }, 80)).toBe(false);
    expect(handshakeAllowed({ host: '127.0.0.1:80' }, 80)).toBe(false);
  });

  it('the page moves the ticket from the fragment into its storage and cleans the address', () => {
    const url = new URL(loginUrl(8470, 'TICKET'));
    expect(url.hash).toBe('#token=TICKET');
    expect(url.search).toBe('');
    const store = memory();
    store.setItem('cpi.key', 'OLD');
    let replaced = '';
    adoptTicket(url, store, (u) => (replaced = u));
    expect(replaced).toBe('/');
    expect(currentCredential(store)).toBe('TICKET');
    // Without a ticket in the address (a reload): nothing changes, the kept credential is used.
    store.setItem('cpi.key', 'KEY');
    adoptTicket(new URL('http://127.0.0.1:8470/'), store, () => {
      throw new Error('no replace without a ticket');
    });
    expect(currentCredential(store)).toBe('KEY');
    expect(defaultWsUrl({ protocol: 'http:', host: '127.0.0.1:8470' })).toBe('ws://127.0.0.1:8470/api');
  });
});
