// Checks across hosts: identities that must differ (hostname, product_uuid, MAC, machine-id, addresses),
// clocks and the cluster network's MTU that must agree, and the reachability matrix with its round trips,
// measured on the hosts themselves (the probe connects to the targets it is given, in the same round
// trip). All pure; run.ts gathers the inputs.
import { msg } from '../common/messages.js';
import { shellJoin } from '../common/quote.js';
import { etcdHosts, hostsWithRole, innerAddress, runsEtcd, type Host, type Plan } from '../plan/schema.js';
import { CLOUDCORE_PORTS } from './checks/ports.js';
import { profileOf } from '../modes/profiles.js';
import { bareAddresses } from './facts.js';
import type { CrossCheckResult, HostReport, Verdict } from './types.js';

export const CLOCK_WARN_MS = 1000;
export const CLOCK_FAIL_MS = 30_000;

function cross(base: string, status: Verdict, hosts: string[], params: Record<string, string | number> = {}): CrossCheckResult {
  const r: CrossCheckResult = {
    id: `cross.${base}`,
    status,
    hosts,
    title: msg(`preflight.cross.${base}.title`, params),
    message: msg(`preflight.cross.${base}.${status}`, { hosts: hosts.join(', '), ...params }),
  };
  if (status !== 'pass') r.remedy = msg(`preflight.cross.${base}.remedy`, { hosts: hosts.join(', '), ...params });
  return r;
}

/** Hosts sharing a value (one result per shared value), or one pass. */
function unique(base: string, reports: HostReport[], values: (r: HostReport) => string[]): CrossCheckResult[] {
  const owners = new Map<string, Set<string>>();
  for (const r of reports) {
    for (const v of new Set(values(r))) {
      if (!v) continue;
      const set = owners.get(v) ?? new Set<string>();
      set.add(r.name);
      owners.set(v, set);
    }
  }
  const dups = [...owners.entries()].filter(([, names]) => names.size > 1);
  if (!dups.length) return [cross(base, 'pass', reports.map((r) => r.name))];
  return dups.map(([value, names]) => ({ ...cross(base, 'fail', [...names], { value }), id: `cross.${base}` }));
}

export function identityChecks(reports: HostReport[]): CrossCheckResult[] {
  const probed = reports.filter((r) => r.facts);
  if (probed.length < 2) return [];
  return [
    ...unique('hostname', probed, (r) => [r.facts?.hostname ?? '']),
    ...unique('productUuid', probed, (r) => [r.facts?.productUuid?.toLowerCase() ?? '']),
    ...unique('mac', probed, (r) => (r.facts?.macs ?? []).map((m) => m.toLowerCase())),
    ...unique('machineId', probed, (r) => [r.facts?.machineId ?? '']),
    ...unique('address', probed, ownAddresses),
  ];
}

// Interfaces that carry the same address on every host by design (container bridges, CNI devices,
// libvirt's default network): a shared address there is no conflict.
const SHARED_BY_DESIGN = /^(lo|docker\d*|br-[0-9a-f]+|podman\d*|cni\d*|virbr\d*|kube-ipvs\d*|kube-bridge|flannel\..*|cali.*|vxlan\..*|tunl\d*|cilium.*|lxc.*|weave|nodelocaldns|edgemesh.*)$/;

/** A host's own addresses (no prefix length): not loopback, not link-local, not on a bridge shared by design. */
export function ownAddresses(r: HostReport): string[] {
  return (r.facts?.interfaces ?? [])
    .filter((i) => !SHARED_BY_DESIGN.test(i.name))
    .flatMap((i) => bareAddresses(i).map((a) => a.toLowerCase()))
    .filter((a) => !/^(127\.|169\.254\.|::1$|fe80:)/.test(a));
}

/**
 * The MTU of the interface that holds each host's cluster address must be the same everywhere: the pod
 * overlay (Calico's IPIP/VXLAN) is sized from it, and a smaller MTU on one host silently drops large packets.
 */
export function mtuCheck(plan: Plan, reports: HostReport[]): CrossCheckResult[] {
  const byName = new Map(plan.hosts.map((h) => [h.name, h]));
  const mtus = new Map<string, number>();
  for (const r of reports) {
    const host = byName.get(r.name);
    if (!host || !r.facts?.interfaces) continue;
    const address = innerAddress(host).toLowerCase();
    const nic = r.facts.interfaces.find((i) => bareAddresses(i).some((a) => a.toLowerCase() === address));
    if (nic?.mtu) mtus.set(r.name, nic.mtu);
  }
  if (mtus.size < 2) return [];
  const values = [...new Set(mtus.values())].sort((a, b) => a - b);
  if (values.length === 1) return [cross('mtu', 'pass', [...mtus.keys()], { mtu: values[0]! })];
  const smallest = values[0]!;
  const odd = [...mtus].filter(([, m]) => m === smallest).map(([n]) => n);
  const list = [...mtus].map(([n, m]) => `${n} ${m}`).join(', ');
  return [cross('mtu', 'warn', odd, { mtus: list, mtu: smallest })];
}

