import { describe, expect, it } from 'vitest';
import type { PlanInput } from '../../../core/api/types.js';
import { addAuth, addHosts, getSetting, nextHostName, removeHost, setAuth, setHostField, setSetting, toggleRole } from '../../../renderer/lib/plan-edit.js';

const base: PlanInput = {
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  hosts: [{ name: 'node-1', address: '10.0.0.1', auth: 'default', roles: ['worker'] }],
  auth: [{ name: 'default', method: 'password' }],
};

describe('plan edits', () => {
  it('set host fields without touching the original, removing emptied optional ones', () => {
    const p = setHostField(base, 0, 'privateAddress', '192.168.0.1');
    expect(p.hosts?.[0]?.privateAddress).toBe('192.168.0.1');
    expect(base.hosts?.[0]?.privateAddress).toBeUndefined();
    expect('privateAddress' in (setHostField(p, 0, 'privateAddress', '').hosts?.[0] ?? {})).toBe(false);
    expect(setHostField(p, 0, 'address', '').hosts?.[0]?.address).toBe('');
  });
  it('toggle roles, add and remove hosts, and name new ones without clashes', () => {
    const p = toggleRole(toggleRole(base, 0, 'control-plane'), 0, 'worker');
    expect(p.hosts?.[0]?.roles).toEqual(['control-plane']);
    const q = addHosts(p, [{ name: 'node-2', address: '10.0.0.2' }]);
    expect(nextHostName(q)).toBe('node-3');
    expect(removeHost(q, 0).hosts?.map((h) => h.name)).toEqual(['node-2']);
  });
  it('renaming an auth profile moves the hosts that used it', () => {
    const p = setAuth(base, 0, { name: 'ops' });
    expect(p.auth?.[0]?.name).toBe('ops');
    expect(p.hosts?.[0]?.auth).toBe('ops');
    expect(addAuth(p).auth?.map((a) => a.name)).toEqual(['ops', 'default']);
    expect(addAuth(base).auth?.map((a) => a.name)).toEqual(['default', 'profile-2']);
  });
  it('settings: nested keys, and empty values prune keys and sections', () => {
    let p = setSetting(base, 'portal', 'tls.mode', 'provided');
    expect(p.portal).toEqual({ tls: { mode: 'provided' } });
    expect(getSetting(p, 'portal', 'tls.mode')).toBe('provided');
    p = setSetting(p, 'portal', 'tls.mode', '');
    expect(p.portal).toBeUndefined();
    p = setSetting(base, 'network', 'ingressIp', '10.0.0.230');
    expect(p.network).toEqual({ ingressIp: '10.0.0.230' });
    expect(setSetting(p, 'network', 'ingressIp', undefined).network).toBeUndefined();
  });
});
