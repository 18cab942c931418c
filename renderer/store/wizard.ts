// Where the person is in the wizard, what the engine offers (app.info), and what blocks Next.
import type { Message, ResultOf, RunSummary } from '../../core/api/types.js';
import { call, errorMessage } from '../api.js';
import type { AppState } from './index.js';
import type { Slice } from './types.js';
import { restoreWorkingPlan } from './persist.js';
import { caasBlocker } from './caas.js';

export const STEPS = ['mode', 'hosts', 'credentials', 'settings', 'preflight', 'review', 'install', 'done'] as const;
export type StepId = (typeof STEPS)[number];

export type AppInfo = ResultOf<'app.info'>;

export interface Notice extends Message {
  tone: 'error' | 'info';
}

export interface WizardSlice {
  step: StepId;
  info?: AppInfo;
  /** Runs that can be picked up again (running, failed, interrupted), newest first. */
  resumable: RunSummary[];
  notice?: Notice;
  /** Set once the person ticks "go on anyway" for a blocked step (e.g. Hosts with warnings only). */
  init(): Promise<void>;
  goTo(step: StepId): void;
  next(): void;
  back(): void;
  notify(m: Message, tone?: Notice['tone']): void;
  fail(e: unknown): void;
  dismissNotice(): void;
  dismissResume(): void;
}

export const createWizardSlice: Slice<WizardSlice> = (set, get) => ({
  step: 'mode',
  resumable: [],
  async init() {
    try {
      const info = await call('app.info', {});
      set({ info });
      restoreWorkingPlan(get, set);
      const { runs } = await call('run.list', {});
      const resumable = runs
        .filter((r) => r.status === 'running' || r.status === 'failed' || r.status === 'interrupted')
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      set({ resumable });
    } catch (e) {
      get().fail(e);
    }
  },
  goTo(step) {
    if (canVisit(get(), step)) set({ step, notice: undefined });
  },
  next() {
    const s = get();
    const blocker = blockerFor(s, s.step);
    if (blocker) {
      set({ notice: { ...blocker, tone: 'error' } });
      return;
    }
    const i = STEPS.indexOf(s.step);
    const to = STEPS[i + 1];
    if (to) set({ step: to, notice: undefined });
  },
  back() {
    const i = STEPS.indexOf(get().step);
    const to = STEPS[i - 1];
    if (to) set({ step: to, notice: undefined });
  },
  notify(m, tone = 'info') {
    set({ notice: { ...m, tone } });
  },
  fail(e) {
    set({ notice: { ...errorMessage(e), tone: 'error' } });
  },
  dismissNotice() {
    set({ notice: undefined });
  },
  dismissResume() {
    set({ resumable: [] });
  },
});

const SECTIONS = ['cluster', 'network', 'storage', 'portal', 'registry', 'bundle', 'edge', 'bosh', 'paasta'];

function errorsUnder(s: AppState, prefixes: string[]): number {
  return (s.validation?.errors ?? []).filter((i) => prefixes.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`))).length;
}

/** Why the person cannot leave `step` forwards yet, or null. */
export function blockerFor(s: AppState, step: StepId): Message | null {
  switch (step) {
    case 'mode':
      if (!s.plan) return { key: 'ui.block.chooseMode' };
      if (s.info && !s.info.modesAvailable.includes(s.plan.mode)) return { key: 'ui.block.modeUnavailable' };
      return null;
    case 'hosts':
      if (!s.plan?.hosts?.length) return { key: 'ui.block.noHosts' };
      return errorsUnder(s, ['hosts']) ? { key: 'ui.block.fixFields', params: { count: errorsUnder(s, ['hosts']) } } : null;
    case 'credentials': {
      const n = errorsUnder(s, ['auth']);
      if (n) return { key: 'ui.block.fixFields', params: { count: n } };
      const changed = Object.values(s.connections).find((c) => c.error?.kind === 'host-key-changed');
      if (changed) return { key: 'ui.block.hostKeyChanged', params: { host: changed.name } };
      // A host of the plan whose last test failed (unreachable, refused login, key not accepted yet).
      const names = new Set((s.plan?.hosts ?? []).map((h) => h.name));
      const failed = Object.values(s.connections).find((c) => names.has(c.name) && !c.ok);
      return failed ? { key: 'ui.block.connFailed', params: { host: failed.name } } : null;
    }
    case 'settings': {
      const n = errorsUnder(s, SECTIONS);
      if (n) return { key: 'ui.block.fixFields', params: { count: n } };
      // The site registry's login: the run pushes the images with it, and it is asked for nowhere else.
      if (s.plan?.registry?.user && !s.serviceSecrets.registryPassword) return { key: 'ui.block.registryPassword', params: { user: s.plan.registry.user } };
      return caasBlocker(s);
    }
    case 'preflight': {
      if (!s.preflight) return { key: 'ui.block.runPreflight' };
      const unreachable = s.preflight.hosts.find((h) => h.error);
      if (unreachable) return { key: 'ui.block.unreachable', params: { host: unreachable.name } };
      const failed = failedChecks(s).filter((id) => !s.overrides.includes(id));
      return failed.length ? { key: 'ui.block.preflightFailed', params: { checks: failed.join(', ') } } : null;
    }
    case 'review':
      if (s.validation && !s.validation.valid) return { key: 'ui.block.planInvalid', params: { count: s.validation.errors.length } };
      return null;
    case 'install':
      return s.runStatus === 'succeeded' ? null : { key: 'ui.block.runNotDone' };
    case 'done':
      return null;
  }
}

/** Ids of failed checks in the preflight report, each once (an override names a check, on all hosts). */
export function failedChecks(s: Pick<AppState, 'preflight'>): string[] {
  const ids = new Set<string>();
  for (const h of s.preflight?.hosts ?? []) for (const c of h.checks) if (c.status === 'fail') ids.add(c.id);
  for (const c of s.preflight?.cross ?? []) if (c.status === 'fail') ids.add(c.id);
  return [...ids];
}

/** A step can be opened when every step before it lets the person through (or it is behind them). */
export function canVisit(s: AppState, step: StepId): boolean {
  const target = STEPS.indexOf(step);
  if (target <= STEPS.indexOf(s.step)) return true;
  // A run in progress or finished can always be watched.
  if ((step === 'install' && s.runId) || (step === 'done' && s.runStatus === 'succeeded')) return true;
  for (let i = 0; i < target; i++) if (blockerFor(s, STEPS[i]!)) return false;
  return true;
}