/**
 * Each host's clock offset is only known within [offsetMinMs, offsetMaxMs] (the reading happened somewhere
 * between sending the probe and its first line arriving). The skew two hosts surely have is the gap
 * between their intervals; that is what is judged, so a slow link never makes a false alarm.
 */
export function clockCheck(reports: HostReport[]): CrossCheckResult[] {
  const timed = reports.filter((r) => r.clock);
  if (timed.length < 2) return [];
  let worst = { skew: 0, a: timed[0]!, b: timed[1]! };
  for (const a of timed) {
    for (const b of timed) {
      const gap = Math.max(0, a.clock!.offsetMinMs - b.clock!.offsetMaxMs);
      if (gap > worst.skew) worst = { skew: gap, a, b };
    }
  }
  const mid = (r: HostReport) => (r.clock!.offsetMinMs + r.clock!.offsetMaxMs) / 2;
  const mids = timed.map(mid);
  const spread = Math.round(Math.max(...mids) - Math.min(...mids));
  if (worst.skew > CLOCK_FAIL_MS) return [cross('clock', 'fail', [worst.a.name, worst.b.name], { skewMs: Math.round(mid(worst.a) - mid(worst.b)) })];
  if (worst.skew > CLOCK_WARN_MS) return [cross('clock', 'warn', [worst.a.name, worst.b.name], { skewMs: Math.round(mid(worst.a) - mid(worst.b)) })];
  return [cross('clock', 'pass', timed.map((r) => r.name), { skewMs: spread })];
}

// --- reachability matrix -------------------------------------------------------------------------

export interface ReachTarget {
  to: string;
  address: string;
  port: number;
  /** Something must already listen there (a registry), so `refused` is a failure, not a pass. */
  mustListen?: boolean;
}

/** `host`, `host:port`, `[v6]:port`, with an optional scheme and path: where the registry listens (443 by default). */
export function registryEndpoint(address: string): { host: string; port: number } | undefined {
  const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(address.trim());
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 443 };
}

/** What each host must reach on the others (plan roles; only hosts in `present`). */
export function reachPlan(plan: Plan, present: ReadonlySet<string>): Map<string, ReachTarget[]> {
  const out = new Map<string, ReachTarget[]>();
  const inPlan = plan.hosts.filter((h) => present.has(h.name));
  const has = (h: { roles: string[] }, role: string) => h.roles.includes(role);
  const cps = hostsWithRole(plan, 'control-plane').filter((h) => present.has(h.name));
  const etcd = etcdHosts(plan).filter((h) => present.has(h.name));
  const nodes = inPlan.filter((h) => has(h, 'control-plane') || has(h, 'worker'));
  const cloudcore = profileOf(plan.mode, plan).kubeedge ? cps[0] : undefined;
  const add = (from: string, to: (typeof inPlan)[number], port: number) => {
    if (from === to.name) return;
    const list = out.get(from) ?? [];
    if (!list.some((t) => t.to === to.name && t.port === port)) list.push({ to: to.name, address: innerAddress(to), port });
    out.set(from, list);
  };
  for (const n of nodes) for (const cp of cps) add(n.name, cp, 6443);
  for (const n of inPlan.filter((h) => has(h, 'control-plane') || has(h, 'etcd'))) {
    for (const e of etcd) {
      add(n.name, e, 2379);
      add(n.name, e, 2380);
    }
  }
  for (const cp of cps) for (const n of nodes) add(cp.name, n, 10250);
  // The private registry must answer from every node before install (images come from it).
  const registry = plan.registry ? registryEndpoint(plan.registry.address) : undefined;
  if (registry) {
    for (const n of inPlan.filter((h) => has(h, 'control-plane') || has(h, 'worker') || has(h, 'edge'))) {
      const list = out.get(n.name) ?? [];
      list.push({ to: 'registry', address: registry.host, port: registry.port, mustListen: true });
      out.set(n.name, list);
    }
  }
  if (cloudcore) {
    // Edge hosts reach cloudcore by its public address when the plan gives one.
    const target = { ...cloudcore, privateAddress: plan.edge?.cloudcoreAddress ?? innerAddress(cloudcore) };
    for (const e of inPlan.filter((h) => has(h, 'edge'))) for (const p of CLOUDCORE_PORTS) add(e.name, target, p);
  }
  return out;
}

