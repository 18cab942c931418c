// A plan file never holds a secret: it is diffed, mailed, attached to support bundles. This scan runs on
// the raw object read from YAML (before the schema), so a secret is named by its path even where the
// schema would only call it an unknown key. Passwords and passphrases are asked for or come from the keychain.
import { formatPath, type PlanIssue } from './issues.js';

/** Key names (lowercase, without `-`/`_`) that hold secrets when their value is text. */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'privatekey',
  'apikey',
  'accesskey',
  'secretkey',
  'credential',
  'credentials',
]);
const SECRET_SUFFIXES = ['password', 'passphrase', 'secret', 'token', 'privatekey', 'apikey'];

function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

/** What a value looks like when it is a secret whatever its key: the kind names it in the message. */
export function secretKind(value: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)) return 'private key';
  if (/^\s*bearer\s+\S{8,}/i.test(value)) return 'bearer token';
  if (/^eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]+$/.test(value.trim())) return 'JWT';
  if (/^(ghp|gho|ghs|glpat|xox[bp])[-_][A-Za-z0-9_-]{10,}/.test(value.trim())) return 'access token';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value.trim())) return 'password in URL';
  return undefined;
}

/** Finds secrets in a raw plan object; each issue names the path and says to remove it. */
export function scanSecrets(raw: unknown): PlanIssue[] {
  const out: PlanIssue[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      const kind = secretKind(value);
      const field = formatPath(path);
      if (kind)
        out.push({ severity: 'error', path: field, key: 'plan.secret.value', params: { field, kind } });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      // `passphrase: true` (the key file is encrypted) is a flag, not the secret itself.
      if (isSecretKey(k) && (typeof v === 'string' || typeof v === 'number') && String(v) !== '') {
        const field = formatPath([...path, k]);
        out.push({ severity: 'error', path: field, key: 'plan.secret.key', params: { field, key: k } });
        continue;
      }
      walk(v, [...path, k]);
    }
  };
  walk(raw, []);
  return out;
}
