// The preflight report (filled in host by host as `preflight-host` events arrive), fixes and overrides.
import type { HostReport, PreflightReport } from '../../core/api/types.js';
import { call } from '../api.js';
import type { Slice } from './types.js';

export interface FixResult {
  host: string;
  fixId: string;
  ok: boolean;
  output: string;
}

export interface PreflightSlice {
  preflight?: PreflightReport;
  /** Host reports as they arrive during a run of the checks. */
  preflightLive: Record<string, HostReport>;
  preflightRunning: boolean;
  /** Ids of failed checks the person chose to go on with. */
  overrides: string[];
  selectedHost?: string;
  fixRunning?: string;
  lastFix?: FixResult;
  runPreflight(): Promise<void>;
  applyFix(host: string, fixId: string): Promise<void>;
  toggleOverride(checkId: string): void;
  selectHost(name?: string): void;
  onPreflightHost(r: HostReport): void;
}

export const createPreflightSlice: Slice<PreflightSlice> = (set, get) => ({
  preflightLive: {},
  preflightRunning: false,
  overrides: [],
  async runPreflight() {
    const plan = get().plan;
    if (!plan || get().preflightRunning) return;
    await get().pushSecrets();
    set({ preflightRunning: true, preflightLive: {}, preflight: undefined });
    try {
      const report = await call('preflight.run', { plan });
      // Overrides of checks that now pass are dropped, so a later failure is not silently let through.
      const failing = new Set<string>();
      for (const h of report.hosts) for (const c of h.checks) if (c.status === 'fail') failing.add(c.id);
      for (const c of report.cross) if (c.status === 'fail') failing.add(c.id);
      set({ preflight: report, overrides: get().overrides.filter((o) => failing.has(o)) });
      if (!get().selectedHost) set({ selectedHost: report.hosts.find((h) => h.error || h.checks.some((c) => c.status !== 'pass'))?.name });
    } catch (e) {
      get().fail(e);
    } finally {
      set({ preflightRunning: false });
    }
  },
  async applyFix(host, fixId) {
    const plan = get().plan;
    if (!plan) return;
    set({ fixRunning: `${host}:${fixId}` });
    try {
      const res = await call('preflight.fix', { plan, host, fixId });
      set({ lastFix: { host, fixId, ...res } });
    } catch (e) {
      get().fail(e);
    } finally {
      set({ fixRunning: undefined });
    }
  },
  toggleOverride(checkId) {
    const o = get().overrides;
    set({ overrides: o.includes(checkId) ? o.filter((x) => x !== checkId) : [...o, checkId] });
  },
  selectHost(name) {
    set({ selectedHost: name });
  },
  onPreflightHost(r) {
    set({ preflightLive: { ...get().preflightLive, [r.name]: r } });
  },
});
