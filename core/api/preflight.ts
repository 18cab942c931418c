// The preflight facade shells use (the CLI directly; the service through PreflightPart): open SSH for a
// plan, run the preflight, offer and apply fixes, and render the report as a table or JSON.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Lang, Message } from '../common/messages.js';
import { renderCoreMessage } from './messages.js';
import { checkedPlan } from './plan-gate.js';
import { Secret } from '../common/secret.js';
import { findRelease } from '../plan/catalog.js';
import { isOptionalSecret, isServiceSecretKind, SERVICE_SECRETS, serviceSecretsNeeded, type ServiceSecretKind } from '../plan/secrets.js';
import { Plan, type PlanInput } from '../plan/schema.js';
import { passedValidation } from '../plan/validate.js';
import { applyFixes, fixesFor, runPreflight, type FixOutcome, type PreflightOptions } from '../preflight/run.js';
import { caasJumpboxChecks, jumpboxChecksApply } from '../modes/caas/checks.js';
import { jumpboxHost } from '../modes/caas/layout.js';
import type { CheckResult, Fix, HostReport, PreflightReport } from '../preflight/types.js';
import { Ssh2Connector } from '../ssh/connector.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { SshPool } from '../ssh/pool.js';
import { SshConfigFile } from '../ssh/ssh-config.js';
import { targetsFromPlan } from '../ssh/targets.js';
import type { Connector, SecretBag, SshTarget } from '../ssh/types.js';

export type { CheckResult, Fix, FixOutcome, HostReport, Lang, PreflightReport };

export function renderPreflightMessage(m: Message, lang: Lang): string {
  return renderCoreMessage(m, lang);
}

export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

// --- secrets ---------------------------------------------------------------------------------------

export { SERVICE_SECRETS };
export type SecretKind = 'password' | 'passphrase' | 'sudoPassword' | ServiceSecretKind;

/** Which secrets the plan's auth profiles need, per profile, so a shell asks only for those. */
export function secretsNeeded(plan: Plan): Array<{ kind: SecretKind; profile: string; optional?: true }> {
  const used = new Set(plan.hosts.map((h) => h.auth));
  const out: Array<{ kind: SecretKind; profile: string; optional?: true }> = [];
  for (const a of plan.auth.filter((p) => used.has(p.name))) {
    if (a.method === 'password') out.push({ kind: 'password', profile: a.name });
    if (a.method === 'key' && a.passphrase) out.push({ kind: 'passphrase', profile: a.name });
    if (a.sudo === 'password') out.push({ kind: 'sudoPassword', profile: a.name });
  }
  // A caas plan's BOSH/CF/UAA secrets belong to no auth profile (profile '').
  // An optional one (the cluster-admin token the run makes itself) is read from its variable, never asked.
  for (const kind of serviceSecretsNeeded(plan)) out.push({ kind, profile: '', ...(isOptionalSecret(kind) ? { optional: true as const } : {}) });
  return out;
}

const ENV_NAMES: Record<SecretKind, string> = {
  password: 'CP_SSH_PASSWORD',
  passphrase: 'CP_SSH_PASSPHRASE',
  sudoPassword: 'CP_SUDO_PASSWORD',
  ...(Object.fromEntries(Object.entries(SERVICE_SECRETS).map(([k, v]) => [k, v.env])) as Record<ServiceSecretKind, string>),
};

