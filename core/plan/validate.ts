// Plan validation a person can act on: structure errors from zod become issues with field paths, then
// each semantic rule below (one small function per rule) adds errors or warnings that name the field and
// the value. Messages live in messages.ts (en, ko).
import type { z } from 'zod';
import { findRelease, kubeedgeRange, kubeedgeSupports, loadCatalog, type Release } from './catalog.js';
import { formatPath, type PlanIssue, type Severity, type ValidationResult } from './issues.js';
import {
  cidrRange,
  formatCidr,
  isHostOrIp,
  isHostname,
  isIp,
  inetAtonValue,
  ipv4Problem,
  isNodeName,
  formatIp,
  parseCidr,
  parseIp,
  parseIpRange,
  rangeContains,
  rangesOverlap,
  suggestNodeName,
  type IpRange,
} from './net.js';
import { scanSecrets } from './secrets.js';
import {
  describeControl,
  hasControl,
  isDnsLabel,
  isLabelKey,
  isLabelValue,
  isPlanName,
  isPlanPath,
  isPosixUser,
  isRemotePath,
} from './charset.js';
import type { Params } from '../common/messages.js';
import { derivedBundleDir, hostsWithRole, innerAddress, Plan } from './schema.js';
// The one import from above core/plan: the modes' plan-level profiles, plain data that import nothing but
// core/common and types of core/plan (eslint.config.js holds them to it).
import { profileOf } from '../modes/profiles.js';

type Issue = PlanIssue;

function issue(severity: Severity, path: string, key: string, params?: Params): Issue {
  return params ? { severity, path, key, params } : { severity, path, key };
}
const error = (path: string, key: string, params?: Params): Issue => issue('error', path, key, params);
const warning = (path: string, key: string, params?: Params): Issue => issue('warning', path, key, params);

/** Modes that build a Kubernetes cluster with Kubespray (and so need workers, storage, MetalLB). */
const kubespray = (plan: Plan): boolean => profileOf(plan.mode, plan).cluster === 'kubespray';
/** Modes that run KubeEdge (edge hosts, cloudcore, a KubeEdge version in the release). */
const kubeedge = (plan: Plan): boolean => profileOf(plan.mode, plan).kubeedge;
/** Whether the plan's edge hosts are joined (its mode runs KubeEdge); a mode without it ignores them (a warning). */
export const joinsEdgeHosts = (plan: Plan): boolean => kubeedge(plan) && plan.hosts.some((h) => h.roles.includes('edge'));

// ---------------------------------------------------------------------------------------------------------
// Structure

