// Both directions between a plan and the official scripts' variable files (cp-deployment
// `single/cp-cluster-vars.sh` and `standalone/cp-edge-vars.sh`, names exactly as the scripts spell them),
// so a site can move between the scripts and this installer. The files are read as text: shell
// assignments are parsed, never executed.
import { shq } from '../common/quote.js';
import { DEFAULT_RELEASE, findRelease, kubeedgeSupports, loadCatalog } from './catalog.js';
import type { PlanIssue } from './issues.js';
import { hostsWithRole, innerAddress, Plan, type Host, type PlanInput, type Role } from './schema.js';
import { profileOf } from '../modes/profiles.js';

export interface ShellVars {
  values: Map<string, string>;
  issues: PlanIssue[];
}

/**
 * Bounds on everything read from a vars file, so a hostile or broken one cannot exhaust memory: the
 * platform's own files are a few KB, with tens of hosts. `maxValueLength` also stops `A=$A$A` doubling.
 */
export const VARS_LIMITS = {
  /** Bytes of one file (the CLI stops reading past it; the API's argument is checked against it too). */
  maxBytes: 1024 * 1024,
  maxLineLength: 4096,
  maxValueLength: 4096,
  /** Hosts of one kind (KUBE_CONTROL_HOSTS, KUBE_WORKER_HOSTS, EDGE_HOSTS, etcd slots). */
  maxHosts: 1000,
  /** Line-level issues reported one by one; the rest are counted in one issue. */
  maxLineIssues: 100,
} as const;

const ASSIGN = /^(?:export\s+|declare\s+(?:-x\s+)?|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Why a value cannot be read as plain text: each shell construct has its own message. */
type WordProblem =
  | { problem: 'plan.vars.commandSubstitution' }
  | { problem: 'plan.vars.unterminatedQuote'; quote: string }
  | { problem: 'plan.vars.separator' }
  | { problem: 'plan.vars.andOr'; op: string }
  | { problem: 'plan.vars.pipe' }
  | { problem: 'plan.vars.operator'; op: string }
  | { problem: 'plan.vars.expansion' }
  | { problem: 'plan.vars.extraWord' }
  | { problem: 'plan.vars.valueTooLong' };

function lineIssue(severity: 'error' | 'warning', key: string, lineNo: number, params: Record<string, string | number>): PlanIssue {
  return { severity, path: '', key, params, line: lineNo, column: 1 };
}

/**
 * Reads `NAME=value` / `export NAME=value` lines: single and double quotes, backslash escapes, `$NAME` and
 * `${NAME}` from earlier lines, trailing comments. Nothing is run: command substitution, `;`, `&&`, `|`,
 * redirections and a second word are each refused with their own message.
 */
export function parseShellVars(text: string): ShellVars {
  const values = new Map<string, string>();
  const issues: PlanIssue[] = [];
  const bytes = Buffer.byteLength(text);
  if (bytes > VARS_LIMITS.maxBytes) {
    issues.push({ severity: 'error', path: '', key: 'plan.vars.tooBig', params: { size: bytes, max: VARS_LIMITS.maxBytes } });
    return { values, issues };
  }
  let lineIssues = 0;
  let dropped = 0;
  const report = (issue: PlanIssue): void => {
    if (lineIssues++ < VARS_LIMITS.maxLineIssues) issues.push(issue);
    else dropped++;
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.length > VARS_LIMITS.maxLineLength) {
      report(lineIssue('error', 'plan.vars.lineTooLong', lineNo, { line: lineNo, length: raw.length, max: VARS_LIMITS.maxLineLength }));
      return;
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = ASSIGN.exec(line);
    if (!m) {
      report(lineIssue('warning', 'plan.vars.unparsed', lineNo, { line: lineNo, text: line.slice(0, 80) }));
      return;
    }
    const name = m[1] as string;
    const word = shellWord(m[2] as string, values);
    if (typeof word !== 'string') {
      const { problem, ...extra } = word;
      report(lineIssue('error', problem, lineNo, { line: lineNo, name, ...extra, ...(problem === 'plan.vars.valueTooLong' ? { max: VARS_LIMITS.maxValueLength } : {}) }));
      return;
    }
    values.set(name, word);
  });
  if (dropped > 0) issues.push({ severity: 'error', path: '', key: 'plan.vars.moreIssues', params: { count: dropped } });
  return { values, issues };
}

