// `bosh -d NAME vms --json` → the addresses the later steps need (HAProxy's public and private address,
// MariaDB, the private image repository). The table's `ips` cell holds every address of an instance, one
// per line, in the order of its networks in the manifest. Pure.

export interface BoshVm {
  /** `haproxy/cbd5d103-…` */
  instance: string;
  /** Its instance group (`haproxy`). */
  group: string;
  processState: string;
  az: string;
  ips: string[];
  vmType: string;
}

interface Table {
  Rows?: Array<Record<string, unknown>>;
}

export function parseBoshVms(json: string): BoshVm[] {
  let doc: { Tables?: Table[] };
  try {
    doc = JSON.parse(json) as { Tables?: Table[] };
  } catch {
    throw new Error('bosh vms --json did not print JSON');
  }
  const rows = (doc.Tables ?? []).flatMap((t) => t.Rows ?? []);
  return rows.map((r) => {
    const instance = String(r.instance ?? '');
    return {
      instance,
      group: instance.split('/')[0] ?? instance,
      processState: String(r.process_state ?? ''),
      az: String(r.az ?? ''),
      ips: String(r.ips ?? '')
        .split(/[\s,]+/)
        .filter(Boolean),
      vmType: String(r.vm_type ?? ''),
    };
  });
}

export interface MiddlewareAddresses {
  /** What nodes and the portal use: HAProxy's public address (the vip network's static IP) when it has one. */
  haproxy: string;
  haproxyPrivate: string;
  mariadb: string;
  registry: string;
}

const isPrivate = (ip: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);

/**
 * The middleware's addresses. `publicAddress` is the plan's HAProxy public IP (haproxy_public_url) when set:
 * it must be one of HAProxy's addresses. Throws naming what is missing or not running.
 */
export function middlewareAddresses(vms: BoshVm[], publicAddress?: string): MiddlewareAddresses {
  const one = (group: string): BoshVm => {
    const vm = vms.find((v) => v.group === group);
    if (!vm) throw new Error(`the deployment has no ${group} instance`);
    if (vm.processState !== 'running') throw new Error(`${vm.instance} is ${vm.processState || 'not running'}`);
    if (!vm.ips.length) throw new Error(`${vm.instance} has no address`);
    return vm;
  };
  const haproxy = one('haproxy');
  if (publicAddress && !haproxy.ips.includes(publicAddress))
    throw new Error(`${haproxy.instance} does not have the public address ${publicAddress} (it has ${haproxy.ips.join(', ')})`);
  const pub = publicAddress ?? haproxy.ips.find((ip) => !isPrivate(ip)) ?? haproxy.ips[haproxy.ips.length - 1]!;
  const priv = haproxy.ips.find((ip) => ip !== pub) ?? pub;
  return { haproxy: pub, haproxyPrivate: priv, mariadb: one('mariadb').ips[0]!, registry: one('private-image-repository').ips[0]! };
}

/** `bosh environment --json` → the director's UUID (what deploy-<iaas>.sh passes as director_uuid). */
export function parseDirectorUuid(json: string): string {
  let doc: { Tables?: Table[] };
  try {
    doc = JSON.parse(json) as { Tables?: Table[] };
  } catch {
    throw new Error('bosh environment --json did not print JSON');
  }
  const uuid = doc.Tables?.[0]?.Rows?.[0]?.uuid;
  if (typeof uuid !== 'string' || !uuid) throw new Error('bosh environment --json has no uuid');
  return uuid;
}

/** `bosh stemcells --json` → `os/version` of each stemcell the director has. */
export function parseStemcells(json: string): Array<{ os: string; version: string }> {
  const doc = JSON.parse(json) as { Tables?: Table[] };
  return (doc.Tables ?? []).flatMap((t) => t.Rows ?? []).map((r) => ({ os: String(r.os ?? ''), version: String(r.version ?? '').replace(/\*$/, '') }));
}
