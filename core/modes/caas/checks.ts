// What the jump box's checks (CaaS, and the 2021 standalone/edge with BOSH middleware) need to know, gathered on the jump box over one SSH session with the same command
// lines the caas steps run (core/tools/bosh, cf, uaac): secrets on stdin, the cf and uaac logins in a
// scratch folder of the installer's that is removed afterwards. Used by preflight (for the jump box's
// report) and by the wizard's "Check the director and PaaS-TA" (core/api/caas-check.ts); the verdicts are
// core/preflight/checks/caas.ts.
import { shellJoin } from '../../common/quote.js';
import type { Secret } from '../../common/secret.js';
import { clusterNodes, type Plan } from '../../plan/schema.js';
import type { ServiceSecretKind } from '../../plan/secrets.js';
import type { ExecOptions, ExecResult } from '../../ssh/types.js';
import { caasChecks, type CaasFacts, type CallOutcome } from '../../preflight/checks/caas.js';
import type { CheckResult } from '../../preflight/types.js';
import { boshCloudConfig, boshEnvironment, boshStemcells, type Director } from '../../tools/bosh/commands.js';
import { parseStemcells } from '../../tools/bosh/vms.js';
import { cfApi, cfAuth } from '../../tools/cf/commands.js';
import { uaacTarget, uaacTokenClientGet } from '../../tools/uaac/commands.js';
import { profileOf } from '../profiles.js';
import { bundleStemcells, jumpboxHost, jumpboxWorkspace } from './layout.js';
import { probeDown, tcpProbeScript, type ProbeTarget } from './probe.js';

export type Exec = (command: string, options?: ExecOptions) => Promise<ExecResult>;
export type ServiceSecrets = Partial<Record<ServiceSecretKind, Secret>>;

const DIRECTOR_PORT = 25555;

/** The director's host and port from bosh.directorAddress (`10.0.1.6`, `https://10.0.1.6:25555`). */
export function directorEndpoint(address: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(address.trim());
  return { host: (m?.[1] ?? address).replace(/^\[|\]$/g, ''), port: m?.[2] ? Number(m[2]) : DIRECTOR_PORT };
}

/** The last lines a failed call printed, with every given secret masked. */
function detail(r: ExecResult, secrets: ServiceSecrets): string {
  let text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ').slice(0, 400);
  for (const s of Object.values(secrets)) {
    const v = s?.reveal();
    if (v) text = text.split(v).join('***');
  }
  return text;
}

export interface GatherOptions {
  /** The offline bundle on this machine (its stemcells/ folder). */
  bundlePath?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function gatherCaasFacts(plan: Plan, exec: Exec, secrets: ServiceSecrets, opts: GatherOptions = {}): Promise<CaasFacts> {
  const b = plan.bosh!;
  // No paasta section (the 2021 standalone and edge): bosh only, no CF or UAA to ask.
  const p = plan.paasta;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const base: ExecOptions = { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) };
  const run = (c: { command: string; stdin: string }) => exec(c.command, { ...base, ...(c.stdin ? { stdin: c.stdin } : {}) });
  const outcome = (r: ExecResult): CallOutcome => (r.code === 0 ? { ok: true } : { ok: false, detail: detail(r, secrets) });
  const missingSecrets = (p ? (['boshClientSecret', 'cfAdminPassword', 'uaaAdminClientSecret'] as const) : (['boshClientSecret'] as const)).filter((k) => !secrets[k] || secrets[k]!.isEmpty);

