// Operating system, kernel settings, time, names and access: what kubeadm's preflight and the platform's
// guide ask of every host, with the version-dependent rules of TOOLS.md §1.1.
import { innerAddress } from '../../plan/schema.js';
import { bareAddresses, osKey } from '../facts.js';
import { modulesFix, REQUIRED_MODULES, swapFix, sysctlFix } from '../fixes.js';
import type { CheckResult } from '../types.js';
import {
  atLeast,
  isEdge,
  isControlPlane,
  kubeadmDriven,
  sudoMode,
  unknown,
  verdict,
  type CheckContext,
} from './context.js';

export function osCheck(ctx: CheckContext): CheckResult {
  const key = osKey(ctx.facts);
  const pretty = ctx.facts.os?.prettyName ?? key ?? '?';
  if (!key) return unknown('os', ctx.facts, 'os');
  if (!ctx.release) return verdict('os', 'warn', { os: pretty, release: ctx.plan.release }, { variant: 'norelease', remedyVariant: 'norelease' });
  const edgeOnly = isEdge(ctx) && !isControlPlane(ctx);
  const list = edgeOnly && ctx.release.os.edge.length ? ctx.release.os.edge : ctx.release.os.cluster;
  const params = { os: pretty, key, supported: list.join(', '), release: ctx.release.name };
  return list.includes(key) ? verdict('os', 'pass', params) : verdict('os', 'fail', params);
}

export function archCheck(ctx: CheckContext): CheckResult {
  const arch = ctx.facts.arch;
  if (!arch) return unknown('arch', ctx.facts, 'arch');
  return arch === 'amd64' || arch === 'arm64' ? verdict('arch', 'pass', { arch }) : verdict('arch', 'fail', { arch });
}

/** kubeadm's SystemVerification: 4.19+ is what current Kubernetes supports; older than 3.10 cannot work. */
export function kernelCheck(ctx: CheckContext): CheckResult {
  const kernel = ctx.facts.kernel;
  if (!kernel) return unknown('kernel', ctx.facts, 'kernel');
  if (!atLeast(kernel, '3.10')) return verdict('kernel', 'fail', { kernel, min: '3.10' });
  if (!atLeast(kernel, '4.19')) return verdict('kernel', 'warn', { kernel, advised: '4.19' });
  return verdict('kernel', 'pass', { kernel });
}

/** kubeadm's Swap check: an error up to 1.22, a warning from 1.23 (PR #104854). */
export function swapCheck(ctx: CheckContext): CheckResult {
  const kb = ctx.facts.swapKb;
  if (kb === undefined) return unknown('swap', ctx.facts, 'swapKb');
  const params = { mb: Math.round(kb / 1024), kubernetes: ctx.kubernetes };
  if (kb > 0) {
    const status = atLeast(ctx.kubernetes, '1.23') ? 'warn' : 'fail';
    return verdict('swap', status, params, { variant: 'on', fix: swapFix() });
  }
  if (ctx.facts.swapInFstab) return verdict('swap', 'warn', params, { variant: 'fstab', remedyVariant: 'fstab', fix: swapFix() });
  return verdict('swap', 'pass', params);
}

/** cgroup v1 is in maintenance from Kubernetes 1.31 (kubelet warns); v2 is what current releases want. */
export function cgroupCheck(ctx: CheckContext): CheckResult {
  const cg = ctx.facts.cgroup;
  if (cg === undefined) return unknown('cgroup', ctx.facts, 'cgroup');
  const params = { cgroup: cg ?? '?', kubernetes: ctx.kubernetes };
  if (cg === null) return verdict('cgroup', 'fail', params, { variant: 'none' });
  if (cg !== 'v2' && atLeast(ctx.kubernetes, '1.31')) return verdict('cgroup', 'warn', params);
  return verdict('cgroup', 'pass', params);
}

