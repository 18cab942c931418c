import { describe, expect, it } from 'vitest';
import { parseHostPaste, splitTokens } from '../../../renderer/lib/host-paste.js';

describe('parseHostPaste', () => {
  it('reads name, address, private address and roles in any order, with aliases', () => {
    const r = parseHostPaste('master-1 10.0.0.11 192.168.0.11 master etcd\nworker-1, 10.0.0.21, node');
    expect(r.problems).toEqual([]);
    expect(r.hosts).toEqual([
      { name: 'master-1', address: '10.0.0.11', privateAddress: '192.168.0.11', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.21', roles: ['worker'] },
    ]);
  });
  it('expands ranges in name and address together, and numbers a plain name', () => {
    const r = parseHostPaste('worker-[1-3] 10.0.0.[21-23] worker\ngw 10.0.1.[5-6] edge');
    expect(r.hosts.map((h) => [h.name, h.address])).toEqual([
      ['worker-1', '10.0.0.21'],
      ['worker-2', '10.0.0.22'],
      ['worker-3', '10.0.0.23'],
      ['gw-1', '10.0.1.5'],
      ['gw-2', '10.0.1.6'],
    ]);
  });
  it('names hosts that have no name after the ones already in the table', () => {
    const r = parseHostPaste('10.0.0.[5-6] worker', 3);
    expect(r.hosts.map((h) => h.name)).toEqual(['node-4', 'node-5']);
  });
  it('takes user@address', () => {
    expect(parseHostPaste('cp1 ubuntu@10.0.0.1 cp').hosts[0]).toEqual({ name: 'cp1', address: '10.0.0.1', user: 'ubuntu', roles: ['control-plane'] });
  });
  it('reads CSV with a header, quoted cells and roles separated by ;', () => {
    const r = parseHostPaste('name,address,privateAddress,roles,user,auth,port\n"m1",10.0.0.1,,control-plane;etcd,root,keys,2222\n#skip\nw[1-2],10.0.0.[2-3],,worker,,,');
    expect(r.problems).toEqual([]);
    expect(r.hosts).toEqual([
      { name: 'm1', address: '10.0.0.1', roles: ['control-plane', 'etcd'], user: 'root', auth: 'keys', port: 2222 },
      { name: 'w1', address: '10.0.0.2', roles: ['worker'] },
      { name: 'w2', address: '10.0.0.3', roles: ['worker'] },
    ]);
  });
  it('reports lines it cannot read, with their numbers', () => {
    const r = parseHostPaste('just-a-name\nn 10.0.0.[9-1]\nn2 10.0.0.5 frobnicate');
    expect(r.problems.map((p) => [p.line, p.key])).toEqual([
      [1, 'paste.noAddress'],
      [2, 'range.bad'],
      [3, 'paste.unknownToken'],
    ]);
  });
  it('reports an unknown role in CSV', () => {
    const r = parseHostPaste('address,roles\n10.0.0.1,chef');
    expect(r.problems).toEqual([{ line: 2, key: 'paste.unknownRole', params: { line: 2, role: 'chef' } }]);
  });
  it('does not split a bracket list on its commas', () => {
    expect(splitTokens('a,10.0.0.[1,3] worker')).toEqual(['a', '10.0.0.[1,3]', 'worker']);
  });
});

describe('the paste dialog\'s own example and a fresh plan', () => {
  it('reads lines followed by a CSV block (the placeholder text), the header not taken for a host', () => {
    const example = 'master-1 10.0.0.11 control-plane etcd\nworker-[1-3] 10.0.0.[21-23] worker\n\nname,address,privateAddress,roles,user\nnode-a,192.168.0.5,10.0.0.5,worker,ubuntu';
    const r = parseHostPaste(example, 0);
    expect(r.problems).toEqual([]);
    expect(r.hosts.map((h) => h.name)).toEqual(['master-1', 'worker-1', 'worker-2', 'worker-3', 'node-a']);
    expect(r.hosts[4]).toEqual({ name: 'node-a', address: '192.168.0.5', privateAddress: '10.0.0.5', roles: ['worker'], user: 'ubuntu' });
  });

  it('names a bare address range node-1… on a plan without hosts, and numbers after a CSV block', () => {
    expect(parseHostPaste('10.252.0.[11-13]', 0).hosts.map((h) => `${h.name}=${h.address}`)).toEqual(['node-1=10.252.0.11', 'node-2=10.252.0.12', 'node-3=10.252.0.13']);
    const mixed = parseHostPaste('address\n10.0.0.1\n\n10.0.0.2', 0);
    expect(mixed.hosts.map((h) => h.name)).toEqual(['node-1', 'node-2']);
  });
});