function received(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

/** zod's issues → PlanIssues; `unrecognized_keys` becomes one issue per key, on that key's path. */
export function structureIssues(zodIssues: ReadonlyArray<z.core.$ZodIssue>): Issue[] {
  const out: Issue[] = [];
  for (const zi of zodIssues) {
    const path = formatPath(zi.path);
    const field = path || 'plan';
    switch (zi.code) {
      case 'invalid_type':
        if (zi.input === undefined) out.push(error(path, 'plan.schema.required', { field }));
        else
          out.push(
            error(path, 'plan.schema.type', { field, expected: zi.expected, received: received(zi.input) }),
          );
        break;
      case 'unrecognized_keys':
        for (const key of zi.keys) {
          const keyPath = formatPath([...zi.path, key]);
          out.push(error(keyPath, 'plan.schema.unknownKey', { field: keyPath, key }));
        }
        break;
      case 'invalid_value':
        if (zi.input === undefined) {
          out.push(error(path, 'plan.schema.required', { field }));
          break;
        }
        out.push(
          error(path, 'plan.schema.value', {
            field,
            value:
              typeof zi.input === 'string' || typeof zi.input === 'number'
                ? String(zi.input)
                : received(zi.input),
            allowed: zi.values.map(String).join(', '),
          }),
        );
        break;
      case 'too_small':
        out.push(error(path, 'plan.schema.tooSmall', { field, limit: String(zi.minimum) }));
        break;
      case 'too_big':
        out.push(error(path, 'plan.schema.tooBig', { field, limit: String(zi.maximum) }));
        break;
      default:
        out.push(error(path, 'plan.schema.invalid', { field }));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Addresses and names

/** A registry login name: basic auth puts it before a colon, and the run's log names it, so no colon, space or control character. */
function isRegistryUser(user: string): boolean {
  return /^[^\s:\p{Cc}]{1,255}$/u.test(user);
}

function checkHostAddresses(plan: Plan): Issue[] {
  const out: Issue[] = [];
  plan.hosts.forEach((h, i) => {
    if (!isHostOrIp(h.address)) out.push(badAddress(`hosts[${i}].address`, h.address));
    if (h.privateAddress !== undefined && !isIp(h.privateAddress)) {
      out.push(error(`hosts[${i}].privateAddress`, 'plan.privateAddress.notIp', { value: h.privateAddress }));
    }
    if (h.port < 1 || h.port > 65535)
      out.push(error(`hosts[${i}].port`, 'plan.port.invalid', { value: h.port }));
  });
  return out;
}

function badAddress(path: string, value: string): Issue {
  // A dotted-decimal string that fails as IPv4 is a mistyped IP, not a host name: say so, and say which
  // machine the resolver would really reach (`10.250.0.014` is 10.250.0.12 to inet_aton).
  const problem = ipv4Problem(value);
  if (problem === 'leadingZero' || problem === 'numericForm') {
    const read = inetAtonValue(value);
    return error(path, problem === 'leadingZero' ? 'plan.ip.leadingZero' : 'plan.ip.numericForm', {
      field: path,
      value,
      reads: read === undefined ? '-' : formatIp({ family: 4, value: read }),
    });
  }
  return problem ? error(path, 'plan.ip.invalid', { value }) : error(path, 'plan.address.invalid', { value });
}

function checkOtherAddresses(plan: Plan): Issue[] {
  const out: Issue[] = [];
  const ip = (path: string, value: string | undefined): void => {
    if (value !== undefined && !isIp(value)) out.push(error(path, 'plan.ip.invalid', { value }));
  };
  const hostOrIp = (path: string, value: string | undefined): void => {
    if (value !== undefined && !isHostOrIp(value)) out.push(badAddress(path, value));
  };
  plan.auth.forEach((a, i) => {
    if (!a.jumpHost) return;
    hostOrIp(`auth[${i}].jumpHost.address`, a.jumpHost.address);
    if (a.jumpHost.port < 1 || a.jumpHost.port > 65535) {
      out.push(error(`auth[${i}].jumpHost.port`, 'plan.port.invalid', { value: a.jumpHost.port }));
    }
  });
  hostOrIp('cluster.loadBalancerDomain', plan.cluster.loadBalancerDomain);
  ip('network.ingressIp', plan.network.ingressIp);
  if (plan.network.metallbRange !== undefined && !parseIpRange(plan.network.metallbRange)) {
    out.push(error('network.metallbRange', 'plan.metallb.invalid', { value: plan.network.metallbRange }));
  }
  hostOrIp('storage.nfs.server', plan.storage.nfs?.server);
  ip('edge.cloudcoreAddress', plan.edge?.cloudcoreAddress);
  ip('edge.cloudcorePrivateAddress', plan.edge?.cloudcorePrivateAddress);
  if (plan.portal.domain !== undefined && !isHostname(plan.portal.domain)) {
    out.push(error('portal.domain', 'plan.hostname.invalid', { value: plan.portal.domain }));
  }
  if (plan.registry && !isRegistryAddress(plan.registry.address)) {
    out.push(error('registry.address', 'plan.registry.invalid', { value: plan.registry.address }));
  }
  // The BOSH CLI takes the director as an address or as its URL (`https://10.0.0.6:25555`).
  const director = plan.bosh?.directorAddress;
  if (director !== undefined && !isHostOrIp(director) && !isHttpUrl(director)) {
    out.push(badAddress('bosh.directorAddress', director));
  }
  ip('bosh.haproxyAddress', plan.bosh?.haproxyAddress);
  ip('paasta.workerAddress', plan.paasta?.workerAddress);
  for (const [path, port] of [
    ['bosh.haproxyHttpPort', plan.bosh?.haproxyHttpPort],
    ['bosh.mariadb.port', plan.bosh?.mariadb.port],
    ['bosh.registry.port', plan.bosh?.registry.port],
  ] as const) {
    if (port !== undefined && (port < 1 || port > 65535)) out.push(error(path, 'plan.port.invalid', { value: port }));
  }
  for (const [path, value] of [
    ['paasta.cfApi', plan.paasta?.cfApi],
    ['paasta.uaaUrl', plan.paasta?.uaaUrl],
  ] as const) {
    if (value !== undefined && !isHttpUrl(value)) out.push(error(path, 'plan.url.invalid', { value }));
  }
  return out;
}

/** `host[:port]`, `[v6]:port` or a bare IP: what container runtimes accept as a registry mirror name. */
export function isRegistryAddress(text: string): boolean {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (v6) return isIp(v6[1] ?? '') && (v6[2] === undefined || Number(v6[2]) <= 65535);
  if (isIp(text)) return true;
  const m = /^([^:/]+)(?::(\d{1,5}))?$/.exec(text);
  return (
    !!m && isHostOrIp(m[1] ?? '') && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535))
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Character sets: each kind of plan string accepts only its own characters (charset.ts says why).

/** Every text of the raw plan, keys included: a control character is refused wherever it is. */
export function scanControl(raw: unknown): Issue[] {
  const out: Issue[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      if (hasControl(value)) {
        const field = formatPath(path);
        out.push(error(field, 'plan.text.control', { field, char: describeControl(value) }));
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (hasControl(k)) {
        const field = formatPath([...path, k]);
        out.push(error(field, 'plan.text.control', { field, char: describeControl(k) }));
        continue;
      }
      walk(v, [...path, k]);
    }
  };
  walk(raw, []);
  return out;
}

function checkCharsets(plan: Plan): Issue[] {
  const out: Issue[] = [];
  // Control characters are named by scanControl; the format rules below look at the rest.
  const check = (path: string, value: string | undefined, ok: (v: string) => boolean, key: string): void => {
    if (value !== undefined && !hasControl(value) && !ok(value))
      out.push(error(path, key, { field: path, value }));
  };
  check('cluster.name', plan.cluster.name, isDnsLabel, 'plan.cluster.name');
  plan.hosts.forEach((h, i) => {
    check(`hosts[${i}].user`, h.user, isPosixUser, 'plan.user.invalid');
    for (const [k, v] of Object.entries(h.labels)) {
      const path = `hosts[${i}].labels.${k}`;
      if (hasControl(k) || hasControl(v)) continue;
      if (!isLabelKey(k)) out.push(error(path, 'plan.label.key', { field: path, value: k }));
      else if (!isLabelValue(v)) out.push(error(path, 'plan.label.value', { field: path, value: v }));
    }
  });
  plan.auth.forEach((a, i) => {
    check(`auth[${i}].name`, a.name, isPlanName, 'plan.name.invalid');
    check(`auth[${i}].user`, a.user, isPosixUser, 'plan.user.invalid');
    check(`auth[${i}].keyPath`, a.keyPath, isPlanPath, 'plan.path.invalid');
    check(`auth[${i}].jumpHost.user`, a.jumpHost?.user, isPosixUser, 'plan.user.invalid');
  });
  check('storage.nfs.path', plan.storage.nfs?.path, isRemotePath, 'plan.path.remote');
  check('portal.archive', plan.portal.archive, isPlanPath, 'plan.path.invalid');
  check('portal.tls.certFile', plan.portal.tls.certFile, isPlanPath, 'plan.path.invalid');
  check('portal.tls.keyFile', plan.portal.tls.keyFile, isPlanPath, 'plan.path.invalid');
  check('registry.caFile', plan.registry?.caFile, isPlanPath, 'plan.path.invalid');
  check('registry.user', plan.registry?.user, isRegistryUser, 'plan.registry.user');
  const bundleFile = 'bundle.file';
  if (plan.bundle && !plan.bundle.path) out.push(error(bundleFile, 'plan.bundle.fileOrPath', { field: bundleFile }));
  // A path derived from bundle.file is as good as the file, which is checked next.
  const ownPath = plan.bundle?.path && !(plan.bundle.file && plan.bundle.path === derivedBundleDir(plan.bundle.file));
  check('bundle.path', ownPath ? plan.bundle?.path : undefined, isPlanPath, 'plan.path.invalid');
  check('bundle.file', plan.bundle?.file, isPlanPath, 'plan.path.invalid');
  // The deployer's registry's own TLS switch means nothing where that registry does not run.
  if (plan.bundle?.registryTls !== undefined) {
    const field = 'bundle.registryTls';
    if (plan.registry) out.push(warning(field, 'plan.bundle.registryTls.site', { field }));
    else if (!plan.bundle.file) out.push(warning(field, 'plan.bundle.registryTls.noFile', { field }));
  }
  check('edge.kubeconfig', plan.edge?.kubeconfig, isPlanPath, 'plan.path.invalid');
  check('bosh.caCertFile', plan.bosh?.caCertFile, isPlanPath, 'plan.path.invalid');
  check('bosh.client', plan.bosh?.client, isPlanName, 'plan.name.invalid');
  check(
    'bosh.environment',
    plan.bosh?.environment,
    (v) => isPlanName(v) || isHostOrIp(v) || isHttpUrl(v),
    'plan.name.invalid',
  );
  check('paasta.systemDomain', plan.paasta?.systemDomain, isHostname, 'plan.domain.invalid');
  // BOSH and CF names (director, deployment, stemcell, networks, VM types, AZs, broker, users) reach -v values,
  // a vars file and cf/uaac arguments: the plan's own name set keeps them plain words.
  if (plan.bosh) {
    const b = plan.bosh;
    check('bosh.treePath', b.treePath, isRemotePath, 'plan.path.remote');
    const names: Array<[string, string]> = [
      ['bosh.directorName', b.directorName], ['bosh.deployment', b.deployment],
      ['bosh.stemcell.os', b.stemcell.os], ['bosh.stemcell.version', b.stemcell.version], ['bosh.stemcell.alias', b.stemcell.alias],
      ['bosh.networks.private', b.networks.private], ['bosh.networks.privateNat', b.networks.privateNat], ['bosh.networks.public', b.networks.public],
      ['bosh.vmTypes.small', b.vmTypes.small], ['bosh.vmTypes.containerSmall', b.vmTypes.containerSmall],
      ['bosh.mariadb.adminUser', b.mariadb.adminUser], ['bosh.mariadb.diskType', b.mariadb.diskType], ['bosh.registry.diskType', b.registry.diskType],
      ...(['haproxy', 'mariadb', 'registry'] as const).flatMap((g) => b.azs[g].map((z, i): [string, string] => [`bosh.azs.${g}[${i}]`, z])),
    ];
    for (const [path, value] of names) check(path, value, isPlanName, 'plan.name.invalid');
  }
  check('paasta.cfAdminUser', plan.paasta?.cfAdminUser, isPlanName, 'plan.name.invalid');
  check('paasta.uaaAdminClient', plan.paasta?.uaaAdminClient, isPlanName, 'plan.name.invalid');
  check('paasta.brokerName', plan.paasta?.brokerName, isPlanName, 'plan.name.invalid');
  check('paasta.brokerUser', plan.paasta?.brokerUser, isPlanName, 'plan.name.invalid');
  return out;
}

function checkNodeNames(plan: Plan): Issue[] {
  return plan.hosts.flatMap((h, i) =>
    isNodeName(h.name)
      ? []
      : [
          error(`hosts[${i}].name`, 'plan.host.nodeName', {
            value: h.name,
            suggestion: suggestNodeName(h.name),
          }),
        ],
  );
}

function checkDuplicates(plan: Plan): Issue[] {
  const out: Issue[] = [];
  const seen = <T>(what: Map<T, number>, value: T, i: number, report: (first: number) => void): void => {
    const first = what.get(value);
    if (first === undefined) what.set(value, i);
    else report(first);
  };
  const names = new Map<string, number>();
  const endpoints = new Map<string, number>();
  const inner = new Map<string, number>();
  plan.hosts.forEach((h, i) => {
    seen(names, h.name.toLowerCase(), i, (first) =>
      out.push(
        error(`hosts[${i}].name`, 'plan.host.duplicateName', { value: h.name, other: `hosts[${first}]` }),
      ),
    );
    // Hosts behind one NAT address differ by port; what nodes use between them must still differ.
    seen(endpoints, `${normalAddress(h.address)}:${h.port}`, i, (first) =>
      out.push(
        error(`hosts[${i}].address`, 'plan.host.duplicateAddress', {
          value: h.address,
          other: `hosts[${first}]`,
        }),
      ),
    );
    seen(inner, normalAddress(innerAddress(h)), i, (first) => {
      const path = h.privateAddress !== undefined ? `hosts[${i}].privateAddress` : `hosts[${i}].address`;
      if (out.some((o) => o.path === path)) return;
      out.push(
        error(path, 'plan.host.duplicateAddress', { value: innerAddress(h), other: `hosts[${first}]` }),
      );
    });
  });
  return out;
}

function normalAddress(text: string): string {
  const ip = parseIp(text);
  return ip ? `${ip.family}:${ip.value}` : text.toLowerCase().replace(/\.$/, '');
}

// ---------------------------------------------------------------------------------------------------------
// Auth profiles

function checkAuth(plan: Plan): Issue[] {
  const out: Issue[] = [];
  const names = new Set<string>();
  plan.auth.forEach((a, i) => {
    if (names.has(a.name)) out.push(error(`auth[${i}].name`, 'plan.auth.duplicate', { value: a.name }));
    names.add(a.name);
    if (a.method === 'key' && !a.keyPath)
      out.push(error(`auth[${i}].keyPath`, 'plan.auth.keyPath', { profile: a.name }));
    if (a.jumpHost?.auth !== undefined && !plan.auth.some((p) => p.name === a.jumpHost?.auth)) {
      out.push(
        error(`auth[${i}].jumpHost.auth`, 'plan.auth.missing', {
          value: a.jumpHost.auth,
          known: knownProfiles(plan),
        }),
      );
    }
  });
  plan.hosts.forEach((h, i) => {
    if (!names.has(h.auth)) {
      out.push(error(`hosts[${i}].auth`, 'plan.auth.missing', { value: h.auth, known: knownProfiles(plan) }));
    }
  });
  return out;
}

function knownProfiles(plan: Plan): string {
  return plan.auth.map((a) => a.name).join(', ') || '-';
}

// ---------------------------------------------------------------------------------------------------------
// Release

type ReleaseLookup = (name: string) => Release | undefined;

function checkRelease(plan: Plan, lookup: ReleaseLookup): Issue[] {
  const release = lookup(plan.release);
  if (!release) {
    return [
      error('release', 'plan.release.unknown', {
        value: plan.release,
        known: [...loadCatalog().keys()].join(', '),
      }),
    ];
  }
  const runtimes = release.runtimes;
  if (runtimes[plan.cluster.runtime] !== undefined) return [];
  const offered = (['crio', 'containerd'] as const).filter((r) => runtimes[r] !== undefined);
  if (offered.length === 0) {
    // A release from before CRI-O (Docker only): the engine installs what the release's Kubespray does.
    return [warning('cluster.runtime', 'plan.warn.legacyRuntime', { release: release.name })];
  }
  return [
    error('cluster.runtime', 'plan.release.runtime', {
      value: plan.cluster.runtime,
      release: release.name,
      offered: offered.join(', '),
    }),
  ];
}

/** Edge modes run KubeEdge next to the release's Kubernetes: the pair must be one KubeEdge supports. */
function checkKubeEdge(plan: Plan, lookup: ReleaseLookup): Issue[] {
  if (!kubeedge(plan)) return [];
  const release = lookup(plan.release);
  if (!release) return [];
  // The edge's `bosh` section is the 2021 edge: only a release whose middleware is BOSH's has it.
  if (plan.bosh && !release.bosh) return [error('bosh', 'mode.edgeBosh.release', { release: release.name })];
  const fits = [...loadCatalog().values()]
    .filter((r) => r.kubeedge && kubeedgeSupports(r.kubeedge.version, r.kubernetes))
    .map((r) => r.name)
    .join(', ');
  if (!release.kubeedge) {
    return [error('release', 'plan.edge.noKubeEdge', { release: release.name, fits: fits || '-' })];
  }
  if (kubeedgeSupports(release.kubeedge.version, release.kubernetes)) return [];
  const range = kubeedgeRange(release.kubeedge.version);
  return [
    error('release', 'plan.edge.incompatible', {
      release: release.name,
      kubeedge: release.kubeedge.version,
      kubernetes: release.kubernetes,
      range: range ? `${range[0]}–${range[1]}` : '-',
      fits: fits || '-',
    }),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Roles per mode

function checkClusterRoles(plan: Plan): Issue[] {
  const out: Issue[] = [];
  // Which roles a mode needs, and anything else of its own, are the mode's rules (core/modes/<mode>/profile.ts).
  out.push(...profileOf(plan.mode, plan).rules(plan));
  plan.hosts.forEach((h, i) => {
    const clash = h.roles.filter((r) => r === 'control-plane' || r === 'worker' || r === 'etcd');
    if (h.roles.includes('edge') && clash.length > 0) {
      out.push(
        error(`hosts[${i}].roles`, 'plan.edge.roleConflict', { host: h.name, roles: clash.join(', ') }),
      );
    }
  });
  return out;
}

function checkHa(plan: Plan): Issue[] {
  const cps = hostsWithRole(plan, 'control-plane').length;
  if (cps < 2 || !kubespray(plan)) return [];
  const out: Issue[] = [];
  if (!plan.cluster.loadBalancerDomain)
    out.push(error('cluster.loadBalancerDomain', 'plan.ha.loadBalancer', { count: cps }));
  if (!plan.cluster.etcdType) out.push(error('cluster.etcdType', 'plan.ha.etcdType', { count: cps }));
  return out;
}

const MAX_ETCD = 7;

function checkEtcd(plan: Plan): Issue[] {
  if (plan.cluster.etcdType !== 'external') return [];
  const n = hostsWithRole(plan, 'etcd').length;
  if (n === 0) return [error('hosts', 'plan.etcd.none')];
  if (n > MAX_ETCD) return [error('hosts', 'plan.etcd.tooMany', { count: n, max: MAX_ETCD })];
  if (n % 2 === 0) return [error('hosts', 'plan.etcd.even', { count: n })];
  return [];
}

function checkStorage(plan: Plan): Issue[] {
  if (!kubespray(plan)) return [];
  if (plan.storage.type === 'rook-ceph') {
    const workers = hostsWithRole(plan, 'worker').length;
    return workers < 3 ? [error('storage.type', 'plan.storage.rookWorkers', { count: workers })] : [];
  }
  const hasServer = !!plan.storage.nfs?.server || hostsWithRole(plan, 'nfs').length > 0;
  return hasServer ? [] : [error('storage.nfs.server', 'plan.storage.nfsServer')];
}

function checkPortal(plan: Plan, lookup: ReleaseLookup): Issue[] {
  // A release whose middleware is BOSH's, with the plan's bosh section: its own portals (container-platform-deploy.sh)
  // replace the v1.6 portal, whose settings then ask nothing (the 2021 edge's Settings do not even show them).
  if (plan.bosh && lookup(plan.release)?.bosh) return [];
  const archive = plan.portal.archive;
  const out: Issue[] = [];
  if (archive !== undefined && !/\.(tar\.gz|tgz)$/.test(archive))
    out.push(error('portal.archive', 'plan.portal.archiveName', { value: archive }));
  // A mode on a cluster of its own making (edge) installs the portal only when the plan names its archive.
  const cluster = profileOf(plan.mode, plan).cluster;
  if (!plan.portal.enabled || cluster === 'existing' || (cluster !== 'kubespray' && archive === undefined)) return out;
  if (archive === undefined && !plan.bundle)
    out.push(warning('portal.archive', 'plan.warn.portalNoArchive'));
  if (!plan.portal.domain && !plan.network.ingressIp)
    out.push(error('portal.domain', 'plan.portal.noDomain'));
  if (plan.portal.tls.mode === 'provided') {
    if (!plan.portal.tls.certFile) out.push(error('portal.tls.certFile', 'plan.portal.tlsFile'));
    if (!plan.portal.tls.keyFile) out.push(error('portal.tls.keyFile', 'plan.portal.tlsFile'));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Networks

interface Net {
  path: string;
  text: string;
  range: IpRange;
}

function checkNetworks(plan: Plan): Issue[] {
  const out: Issue[] = [];
  const cidrs: Net[] = [];
  for (const [path, text] of [
    ['cluster.podCidr', plan.cluster.podCidr],
    ['cluster.serviceCidr', plan.cluster.serviceCidr],
  ] as const) {
    const c = parseCidr(text);
    if (!c) out.push(error(path, 'plan.cidr.invalid', { value: text }));
    else if (!c.exact) out.push(error(path, 'plan.cidr.hostBits', { value: text, network: formatCidr(c) }));
    else cidrs.push({ path, text, range: cidrRange(c) });
  }
  const [a, b] = cidrs;
  if (a && b && rangesOverlap(a.range, b.range)) {
    out.push(error(b.path, 'plan.cidr.overlap', { value: b.text, other: a.text, otherField: a.path }));
  }
  const metallbText = plan.network.metallbRange;
  const metallb = metallbText !== undefined ? parseIpRange(metallbText) : undefined;
  if (metallb && metallbText !== undefined) {
    for (const c of cidrs) {
      if (rangesOverlap(metallb, c.range)) {
        out.push(
          error('network.metallbRange', 'plan.cidr.overlap', {
            value: metallbText,
            other: c.text,
            otherField: c.path,
          }),
        );
      }
    }
  }
  plan.hosts.forEach((h, i) => {
    for (const [field, value] of [
      ['address', h.address],
      ['privateAddress', h.privateAddress],
    ] as const) {
      const ip = value !== undefined ? parseIp(value) : undefined;
      if (!ip || value === undefined) continue;
      const path = `hosts[${i}].${field}`;
      for (const c of cidrs) {
        if (rangeContains(c.range, ip))
          out.push(error(path, 'plan.cidr.hostInside', { value, cidr: c.text, otherField: c.path }));
      }
      if (metallb && metallbText !== undefined && rangeContains(metallb, ip)) {
        out.push(error(path, 'plan.metallb.containsHost', { value, range: metallbText }));
      }
    }
  });
  for (const [path, value] of [
    ['network.ingressIp', plan.network.ingressIp],
    ['edge.cloudcorePrivateAddress', plan.edge?.cloudcorePrivateAddress],
  ] as const) {
    const ip = value !== undefined ? parseIp(value) : undefined;
    if (!ip || value === undefined) continue;
    if (metallb && metallbText !== undefined && rangeContains(metallb, ip)) {
      out.push(error(path, 'plan.metallb.containsVip', { value, range: metallbText }));
    }
    for (const c of cidrs) {
      if (rangeContains(c.range, ip))
        out.push(error(path, 'plan.cidr.hostInside', { value, cidr: c.text, otherField: c.path }));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Warnings

function adviseHa(plan: Plan): Issue[] {
  if (!kubespray(plan)) return [];
  const cps = hostsWithRole(plan, 'control-plane').length;
  const out: Issue[] = [];
  if (cps === 1) out.push(warning('hosts', 'plan.warn.singleControlPlane'));
  if (cps >= 2 && cps % 2 === 0 && plan.cluster.etcdType !== 'external') {
    out.push(warning('hosts', 'plan.warn.evenControlPlanes', { count: cps }));
  }
  const etcd = hostsWithRole(plan, 'etcd').length;
  if (plan.cluster.etcdType === 'external' && etcd > 0 && etcd !== cps) {
    out.push(warning('hosts', 'plan.warn.etcdCount', { etcd, count: cps }));
  }
  if (plan.cluster.etcdType !== 'external' && etcd > 0)
    out.push(warning('cluster.etcdType', 'plan.warn.etcdRoleUnused', { count: etcd }));
  return out;
}

function adviseHosts(plan: Plan): Issue[] {
  const out: Issue[] = [];
  plan.hosts.forEach((h, i) => {
    if (h.roles.length === 0) out.push(warning(`hosts[${i}].roles`, 'plan.warn.noRoles', { host: h.name }));
    if (h.roles.includes('control-plane') && h.roles.includes('worker')) {
      out.push(warning(`hosts[${i}].roles`, 'plan.warn.sharedControlPlane', { host: h.name }));
    }
    const used = profileOf(plan.mode, plan).roles;
    for (const role of h.roles.filter((r) => !used.includes(r))) {
      // The edge role has its own advice (the modes that use it); any other role the mode leaves idle, by name.
      if (role === 'edge') out.push(warning(`hosts[${i}].roles`, 'plan.warn.edgeIgnored', { host: h.name, mode: plan.mode }));
      else out.push(warning(`hosts[${i}].roles`, 'plan.warn.roleIgnored', { host: h.name, role, mode: plan.mode }));
    }
  });
  if (kubespray(plan) && plan.storage.type === 'rook-ceph') {
    out.push(warning('storage.type', 'plan.warn.rookDisks'));
  }
  return out;
}

function adviseNetwork(plan: Plan): Issue[] {
  if (!kubespray(plan)) return [];
  const out: Issue[] = [];
  if (!plan.network.metallbRange) out.push(warning('network.metallbRange', 'plan.warn.noMetallb'));
  if (plan.portal.enabled && !plan.portal.domain && plan.network.ingressIp) {
    const offline = !!plan.bundle || !!plan.registry;
    out.push(
      warning('portal.domain', offline ? 'plan.warn.nipioOffline' : 'plan.warn.nipio', {
        domain: `${plan.network.ingressIp}.nip.io`,
      }),
    );
  }
  return out;
}

/**
 * Every address field checked against the hosts' own networks (the /24s their addresses are in): a MetalLB
 * range, ingress IP, NFS server or cloudcore address left from an example (192.168.0.x, 203.0.113.10) in a
 * 10.252.0.x cluster is named, field by field. A warning: a site may route a farther address on purpose.
 */
function adviseAddressesInHostNet(plan: Plan): Issue[] {
  const net24 = (a: string | undefined) =>
    a && /^\d{1,3}(\.\d{1,3}){3}$/.test(a) && parseIp(a) ? a.replace(/\.\d+$/, '') : undefined;
  const nets = new Set<string>();
  for (const h of plan.hosts)
    for (const a of [h.address, h.privateAddress]) if (net24(a)) nets.add(net24(a)!);
  if (nets.size === 0) return [];
  const shown = [...nets]
    .slice(0, 3)
    .map((n) => `${n}.x`)
    .join(', ');
  const out: Issue[] = [];
  const check = (path: string, value: string | undefined, addresses: Array<string | undefined>) => {
    if (value === undefined) return;
    const outside = addresses.map(net24).some((n) => n !== undefined && !nets.has(n));
    if (outside) out.push(warning(path, 'plan.warn.outsideHostNet', { field: path, value, nets: shown }));
  };
  const range = plan.network.metallbRange?.split('-').map((x) => x.trim());
  check('network.metallbRange', plan.network.metallbRange, range ?? []);
  check('network.ingressIp', plan.network.ingressIp, [plan.network.ingressIp]);
  check('storage.nfs.server', plan.storage.nfs?.server, [plan.storage.nfs?.server]);
  check('edge.cloudcoreAddress', plan.edge?.cloudcoreAddress, [plan.edge?.cloudcoreAddress]);
  check('edge.cloudcorePrivateAddress', plan.edge?.cloudcorePrivateAddress, [
    plan.edge?.cloudcorePrivateAddress,
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------

type Rule = (plan: Plan, lookup: ReleaseLookup) => Issue[];

/** Every semantic rule, in the order their issues are shown. */
export const RULES: readonly Rule[] = [
  checkRelease,
  checkKubeEdge,
  checkHostAddresses,
  checkNodeNames,
  checkCharsets,
  checkDuplicates,
  checkAuth,
  checkClusterRoles,
  checkHa,
  checkEtcd,
  checkStorage,
  checkOtherAddresses,
  checkNetworks,
  checkPortal,
  adviseHa,
  adviseHosts,
  adviseNetwork,
  adviseAddressesInHostNet,
];

export interface ValidateOptions {
  /** Release lookup; the installer's catalog when absent. */
  findRelease?: ReleaseLookup;
}

export interface PlanValidation extends ValidationResult {
  /** The plan with defaults applied, when its structure is sound. */
  plan?: Plan;
}

// Plans this validator passed (no error, the installer's own catalog), each with its JSON as it passed: the
// gates before a host is contacted take such a plan as validated instead of validating it a second and third
// time. Only this function adds to it, in this process; any change since (even in place) makes the text
// differ, and a copy or a look-alike object is not in it, so those are validated again.
const passed = new WeakMap<object, string>();

/** True when `plan` is an object validatePlan passed (with the installer's catalog) and unchanged since. */
export function passedValidation(plan: unknown): plan is Plan {
  if (typeof plan !== 'object' || plan === null) return false;
  const text = passed.get(plan);
  return text !== undefined && text === JSON.stringify(plan);
}

/** Validates a plan as read from a file or sent by a shell (defaults not yet applied). */
export function validatePlan(input: unknown, options: ValidateOptions = {}): PlanValidation {
  const lookup = options.findRelease ?? findRelease;
  const secretIssues = [...scanControl(input), ...scanSecrets(input)];
  if (input === null || input === undefined || typeof input !== 'object' || Array.isArray(input)) {
    return finish([error('', 'plan.notObject', { received: received(input) })]);
  }
  const parsed = Plan.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    // A secret key also fails as an unknown key; the secret message is the one that says what to do.
    const secretPaths = new Set(secretIssues.map((s) => s.path));
    const structural = structureIssues(parsed.error.issues).filter((s) => !secretPaths.has(s.path));
    return finish([...secretIssues, ...structural]);
  }
  const plan = parsed.data;
  const issues = [...secretIssues, ...RULES.flatMap((rule) => rule(plan, lookup))];
  const result = { ...finish(issues), plan };
  if (result.valid && !options.findRelease) passed.set(plan, JSON.stringify(plan));
  return result;
}

function finish(issues: Issue[]): ValidationResult {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  return { valid: errors.length === 0, errors, warnings };
}
