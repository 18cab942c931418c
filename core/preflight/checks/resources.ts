// CPU, memory and disk. Thresholds: kubeadm's own preflight (NumCPU ≥ 2 and Mem ≥ 1700 MB on control
// planes), Kubespray's (1024 MB on nodes), the platform's guide (8 GB per machine, 2 CPUs min / 4 advised
// on control planes), KubeEdge's (256 MB on edge nodes) and kURL's disk analyzer (10 GiB free).
import type { CheckResult } from '../types.js';
import { GIB, MIB, isControlPlane, isEdge, kbToGiB, unknown, verdict, type CheckContext } from './context.js';

export const KUBEADM_MIN_MEMORY_KB = 1700 * MIB;
export const NODE_MIN_MEMORY_KB = 1024 * MIB;
export const EDGE_MIN_MEMORY_KB = 256 * MIB;
/** The guide's 8 GB, less what the kernel keeps for itself (MemTotal of an 8 GiB machine is ~7.7 GiB). */
export const PLATFORM_MEMORY_KB = 7.5 * GIB;
export const EDGE_ADVISED_MEMORY_KB = 1 * GIB;

export function cpuCheck(ctx: CheckContext): CheckResult {
  const cpus = ctx.facts.cpus;
  if (cpus === undefined) return unknown('cpu', ctx.facts, 'cpus');
  if (isControlPlane(ctx)) {
    if (cpus < 2) return verdict('cpu', 'fail', { cpus, min: 2 });
    if (cpus < 4) return verdict('cpu', 'warn', { cpus, advised: 4 });
  }
  if (cpus < 1) return verdict('cpu', 'fail', { cpus, min: 1 });
  return verdict('cpu', 'pass', { cpus });
}

export function memoryCheck(ctx: CheckContext): CheckResult {
  const kb = ctx.facts.memoryKb;
  if (kb === undefined) return unknown('memory', ctx.facts, 'memoryKb');
  const mb = Math.round(kb / MIB);
  const edgeOnly = isEdge(ctx) && !isControlPlane(ctx);
  const floor = edgeOnly ? EDGE_MIN_MEMORY_KB : isControlPlane(ctx) ? KUBEADM_MIN_MEMORY_KB : NODE_MIN_MEMORY_KB;
  const advised = edgeOnly ? EDGE_ADVISED_MEMORY_KB : PLATFORM_MEMORY_KB;
  if (kb < floor) return verdict('memory', 'fail', { mb, min: Math.round(floor / MIB) });
  if (kb < advised) return verdict('memory', 'warn', { mb, advised: edgeOnly ? 1024 : 8192 });
  return verdict('memory', 'pass', { mb });
}

// etcd's guidance: the 99th percentile of WAL fdatasync under 10 ms. The probe measures a mean of 50
// synced writes; a mean near the limit means the tail is past it.
export const FSYNC_WARN_MS = 5;
export const FSYNC_FAIL_MS = 10;

/** Synced-write latency where etcd will keep its data (etcd hosts only; measured with --fsync). */
export function fsyncCheck(ctx: CheckContext): CheckResult {
  const f = ctx.facts.fsync;
  if (!f) return unknown('fsync', ctx.facts, 'fsync');
  const params = { avgMs: f.avgMs.toFixed(2), path: f.path, writes: f.writes, warn: FSYNC_WARN_MS, fail: FSYNC_FAIL_MS };
  if (f.avgMs >= FSYNC_FAIL_MS) return verdict('fsync', 'fail', params);
  if (f.avgMs >= FSYNC_WARN_MS) return verdict('fsync', 'warn', params);
  return verdict('fsync', 'pass', params);
}

/** Images and container layers land under /var: that is the free space that matters. */
export function diskCheck(ctx: CheckContext): CheckResult {
  const free = ctx.facts.disk?.varFreeKb ?? ctx.facts.disk?.rootFreeKb;
  if (free === undefined) return unknown('disk', ctx.facts, 'disk');
  const edgeOnly = isEdge(ctx) && !isControlPlane(ctx);
  const [failBelow, warnBelow] = edgeOnly ? [1 * GIB, 5 * GIB] : [10 * GIB, 30 * GIB];
  const params = { freeGiB: kbToGiB(free), min: kbToGiB(failBelow), advised: kbToGiB(warnBelow) };
  if (free < failBelow) return verdict('disk', 'fail', params);
  if (free < warnBelow) return verdict('disk', 'warn', params);
  return verdict('disk', 'pass', params);
}