/** Unquoted characters that a shell reads as operators, not text. */
function operatorProblem(src: string, i: number): WordProblem | undefined {
  const c = src[i] as string;
  const next = src[i + 1];
  if (c === ';') return { problem: 'plan.vars.separator' };
  if (c === '&' && next === '&') return { problem: 'plan.vars.andOr', op: '&&' };
  if (c === '|' && next === '|') return { problem: 'plan.vars.andOr', op: '||' };
  if (c === '|') return { problem: 'plan.vars.pipe' };
  if (c === '&' || c === '<' || c === '>' || c === '(' || c === ')') return { problem: 'plan.vars.operator', op: c };
  return undefined;
}

/** One shell word as plain text, or why it is not one. */
function shellWord(src: string, env: Map<string, string>): string | WordProblem {
  let out = '';
  let i = 0;
  const tooLong = (): boolean => out.length > VARS_LIMITS.maxValueLength;
  const expand = (): string | WordProblem => {
    // at '$'
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(src.slice(i));
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    const m = braced ?? bare;
    if (!m) {
      if (src[i + 1] === '(') return { problem: 'plan.vars.commandSubstitution' };
      if (src[i + 1] === '{') return { problem: 'plan.vars.expansion' };
      i++;
      return '$';
    }
    i += m[0].length;
    return env.get(m[1] as string) ?? '';
  };
  while (i < src.length) {
    if (tooLong()) return { problem: 'plan.vars.valueTooLong' };
    const c = src[i] as string;
    if (c === ' ' || c === '\t') {
      const rest = src.slice(i).trim();
      // `NAME=value # comment` is fine; `NAME=value; next` or `NAME=a b` would run something in a real shell.
      if (rest === '' || rest.startsWith('#') || rest === ';') return out;
      return operatorProblem(rest, 0) ?? { problem: 'plan.vars.extraWord' };
    }
    if (c === ';' && src.slice(i + 1).trim() === '') return out;
    const op = operatorProblem(src, i);
    if (op) return op;
    if (c === '`') return { problem: 'plan.vars.commandSubstitution' };
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) return { problem: 'plan.vars.unterminatedQuote', quote: "'" };
      out += src.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (tooLong()) return { problem: 'plan.vars.valueTooLong' };
        const d = src[i] as string;
        if (d === '`') return { problem: 'plan.vars.commandSubstitution' };
        if (d === '\\' && i + 1 < src.length && '$`"\\'.includes(src[i + 1] as string)) {
          out += src[i + 1];
          i += 2;
        } else if (d === '$') {
          const v = expand();
          if (typeof v !== 'string') return v;
          out += v;
        } else {
          out += d;
          i++;
        }
      }
      if (src[i] !== '"') return { problem: 'plan.vars.unterminatedQuote', quote: '"' };
      i++;
    } else if (c === '\\') {
      out += src[i + 1] ?? '';
      i += 2;
    } else if (c === '$') {
      const v = expand();
      if (typeof v !== 'string') return v;
      out += v;
    } else {
      out += c;
      i++;
    }
  }
  return tooLong() ? { problem: 'plan.vars.valueTooLong' } : out;
}

// ---------------------------------------------------------------------------------------------------------
// Import

export interface ImportOptions {
  /** Login user (the platform's guide uses `ubuntu`). */
  user?: string;
  /** Private key file; wins over the agent. */
  keyPath?: string;
  /** Use the ssh-agent even when SSH_AUTH_SOCK is not set now. */
  agent?: boolean;
  /** The environment to look at for SSH_AUTH_SOCK (process.env in the CLI). */
  env?: Record<string, string | undefined>;
  release?: string;
  /** The 2021 tree's paasta-container-service-vars-<iaas>.yml: makes a caas plan with its `bosh` settings. */
  boshVars?: string;
}

export interface ImportResult {
  plan: Plan;
  issues: PlanIssue[];
}

