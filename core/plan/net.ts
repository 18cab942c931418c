// Address arithmetic for plans: IPv4/IPv6 parsing, CIDRs, address ranges, host names. Pure, no Node
// modules. Addresses are bigints so IPv4 and IPv6 share one code path.

export type Family = 4 | 6;

export interface IpAddr {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
  /** False when the text had host bits set (`10.0.0.1/24`). */
  exact: boolean;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  family: Family;
  start: bigint;
  end: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: tools disagree on whether 010 is octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length < 2) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = group(halves[0] ?? '');
  const right = halves.length === 2 ? group(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function parseIp(text: string): IpAddr | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export const isIPv4 = (text: string): boolean => parseIPv4(text) !== undefined;
export const isIPv6 = (text: string): boolean => text.includes(':') && parseIPv6(text) !== undefined;
export const isIp = (text: string): boolean => parseIp(text) !== undefined;

export function formatIp(addr: IpAddr): string {
  if (addr.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((addr.value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((addr.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Longest run of zero groups becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function mask(family: Family, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > BITS[addr.family]) return undefined;
  const base = addr.value & mask(addr.family, prefix);
  return { family: addr.family, base, prefix, exact: base === addr.value };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.prefix}`;
}

export function cidrRange(cidr: Cidr): IpRange {
  const size = 1n << BigInt(BITS[cidr.family] - cidr.prefix);
  return { family: cidr.family, start: cidr.base, end: cidr.base + size - 1n };
}

/** MetalLB's pool forms: `first-last` (what the scripts use), a CIDR, or one address. */
export function parseIpRange(text: string): IpRange | undefined {
  const t = text.trim();
  if (t.includes('/')) {
    const c = parseCidr(t);
    return c ? cidrRange(c) : undefined;
  }
  const dash = t.indexOf('-');
  if (dash < 0) {
    const a = parseIp(t);
    return a ? { family: a.family, start: a.value, end: a.value } : undefined;
  }
  const a = parseIp(t.slice(0, dash).trim());
  const b = parseIp(t.slice(dash + 1).trim());
  if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
  return { family: a.family, start: a.value, end: b.value };
}

export function rangeContains(range: IpRange, addr: IpAddr): boolean {
  return range.family === addr.family && addr.value >= range.start && addr.value <= range.end;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function cidrContains(cidr: Cidr, addr: IpAddr): boolean {
  return rangeContains(cidrRange(cidr), addr);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return rangesOverlap(cidrRange(a), cidrRange(b));
}

export function rangeSize(range: IpRange): bigint {
  return range.end - range.start + 1n;
}

/** Something shaped like a dotted-decimal address; RFC 1123 §2.1 says a host name never looks like one. */
export function looksLikeIPv4(text: string): boolean {
  return /^[0-9.]+$/.test(text) && text.includes('.');
}

/**
 * What the C library's inet_aton (and so getaddrinfo, ping, curl, Node's resolver) reads as an IPv4 address
 * besides the dotted quad: 1–4 parts, each decimal, octal (leading 0) or hex (0x), the last filling the
 * remaining bytes (`10.1`, `167772172`, `0x0a.250.0.12`, `010.250.0.012`). Such a text reaches a machine
 * other than the one a person reads in it, so it is never taken as a host name nor as an address.
 */
export function inetAtonValue(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: bigint[] = [];
  for (const part of parts) {
    let n: bigint;
    if (/^0[xX][0-9A-Fa-f]*$/.test(part)) n = part.length === 2 ? 0n : BigInt(part);
    else if (/^0[0-7]*$/.test(part)) n = part.length === 1 ? 0n : BigInt(`0o${part.slice(1)}`);
    else if (/^[1-9][0-9]*$/.test(part)) n = BigInt(part);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255n)) return undefined;
  if (last >= 1n << BigInt(8 * (4 - nums.length))) return undefined;
  let value = 0n;
  nums.forEach((n, i) => (value |= n << BigInt(8 * (3 - i))));
  return value | last;
}

/** Why a text is not an address the installer uses, for the message that says so; undefined when it is one. */
export type AddressProblem = 'leadingZero' | 'numericForm' | 'outOfRange' | 'notIp';

export function ipv4Problem(text: string): AddressProblem | undefined {
  if (isIPv4(text)) return undefined;
  const parts = text.split('.');
  if (parts.length === 4 && parts.every((p) => /^[0-9]+$/.test(p))) {
    if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return 'leadingZero';
    return 'outOfRange';
  }
  if (inetAtonValue(text) !== undefined) return 'numericForm';
  return looksLikeIPv4(text) || /^[0-9]+$/.test(text) ? 'notIp' : undefined;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and hyphens, 1–63 each, ≤253 in all. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253 || looksLikeIPv4(text)) return false;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name.split('.');
  if (!labels.every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))) return false;
  // An all-numeric last label (RFC 3696 §2) or a text inet_aton reads as a number is an address in
  // disguise: `167772172` and `0x0a.250.0.12` both reach 10.0.0.12.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return false;
  return inetAtonValue(name) === undefined;
}

/**
 * The one spelling of an address the installer connects to and files host keys under: an IPv4 dotted quad,
 * an IPv6 address in RFC 5952 form (an IPv4-mapped one as its IPv4 address), or a lowercase host name
 * without a trailing dot. Undefined for anything else, including inet_aton's other forms.
 */
export function canonicalAddress(
  text: string,
): { kind: 'ip'; family: Family; address: string } | { kind: 'name'; name: string } | undefined {
  const ip = parseIp(text);
  if (ip) {
    if (ip.family === 6 && ip.value >> 32n === 0xffffn)
      return { kind: 'ip', family: 4, address: formatIp({ family: 4, value: ip.value & 0xffffffffn }) };
    return { kind: 'ip', family: ip.family, address: formatIp(ip) };
  }
  if (isHostname(text)) return { kind: 'name', name: text.toLowerCase().replace(/\.$/, '') };
  return undefined;
}

/** An address the installer may connect to: an IP or an RFC 1123 host name. */
export function isHostOrIp(text: string): boolean {
  return isIp(text) || isHostname(text);
}

/**
 * What Kubernetes accepts as a node name (a DNS-1123 subdomain: lowercase) and what Kubespray can also set
 * as the machine's host name (each label ≤63).
 */
export function isNodeName(text: string): boolean {
  return (
    text.length > 0 &&
    text.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(text) &&
    text.split('.').every((l) => l.length <= 63)
  );
}

/** The nearest name Kubernetes would accept, for the message that suggests one. */
export function suggestNodeName(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .split('.')
    .map((l) =>
      l
        .replace(/^-+|-+$/g, '')
        .slice(0, 63)
        .replace(/-+$/, ''),
    )
    .filter((l) => l.length > 0)
    .join('.');
  return s.slice(0, 253) || 'node';
}
