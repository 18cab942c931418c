// The safe fixes a user may ask for, as command lines shown before they run (each run with sudo on the
// host). Every fix is idempotent: running it twice leaves the same files and state as running it once.
// Each fix is two parts: `apply` changes the running kernel (swapoff, modprobe, sysctl -w) and `persist`
// writes files so it survives a reboot. Tests run `persist` against a scratch root and only read `apply`,
// because test hosts share this machine's kernel.
import { msg } from '../common/messages.js';
import { shellJoin, shq } from '../common/quote.js';
import type { Fix } from './types.js';

export interface FixPaths {
  /** Where /etc is; a scratch folder in tests. */
  etc: string;
}

const DEFAULT_PATHS: FixPaths = { etc: '/etc' };

export interface FixParts {
  apply: string[];
  persist: string[];
}

export const MODULES_FILE = 'modules-load.d/cp-installer.conf';
export const SYSCTL_FILE = 'sysctl.d/99-cp-installer.conf';
export const REQUIRED_MODULES = ['overlay', 'br_netfilter'] as const;
export const REQUIRED_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
};

/**
 * Swap off now, and every swap line of fstab commented out (a `.cp-installer.bak` copy kept the first time).
 * The sed touches only uncommented lines whose third field is `swap`, so a second run changes nothing.
 */
export function swapFixParts(paths: FixPaths = DEFAULT_PATHS): FixParts {
  const fstab = `${paths.etc}/fstab`;
  return {
    apply: ['swapoff -a'],
    persist: [
      `if [ -f ${shq(fstab)} ] && ! [ -e ${shq(`${fstab}.cp-installer.bak`)} ]; then cp -p ${shq(fstab)} ${shq(`${fstab}.cp-installer.bak`)}; fi`,
      `if [ -f ${shq(fstab)} ]; then sed -i -E ${shq('/^[[:space:]]*#/!s/^([^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+swap([[:space:]]|$).*)$/# \\1/')} ${shq(fstab)}; fi`,
    ],
  };
}

/** The modules loaded now and listed in modules-load.d (the file is rewritten whole: same content each time). */
export function modulesFixParts(paths: FixPaths = DEFAULT_PATHS): FixParts {
  const file = `${paths.etc}/${MODULES_FILE}`;
  return {
    apply: REQUIRED_MODULES.map((m) => shellJoin(['modprobe', m])),
    persist: [
      shellJoin(['mkdir', '-p', `${paths.etc}/modules-load.d`]),
      `printf '%s\\n' ${REQUIRED_MODULES.map(shq).join(' ')} > ${shq(file)}`,
    ],
  };
}

/** The sysctls set now and in sysctl.d; br_netfilter first, without which the bridge keys do not exist. */
export function sysctlFixParts(paths: FixPaths = DEFAULT_PATHS): FixParts {
  const file = `${paths.etc}/${SYSCTL_FILE}`;
  const lines = Object.entries(REQUIRED_SYSCTLS).map(([k, v]) => `${k} = ${v}`);
  return {
    apply: [
      'modprobe br_netfilter',
      ...Object.entries(REQUIRED_SYSCTLS).map(([k, v]) => shellJoin(['sysctl', '-w', `${k}=${v}`])),
    ],
    persist: [
      shellJoin(['mkdir', '-p', `${paths.etc}/sysctl.d`]),
      `printf '%s\\n' ${lines.map(shq).join(' ')} > ${shq(file)}`,
    ],
  };
}

function fix(id: string, parts: FixParts): Fix {
  return { id, title: msg(`preflight.fix.${id}`), commands: [...parts.apply, ...parts.persist] };
}

export const swapFix = (paths?: FixPaths): Fix => fix('swap', swapFixParts(paths));
export const modulesFix = (paths?: FixPaths): Fix => fix('modules', modulesFixParts(paths));
export const sysctlFix = (paths?: FixPaths): Fix => fix('sysctl', sysctlFixParts(paths));