/** Variables the plan does not carry (yet); named in a warning so nothing is dropped silently. */
const UNSUPPORTED = [
  'CSP_TYPE',
  'NHN_TENANT_ID',
  'NHN_VIP_SUBNET_ID',
  'NHN_USERNAME',
  'ISTIO_GATEWAY_PRIVATE_IP',
  'ISTIO_GATEWAY_PUBLIC_IP',
];
const SECRET_VARS = ['NHN_PASSWORD'];

/** The release an import uses: the default, or for edge the default's Kubernetes with a KubeEdge that supports it. */
function importRelease(edge: boolean): string {
  const base = findRelease(DEFAULT_RELEASE);
  if (!edge || !base || (base.kubeedge && kubeedgeSupports(base.kubeedge.version, base.kubernetes)))
    return DEFAULT_RELEASE;
  const fit = [...loadCatalog().values()].find(
    (r) =>
      r.kubernetes === base.kubernetes && r.kubeedge && kubeedgeSupports(r.kubeedge.version, r.kubernetes),
  );
  return fit?.name ?? DEFAULT_RELEASE;
}

export function importVars(
  clusterVarsText: string,
  edgeVarsText?: string,
  opts: ImportOptions = {},
): ImportResult {
  const cluster = parseShellVars(clusterVarsText);
  const edge = edgeVarsText !== undefined ? parseShellVars(edgeVarsText) : undefined;
  const issues: PlanIssue[] = [...cluster.issues, ...(edge?.issues ?? [])];
  const v = new Map([...cluster.values, ...(edge?.values ?? [])]);
  const get = (name: string): string => (v.get(name) ?? '').trim();
  const first = (...names: string[]): string => names.map(get).find((x) => x !== '') ?? '';
  const missing = (name: string): void => {
    issues.push({ severity: 'error', path: '', key: 'plan.vars.missing', params: { name } });
  };
  const count = (name: string, ...aliases: string[]): number => {
    const text = first(name, ...aliases);
    if (text === '') {
      missing(name);
      return 0;
    }
    if (!/^\d+$/.test(text)) {
      issues.push({ severity: 'error', path: '', key: 'plan.vars.count', params: { name, value: text.slice(0, 40) } });
      return 0;
    }
    // A count drives a loop and a host list: one beyond any real site is refused, not followed (security #9).
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n > VARS_LIMITS.maxHosts) {
      issues.push({ severity: 'error', path: '', key: 'plan.vars.tooMany', params: { name, value: text.slice(0, 40), max: VARS_LIMITS.maxHosts } });
      return 0;
    }
    return n;
  };

  const hosts: Array<Omit<Host, 'port' | 'auth' | 'labels'> & { roles: Role[] }> = [];
  const addHost = (prefix: string, role: Role, addressVars: string[]): void => {
    const name = get(`${prefix}_NODE_HOSTNAME`);
    const address = first(...addressVars.map((a) => `${prefix}_NODE_${a}`));
    if (name === '') return missing(`${prefix}_NODE_HOSTNAME`);
    if (address === '') return missing(`${prefix}_NODE_${addressVars[0]}`);
    const same = hosts.find((h) => h.name === name);
    if (same) {
      if (!same.roles.includes(role)) same.roles.push(role);
      return;
    }
    hosts.push({ name, address, roles: [role] });
  };

  const cps = count('KUBE_CONTROL_HOSTS');
  const master1Public = get('MASTER1_NODE_PUBLIC_IP');
  const master1Private = get('MASTER1_NODE_PRIVATE_IP');
  if (cps >= 1) {
    addHost('MASTER1', 'control-plane', ['PUBLIC_IP', 'PRIVATE_IP']);
    const m1 = hosts.find((h) => h.name === get('MASTER1_NODE_HOSTNAME'));
    if (m1 && master1Public !== '' && master1Private !== '' && master1Private !== master1Public) {
      m1.privateAddress = master1Private;
    }
  }
  for (let n = 2; n <= cps; n++) addHost(`MASTER${n}`, 'control-plane', ['PRIVATE_IP']);
  const etcdType = get('ETCD_TYPE');
  if (etcdType === 'external') {
    // The template sizes etcd like the control plane, but a plan may differ: read every filled slot.
    for (let n = 1; n <= VARS_LIMITS.maxHosts && (get(`ETCD${n}_NODE_HOSTNAME`) !== '' || n <= cps); n++)
      addHost(`ETCD${n}`, 'etcd', ['PRIVATE_IP']);
  }
  const workers = count('KUBE_WORKER_HOSTS');
  for (let n = 1; n <= workers; n++) addHost(`WORKER${n}`, 'worker', ['PRIVATE_IP']);

  let edgeSection: PlanInput['edge'];
  if (edge) {
    const edges = count('EDGE_HOSTS', 'EDGE_NODE_CNT');
    // The v1.6 scripts reach edge nodes by public IP; older ones named it PRIVATE_IP.
    for (let n = 1; n <= edges; n++) addHost(`EDGE${n}`, 'edge', ['PUBLIC_IP', 'PRIVATE_IP']);
    const pub = first('CLOUDCORE_PUBLIC_IP', 'CLOUDCORE_VIP');
    const priv = first('CLOUDCORE_PRIVATE_IP', 'CLOUDCORE_PRIVATE_VIP');
    edgeSection = { ...(pub && { cloudcoreAddress: pub }), ...(priv && { cloudcorePrivateAddress: priv }) };
  }

  for (const name of UNSUPPORTED) {
    if (get(name) !== '')
      issues.push({ severity: 'warning', path: '', key: 'plan.vars.unsupported', params: { name } });
  }
  for (const name of SECRET_VARS) {
    if (get(name) !== '')
      issues.push({ severity: 'warning', path: '', key: 'plan.vars.secret', params: { name } });
  }

  const storageType = get('STORAGE_TYPE') === 'rook-ceph' ? 'rook-ceph' : 'nfs';
  const nfsServer = get('NFS_SERVER_PRIVATE_IP');
  const kyverno = get('INSTALL_KYVERNO').toUpperCase();
  const useKey = opts.keyPath !== undefined || (!opts.agent && !(opts.env ?? {}).SSH_AUTH_SOCK);
  const input: PlanInput = {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    // The official scripts' edge file adds edge nodes to the cluster the cluster file makes.
    mode: edge ? 'expand-edge' : 'standalone',
    release: opts.release ?? importRelease(!!edge),
    hosts,
    auth: [
      useKey
        ? {
            name: 'default',
            method: 'key',
            user: opts.user ?? 'ubuntu',
            keyPath: opts.keyPath ?? '~/.ssh/id_rsa',
          }
        : { name: 'default', method: 'agent', user: opts.user ?? 'ubuntu' },
    ],
    cluster: {
      ...(get('LOADBALANCER_DOMAIN') && { loadBalancerDomain: get('LOADBALANCER_DOMAIN') }),
      ...((etcdType === 'stacked' || etcdType === 'external') && { etcdType }),
      ...(kyverno === 'Y' || kyverno === 'N' ? { kyverno: kyverno === 'Y' } : {}),
    },
    network: {
      ...(get('METALLB_IP_RANGE') && { metallbRange: get('METALLB_IP_RANGE') }),
      ...(first('INGRESS_NGINX_IP', 'INGRESS_NGINX_PRIVATE_IP') && {
        ingressIp: first('INGRESS_NGINX_IP', 'INGRESS_NGINX_PRIVATE_IP'),
      }),
    },
    storage: { type: storageType, ...(storageType === 'nfs' && nfsServer && { nfs: { server: nfsServer } }) },
    ...(edgeSection && { edge: edgeSection }),
  };
  return { plan: Plan.parse(input), issues };
}

