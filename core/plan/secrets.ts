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

/**
 * Secrets of the services a caas plan drives (BOSH director, CF, UAA, the broker, MariaDB, the cluster's
 * bearer token): like the SSH secrets they are asked for or read from the environment (each variable removed
 * once read), never written to the plan. `env` is the variable; the labels are what a prompt says.
 */
export const SERVICE_SECRETS = {
  boshClientSecret: { env: 'CP_BOSH_CLIENT_SECRET', en: 'BOSH director client secret (BOSH_CLIENT_SECRET)', ko: 'BOSH 디렉터 클라이언트 시크릿(BOSH_CLIENT_SECRET)' },
  cfAdminPassword: { env: 'CP_CF_ADMIN_PASSWORD', en: 'PaaS-TA (CF) admin password', ko: 'PaaS-TA(CF) 관리자 비밀번호' },
  uaaAdminClientSecret: { env: 'CP_UAA_ADMIN_CLIENT_SECRET', en: 'UAA admin client secret', ko: 'UAA 관리자 클라이언트 시크릿' },
  brokerPassword: { env: 'CP_BROKER_PASSWORD', en: 'Container service broker password', ko: '컨테이너 서비스 브로커 비밀번호' },
  caasClientSecret: { env: 'CP_CAAS_CLIENT_SECRET', en: 'UAA caasclient secret (uaa_client_portal_secret)', ko: 'UAA caasclient 시크릿(uaa_client_portal_secret)' },
  mariadbPassword: { env: 'CP_MARIADB_ADMIN_PASSWORD', en: 'MariaDB admin password (mariadb_admin_user_password)', ko: 'MariaDB 관리자 비밀번호(mariadb_admin_user_password)' },
  // A site registry with a login (plan registry.user): the images are pushed with it (core/install/offline/).
  registryPassword: { env: 'CP_REGISTRY_PASSWORD', en: 'Site registry password (registry.user\'s)', ko: '현장 레지스트리 비밀번호(registry.user의)' },
  // Made by the run on the new cluster (core/modes/admin-token.ts): read only when the environment gives one, never asked.
  k8sBearerToken: { env: 'CP_K8S_AUTH_BEARER', en: 'Kubernetes bearer token of a cluster-admin ServiceAccount (k8s_auth_bearer)', ko: 'cluster-admin 서비스 계정의 Kubernetes 베어러 토큰(k8s_auth_bearer)', optional: true },
} as const;

export type ServiceSecretKind = keyof typeof SERVICE_SECRETS;

export function isServiceSecretKind(kind: string): kind is ServiceSecretKind {
  return Object.prototype.hasOwnProperty.call(SERVICE_SECRETS, kind);
}

/** A secret taken from its environment variable when set and otherwise done without: never prompted for. */
export function isOptionalSecret(kind: string): boolean {
  return isServiceSecretKind(kind) && 'optional' in SERVICE_SECRETS[kind];
}

/** The service secrets a plan reads: all of them for a plan with BOSH and PaaS-TA settings (isOptionalSecret: from the environment only). */
export function serviceSecretsNeeded(plan: { bosh?: unknown; paasta?: unknown; registry?: { user?: string | undefined } | undefined }): ServiceSecretKind[] {
  const registry: ServiceSecretKind[] = plan.registry?.user ? ['registryPassword'] : [];
  if (plan.bosh && plan.paasta) return [...(Object.keys(SERVICE_SECRETS) as ServiceSecretKind[]).filter((k) => k !== 'registryPassword'), ...registry];
  // The BOSH middleware alone (the 2021 standalone): the director, MariaDB and the manifest's k8s_auth_bearer.
  return plan.bosh ? ['boshClientSecret', 'mariadbPassword', 'k8sBearerToken', ...registry] : registry;
}
