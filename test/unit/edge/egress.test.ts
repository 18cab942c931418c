// The test harness's egress recorder, its pure parts: the nftables table, reading its sets back, the CIDR
// test the installer-side hook uses. (test/integration/edge/offline.test.ts shows it recording for real.)
import { describe, expect, it } from 'vitest';
import { egressRuleset, inCidr, parseEgressSets } from '../../hosts/egress.js';

describe('egress recorder', () => {
  it('lets through loopback, the test subnet and link-local multicast; records, then rejects, the rest', () => {
    const rules = egressRuleset(['10.213.7.0/24']);
    const order = [
      'oifname "lo" accept',
      'ip daddr { 10.213.7.0/24 } accept',
      'add @attempts4',
      'reject with tcp reset',
      'reject with icmpx admin-prohibited',
    ];
    const at = order.map((l) => rules.indexOf(l));
    expect(at.every((n) => n >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(rules).toContain('policy accept');
  });

  it('reads the sets back: destination, protocol, port and packets', () => {
    const four = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        {
          set: {
            family: 'inet',
            name: 'attempts4',
            elem: [
              {
                elem: { val: { concat: ['198.51.100.53', 'udp', 53] }, counter: { packets: 2, bytes: 120 } },
              },
              { elem: { val: { concat: ['203.0.113.9', 'tcp', 443] }, counter: { packets: 1, bytes: 60 } } },
              { elem: { val: { concat: ['203.0.113.9', 1, 0] }, counter: { packets: 1, bytes: 84 } } },
            ],
          },
        },
      ],
    });
    const six = JSON.stringify({ nftables: [{ metainfo: {} }, { set: { name: 'attempts6' } }] });
    expect(parseEgressSets('h0', `${four}\n${six}\n`)).toEqual([
      { host: 'h0', address: '198.51.100.53', protocol: 'udp', port: 53, count: 2 },
      { host: 'h0', address: '203.0.113.9', protocol: 'tcp', port: 443, count: 1 },
      { host: 'h0', address: '203.0.113.9', protocol: 'icmp', port: 0, count: 1 },
    ]);
  });

  it('CIDR membership', () => {
    expect(inCidr('10.213.7.42', '10.213.7.0/24')).toBe(true);
    expect(inCidr('10.213.8.1', '10.213.7.0/24')).toBe(false);
    expect(inCidr('127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(inCidr('example.org', '10.0.0.0/8')).toBe(false);
    expect(inCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
  });
});
