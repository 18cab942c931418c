// What every evaluator sees: the host's facts, its place in the plan, and the release. Evaluators are pure
// functions of this context; which of them apply (role, mode, release) is decided in index.ts.
import { msg, type Params } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import { authFor, hostsWithRole, type Host, type Plan, type Role } from '../../plan/schema.js';
import type { ModeProfile } from '../../modes/profile.js';
import { profileOf } from '../../modes/profiles.js';
import type { CheckResult, Facts, Fix, Verdict } from '../types.js';

export interface CheckContext {
  facts: Facts;
  host: Host;
  plan: Plan;
  release?: Release;
  /** What the plan's mode does to hosts (core/modes/<mode>/profile.ts): which checks and ports apply. */
  profile: ModeProfile;
  roles: ReadonlySet<Role>;
  /** The release's Kubernetes version (`1.32.5`); the edge kubelet's for an edge host. */
  kubernetes: string;
}

export function contextFor(facts: Facts, host: Host, plan: Plan, release?: Release): CheckContext {
  return {
    facts,
    host,
    plan,
    release,
    profile: profileOf(plan.mode, plan),
    roles: new Set(host.roles),
    kubernetes: release?.kubernetes ?? '0.0',
  };
}

/** The evaluators compare versions with the one comparison every layer uses. */
export { atLeast, compareVersions } from '../../common/version.js';

/** The installer runs kubeadm itself (so kubeadm's own preflight will run and fail). */
export function kubeadmDriven(ctx: CheckContext): boolean {
  return ctx.profile.preflight.kubeadm;
}

export const isControlPlane = (ctx: CheckContext): boolean => ctx.roles.has('control-plane');
export const isEdge = (ctx: CheckContext): boolean => ctx.roles.has('edge');
export const isClusterNode = (ctx: CheckContext): boolean =>
  ctx.roles.has('control-plane') || ctx.roles.has('worker') || ctx.roles.has('etcd');

/** A mode on an existing cluster (expand-edge): its own hosts already run Kubernetes; only edge work touches them. */
export const existingClusterHost = (ctx: CheckContext): boolean => !ctx.profile.preflight.newClusterNodes && !isEdge(ctx);

/** The node cloudcore is pinned to in the KubeEdge modes: the first control plane. */
export function isCloudcoreHost(ctx: CheckContext): boolean {
  if (!ctx.profile.kubeedge) return false;
  return hostsWithRole(ctx.plan, 'control-plane')[0]?.name === ctx.host.name;
}

export function sudoMode(ctx: CheckContext): 'none' | 'nopasswd' | 'password' {
  return authFor(ctx.plan, ctx.host)?.sudo ?? 'nopasswd';
}

export const GIB = 1024 * 1024; // in KB
export const MIB = 1024;

export function kbToGiB(kb: number): string {
  return (kb / GIB).toFixed(1);
}

/**
 * One verdict. Keys follow `preflight.<base>.title`, `preflight.<base>.<status>` (or `.<variant>`)
 * and `preflight.<base>.remedy` (or `.remedy.<variant>`); `id` may add a suffix (`port.6443`).
 */
export function verdict(
  base: string,
  status: Verdict,
  params: Params = {},
  opts: { id?: string; variant?: string; remedyVariant?: string; fix?: Fix } = {},
): CheckResult {
  const id = opts.id ?? base;
  const result: CheckResult = {
    id,
    status,
    title: msg(`preflight.${base}.title`, params),
    message: msg(`preflight.${base}.${opts.variant ?? status}`, params),
  };
  if (status !== 'pass') {
    result.remedy = msg(
      opts.remedyVariant ? `preflight.${base}.remedy.${opts.remedyVariant}` : `preflight.${base}.remedy`,
      params,
    );
    if (opts.fix) result.fix = opts.fix;
  }
  return result;
}

/** A probe item that did not come back: the check says so instead of guessing. */
export function unknown(base: string, facts: Facts, item: string, id?: string): CheckResult {
  return {
    id: id ?? base,
    status: 'warn',
    title: msg(`preflight.${base}.title`),
    message: msg('preflight.unknown', { item, error: facts.errors?.[item] ?? 'missing' }),
    remedy: msg('preflight.unknown.remedy', { item }),
  };
}