  // One round trip for the CLIs and the TCP reach (the director's port, SSH on every cluster host).
  const dir = directorEndpoint(b.directorAddress);
  const targets: ProbeTarget[] = [
    { name: 'director', host: dir.host, port: dir.port },
    ...clusterNodes(plan).map((h) => ({ name: `host:${h.name}`, host: h.address, port: h.port })),
  ];
  const first = await exec(`for t in bosh cf uaac; do if command -v "$t" >/dev/null 2>&1; then echo "tool $t"; fi; done; ${tcpProbeScript(targets, 3)}`, base);
  const lines = first.stdout.split('\n').map((l) => l.trim());
  const tools = { bosh: lines.includes('tool bosh'), cf: lines.includes('tool cf'), uaac: lines.includes('tool uaac') };
  const down = new Set(probeDown(targets, first.stdout).map((t) => t.name));
  const facts: CaasFacts = {
    tools,
    directorPort: !down.has('director'),
    hosts: targets.filter((t) => t.name.startsWith('host:')).map((t) => ({ name: t.name.slice(5), address: t.host, ok: !down.has(t.name) })),
    missingSecrets,
  };
  const bundle = opts.bundlePath?.replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
  facts.bundleStemcell = bundle ? bundleStemcells(bundle).length > 0 : false;

  if (tools.bosh && secrets.boshClientSecret && !secrets.boshClientSecret.isEmpty) {
    const d: Director = { environment: b.environment ?? b.directorAddress, client: b.client, ...(b.caCertFile ? { caCert: b.caCertFile } : {}), clientSecret: secrets.boshClientSecret };
    facts.director = outcome(await run(boshEnvironment(d)));
    if (facts.director.ok) {
      const stem = await run(boshStemcells(d));
      try {
        facts.stemcells = stem.code === 0 ? parseStemcells(stem.stdout) : [];
      } catch {
        facts.stemcells = [];
      }
      const cc = await run(boshCloudConfig(d));
      if (cc.code === 0) facts.cloudConfig = cc.stdout;
    }
  }

  // cf and uaac keep a login (an access token) in their home: a scratch one, removed whatever happens.
  if (!p) return facts;
  const scratch = `${jumpboxWorkspace(plan)}/check`;
  try {
    await exec(shellJoin(['mkdir', '-p', `${scratch}/cf`, `${scratch}/uaac`]), base);
    if (tools.cf) {
      const t = { api: p.cfApi, skipSslValidation: p.skipSslValidation, home: `${scratch}/cf` };
      facts.cfApi = outcome(await run(cfApi(t)));
      if (facts.cfApi.ok && secrets.cfAdminPassword && !secrets.cfAdminPassword.isEmpty) facts.cfLogin = outcome(await run(cfAuth(t, p.cfAdminUser, secrets.cfAdminPassword)));
    }
    if (tools.uaac) {
      facts.uaaTarget = outcome(await run(uaacTarget(`${scratch}/uaac`, p.uaaUrl, p.skipSslValidation)));
      if (facts.uaaTarget.ok && secrets.uaaAdminClientSecret && !secrets.uaaAdminClientSecret.isEmpty)
        facts.uaaLogin = outcome(await run(uaacTokenClientGet(`${scratch}/uaac`, p.uaaAdminClient, secrets.uaaAdminClientSecret)));
    }
  } finally {
    await exec(shellJoin(['rm', '-rf', scratch]), base).catch(() => undefined);
  }
  return facts;
}

/**
 * Whether the plan's jump box gets these checks: a caas plan (with its paasta section), or a plan with the
 * bosh section whose release deploys the BOSH middleware (the 2021 standalone and edge: the BOSH checks only).
 */
export function jumpboxChecksApply(plan: Plan, release: { bosh?: unknown } | undefined): boolean {
  if (!plan.bosh || !jumpboxHost(plan)) return false;
  return profileOf(plan.mode).bosh ? !!plan.paasta : !!release?.bosh;
}

/** Gathers on the jump box and judges: the jump box's CaaS checks. */
export async function caasJumpboxChecks(plan: Plan, exec: Exec, secrets: ServiceSecrets, opts: GatherOptions = {}): Promise<CheckResult[]> {
  return caasChecks(plan, await gatherCaasFacts(plan, exec, secrets, { ...(plan.bundle?.path ? { bundlePath: plan.bundle.path } : {}), ...opts }));
}
