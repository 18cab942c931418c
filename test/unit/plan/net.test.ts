import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  cidrContains,
  inetAtonValue,
  cidrsOverlap,
  formatCidr,
  formatIp,
  isHostname,
  isIPv4,
  isIPv6,
  isNodeName,
  parseCidr,
  parseIp,
  parseIpRange,
  rangeContains,
  rangeSize,
  rangesOverlap,
  suggestNodeName,
} from '../../../core/plan/net.js';

const ip = (s: string) => parseIp(s)!;

describe('IPv4', () => {
  it.each(['0.0.0.0', '10.0.0.1', '255.255.255.255', '192.168.0.150'])('accepts %s', (s) =>
    expect(isIPv4(s)).toBe(true),
  );
  it.each(['256.0.0.1', '10.0.0', '10.0.0.1.2', '010.0.0.1', '1.2.3.-4', ' 1.2.3.4', '', 'a.b.c.d'])(
    'refuses %j',
    (s) => expect(isIPv4(s)).toBe(false),
  );
  it('formats back', () => expect(formatIp(ip('10.233.64.1'))).toBe('10.233.64.1'));
});

describe('IPv6', () => {
  it.each(['::', '::1', 'fd00::11', '2001:db8:0:0:0:0:0:1', '2001:db8::192.168.0.1', 'FE80::1'])(
    'accepts %s',
    (s) => expect(isIPv6(s)).toBe(true),
  );
  it.each(['fd00:::1', '1:2:3:4:5:6:7:8:9', '2001:db8::g', ':1', '1::2::3', '12345::1', '1.2.3.4'])(
    'refuses %s',
    (s) => expect(isIPv6(s)).toBe(false),
  );
  it('compresses the longest zero run when formatting', () => {
    expect(formatIp(ip('2001:db8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIp(ip('::'))).toBe('::');
  });
  it('reads an embedded IPv4 tail', () => expect(ip('::ffff:10.0.0.1').value).toBe(0xffff0a000001n));
});

describe('CIDR', () => {
  it('parses and notes host bits', () => {
    expect(parseCidr('10.233.64.0/18')).toMatchObject({ family: 4, prefix: 18, exact: true });
    const loose = parseCidr('10.233.64.5/18')!;
    expect(loose.exact).toBe(false);
    expect(formatCidr(loose)).toBe('10.233.64.0/18');
  });
  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', 'x/8', 'fd00::/129'])('refuses %s', (s) =>
    expect(parseCidr(s)).toBeUndefined(),
  );
  it('contains and overlaps', () => {
    const pods = parseCidr('10.233.64.0/18')!;
    const services = parseCidr('10.233.0.0/18')!;
    expect(cidrsOverlap(pods, services)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.233.0.0/16')!, services)).toBe(true);
    expect(cidrContains(pods, ip('10.233.127.255'))).toBe(true);
    expect(cidrContains(pods, ip('10.233.128.0'))).toBe(false);
    expect(cidrContains(parseCidr('fd00::/64')!, ip('fd00::1'))).toBe(true);
    expect(cidrContains(pods, ip('fd00::1'))).toBe(false);
  });
});

describe('ranges', () => {
  it('reads first-last, CIDR and single forms', () => {
    expect(rangeSize(parseIpRange('192.168.0.150-192.168.0.160')!)).toBe(11n);
    expect(rangeSize(parseIpRange('192.168.0.192/27')!)).toBe(32n);
    expect(rangeSize(parseIpRange('192.168.0.7')!)).toBe(1n);
    expect(parseIpRange('192.168.0.160 - 192.168.0.170')).toBeDefined();
  });
  it.each(['192.168.0.160-192.168.0.150', '192.168.0.1-fd00::1', '1.2.3.4-', 'a-b'])('refuses %s', (s) =>
    expect(parseIpRange(s)).toBeUndefined(),
  );
  it('contains and overlaps', () => {
    const pool = parseIpRange('192.168.0.150-192.168.0.160')!;
    expect(rangeContains(pool, ip('192.168.0.160'))).toBe(true);
    expect(rangeContains(pool, ip('192.168.0.161'))).toBe(false);
    expect(rangesOverlap(pool, parseIpRange('192.168.0.160-192.168.0.170')!)).toBe(true);
    expect(rangesOverlap(pool, parseIpRange('192.168.0.161-192.168.0.170')!)).toBe(false);
  });
});

describe('names', () => {
  it.each(['node1', 'node-1.example.com', 'a', 'xn--bcher-kva.example', 'NODE1'])('host name %s', (s) =>
    expect(isHostname(s)).toBe(true),
  );
  it.each(['-node', 'node-', 'no_de', 'node..x', 'a'.repeat(64), '192.168.0.300', ''])(
    'not a host name: %j',
    (s) => expect(isHostname(s)).toBe(false),
  );
  it('node names are lowercase DNS-1123 subdomains', () => {
    expect(isNodeName('cp-master-1')).toBe(true);
    expect(isNodeName('worker.zone-a')).toBe(true);
    expect(isNodeName('Master1')).toBe(false);
    expect(isNodeName('node_1')).toBe(false);
    expect(suggestNodeName('Master_1')).toBe('master-1');
    expect(suggestNodeName('--Edge Node #2--')).toBe('edge-node-2');
  });
});

describe('security #3 and #4: addresses in inet_aton disguise', () => {
  it.each([
    ['10.250.0.014', 0x0afa000cn],
    ['010.250.0.012', 0x08fa000an],
    ['0x0a.250.0.12', 0x0afa000cn],
    ['167772172', 0x0a00000cn],
    ['10.1', 0x0a000001n],
  ])('%s is what the resolver reads as a number, never a host name', (text, value) => {
    expect(inetAtonValue(text)).toBe(value);
    expect(isHostname(text)).toBe(false);
    expect(canonicalAddress(text)).toBeUndefined();
  });
  it.each(['10.250.0.256', '1.2.3.4.5', 'node1', 'a1.example.com'])('%s is no inet_aton number', (text) => {
    expect(inetAtonValue(text)).toBeUndefined();
  });
  it('host names whose last label is a number are refused (RFC 3696)', () => {
    expect(isHostname('host.123')).toBe(false);
    expect(isHostname('0x0a')).toBe(false);
    expect(isHostname('1e100.net')).toBe(true);
  });
  it('gives one spelling per address: IPv6 in RFC 5952 form, IPv4-mapped as IPv4, names lowercase', () => {
    expect(canonicalAddress('FD00:0:0::0:1')).toEqual({ kind: 'ip', family: 6, address: 'fd00::1' });
    expect(canonicalAddress('::ffff:10.250.0.12')).toEqual({ kind: 'ip', family: 4, address: '10.250.0.12' });
    expect(canonicalAddress('Node-1.Example.')).toEqual({ kind: 'name', name: 'node-1.example' });
  });
});