// ---------------------------------------------------------------------------------------------------------
// Export

export interface ExportedVars {
  clusterVars: string;
  edgeVars?: string;
}

function line(name: string, value: string | undefined): string {
  return value ? `export ${name}=${shq(value)}` : `export ${name}=`;
}

export function exportVars(plan: Plan): ExportedVars {
  const cps = hostsWithRole(plan, 'control-plane');
  const workers = hostsWithRole(plan, 'worker');
  const etcd = plan.cluster.etcdType === 'external' ? hostsWithRole(plan, 'etcd') : [];
  const nfsServer =
    plan.storage.nfs?.server ??
    (hostsWithRole(plan, 'nfs')[0] && innerAddress(hostsWithRole(plan, 'nfs')[0] as Host));
  const master1 = cps[0];
  const out: string[] = [
    '#!/bin/bash',
    '# Written by cp-installer export-vars for the K-PaaS cp-deployment scripts.',
    '',
    '# Number of control-plane (master) nodes (e.g. 1, 3, 5)',
    line('KUBE_CONTROL_HOSTS', String(cps.length)),
    '',
    '# With more than one control plane: external or stacked',
    line('ETCD_TYPE', plan.cluster.etcdType),
    '',
    '# With more than one control plane: VIP or domain of the API load balancer',
    line('LOADBALANCER_DOMAIN', plan.cluster.loadBalancerDomain),
    '',
    '# With ETCD_TYPE=external: the etcd nodes',
  ];
  etcd.forEach((h, i) => {
    out.push(
      line(`ETCD${i + 1}_NODE_HOSTNAME`, h.name),
      line(`ETCD${i + 1}_NODE_PRIVATE_IP`, innerAddress(h)),
    );
  });
  out.push('', '# Control-plane nodes; only the first needs a public IP');
  cps.forEach((h, i) => {
    const n = i + 1;
    out.push(line(`MASTER${n}_NODE_HOSTNAME`, h.name));
    if (n === 1) out.push(line('MASTER1_NODE_PUBLIC_IP', h.address));
    out.push(line(`MASTER${n}_NODE_PRIVATE_IP`, innerAddress(h)));
  });
  if (!master1)
    out.push(
      line('MASTER1_NODE_HOSTNAME', ''),
      line('MASTER1_NODE_PUBLIC_IP', ''),
      line('MASTER1_NODE_PRIVATE_IP', ''),
    );
  out.push(
    '',
    '# Number of worker nodes',
    line('KUBE_WORKER_HOSTS', String(workers.length)),
    '',
    '# Worker nodes',
  );
  workers.forEach((h, i) => {
    out.push(
      line(`WORKER${i + 1}_NODE_HOSTNAME`, h.name),
      line(`WORKER${i + 1}_NODE_PRIVATE_IP`, innerAddress(h)),
    );
  });
  out.push(
    '',
    '# Storage (nfs, rook-ceph)',
    line('STORAGE_TYPE', plan.storage.type),
    '',
    '# With STORAGE_TYPE=nfs',
    line('NFS_SERVER_PRIVATE_IP', plan.storage.type === 'nfs' ? nfsServer : undefined),
    '',
    '# MetalLB address pool (e.g. 192.168.0.150-192.168.0.160)',
    line('METALLB_IP_RANGE', plan.network.metallbRange),
    '',
    '# LoadBalancer IP of the ingress-nginx controller, outside the MetalLB range',
    line('INGRESS_NGINX_IP', plan.network.ingressIp),
    '',
    '# Kyverno with the Pod Security Standards and namespace-isolation policies (Y, N)',
    line(
      'INSTALL_KYVERNO',
      plan.cluster.kyverno === undefined ? undefined : plan.cluster.kyverno ? 'Y' : 'N',
    ),
    '',
  );
  const result: ExportedVars = { clusterVars: out.join('\n') };

  const edges = hostsWithRole(plan, 'edge');
  if (edges.length > 0 || profileOf(plan.mode, plan).kubeedge) {
    const e: string[] = [
      '#!/bin/bash',
      '# Written by cp-installer export-vars for the K-PaaS cp-deployment scripts.',
      '',
      '# MetalLB address of the cloudcore service (the public IP again when a cloud load balancer is used)',
      line('CLOUDCORE_PRIVATE_IP', plan.edge?.cloudcorePrivateAddress),
      '# Address edge nodes use to reach cloudcore',
      line('CLOUDCORE_PUBLIC_IP', plan.edge?.cloudcoreAddress ?? master1?.address),
      '',
      '# Number of edge nodes',
      line('EDGE_HOSTS', String(edges.length)),
      '',
      '# Edge nodes, reached by their public IP',
    ];
    edges.forEach((h, i) => {
      e.push(line(`EDGE${i + 1}_NODE_HOSTNAME`, h.name), line(`EDGE${i + 1}_NODE_PUBLIC_IP`, h.address));
    });
    e.push('');
    result.edgeVars = e.join('\n');
  }
  return result;
}
