// A whole preflight: every host at once (within the concurrency bounds), ONE SSH round trip per host: the
// probe gathers the facts and, in the background on the host, TCP-connects to the ports it needs on the
// other hosts (the reachability matrix measured on the hosts themselves). Then the cross-host checks.
// A host that cannot be reached, refuses the login or has a changed key becomes that host's report (with
// the SSH error); the others finish regardless.
import { mapLimited } from '../common/async.js';
import { msg } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import { findRelease } from '../plan/catalog.js';
import { authFor, type Host, type Plan } from '../plan/schema.js';
import { sshErrorMessage } from '../ssh/messages.js';
import { SshError, type Connector, type SshSession, type SshTarget } from '../ssh/types.js';
import { evaluate } from './checks/index.js';
import { clockCheck, identityChecks, latencyChecks, mtuCheck, parseReach, probeCommand, probeOptions, reachChecks, reachPlan, type ReachTarget } from './cross.js';
import { parseFacts, probeScript } from './facts.js';
import type { CheckResult, CrossCheckResult, Fix, HostReport, PreflightReport } from './types.js';

export interface PreflightOptions {
  connector: Connector;
  /** One per plan host, by name (from `targetsFromPlan`). */
  targets: SshTarget[];
  signal?: AbortSignal;
  /** Called as each host's report is ready (before the cross-host checks). */
  onHost?: (report: HostReport) => void;
  /** At most this many hosts at once (default 32). */
  globalLimit?: number;
  probeTimeoutMs?: number;
  /** Skip the reachability matrix. */
  skipReach?: boolean;
  /** Named in the message of a changed host key. */
  knownHostsFile?: string;
  /** Overrides the catalog lookup (tests). */
  release?: Release;
  /** Checks of the mode's own beyond the probe, over the host's session (the CaaS jump box: core/modes/caas/checks.ts). */
  hostChecks?: (host: Host, session: SshSession) => Promise<CheckResult[]>;
}

function errorReport(host: Host, e: unknown, knownHostsFile?: string): HostReport {
  if (e instanceof SshError) {
    return { name: host.name, address: host.address, error: { ...sshErrorMessage(e, knownHostsFile), kind: e.kind }, checks: [] };
  }
  const error = e instanceof Error ? e.message : String(e);
  return { name: host.name, address: host.address, error: { ...msg('preflight.host.probe', { host: host.name, error }), kind: 'probe' }, checks: [] };
}

/** The probe, under sudo when the profile allows it; a refused sudo falls back to a plain probe. */
async function probeHost(
  session: SshSession,
  host: Host,
  plan: Plan,
  opts: PreflightOptions,
  reach: ReachTarget[],
  script: string,
  release?: Release,
): Promise<HostReport> {
  const command = probeCommand(reach, probeOptions(plan, host));
  const wantSudo = (authFor(plan, host)?.sudo ?? 'nopasswd') !== 'none';
  const once = async (sudo: boolean) => {
    const sent = Date.now();
    let firstLine = 0;
    const res = await session.exec(command, {
      sudo,
      stdin: script,
      timeoutMs: opts.probeTimeoutMs ?? 60_000,
      signal: opts.signal,
      onStdout: () => {
        firstLine ||= Date.now();
      },
    });
    return { res, sent, firstLine: firstLine || Date.now() };
  };
  let sudoRefused: SshError | undefined;
  let run: Awaited<ReturnType<typeof once>>;
  try {
    run = await once(wantSudo);
  } catch (e) {
    if (!(wantSudo && e instanceof SshError && e.kind === 'sudo')) throw e;
    sudoRefused = e;
    run = await once(false);
  }
  const parsed = parseFacts(run.res.stdout);
  const report: HostReport = { name: host.name, address: host.address, checks: [], probedWithSudo: wantSudo && !sudoRefused };
  if (!parsed.ok) {
    const why = parsed.facts.errors?.probe ?? run.res.stderr.trim().slice(0, 200);
    report.error = { ...msg('preflight.host.probe', { host: host.name, error: why }), kind: 'probe' };
    return report;
  }
  const facts = parsed.facts;
  if (sudoRefused) {
    facts.errors = { ...facts.errors, sudo: sudoRefused.message };
    // The plain probe asked `sudo -n`; with a password profile the password itself was refused.
    if (facts.sudo) facts.sudo = { ...facts.sudo, ok: false };
  }
  report.facts = facts;
  const epoch = facts.clock?.epochMs;
  if (epoch !== undefined) report.clock = { offsetMinMs: epoch - run.firstLine, offsetMaxMs: epoch - run.sent };
  report.checks = evaluate(facts, host, plan, release);
  return report;
}

