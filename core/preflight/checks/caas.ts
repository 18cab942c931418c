// The CaaS checks of the jump box (the plan's `jumpbox` host, where bosh, cf and uaac run): the CLIs are
// there, the director answers and takes the login, it has the plan's stemcell (or the bundle brings one) and
// its cloud-config names what the plan names, CF and UAA answer and take the admin logins, and the jump box
// reaches the cluster hosts. A plan without PaaS-TA (the 2021 standalone and edge with BOSH middleware) gets the
// BOSH checks only; CF and UAA are listed as skipped, with the reason. Pure: what core/modes/caas/checks.ts gathered on the jump box → verdicts.
import { parse } from 'yaml';
import { msg } from '../../common/messages.js';
import type { Plan } from '../../plan/schema.js';
import type { CheckResult, Verdict } from '../types.js';

/** One CLI call's outcome: `ok`, else the last lines it printed (redacted by the gatherer). */
export interface CallOutcome {
  ok: boolean;
  detail?: string;
}

export interface CaasFacts {
  tools: { bosh: boolean; cf: boolean; uaac: boolean };
  /** A TCP connect from the jump box to the director's 25555 (only said when the login failed). */
  directorPort?: boolean;
  /** `bosh environment --json` with the client and its secret; absent when it could not be tried. */
  director?: CallOutcome;
  /** The director's stemcells (`bosh stemcells --json`), when logged in. */
  stemcells?: Array<{ os: string; version: string }>;
  /** The offline bundle holds a stemcell the first CaaS step would upload. */
  bundleStemcell?: boolean;
  /** `bosh cloud-config` as printed, when logged in. */
  cloudConfig?: string;
  /** `cf api` (answering) then `cf auth` (the admin login). */
  cfApi?: CallOutcome;
  cfLogin?: CallOutcome;
  /** `uaac target` (answering) then `uaac token client get` (the admin client). */
  uaaTarget?: CallOutcome;
  uaaLogin?: CallOutcome;
  /** SSH (22) from the jump box to each cluster host. */
  hosts?: Array<{ name: string; address: string; ok: boolean }>;
  /** Secrets the checks needed and were not given (SERVICE_SECRETS kinds). */
  missingSecrets?: string[];
}

function check(base: string, status: Verdict, params: Record<string, string | number> = {}, variant?: string, remedy?: string): CheckResult {
  const r: CheckResult = {
    id: `caas.${base}`,
    status,
    title: msg(`preflight.caas.${base}.title`, params),
    message: msg(`preflight.caas.${base}.${variant ?? status}`, params),
  };
  if (status !== 'pass') r.remedy = msg(`preflight.caas.${base}.remedy${remedy ? `.${remedy}` : ''}`, params);
  return r;
}

const notTried = (base: string, why: string, params: Record<string, string | number> = {}): CheckResult => ({
  id: `caas.${base}`,
  status: 'warn',
  title: msg(`preflight.caas.${base}.title`, params),
  message: msg(`preflight.caas.notTried.${why}`, params),
  remedy: msg(`preflight.caas.notTried.remedy.${why}`, params),
});