/** `CP_SSH_PASSWORD_<PROFILE>` first (profile upper-cased, other characters as `_`), then `CP_SSH_PASSWORD`. */
export function secretEnvNames(kind: SecretKind, profile: string): string[] {
  const base = ENV_NAMES[kind];
  if (isServiceSecretKind(kind)) return [base];
  return [`${base}_${profile.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, base];
}

export function secretFromEnv(kind: SecretKind, profile: string, env: Record<string, string | undefined>): string | undefined {
  for (const name of secretEnvNames(kind, profile)) {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Builds the secret bag from plain values (a shell's prompt or env); values are wrapped at once. */
export function secretBag(values: Array<{ kind: SecretKind; profile: string; value: string }>): SecretBag {
  const bag: Required<SecretBag> = { password: {}, passphrase: {}, sudoPassword: {}, service: {} };
  for (const v of values) {
    if (isServiceSecretKind(v.kind)) bag.service[v.kind] = Secret.of(v.value, v.kind);
    else bag[v.kind][v.profile] = Secret.of(v.value, `${v.kind}:${v.profile}`);
  }
  return bag;
}

// --- running -----------------------------------------------------------------------------------------

export interface PreflightRunOptions {
  secrets: SecretBag;
  knownHostsFile?: string;
  /** Append unknown host keys to known_hosts (accept-new); a changed key is refused regardless. */
  acceptNewHostKeys?: boolean;
  globalLimit?: number;
  perHostLimit?: number;
  signal?: AbortSignal;
  onHost?: (report: HostReport) => void;
  skipReach?: boolean;
  /** Read ~/.ssh/config for what the plan leaves open (default true). */
  useSshConfig?: boolean;
  /** Tests: an SSH layer of their own. */
  connector?: Connector;
}

interface OpenSsh {
  connector: Connector;
  targets: SshTarget[];
  close(): Promise<void>;
}

async function openSsh(plan: Plan, opts: PreflightRunOptions): Promise<OpenSsh> {
  const sshConfig = opts.useSshConfig === false ? undefined : await SshConfigFile.load().catch(() => undefined);
  const targets = targetsFromPlan(plan, sshConfig ? { sshConfig } : {});
  const raw =
    opts.connector ??
    new Ssh2Connector({
      knownHosts: new KnownHosts({ file: opts.knownHostsFile ?? defaultKnownHostsFile() }),
      secrets: opts.secrets,
      acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    });
  const pool = new SshPool(raw, { globalLimit: opts.globalLimit ?? 32, perHostLimit: opts.perHostLimit ?? 4 });
  // Sessions that go through the pool's global and per-host bounds.
  const connector: Connector = {
    async connect(target, signal) {
      await pool.connection(target, signal);
      return pool.session(target);
    },
  };
  return { connector, targets, close: () => pool.closeAll() };
}

/** The jump box gets its checks (director, stemcell, cloud-config, CF and UAA for caas, reach): jumpboxChecksApply. */
function caasHostChecks(plan: Plan, secrets: SecretBag): PreflightOptions['hostChecks'] {
  const jump = jumpboxHost(plan)?.name;
  return async (host, session) => (host.name === jump ? caasJumpboxChecks(plan, (command, options) => session.exec(command, options), secrets.service ?? {}) : []);
}

export function toPlan(plan: Plan | PlanInput): Plan {
  // A plan the validator passed already has its defaults; parsing it again would only lose that mark.
  return passedValidation(plan) ? plan : Plan.parse(plan);
}

export async function runPlanPreflight(input: Plan | PlanInput, opts: PreflightRunOptions): Promise<PreflightReport> {
  // Every shell's floor: no login for a plan validation rejects (security #3, #5).
  const plan = checkedPlan(input);
  const ssh = await openSsh(plan, opts);
  try {
    return await runPreflight(plan, {
      connector: ssh.connector,
      targets: ssh.targets,
      globalLimit: opts.globalLimit ?? 32,
      knownHostsFile: opts.knownHostsFile ?? defaultKnownHostsFile(),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onHost ? { onHost: opts.onHost } : {}),
      ...(opts.skipReach ? { skipReach: true } : {}),
      ...(findRelease(plan.release) ? { release: findRelease(plan.release)! } : {}),
      ...(jumpboxChecksApply(plan, findRelease(plan.release)) ? { hostChecks: caasHostChecks(plan, opts.secrets) } : {}),
    });
  } finally {
    await ssh.close();
  }
}

/** The fixes a report offers, per host. */
export function offeredFixes(report: PreflightReport): Map<string, Fix[]> {
  return fixesFor(report);
}

export async function runFixes(
  input: Plan | PlanInput,
  fixes: Map<string, Fix[]>,
  opts: PreflightRunOptions & { onOutcome?: (o: FixOutcome) => void },
): Promise<FixOutcome[]> {
  const plan = checkedPlan(input);
  const ssh = await openSsh(plan, opts);
  try {
    return await applyFixes(fixes, {
      connector: ssh.connector,
      targets: ssh.targets,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
    });
  } finally {
    await ssh.close();
  }
}


// --- rendering -------------------------------------------------------------------------------------

/** The CLI's `--json` shape: `{hosts:[{name, facts, checks:[{id, status, message, remedy}]}], cross:[…]}`. */
export function reportJson(report: PreflightReport, lang: Lang): Record<string, unknown> {
  const r = (m: Message | undefined) => (m ? renderPreflightMessage(m, lang) : undefined);
  const check = (c: CheckResult & { hosts?: string[] }) => ({
    id: c.id,
    status: c.status,
    title: r(c.title),
    message: r(c.message),
    ...(c.remedy ? { remedy: r(c.remedy) } : {}),
    ...(c.hosts ? { hosts: c.hosts } : {}),
    ...(c.fix && c.status !== 'pass' ? { fix: { id: c.fix.id, commands: c.fix.commands } } : {}),
  });
  return {
    ok: report.ok,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    hosts: report.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      ...(h.error ? { error: { kind: h.error.kind, message: r(h.error) } } : {}),
      ...(h.facts ? { facts: h.facts } : {}),
      ...(h.clock ? { clock: h.clock } : {}),
      checks: h.checks.map(check),
    })),
    cross: report.cross.map(check),
  };
}

const MARK: Record<string, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

/** Display width: Hangul and other wide characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

/** A per-host table; cross-host results that did not pass, then a summary line. */
export function reportTable(report: PreflightReport, lang: Lang, opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  const r = (m: Message) => renderPreflightMessage(m, lang);
  const titleWidth = 30;
  for (const h of report.hosts) {
    lines.push(`${h.name} (${h.address})${h.probedWithSudo === false ? '  [no sudo]' : ''}`);
    if (h.error) {
      lines.push(`  FAIL  ${r(h.error)}`);
      lines.push('');
      continue;
    }
    for (const c of h.checks) {
      if (!opts.all && c.status === 'pass' && !['os', 'cpu', 'memory', 'disk'].includes(c.id)) continue;
      lines.push(`  ${MARK[c.status]}  ${pad(r(c.title), titleWidth)}  ${r(c.message)}`);
      if (c.remedy) lines.push(`        ${pad('', titleWidth)}  → ${r(c.remedy)}`);
    }
    const passed = h.checks.filter((c) => c.status === 'pass').length;
    lines.push(`  ${passed}/${h.checks.length} ${lang === 'ko' ? '통과' : 'passed'}`);
    lines.push('');
  }
  const crossShown = report.cross.filter((c) => opts.all || c.status !== 'pass');
  if (report.cross.length) {
    lines.push(lang === 'ko' ? '호스트 간 점검' : 'Across hosts');
    for (const c of crossShown) {
      lines.push(`  ${MARK[c.status]}  ${pad(r(c.title), titleWidth)}  ${r(c.message)}`);
      if (c.remedy) lines.push(`        ${pad('', titleWidth)}  → ${r(c.remedy)}`);
    }
    lines.push(`  ${report.cross.filter((c) => c.status === 'pass').length}/${report.cross.length} ${lang === 'ko' ? '통과' : 'passed'}`);
    lines.push('');
  }
  const all = [...report.hosts.flatMap((h) => h.checks), ...report.cross];
  const fails = all.filter((c) => c.status === 'fail').length + report.hosts.filter((h) => h.error).length;
  const warns = all.filter((c) => c.status === 'warn').length;
  lines.push(
    lang === 'ko'
      ? `호스트 ${report.hosts.length}개, 실패 ${fails}, 경고 ${warns} (${(report.durationMs / 1000).toFixed(1)}초)`
      : `${report.hosts.length} host(s), ${fails} failed, ${warns} warning(s) in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}
