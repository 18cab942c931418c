// The egress recorder: proof that an install reached nothing outside the test network. On a test host, an
// nftables table in its own network namespace lets through loopback, the test subnet and link-local
// multicast, and records every other outbound attempt (destination, protocol, port, packets) in a dynamic
// set before rejecting it at once (TCP reset, ICMP otherwise) — so a download fails fast and names itself.
// The host's resolver is an address outside the test network (TEST-NET-2), so even a name lookup is an
// attempt on record rather than a silent local failure. On the installer's side (this process), a hook on
// net.Socket#connect records and refuses connections to anywhere but loopback and the test subnet.
import { existsSync } from 'node:fs';
import net from 'node:net';

export const EGRESS_TABLE = 'cpt_egress';
/** Where a test host's name lookups go: outside the test network, so each lookup is a recorded attempt. */
export const EGRESS_RESOLVER = '198.51.100.53';

export interface EgressAttempt {
  /** Test host name, or `installer` for this process. */
  host: string;
  address: string;
  protocol: string;
  port: number;
  /** Packets (host side) or connect calls (installer side) to that destination. */
  count: number;
}

const NFT = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'];

export function nftPath(): string | undefined {
  return NFT.find((p) => existsSync(p));
}

export function canRecordEgress(): { ok: boolean; reason?: string } {
  if (!nftPath()) return { ok: false, reason: 'nft missing (apt-get install -y nftables)' };
  return { ok: true };
}

/** The nftables table for one host's namespace (pure). `allow`: IPv4 CIDRs inside the test network. */
export function egressRuleset(allow: string[]): string {
  const allowed = allow.length ? `    ip daddr { ${allow.join(', ')} } accept\n` : '';
  return `table inet ${EGRESS_TABLE} {
  set attempts4 { type ipv4_addr . inet_proto . inet_service; flags dynamic; counter; }
  set attempts6 { type ipv6_addr . inet_proto . inet_service; flags dynamic; counter; }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "lo" accept
${allowed}    ip daddr 224.0.0.0/24 accept
    ip6 daddr { fe80::/10, ff02::/16 } accept
    meta l4proto { tcp, udp } add @attempts4 { ip daddr . meta l4proto . th dport }
    meta l4proto { tcp, udp } add @attempts6 { ip6 daddr . meta l4proto . th dport }
    meta nfproto ipv4 meta l4proto != { tcp, udp } add @attempts4 { ip daddr . meta l4proto . 0 }
    meta nfproto ipv6 meta l4proto != { tcp, udp } add @attempts6 { ip6 daddr . meta l4proto . 0 }
    meta l4proto tcp reject with tcp reset
    reject with icmpx admin-prohibited
  }
}
`;
}

/** The table's install command (run as root inside the host's namespaces): replaces an earlier one. */
export function egressInstallCommand(allow: string[]): string {
  const nft = nftPath() ?? 'nft';
  return `(${nft} list table inet ${EGRESS_TABLE} >/dev/null 2>&1 && ${nft} delete table inet ${EGRESS_TABLE}); ${nft} -f - <<'CPT_EGRESS'\n${egressRuleset(allow)}CPT_EGRESS`;
}

export function egressListCommand(): string {
  const nft = nftPath() ?? 'nft';
  return `${nft} -j list set inet ${EGRESS_TABLE} attempts4 && ${nft} -j list set inet ${EGRESS_TABLE} attempts6`;
}

const PROTOCOLS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };

/** Parses `nft -j list set …` outputs (one JSON document per line or concatenated) into attempts. */
export function parseEgressSets(host: string, text: string): EgressAttempt[] {
  const out: EgressAttempt[] = [];
  const docs = text
    .split(/\n(?=\{)/)
    .map((t) => t.trim())
    .filter(Boolean);
  for (const doc of docs) {
    const parsed = JSON.parse(doc) as { nftables?: Array<{ set?: { elem?: unknown[] } }> };
    for (const entry of parsed.nftables ?? []) {
      for (const e of entry.set?.elem ?? []) {
        const el = (e as { elem?: { val?: unknown; counter?: { packets?: number } } }).elem ?? { val: e };
        const concat = (el.val as { concat?: unknown[] } | undefined)?.concat;
        if (!Array.isArray(concat)) continue;
        const [address, proto, port] = concat as [string, string | number, number | string];
        out.push({
          host,
          address: String(address),
          protocol: PROTOCOLS[String(proto)] ?? String(proto),
          port: Number(port),
          count: el.counter?.packets ?? 1,
        });
      }
    }
  }
  return out;
}

/** Whether an IPv4 address lies in a CIDR (pure). */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  if (!net.isIPv4(address) || !net.isIPv4(base ?? '')) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(address) & mask) === (toInt(base!) & mask);
}

export interface InstallerEgress {
  attempts(): EgressAttempt[];
  restore(): void;
}

/**
 * Records and refuses this process's TCP connections (http, https, ssh2, fetch all go through
 * net.Socket#connect) to anything but loopback and `allow`. A name rather than an address is an attempt
 * too: resolving it is already reaching out. Child processes are not covered.
 */
export function recordInstallerEgress(allow: string[]): InstallerEgress {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = proto.connect;
  const seen = new Map<string, EgressAttempt>();
  const allowed = (host: string) =>
    host === 'localhost' ||
    host === '::1' ||
    inCidr(host, '127.0.0.0/8') ||
    allow.some((c) => inCidr(host, c));
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() and http hand over normalized arguments ([options, callback]); user code may pass either.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    let host = 'localhost';
    let port = 0;
    let path: string | undefined;
    if (first && typeof first === 'object') {
      const o = first as { host?: string; port?: number | string; path?: string };
      path = o.path;
      host = o.host ?? 'localhost';
      port = Number(o.port ?? 0);
    } else if (typeof first === 'string' && Number.isNaN(Number(first))) {
      path = first;
    } else {
      port = Number(first);
      if (typeof args[1] === 'string') host = args[1];
    }
    if (path !== undefined || allowed(host)) return original.apply(this, args);
    const key = `${host}:${port}`;
    const a = seen.get(key) ?? { host: 'installer', address: host, protocol: 'tcp', port, count: 0 };
    a.count++;
    seen.set(key, a);
    const err = Object.assign(
      new Error(`connect EACCES ${host}:${port} (outbound connection refused by the test's egress recorder)`),
      { code: 'EACCES', syscall: 'connect', address: host, port },
    );
    process.nextTick(() => this.destroy(err));
    return this;
  };
  return {
    attempts: () => [...seen.values()],
    restore: () => {
      proto.connect = original;
    },
  };
}
