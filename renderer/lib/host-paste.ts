// Turns what people paste into the Hosts table (one host per line, or CSV with a header) into plan hosts.
// Ranges expand (`worker-[1-3] 10.0.0.[11-13]`), roles are recognised by name, `user@address` sets the user.
import type { PlanInput } from '../../core/api/types.js';
import { RangeError_, expandTogether } from './ranges.js';

export type HostInput = NonNullable<PlanInput['hosts']>[number];
export type RoleName = NonNullable<HostInput['roles']>[number];

export const ROLE_NAMES: readonly RoleName[] = ['control-plane', 'worker', 'etcd', 'edge', 'deployer', 'nfs', 'lb', 'jumpbox'];

const ROLE_ALIASES: Record<string, RoleName> = {
  master: 'control-plane',
  cp: 'control-plane',
  controlplane: 'control-plane',
  'control-plane': 'control-plane',
  node: 'worker',
  worker: 'worker',
  etcd: 'etcd',
  edge: 'edge',
  deployer: 'deployer',
  nfs: 'nfs',
  lb: 'lb',
  loadbalancer: 'lb',
  // The CaaS guide's BOSH inception VM, where bosh, cf and uaac run.
  jumpbox: 'jumpbox',
};

export interface PasteProblem {
  line: number;
  key: string;
  params: Record<string, string | number>;
}

export interface PasteResult {
  hosts: HostInput[];
  problems: PasteProblem[];
}

/** Splits on commas, tabs and spaces, but not on commas inside a range bracket. */
export function splitTokens(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of line) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (depth === 0 && (ch === ',' || ch === '\t' || ch === ' ' || ch === ';')) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const ADDRESSISH = /^[\d.[\]\-,:a-fA-F]+$/;
const looksLikeAddress = (t: string) => /\d/.test(t) && ADDRESSISH.test(t) && /[.:]/.test(t);

export function roleOf(token: string): RoleName | undefined {
  return ROLE_ALIASES[token.toLowerCase()];
}