/** Container runtimes need overlay; bridged pod traffic needs br_netfilter. Kubespray loads both itself. */
export function modulesCheck(ctx: CheckContext): CheckResult {
  const mods = ctx.facts.modules;
  if (!mods) return unknown('modules', ctx.facts, 'modules');
  const missing = REQUIRED_MODULES.filter((m) => !mods[m]);
  const notPersisted = REQUIRED_MODULES.filter((m) => mods[m] && ctx.facts.modulesPersisted && !ctx.facts.modulesPersisted[m]);
  if (missing.length) return verdict('modules', 'warn', { modules: missing.join(', ') }, { fix: modulesFix() });
  if (notPersisted.length && kubeadmDriven(ctx)) {
    return verdict('modules', 'warn', { modules: notPersisted.join(', ') }, { variant: 'volatile', remedyVariant: 'volatile', fix: modulesFix() });
  }
  return verdict('modules', 'pass', { modules: REQUIRED_MODULES.join(', ') });
}

/**
 * kubeadm's FileContent checks: ip_forward must be 1 (ERROR); bridge-nf-call-iptables must be 1 up to
 * 1.29 and is not checked from 1.30 (PR #123464). Where this installer runs kubeadm itself they fail;
 * where Kubespray runs, it sets them, so they only warn.
 */
export function sysctlChecks(ctx: CheckContext): CheckResult[] {
  const sysctl = ctx.facts.sysctl;
  if (!sysctl) return [unknown('sysctl', ctx.facts, 'sysctl')];
  const keys = ['net.ipv4.ip_forward'];
  if (!atLeast(ctx.kubernetes, '1.30')) keys.push('net.bridge.bridge-nf-call-iptables');
  const hard = kubeadmDriven(ctx) && !isEdge(ctx);
  return keys.map((key) => {
    const value = sysctl[key];
    const params = { key, value: value ?? 'missing', kubernetes: ctx.kubernetes };
    const id = `sysctl.${key}`;
    if (value === '1') return verdict('sysctl', 'pass', params, { id });
    return verdict('sysctl', hard ? 'fail' : 'warn', params, { id, fix: sysctlFix() });
  });
}

export function selinuxCheck(ctx: CheckContext): CheckResult | null {
  const mode = ctx.facts.selinux;
  if (mode === undefined || mode === null) return null; // no SELinux on this host: nothing to say
  return mode === 'enforcing' ? verdict('selinux', 'warn', { mode }) : verdict('selinux', 'pass', { mode });
}

/** kubeadm's Firewalld check (a warning): the ports must be opened, or the firewall stopped. */
export function firewallCheck(ctx: CheckContext): CheckResult {
  const fw = ctx.facts.firewall;
  if (!fw) return unknown('firewall', ctx.facts, 'firewall');
  if (fw.active) return verdict('firewall', 'warn', { kind: fw.kind ?? '?' });
  return verdict('firewall', 'pass');
}

export function ntpCheck(ctx: CheckContext): CheckResult {
  const synced = ctx.facts.clock?.ntpSynchronized;
  if (synced === true) return verdict('ntp', 'pass');
  if (synced === false) return verdict('ntp', 'warn', {}, { variant: 'off' });
  return verdict('ntp', 'warn', {}, { variant: 'unknown', remedyVariant: 'unknown' });
}

// RFC 1123 subdomain, as Kubernetes requires of a node name.
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * kubeadm's Hostname check: the node name is a valid DNS subdomain and resolves. Kubespray renames hosts
 * to the plan's names; kubeadm and keadm use the host's own name unless told otherwise.
 */
export function hostnameCheck(ctx: CheckContext): CheckResult {
  const hostname = ctx.facts.hostname;
  if (hostname === undefined) return unknown('hostname', ctx.facts, 'hostname');
  const params = { hostname: JSON.stringify(hostname).slice(1, -1), name: ctx.host.name };
  if (!DNS_SUBDOMAIN.test(hostname)) {
    return verdict('hostname', kubeadmDriven(ctx) || isEdge(ctx) ? 'fail' : 'warn', params, { variant: 'invalid' });
  }
  if (ctx.facts.dns?.selfResolves === false) return verdict('hostname', 'warn', params, { variant: 'unresolved', remedyVariant: 'unresolved' });
  return verdict('hostname', 'pass', params);
}

