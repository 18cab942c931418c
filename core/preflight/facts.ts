// Reads the probe's output into typed Facts. Tolerant by design: a field of the wrong shape is dropped and
// named in `errors` (the checks then say "unknown" rather than trusting it), and output cut short (a probe
// killed mid-way) still yields the members that arrived whole.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { assetPath } from '../common/assets.js';
import type { Facts } from './types.js';

const str = z.string();
const strList = z.array(z.string());
const boolMap = z.record(z.string(), z.boolean());
const count = z.number().int().nonnegative();

/** One schema per member: each is checked on its own so one bad member never costs the others. */
const members: Record<string, z.ZodType> = {
  probeVersion: count,
  os: z.object({ id: str.optional(), versionId: str.optional(), prettyName: str.optional(), idLike: str.optional() }),
  arch: str,
  kernel: str,
  cpus: count,
  memoryKb: count,
  disk: z.object({ rootFreeKb: count.optional(), varFreeKb: count.optional() }),
  swapKb: count,
  swapInFstab: z.boolean(),
  hostname: str,
  productUuid: str,
  machineId: str,
  macs: strList,
  interfaces: z.array(
    z.object({ name: str, addresses: strList, mtu: count.optional(), state: str.optional() }),
  ),
  defaultRoute: z.object({ via: str.nullable().optional(), dev: str.optional() }).nullable(),
  clock: z.object({ epochMs: count.optional(), ntpSynchronized: z.boolean().nullable().optional() }),
  listening: z.array(z.number().int().min(0).max(65535)),
  modules: boolMap,
  modulesPersisted: boolMap,
  sysctl: z.record(z.string(), z.string().nullable()),
  cgroup: z.enum(['v1', 'v2', 'hybrid']).nullable(),
  selinux: str.nullable(),
  apparmor: z.boolean().nullable(),
  firewall: z.object({ active: z.boolean(), kind: str.nullable().optional() }),
  python3: str.nullable(),
  runtimes: z.record(z.string(), z.string().nullable()),
  kubelet: z.object({ installed: z.boolean(), running: z.boolean().optional(), version: str.nullable().optional() }),
  processes: boolMap,
  leftovers: z.object({ etcKubernetes: strList.optional(), varLibEtcd: z.boolean().optional() }),
  sudo: z.object({
    ok: z.boolean(),
    needsPassword: z.boolean().optional(),
    asRoot: z.boolean().optional(),
    missing: z.boolean().optional(),
  }),
  dns: z.object({ selfResolves: z.boolean().optional(), addresses: strList.optional() }),
  nameservers: strList,
  binaries: boolMap,
  user: z.object({ name: str.optional(), uid: count.optional(), sudoUser: str.optional() }),
  reach: strList,
  fsync: z.object({ path: str, writes: count, avgMs: z.number().nonnegative() }),
  errors: z.record(z.string(), z.string()),
};

/**
 * The probe as sent to each host on stdin: probe.sh (the POSIX fallback, ending in `exit`) then probe.pl
 * (the fast path, from its `#!…perl` line). One payload serves both, so the command line alone picks the
 * program (probeCommand, cross.ts) and no host needs a second round trip to say whether it has perl.
 */
export function probeScript(): string {
  const parts = probeParts();
  return `${parts.sh}${parts.sh.endsWith('\n') ? '' : '\n'}${parts.perl}`;
}

/** The two programs of the probe, each whole (the bench's Ansible peer runs them from its command line). */
export function probeParts(): { sh: string; perl: string } {
  return { sh: readFileSync(assetPath('probe', 'probe.sh'), 'utf8'), perl: readFileSync(assetPath('probe', 'probe.pl'), 'utf8') };
}

/**
 * The probe prints one member per line; when its output was cut short, the last whole line is the
 * end of the usable part. Returns the object parsed from the longest prefix that closes cleanly.
 */
function parseLenient(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  const body = text.slice(start).trimEnd();
  try {
    const whole: unknown = JSON.parse(body);
    return whole && typeof whole === 'object' && !Array.isArray(whole) ? (whole as Record<string, unknown>) : undefined;
  } catch {
    // fall through to the line-by-line salvage
  }
  const lines = body.split('\n');
  for (let n = lines.length - 1; n >= 1; n--) {
    try {
      const partial: unknown = JSON.parse(`${lines.slice(0, n).join('\n')}}`);
      if (partial && typeof partial === 'object') return partial as Record<string, unknown>;
    } catch {
      // a shorter prefix may still close
    }
  }
  return undefined;
}

/** An interface's addresses without their prefix length (`10.0.0.5/24` → `10.0.0.5`). */
export function bareAddresses(iface: { addresses: string[] }): string[] {
  return iface.addresses.map((a) => a.split('/')[0]!);
}

export interface ParsedFacts {
  facts: Facts;
  /** False when nothing usable came back (then `facts.errors.probe` says why). */
  ok: boolean;
}

export function parseFacts(stdout: string): ParsedFacts {
  const raw = parseLenient(stdout);
  if (!raw) {
    const head = stdout.trim().slice(0, 200);
    return { ok: false, facts: { errors: { probe: head ? `unreadable probe output: ${head}` : 'the probe printed nothing' } } };
  }
  const facts: Facts = {};
  const errors: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const schema = members[key];
    if (!schema) {
      facts[key] = value; // a newer probe's member: kept, untyped
      continue;
    }
    const checked = schema.safeParse(value);
    if (checked.success) facts[key] = checked.data;
    else errors[key] = `unexpected value from the probe: ${JSON.stringify(value)?.slice(0, 120)}`;
  }
  const merged = { ...(facts.errors ?? {}), ...errors };
  if (!('errors' in raw)) merged.probe ??= 'the probe output was cut short';
  if (Object.keys(merged).length || 'errors' in raw) facts.errors = merged;
  return { ok: true, facts };
}

/** `ubuntu-22.04`, the form the catalog's `os.cluster` / `os.edge` lists use. */
export function osKey(facts: Facts): string | undefined {
  const id = facts.os?.id?.toLowerCase();
  const ver = facts.os?.versionId;
  return id && ver ? `${id}-${ver}` : undefined;
}