export async function runPreflight(plan: Plan, opts: PreflightOptions): Promise<PreflightReport> {
  const started = Date.now();
  const release = opts.release ?? findRelease(plan.release);
  const targets = new Map(opts.targets.map((t) => [t.name, t]));
  const limit = opts.globalLimit ?? 32;

  // Targets are planned up front so the probe can test them in the same round trip; results for a
  // target host that itself could not be probed are dropped below.
  const wanted = opts.skipReach ? new Map<string, ReachTarget[]>() : reachPlan(plan, new Set(plan.hosts.map((h) => h.name)));
  const script = probeScript();

  const reports = await mapLimited(plan.hosts, limit, async (host): Promise<HostReport> => {
    const target = targets.get(host.name);
    let session: SshSession | undefined;
    let report: HostReport;
    try {
      if (!target) throw new Error(`no SSH target for ${host.name}`);
      session = await opts.connector.connect(target, opts.signal);
      report = await probeHost(session, host, plan, opts, wanted.get(host.name) ?? [], script, release);
      if (opts.hostChecks && !report.error) report.checks.push(...(await opts.hostChecks(host, session)));
    } catch (e) {
      report = errorReport(host, e, opts.knownHostsFile);
    } finally {
      await session?.close().catch(() => undefined);
    }
    opts.onHost?.(report);
    return report;
  });

  const crossResults: CrossCheckResult[] = [...identityChecks(reports), ...clockCheck(reports), ...mtuCheck(plan, reports)];
  const probedNames = new Set(reports.filter((r) => r.facts).map((r) => r.name));
  for (const r of reports) {
    const list = (wanted.get(r.name) ?? []).filter((t) => t.to === 'registry' || probedNames.has(t.to));
    if (!r.facts || !list.length) continue;
    const outcomes = parseReach(r.facts.reach ?? [], list);
    crossResults.push(...reachChecks(r.name, outcomes), ...latencyChecks(r.name, outcomes));
  }

  const failed = (c: CheckResult) => c.status === 'fail';
  const ok = reports.every((r) => !r.error && !r.checks.some(failed)) && !crossResults.some(failed);
  return {
    hosts: reports,
    cross: crossResults,
    ok,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}

// --- fixes ---------------------------------------------------------------------------------------

/** The fixes a report offers, per host, each once (swap, modules, sysctl). */
export function fixesFor(report: PreflightReport): Map<string, Fix[]> {
  const out = new Map<string, Fix[]>();
  for (const h of report.hosts) {
    const seen = new Set<string>();
    const list: Fix[] = [];
    for (const c of h.checks) {
      if (c.status === 'pass' || !c.fix || seen.has(c.fix.id)) continue;
      seen.add(c.fix.id);
      list.push(c.fix);
    }
    if (list.length) out.set(h.name, list);
  }
  return out;
}

export interface FixOutcome {
  host: string;
  fix: string;
  ok: boolean;
  command?: string;
  output?: string;
}

/** Runs the fixes with sudo, host by host in parallel, each fix's commands in order (stop at the first failure). */
export async function applyFixes(
  fixes: Map<string, Fix[]>,
  opts: Pick<PreflightOptions, 'connector' | 'targets' | 'signal' | 'globalLimit'> & { onOutcome?: (o: FixOutcome) => void },
): Promise<FixOutcome[]> {
  const targets = new Map(opts.targets.map((t) => [t.name, t]));
  const perHost = await mapLimited([...fixes.entries()], opts.globalLimit ?? 32, async ([name, list]) => {
    const results: FixOutcome[] = [];
    const target = targets.get(name);
    let session: SshSession | undefined;
    try {
      if (!target) throw new Error(`no SSH target for ${name}`);
      session = await opts.connector.connect(target, opts.signal);
      for (const fix of list) {
        let outcome: FixOutcome = { host: name, fix: fix.id, ok: true };
        for (const command of fix.commands) {
          const res = await session.exec(command, { sudo: true, timeoutMs: 60_000, signal: opts.signal });
          if (res.code !== 0) {
            outcome = { host: name, fix: fix.id, ok: false, command, output: (res.stderr || res.stdout).trim().slice(0, 300) };
            break;
          }
        }
        results.push(outcome);
        opts.onOutcome?.(outcome);
      }
    } catch (e) {
      const o: FixOutcome = { host: name, fix: '*', ok: false, output: e instanceof Error ? e.message : String(e) };
      results.push(o);
      opts.onOutcome?.(o);
    } finally {
      await session?.close().catch(() => undefined);
    }
    return results;
  });
  return perHost.flat();
}