/** What the director's cloud-config lacks of what the plan names (networks, VM types, AZs, disk types). */
export function cloudConfigGaps(plan: Plan, text: string): string[] {
  const b = plan.bosh!;
  let doc: Record<string, Array<{ name?: string }>>;
  // The CLI frames the YAML with its own lines (`Using environment …`, `Succeeded`).
  const yamlText = text
    .split('\n')
    .filter((l) => !/^(Using environment '|Succeeded$)/.test(l))
    .join('\n');
  try {
    doc = (parse(yamlText) ?? {}) as Record<string, Array<{ name?: string }>>;
  } catch {
    return ['bosh cloud-config did not print YAML'];
  }
  const names = (k: string) => new Set((Array.isArray(doc[k]) ? doc[k] : []).map((x) => x?.name));
  const out: string[] = [];
  const need = (k: string, field: string, values: string[]) => {
    const have = names(k);
    for (const v of new Set(values)) if (!have.has(v)) out.push(`${k} has no "${v}" (${field})`);
  };
  need('networks', 'bosh.networks', [b.networks.private, b.networks.privateNat, b.networks.public]);
  need('vm_types', 'bosh.vmTypes', [b.vmTypes.small, b.vmTypes.containerSmall]);
  need('azs', 'bosh.azs', [...b.azs.haproxy, ...b.azs.mariadb, ...b.azs.registry]);
  need('disk_types', 'bosh.mariadb.diskType / bosh.registry.diskType', [b.mariadb.diskType, b.registry.diskType]);
  return out;
}

/**
 * Why the login failed, from what the CLI said: a TLS error is the CA; an HTTP answer (401, bad credentials)
 * means the director was reached, whatever the port probe found (an alias or a proxy may stand between);
 * otherwise a closed 25555 is the likeliest cause.
 */
function directorRemedy(f: CaasFacts): 'ca' | 'login' | 'port' {
  const d = f.director?.detail ?? '';
  if (/x509|certificate/i.test(d)) return 'ca';
  if (/\b(401|403)\b|unauthori[sz]ed|bad credentials|invalid_client/i.test(d)) return 'login';
  return f.directorPort === false ? 'port' : 'login';
}

/** The verdicts, in the order a person fixes them: CLIs, director, its contents, CF, UAA, hosts. */
export function caasChecks(plan: Plan, f: CaasFacts): CheckResult[] {
  const b = plan.bosh;
  const p = plan.paasta;
  if (!b) return [];
  const out: CheckResult[] = [];
  // Without a paasta section (the 2021 standalone and edge), the jump box runs bosh only: no CF, no UAA.
  const missing = Object.entries(f.tools).filter(([t, ok]) => !ok && (p || t === 'bosh')).map(([t]) => t);
  if (p) out.push(missing.length ? check('tools', 'fail', { tools: missing.join(', ') }) : check('tools', 'pass'));
  else out.push({ ...(missing.length ? check('boshCli', 'fail', { tools: 'bosh' }) : check('boshCli', 'pass')), id: 'caas.tools' });

  const director = b.environment ?? b.directorAddress;
  const secretMissing = (kind: string) => (f.missingSecrets ?? []).includes(kind);
  if (!f.tools.bosh) out.push(notTried('director', 'noCli', { director, tool: 'bosh' }));
  else if (secretMissing('boshClientSecret')) out.push(notTried('director', 'noSecret', { director, env: 'CP_BOSH_CLIENT_SECRET' }));
  else if (f.director?.ok) out.push(check('director', 'pass', { director, client: b.client }));
  else out.push(check('director', 'fail', { director, client: b.client, detail: f.director?.detail ?? '' }, undefined, directorRemedy(f)));

  if (f.director?.ok) {
    const s = b.stemcell;
    const have = (f.stemcells ?? []).some((x) => x.os === s.os && x.version === s.version);
    if (have) out.push(check('stemcell', 'pass', { os: s.os, version: s.version }));
    else if (f.bundleStemcell) out.push(check('stemcell', 'warn', { os: s.os, version: s.version }, 'bundle', 'bundle'));
    else out.push(check('stemcell', 'fail', { os: s.os, version: s.version }));
    const gaps = f.cloudConfig === undefined ? ['bosh cloud-config printed nothing'] : cloudConfigGaps(plan, f.cloudConfig);
    out.push(gaps.length ? check('cloudConfig', 'fail', { gaps: gaps.join('; ') }) : check('cloudConfig', 'pass'));
  }

  const call = (base: string, tool: string, url: string, answer: CallOutcome | undefined, login: CallOutcome | undefined, secretKind: string, env: string, user: string) => {
    const params = { url, user };
    if (!f.tools[tool as keyof CaasFacts['tools']]) return notTried(base, 'noCli', { ...params, tool });
    if (answer && !answer.ok) return check(base, 'fail', { ...params, detail: answer.detail ?? '' }, 'down', 'down');
    if (secretMissing(secretKind)) return notTried(base, 'noSecret', { ...params, env });
    if (login?.ok) return check(base, 'pass', params);
    return check(base, 'fail', { ...params, detail: login?.detail ?? '' }, 'login', 'login');
  };
  if (p) {
    out.push(call('cf', 'cf', p.cfApi, f.cfApi, f.cfLogin, 'cfAdminPassword', 'CP_CF_ADMIN_PASSWORD', p.cfAdminUser));
    out.push(call('uaa', 'uaac', p.uaaUrl, f.uaaTarget, f.uaaLogin, 'uaaAdminClientSecret', 'CP_UAA_ADMIN_CLIENT_SECRET', p.uaaAdminClient));
  } else {
    // Said, not left out: the list shows why these two were not tried.
    for (const base of ['cf', 'uaa']) out.push({ id: `caas.${base}`, status: 'pass', title: msg(`preflight.caas.${base}.skipTitle`), message: msg('preflight.caas.noPaasta') });
  }

  if (f.hosts?.length) {
    const down = f.hosts.filter((h) => !h.ok);
    out.push(down.length ? check('hosts', 'fail', { hosts: down.map((h) => `${h.name} (${h.address})`).join(', ') }) : check('hosts', 'pass', { count: f.hosts.length }));
  }
  return out;
}