function splitCsvLine(line: string): string[] {
  // Plain CSV: commas outside quotes and brackets; quotes stripped.
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let depth = 0;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && ch === '[') depth++;
    if (!quoted && ch === ']') depth--;
    if ((ch === ',' || ch === '\t') && !quoted && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const CSV_COLUMNS: Record<string, keyof HostInput> = {
  name: 'name',
  hostname: 'name',
  address: 'address',
  ip: 'address',
  privateaddress: 'privateAddress',
  private: 'privateAddress',
  private_ip: 'privateAddress',
  privateip: 'privateAddress',
  roles: 'roles',
  role: 'roles',
  user: 'user',
  auth: 'auth',
  port: 'port',
};

function parseCsv(lines: string[], nameFor: (i: number) => string): PasteResult {
  const header = splitCsvLine(lines[0] ?? '').map((h) => CSV_COLUMNS[h.toLowerCase().replace(/[\s-]/g, '')]);
  const hosts: HostInput[] = [];
  const problems: PasteProblem[] = [];
  lines.slice(1).forEach((raw, idx) => {
    const lineNo = idx + 2;
    if (!raw.trim() || raw.trim().startsWith('#')) return;
    const cells = splitCsvLine(raw);
    const byCol: Partial<Record<keyof HostInput, string>> = {};
    header.forEach((col, i) => {
      if (col && cells[i]) byCol[col] = cells[i];
    });
    if (!byCol.address) {
      problems.push({ line: lineNo, key: 'paste.noAddress', params: { line: lineNo } });
      return;
    }
    const roles: RoleName[] = [];
    for (const r of (byCol.roles ?? '').split(/[;| ]+/).filter(Boolean)) {
      const role = roleOf(r);
      if (role) roles.push(role);
      else problems.push({ line: lineNo, key: 'paste.unknownRole', params: { line: lineNo, role: r } });
    }
    try {
      const rows = numbered(expandTogether([byCol.name ?? '', byCol.address, byCol.privateAddress ?? '']));
      for (const [name, address, priv] of rows) {
        hosts.push(makeHost(name || nameFor(hosts.length), address!, priv, roles, byCol.user, byCol.auth, byCol.port));
      }
    } catch (e) {
      problems.push(rangeProblem(e, lineNo));
    }
  });
  return { hosts, problems };
}

function makeHost(
  name: string,
  address: string,
  privateAddress: string | undefined,
  roles: RoleName[],
  user?: string,
  auth?: string,
  port?: string,
): HostInput {
  const h: HostInput = { name, address, roles: [...roles] };
  if (privateAddress) h.privateAddress = privateAddress;
  if (user) h.user = user;
  if (auth) h.auth = auth;
  if (port && /^\d+$/.test(port)) h.port = Number(port);
  return h;
}

/** A plain name on a row that expands to several hosts gets a number, so names stay unique. */
function numbered(rows: string[][]): string[][] {
  if (rows.length < 2) return rows;
  const first = rows[0]![0]!;
  if (!first || rows.some((r) => r[0] !== first)) return rows;
  return rows.map((r, i) => [`${first}-${i + 1}`, ...r.slice(1)]);
}

function rangeProblem(e: unknown, line: number): PasteProblem {
  if (e instanceof RangeError_) return { line, key: e.key, params: { ...e.params, line } };
  throw e;
}

/**
 * Parses pasted text. `existing` is how many hosts the table has, so generated names continue (`node-4`).
 */
export function parseHostPaste(text: string, existing = 0): PasteResult {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const hosts: HostInput[] = [];
  const problems: PasteProblem[] = [];
  const nameFor = (i: number) => `node-${existing + hosts.length + i + 1}`;
  // Lines and CSV blocks may follow each other (the dialog's own example does): a CSV header starts a block
  // that runs to the next blank line.
  let plain: Array<[string, number]> = [];
  const flushPlain = () => {
    const r = parseLines(plain, (i) => nameFor(i));
    hosts.push(...r.hosts);
    problems.push(...r.problems);
    plain = [];
  };
  for (let i = 0; i < lines.length; i++) {
    if (!CSV_HEADER.test(lines[i]!)) {
      plain.push([lines[i]!, i + 1]);
      continue;
    }
    flushPlain();
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim()) end++;
    const r = parseCsv(lines.slice(i, end), (k) => nameFor(k));
    for (const p of r.problems) problems.push({ ...p, line: p.line + i, params: { ...p.params, line: p.line + i } });
    hosts.push(...r.hosts);
    i = end - 1;
  }
  flushPlain();
  return { hosts, problems };
}

const CSV_HEADER = /(^|[,\t])\s*(address|ip)\s*([,\t]|$)/i;

function parseLines(lines: Array<[string, number]>, nameFor: (i: number) => string): PasteResult {
  const hosts: HostInput[] = [];
  const problems: PasteProblem[] = [];
  lines.forEach(([raw, lineNo]) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    let name: string | undefined;
    let user: string | undefined;
    const addresses: string[] = [];
    const roles: RoleName[] = [];
    for (let tok of splitTokens(line)) {
      const at = tok.lastIndexOf('@');
      if (at > 0) {
        user = tok.slice(0, at);
        tok = tok.slice(at + 1);
      }
      const role = roleOf(tok);
      if (role && !looksLikeAddress(tok)) {
        if (!roles.includes(role)) roles.push(role);
      } else if (looksLikeAddress(tok)) {
        addresses.push(tok);
      } else if (!name && !addresses.length) {
        name = tok;
      } else if (addresses.length < 2 && /^[\w.-]+$/.test(tok) && tok.includes('.')) {
        addresses.push(tok); // a DNS name in the address column
      } else {
        problems.push({ line: lineNo, key: 'paste.unknownToken', params: { line: lineNo, token: tok } });
      }
    }
    if (!addresses.length) {
      problems.push({ line: lineNo, key: 'paste.noAddress', params: { line: lineNo } });
      return;
    }
    try {
      const rows = numbered(expandTogether([name ?? '', addresses[0]!, addresses[1] ?? '']));
      for (const [n, address, priv] of rows) hosts.push(makeHost(n || nameFor(hosts.length), address!, priv, roles, user));
    } catch (e) {
      problems.push(rangeProblem(e, lineNo));
    }
  });
  return { hosts, problems };
}
