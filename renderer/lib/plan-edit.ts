// Pure edits of a plan (the store calls these; each returns a new plan and leaves the old one alone).
import type { PlanInput } from '../../core/api/types.js';
import type { HostInput, RoleName } from './host-paste.js';

export type AuthInput = NonNullable<PlanInput['auth']>[number];

export function setHostField<K extends keyof HostInput>(plan: PlanInput, index: number, key: K, value: HostInput[K]): PlanInput {
  const hosts = [...(plan.hosts ?? [])];
  const h = hosts[index];
  if (!h) return plan;
  const next: HostInput = { ...h };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  // Name and address are required by the schema: keep them as empty strings so validation names them.
  if (key === 'name' || key === 'address') next[key] = (value ?? '') as HostInput[K];
  hosts[index] = next;
  return { ...plan, hosts };
}

export function toggleRole(plan: PlanInput, index: number, role: RoleName): PlanInput {
  const h = plan.hosts?.[index];
  if (!h) return plan;
  const roles = h.roles ?? [];
  return setHostField(plan, index, 'roles', roles.includes(role) ? roles.filter((r) => r !== role) : [...roles, role]);
}

export function addHosts(plan: PlanInput, hosts: HostInput[]): PlanInput {
  return { ...plan, hosts: [...(plan.hosts ?? []), ...hosts] };
}

export function removeHost(plan: PlanInput, index: number): PlanInput {
  return { ...plan, hosts: (plan.hosts ?? []).filter((_, i) => i !== index) };
}

export function nextHostName(plan: PlanInput): string {
  const names = new Set((plan.hosts ?? []).map((h) => h.name));
  let i = (plan.hosts?.length ?? 0) + 1;
  while (names.has(`node-${i}`)) i++;
  return `node-${i}`;
}

export function setAuth(plan: PlanInput, index: number, patch: Partial<AuthInput>): PlanInput {
  const auth = [...(plan.auth ?? [])];
  const a = auth[index];
  if (!a) return plan;
  const next = { ...a, ...patch } as AuthInput;
  for (const [k, v] of Object.entries(patch)) if (v === undefined || v === '') delete (next as Record<string, unknown>)[k];
  auth[index] = next;
  // Hosts that used the old name follow a rename.
  if (patch.name !== undefined && patch.name !== a.name) {
    const hosts = (plan.hosts ?? []).map((h) => ((h.auth ?? 'default') === a.name ? { ...h, auth: patch.name } : h));
    return { ...plan, auth, hosts };
  }
  return { ...plan, auth };
}

export function addAuth(plan: PlanInput): PlanInput {
  const names = new Set((plan.auth ?? []).map((a) => a.name));
  let name = names.has('default') ? 'profile-2' : 'default';
  for (let i = 2; names.has(name); i++) name = `profile-${i}`;
  return { ...plan, auth: [...(plan.auth ?? []), { name, method: 'password', sudo: 'nopasswd' }] };
}

export function removeAuth(plan: PlanInput, index: number): PlanInput {
  return { ...plan, auth: (plan.auth ?? []).filter((_, i) => i !== index) };
}

type Section = 'cluster' | 'network' | 'storage' | 'portal' | 'registry' | 'bundle' | 'edge' | 'bosh' | 'paasta';

/**
 * Sets `section.key` (dotted key for nested: `tls.mode`, `nfs.server`). An empty value removes the key,
 * and a section left empty is removed, so the saved YAML holds only what the person chose.
 */
export function setSetting(plan: PlanInput, section: Section, key: string, value: unknown): PlanInput {
  const root = { ...((plan[section] as Record<string, unknown> | undefined) ?? {}) };
  const parts = key.split('.');
  let obj: Record<string, unknown> = root;
  for (const p of parts.slice(0, -1)) {
    obj[p] = { ...((obj[p] as Record<string, unknown> | undefined) ?? {}) };
    obj = obj[p] as Record<string, unknown>;
  }
  const leaf = parts[parts.length - 1]!;
  if (value === undefined || value === '') delete obj[leaf];
  else obj[leaf] = value;
  // Prune empty nested objects.
  if (parts.length > 1) {
    const parent = root[parts[0]!] as Record<string, unknown>;
    if (parent && Object.keys(parent).length === 0) delete root[parts[0]!];
  }
  const next = { ...plan } as Record<string, unknown>;
  if (Object.keys(root).length === 0) delete next[section];
  else next[section] = root;
  return next as unknown as PlanInput;
}

export function getSetting(plan: PlanInput, section: Section, key: string): unknown {
  let obj: unknown = plan[section];
  for (const p of key.split('.')) obj = (obj as Record<string, unknown> | undefined)?.[p];
  return obj;
}

/** Address fields of an example plan that must not flow into a real one (their values become placeholders). */
export const EXAMPLE_FIELDS: ReadonlyArray<[Section, string]> = [
  ['network', 'metallbRange'],
  ['network', 'ingressIp'],
  ['storage', 'nfs.server'],
  ['portal', 'domain'],
  ['edge', 'cloudcoreAddress'],
  ['edge', 'cloudcorePrivateAddress'],
  ['registry', 'address'],
  ['bosh', 'directorAddress'],
  ['bosh', 'caCertFile'],
  ['bosh', 'haproxyAddress'],
  ['paasta', 'cfApi'],
  ['paasta', 'uaaUrl'],
  ['paasta', 'systemDomain'],
  ['paasta', 'workerAddress'],
];

/** Example fields the schema requires: their section keeps them, empty, to fill in. */
const REQUIRED_EXAMPLES = new Set(['bosh.directorAddress', 'paasta.cfApi', 'paasta.uaaUrl']);

/**
 * A new plan from a mode's commented example, without the example's hosts and addresses: a real plan must
 * not start with 192.168.0.x hosts or a 203.0.113.10 cloudcore. The removed values come back as placeholders
 * (`examples`), keyed by `section.key`.
 */
export function withoutExamples(plan: PlanInput): { plan: PlanInput; examples: Record<string, string> } {
  const examples: Record<string, string> = {};
  let next: PlanInput = { ...plan, hosts: [] };
  const first = plan.hosts?.[0];
  if (first?.address) examples['hosts.address'] = first.address;
  for (const [section, key] of EXAMPLE_FIELDS) {
    const value = getSetting(next, section, key);
    if (typeof value !== 'string' || value === '') continue;
    examples[`${section}.${key}`] = value;
    // A required field of the example (bosh.directorAddress, paasta.cfApi…) stays, empty, to fill in.
    next = REQUIRED_EXAMPLES.has(`${section}.${key}`) ? setSettingKeep(next, section as 'bosh' | 'paasta', key) : setSetting(next, section, key, undefined);
  }
  return { plan: next, examples };
}

function setSettingKeep(plan: PlanInput, section: 'bosh' | 'paasta', key: string): PlanInput {
  const root = { ...((plan[section] as Record<string, unknown> | undefined) ?? {}) };
  root[key] = '';
  return { ...plan, [section]: root } as PlanInput;
}

/** `10.252.0` from the first host with an IPv4 address, for placeholders that fit the hosts' network. */
export function hostsNetPrefix(plan: PlanInput): string | undefined {
  for (const h of plan.hosts ?? []) {
    const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(h.privateAddress ?? h.address ?? '');
    if (m) return m[1];
  }
  return undefined;
}
