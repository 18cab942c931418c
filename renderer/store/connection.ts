// Results of "test connection", per host name, and the host-key decisions the person makes.
import type { ConnectionResult } from '../../core/api/types.js';
import { call } from '../api.js';
import type { Slice } from './types.js';


export interface ConnectionSlice {
  connections: Record<string, ConnectionResult>;
  testing: string[];
  /** Host keys the person refused in this session (shown as refused; never sent to the engine). */
  refusedKeys: string[];
  testConnections(hosts?: string[]): Promise<void>;
  acceptHostKey(host: string, fingerprint: string): Promise<void>;
  /** Accepts each shown key, then tests those hosts again together. */
  acceptHostKeys(keys: Array<{ host: string; fingerprint: string }>): Promise<void>;
  refuseHostKey(host: string): void;
  onConnectionResult(r: ConnectionResult): void;
}

export const createConnectionSlice: Slice<ConnectionSlice> = (set, get) => ({
  connections: {},
  testing: [],
  refusedKeys: [],
  async testConnections(hosts) {
    const plan = get().plan;
    if (!plan) return;
    const names = hosts ?? (plan.hosts ?? []).map((h) => h.name);
    await get().pushSecrets();
    set({ testing: [...new Set([...get().testing, ...names])], refusedKeys: get().refusedKeys.filter((h) => !names.includes(h)) });
    try {
      const res = await call('ssh.test', hosts ? { plan, hosts } : { plan });
      for (const r of res.hosts) get().onConnectionResult(r);
    } catch (e) {
      get().fail(e);
    } finally {
      set({ testing: get().testing.filter((n) => !names.includes(n)) });
    }
  },
  async acceptHostKey(host, fingerprint) {
    const plan = get().plan;
    if (!plan) return;
    try {
      await call('ssh.acceptHostKey', { plan, host, fingerprint });
      await get().testConnections([host]);
    } catch (e) {
      get().fail(e);
    }
  },
  async acceptHostKeys(keys) {
    const plan = get().plan;
    if (!plan || !keys.length) return;
    try {
      for (const k of keys) await call('ssh.acceptHostKey', { plan, host: k.host, fingerprint: k.fingerprint });
      await get().testConnections(keys.map((k) => k.host));
    } catch (e) {
      get().fail(e);
    }
  },
  refuseHostKey(host) {
    set({ refusedKeys: [...get().refusedKeys, host] });
  },
  onConnectionResult(r) {
    set({ connections: { ...get().connections, [r.name]: r }, testing: get().testing.filter((n) => n !== r.name) });
  },
});
