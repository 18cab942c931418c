// The portal's first login as the service hands it to a window (the `portal.firstLogin` command): the
// administrator the portal-admin step read, taken once from the engine's memory; on the desktop with a real
// keyring it is then kept in the OS keychain (its own entry per cluster, never beside the SSH secrets), so
// the person can see it again; elsewhere it is shown this once and kept nowhere.
import type { Secret } from '../common/secret.js';
import { KEYCLOAK_REALM } from '../tools/portal/components.js';
import type { Keychain } from './engine.js';
import type { HandedSecret, PortalFirstLogin } from './types.js';

/** The keychain entry of a cluster's first login. */
export function portalKeychainName(cluster: string): string {
  return `portal-admin-${cluster.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** The password's text, wrapped: the one place a Secret is revealed for a transport. */
export function handed(secret: Secret, label = 'portal admin password'): HandedSecret {
  return { kind: 'handed-secret', label, text: secret.reveal() };
}

type Status = { ok: true } | { ok: false; why: string };

export async function portalFirstLogin(
  got: { cluster: string; admin?: { user: string; password: Secret } },
  status: Status,
  keychain: Keychain | undefined,
  fromKeychain: boolean,
): Promise<PortalFirstLogin> {
  const entry = keychain && status.ok ? keychain.entry?.(portalKeychainName(got.cluster)) : undefined;
  const why = status.ok ? 'keychain.noEncryption' : status.why;
  const base = { realm: KEYCLOAK_REALM };
  if (got.admin) {
    const { user, password } = got.admin;
    let kept = false;
    if (entry) {
      try {
        await entry.save(JSON.stringify({ user, password: password.reveal() }));
        kept = true;
      } catch {
        // Not kept: the person is told so, and sees it this once.
      }
    }
    return { ...base, user, password: handed(password), kept: kept ? 'keychain' : 'nowhere', ...(kept ? {} : { whyNotKept: why }) };
  }
  const stored = entry ? await entry.load().catch(() => undefined) : undefined;
  let saved: { user?: unknown; password?: unknown } | undefined;
  try {
    saved = stored ? (JSON.parse(stored) as { user?: unknown; password?: unknown }) : undefined;
  } catch {
    saved = undefined;
  }
  if (!saved || typeof saved.user !== 'string' || typeof saved.password !== 'string') return { ...base, kept: 'nowhere', ...(entry ? {} : { whyNotKept: why }) };
  // Kept: the user name says so; the password only when the person asks for it.
  return {
    ...base,
    user: saved.user,
    kept: 'keychain',
    fromKeychain: true,
    ...(fromKeychain ? { password: { kind: 'handed-secret', label: 'portal admin password', text: saved.password } as const } : {}),
  };
}