const hostPort = (t: ReachTarget) => (t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`);

// What the probe can carry back (it drops anything else, so a hostile address cannot break its JSON).
const PLAIN_TARGET = /^[A-Za-z0-9.:_[\]-]+$/;

/**
 * The probe's command line, the program on stdin (probeScript, facts.ts): `perl -x -` where perl is (every
 * Debian and Ubuntu), else `sh -s`, with the reach targets as arguments, after `--fsync` on the hosts that
 * will run etcd (their disk's synced-write latency is measured) and `--versions` on edge hosts (containerd's
 * and kubelet's versions are asked only where a check judges them). `command -v` is the shell's own: the
 * choice costs no process.
 */
export function probeCommand(targets: ReachTarget[], opts: ProbeOptions = {}): string {
  const args = probeArguments(targets, opts);
  return `if command -v perl >/dev/null 2>&1; then ${shellJoin(['exec', 'perl', '-x', '-', ...args])}; fi; ${shellJoin(['exec', 'sh', '-s', '--', ...args])}`;
}

export interface ProbeOptions {
  fsync?: boolean;
  versions?: boolean;
}

/** What the probe measures beyond the common facts on this host (see probeCommand). */
export function probeOptions(plan: Plan, host: Host): ProbeOptions {
  return { fsync: runsEtcd(plan, host), versions: host.roles.includes('edge') };
}

/** The probe's arguments, as either program takes them: options first, then the targets it can carry back. */
export function probeArguments(targets: ReachTarget[], opts: ProbeOptions = {}): string[] {
  return [...(opts.fsync ? ['--fsync'] : []), ...(opts.versions ? ['--versions'] : []), ...targets.map(hostPort).filter((t) => PLAIN_TARGET.test(t))];
}

/** What the probe saw for one target: its word, and the connect's round trip when the target answered. */
export interface ReachOutcome {
  result: string;
  rttMs?: number;
}

/** `ADDRESS:PORT RESULT [MS]` lines (the probe's `reach` member) → outcome per target (missing ones: `error`). */
export function parseReach(lines: string | string[], targets: ReachTarget[]): Map<ReachTarget, ReachOutcome> {
  const seen = new Map<string, ReachOutcome>();
  for (const line of typeof lines === 'string' ? lines.split('\n') : lines) {
    const [target, result, ms] = line.trim().split(/\s+/);
    if (!target || !result) continue;
    const rtt = ms !== undefined && /^\d+(\.\d+)?$/.test(ms) ? Number(ms) : undefined;
    seen.set(target, rtt === undefined ? { result } : { result, rttMs: rtt });
  }
  return new Map(targets.map((t) => [t, seen.get(hostPort(t)) ?? { result: 'error' }]));
}

const REACHABLE = new Set(['open', 'refused']);
const FILTERED = new Set(['timeout', 'unreachable']);

/**
 * One result per (from, to) pair: pass when every port answered (open or refused), fail when any timed
 * out or had no route, warn when the host could not test (no perl or python3, or an error).
 */
export function reachChecks(from: string, outcomes: Map<ReachTarget, ReachOutcome>): CrossCheckResult[] {
  const byTo = new Map<string, Array<[ReachTarget, string]>>();
  for (const [t, o] of outcomes) byTo.set(t.to, [...(byTo.get(t.to) ?? []), [t, o.result]]);
  const out: CrossCheckResult[] = [];
  for (const [to, rows] of byTo) {
    const address = rows[0]![0].address;
    const bad = rows.filter(([t, r]) => FILTERED.has(r) || (t.mustListen && r === 'refused'));
    const untested = rows.filter(([t, r]) => !REACHABLE.has(r) && !FILTERED.has(r) && !(t.mustListen && r === 'refused'));
    const ports = (list: typeof rows) => list.map(([t]) => t.port).join(', ');
    const results = (list: typeof rows) => list.map(([t, r]) => `${t.port} ${r}`).join(', ');
    const base = { from, to, address };
    let r: CrossCheckResult;
    if (bad.length) r = cross('reach', 'fail', [from, to], { ...base, ports: ports(bad), results: results(bad) });
    else if (untested.length) r = cross('reach', 'warn', [from, to], { ...base, ports: ports(untested), results: results(untested) });
    else r = cross('reach', 'pass', [from, to], { ...base, ports: ports(rows), results: results(rows) });
    out.push({ ...r, id: `cross.reach.${from}.${to}` });
  }
  return out;
}

// Round trips between cluster nodes: etcd members miss heartbeats (100 ms by default) on a slower link, so
// etcd ports are held to 100 ms; other node-to-node traffic to 1 s (the Assisted Installer's limits). Edge
// hosts reach cloudcore over a WAN by design, and a registry's distance is not the cluster's: not judged.
export const RTT_ETCD_MS = 100;
export const RTT_NODE_MS = 1000;

function rttLimit(t: ReachTarget): number | undefined {
  if (t.to === 'registry' || CLOUDCORE_PORTS.includes(t.port)) return undefined;
  return t.port === 2379 || t.port === 2380 ? RTT_ETCD_MS : RTT_NODE_MS;
}

/** A warning per (from, to) pair whose slowest answered connect is over its limit; nothing when all are fast. */
export function latencyChecks(from: string, outcomes: Map<ReachTarget, ReachOutcome>): CrossCheckResult[] {
  const worst = new Map<string, { rtt: number; limit: number; address: string }>();
  for (const [t, o] of outcomes) {
    const limit = rttLimit(t);
    if (limit === undefined || o.rttMs === undefined || o.rttMs <= limit) continue;
    const seen = worst.get(t.to);
    if (!seen || o.rttMs / limit > seen.rtt / seen.limit) worst.set(t.to, { rtt: o.rttMs, limit, address: t.address });
  }
  return [...worst].map(([to, w]) => ({
    ...cross('latency', 'warn', [from, to], { from, to, address: w.address, rttMs: Math.round(w.rtt), limitMs: w.limit }),
    id: `cross.latency.${from}.${to}`,
  }));
}
