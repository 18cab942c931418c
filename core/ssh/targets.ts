// Where and how to log in to each host of a plan. The plan wins where it says something; the user's
// ~/.ssh/config fills in what it leaves open (HostName for an alias, User, Port, IdentityFile, ProxyJump),
// the way `ssh <address>` would. Only a plan that validates gets targets: this is the one door every shell
// (CLI, wizard, desktop app, API) passes before any connection, so an invalid plan never reaches a host.
import { formatPath } from '../plan/issues.js';
import { authFor, loginUser, type AuthProfile, type Host, type Plan } from '../plan/schema.js';
import { passedValidation, validatePlan } from '../plan/validate.js';
import { SshConfigFile, type JumpSpec } from './ssh-config.js';
import { SshError, type SshTarget } from './types.js';

export interface TargetOptions {
  /** The user's ssh config (SshConfigFile.load()); none when absent. */
  sshConfig?: SshConfigFile;
}

const MAX_HOPS = 5;

/**
 * Throws SshError 'plan-invalid' (naming the fields) unless the plan validates: no target, so no TCP
 * connection, DNS query or host-key question, exists for a plan with errors.
 */
export function assertPlanValid(plan: Plan): void {
  // Passed by the validator in this process and unchanged since: validating again would give the same answer.
  if (passedValidation(plan)) return;
  const r = validatePlan(plan);
  if (r.valid) return;
  const fields = [...new Set(r.errors.map((e) => e.path || formatPath([])))].map((f) => f || 'plan');
  const shown = fields.slice(0, 5).join(', ') + (fields.length > 5 ? `, … (${fields.length} in all)` : '');
  throw new SshError('plan-invalid', 'plan', `the plan has errors in ${shown}`, { fields });
}

/** ProxyJump hops being resolved, outermost last: a name seen twice is a loop OpenSSH would follow forever. */
function enter(stack: readonly string[], host: string): string[] {
  const seen = stack.findIndex((h) => h.toLowerCase() === host.toLowerCase());
  if (seen >= 0) {
    const loop = [...stack.slice(seen), host];
    throw new SshError('proxyjump-loop', stack[0] ?? host, `ProxyJump loop: ${loop.join(' → ')}`, { hosts: loop });
  }
  return [...stack, host];
}

function withoutJump(profile: AuthProfile): AuthProfile {
  const { jumpHost: _jump, ...rest } = profile;
  return rest;
}

function keyFromConfig(profile: AuthProfile, identityFiles: string[]): AuthProfile {
  if (profile.method !== 'key' || profile.keyPath || identityFiles.length === 0) return profile;
  return { ...profile, keyPath: identityFiles[0] };
}

/** A hop named by ProxyJump, resolved through the ssh config itself (it may have its own ProxyJump). */
function hopTarget(spec: JumpSpec, profile: AuthProfile, fallbackUser: string, config: SshConfigFile, depth: number, stack: string[]): SshTarget {
  const here = enter(stack, spec.host);
  const cfg = config.lookup(spec.host);
  const target: SshTarget = {
    name: spec.host,
    address: cfg.hostName ?? spec.host,
    port: spec.port ?? cfg.port ?? 22,
    user: spec.user ?? cfg.user ?? fallbackUser,
    auth: keyFromConfig(withoutJump(profile), cfg.identityFiles),
  };
  const jump = chain(cfg.proxyJump, profile, fallbackUser, config, depth + 1, here);
  if (jump) target.jump = jump;
  return target;
}

/** `ProxyJump a,b`: connect to a, through a to b, through b to the host; so the host's jump is b, b's is a. */
function chain(hops: JumpSpec[], profile: AuthProfile, fallbackUser: string, config: SshConfigFile, depth: number, stack: string[]): SshTarget | undefined {
  if (hops.length === 0) return undefined;
  if (depth > MAX_HOPS) throw new SshError('protocol', hops[0]!.host, `ProxyJump nests deeper than ${MAX_HOPS} hops`);
  let previous: SshTarget | undefined;
  for (const spec of hops) {
    const t = hopTarget(spec, profile, fallbackUser, config, depth, stack);
    if (previous) {
      let root = t;
      while (root.jump) root = root.jump;
      root.jump = previous;
    }
    previous = t;
  }
  return previous;
}

/** The target of one host of a plan that validates (see assertPlanValid). */
export function targetForHost(plan: Plan, host: Host, options: TargetOptions = {}): SshTarget {
  assertPlanValid(plan);
  return buildTarget(plan, host, options);
}

function buildTarget(plan: Plan, host: Host, options: TargetOptions): SshTarget {
  const config = options.sshConfig ?? SshConfigFile.empty();
  const profile = authFor(plan, host);
  if (!profile) throw new SshError('auth', host.name, `auth profile "${host.auth}" is not defined in the plan`);
  const cfg = config.lookup(host.address);
  const user = host.user ?? profile.user ?? cfg.user ?? loginUser(plan, host);
  const target: SshTarget = {
    name: host.name,
    address: cfg.hostName ?? host.address,
    // The schema defaults the port to 22, so only another value is a choice the plan made.
    port: host.port !== 22 ? host.port : (cfg.port ?? 22),
    user,
    auth: keyFromConfig(profile, cfg.identityFiles),
  };
  if (profile.jumpHost) {
    const jp = profile.jumpHost;
    const jumpProfile = jp.auth ? plan.auth.find((a) => a.name === jp.auth) : profile;
    if (!jumpProfile) throw new SshError('auth', host.name, `jump host auth profile "${jp.auth}" is not defined in the plan`);
    const jcfg = config.lookup(jp.address);
    const jump: SshTarget = {
      name: jp.address,
      address: jcfg.hostName ?? jp.address,
      port: jp.port !== 22 ? jp.port : (jcfg.port ?? 22),
      user: jp.user ?? jumpProfile.user ?? jcfg.user ?? user,
      auth: keyFromConfig(withoutJump(jumpProfile), jcfg.identityFiles),
    };
    const further = chain(jcfg.proxyJump, jumpProfile, user, config, 1, [host.address, jp.address]);
    if (further) jump.jump = further;
    target.jump = jump;
  } else {
    const jump = chain(cfg.proxyJump, profile, user, config, 0, [host.address]);
    if (jump) target.jump = jump;
  }
  return target;
}

export function targetsFromPlan(plan: Plan, options: TargetOptions = {}): SshTarget[] {
  assertPlanValid(plan);
  return plan.hosts.map((h) => buildTarget(plan, h, options));
}
