// Facts come from the probe (installer-assets/probe/probe.pl, or probe.sh on a host without perl) as one JSON
// document per host; evaluators are pure functions from facts + plan to verdicts.
import type { Message } from '../common/messages.js';

export type Verdict = 'pass' | 'warn' | 'fail';

/** A safe fix the user may ask for: the commands are shown before they run. */
export interface Fix {
  id: string;
  title: Message;
  /** Shell commands run with sudo on the host, in order. */
  commands: string[];
}

export interface CheckResult {
  /** Stable id, e.g. `memory`, `swap`, `port.6443`: the user overrides a failed check by this id. */
  id: string;
  status: Verdict;
  title: Message;
  /** What was found (with the figures). */
  message: Message;
  /** What to do about it; absent on pass. */
  remedy?: Message;
  fix?: Fix;
}

export interface HostReport {
  name: string;
  address: string;
  /** The host's clock minus ours, bounded by when the probe was sent and when its first line came back. */
  clock?: { offsetMinMs: number; offsetMaxMs: number };
  /** The probe ran under sudo (root-only facts such as product_uuid are present). */
  probedWithSudo?: boolean;
  /** Facts as the probe returned them; absent when the host could not be reached. */
  facts?: Facts;
  /** When the host could not be reached or probed: the SSH error, as a message. */
  error?: Message & { kind: string };
  checks: CheckResult[];
}

export interface CrossCheckResult extends CheckResult {
  hosts: string[];
}

export interface PreflightReport {
  hosts: HostReport[];
  cross: CrossCheckResult[];
  /** Any failed check, unreachable host or failed cross check. */
  ok: boolean;
  startedAt: string;
  durationMs: number;
}

/** The probe's JSON document. Every field may be missing: one failed probe item never breaks the rest. */
export interface Facts {
  probeVersion?: number;
  os?: { id?: string; versionId?: string; prettyName?: string; idLike?: string };
  arch?: string;
  kernel?: string;
  cpus?: number;
  memoryKb?: number;
  disk?: { rootFreeKb?: number; varFreeKb?: number };
  /** Synced small writes where etcd will keep its data (etcd hosts only): the mean latency of `writes`. */
  fsync?: { path: string; writes: number; avgMs: number };
  swapKb?: number;
  hostname?: string;
  productUuid?: string;
  macs?: string[];
  interfaces?: Array<{ name: string; addresses: string[]; mtu?: number; state?: string }>;
  defaultRoute?: { via?: string; dev?: string } | null;
  clock?: { epochMs?: number; ntpSynchronized?: boolean | null };
  listening?: number[];
  modules?: Record<string, boolean>;
  sysctl?: Record<string, string | null>;
  cgroup?: 'v1' | 'v2' | 'hybrid' | null;
  selinux?: string | null;
  apparmor?: boolean | null;
  firewall?: { active: boolean; kind?: string | null };
  python3?: string | null;
  runtimes?: Record<string, string | null>;
  kubelet?: { installed: boolean; running?: boolean; version?: string | null };
  leftovers?: { etcKubernetes?: string[]; varLibEtcd?: boolean };
  /** asRoot: the probe itself ran under sudo; missing: no sudo binary. */
  sudo?: { ok: boolean; needsPassword?: boolean; asRoot?: boolean; missing?: boolean };
  dns?: { selfResolves?: boolean; addresses?: string[] };
  /** Swap lines in /etc/fstab not commented out (swap returns after a reboot). */
  swapInFstab?: boolean;
  machineId?: string;
  /** Modules named in modules-load.d (loaded again after a reboot). */
  modulesPersisted?: Record<string, boolean>;
  /** Whether these processes run: kube-proxy, edgecore, cloudcore, kube-apiserver, etcd, containerd, crio, dockerd. */
  processes?: Record<string, boolean>;
  nameservers?: string[];
  /** The tools kubeadm's preflight looks for in PATH (FileExisting-*). */
  binaries?: Record<string, boolean>;
  user?: { name?: string; uid?: number; sudoUser?: string };
  /** Reachability results measured on this host: `ADDRESS:PORT RESULT` per target the probe was given. */
  reach?: string[];
  /** Names of probe items that failed, with their error text. */
  errors?: Record<string, string>;
  [extra: string]: unknown;
}
