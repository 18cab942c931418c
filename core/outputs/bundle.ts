// The support bundle: one .tar.gz a person can send when asking for help — the run's folder (journal, logs,
// report, facts), the plan and the facts. Logs are already redacted by the engine; credentials a run leaves
// on disk (kubeconfigs, keys) are left out by name, since they grant access to the cluster.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import type { Plan } from '../plan/schema.js';
import { writeTarGz, type TarEntry } from './tar.js';

export interface SupportBundleInput {
  /** Where the .tar.gz goes (written 0600). */
  outPath: string;
  /** Top folder inside the archive. */
  name: string;
  /** A run's folder (`<workdir>/runs/<id>`): everything in it, except credentials, goes in. */
  runDir?: string;
  plan?: Plan;
  /** Probe facts per host name. */
  facts?: Record<string, unknown>;
  extra?: TarEntry[];
}

/** Files never put in a bundle: they hold credentials, not diagnostics. */
export function isCredentialFile(path: string): boolean {
  const base = path.split(/[\\/]/).pop()!.toLowerCase();
  return (
    base.includes('kubeconfig') ||
    base === 'admin.conf' ||
    base === 'config' ||
    /^id_(rsa|ecdsa|ed25519|dsa)/.test(base) ||
    /\.(key|pem|p12|pfx)$/.test(base)
  );
}

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

async function* walk(root: string, dir = root): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, full);
    else if (entry.isFile()) yield full;
  }
}

async function* bundleEntries(input: SupportBundleInput): AsyncGenerator<TarEntry> {
  const top = safeSegment(input.name);
  yield { name: `${top}/`, type: 'dir' };
  if (input.plan) yield { name: `${top}/plan.yaml`, data: stringify(input.plan) };
  for (const [host, facts] of Object.entries(input.facts ?? {})) {
    yield { name: `${top}/facts/${safeSegment(host)}.json`, data: JSON.stringify(facts, null, 2) + '\n' };
  }
  if (input.runDir) {
    for await (const file of walk(input.runDir)) {
      const rel = relative(input.runDir, file).split(sep).join('/');
      if (isCredentialFile(rel)) continue;
      yield { name: `${top}/run/${rel}`, file, mode: 0o644 };
    }
  }
  for (const entry of input.extra ?? []) {
    if (!isCredentialFile(entry.name)) yield { ...entry, name: `${top}/${entry.name}` };
  }
}

export async function writeSupportBundle(input: SupportBundleInput): Promise<string> {
  await writeTarGz(input.outPath, bundleEntries(input));
  return input.outPath;
}