export function dnsCheck(ctx: CheckContext): CheckResult {
  const ns = ctx.facts.nameservers;
  if (!ns) return unknown('dns', ctx.facts, 'nameservers');
  return ns.length ? verdict('dns', 'pass', { servers: ns.join(', ') }) : verdict('dns', 'warn');
}

/** Ansible runs Python modules on every host it manages; the deployer runs ansible-core itself. */
export function python3Check(ctx: CheckContext, deployer: boolean): CheckResult {
  const v = ctx.facts.python3;
  if (v === undefined) return unknown('python3', ctx.facts, 'python3');
  if (v === null) return verdict('python3', 'fail', {}, { variant: 'missing' });
  // ansible-core 2.16+ needs Python 3.10 on the controller; managed hosts need 3.6+ (2.16) / 3.7+ (2.17).
  const min = deployer && ctx.release && atLeast(ctx.release.ansible.minCore, '2.16') ? '3.10' : '3.6';
  if (!atLeast(v, min)) return verdict('python3', deployer ? 'warn' : 'fail', { version: v, min }, { variant: 'old', remedyVariant: 'old' });
  return verdict('python3', 'pass', { version: v });
}

/** Everything the installer does on a host runs with sudo. */
export function sudoCheck(ctx: CheckContext): CheckResult {
  const s = ctx.facts.sudo;
  if (!s) return unknown('sudo', ctx.facts, 'sudo');
  const mode = sudoMode(ctx);
  const params = { user: ctx.facts.user?.sudoUser ?? ctx.facts.user?.name ?? '?', mode };
  if (s.ok) return verdict('sudo', 'pass', params);
  if (s.missing) return verdict('sudo', 'fail', params, { variant: 'missing', remedyVariant: 'missing' });
  if (s.needsPassword && mode !== 'password') return verdict('sudo', 'fail', params, { variant: 'password', remedyVariant: 'password' });
  if (s.needsPassword) return verdict('sudo', 'fail', params, { variant: 'rejected', remedyVariant: 'rejected' });
  return verdict('sudo', 'fail', params);
}

/** The address nodes use between them must be one of the host's own (not behind NAT). */
export function addressCheck(ctx: CheckContext): CheckResult {
  const ifaces = ctx.facts.interfaces;
  if (!ifaces) return unknown('address', ctx.facts, 'interfaces');
  const want = innerAddress(ctx.host);
  const mine = ifaces.flatMap(bareAddresses);
  if (mine.includes(want)) return verdict('address', 'pass', { address: want });
  // A name, not an address: cannot compare here, the reachability matrix covers it.
  if (!/^[0-9.]+$|:/.test(want)) return verdict('address', 'pass', { address: want });
  return verdict('address', 'warn', { address: want, found: mine.filter((a) => a && !a.startsWith('127.') && a !== '::1').join(', ') });
}

/** kubeadm's FileExisting-* checks (errors for the first group, warnings for the second). */
export function binariesCheck(ctx: CheckContext): CheckResult {
  const bins = ctx.facts.binaries;
  if (!bins) return unknown('binaries', ctx.facts, 'binaries');
  const required = ['ip', 'iptables', 'mount', 'nsenter'];
  if (!atLeast(ctx.kubernetes, '1.32')) required.push('conntrack');
  const optional = ['ebtables', 'ethtool', 'socat', 'tc', 'touch'];
  const missingReq = required.filter((b) => !bins[b]);
  const missingOpt = optional.filter((b) => !bins[b]);
  const missing = [...missingReq, ...missingOpt].join(', ');
  if (missingReq.length || missingOpt.length) return verdict('binaries', 'warn', { missing });
  return verdict('binaries', 'pass');
}
