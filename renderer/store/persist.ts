// The working plan survives a reload of the page: the plan (which holds no secret by design: passwords and
// passphrases live in the secrets slice and the engine's memory only), its YAML and path, and the screen, in
// this tab's sessionStorage. Secrets, preflight results and runs are not kept: the engine has those.
import type { PlanInput } from '../../core/api/types.js';
import type { AppState } from './index.js';
import { STEPS, canVisit, type StepId } from './wizard.js';

const KEY = 'cp-installer.working-plan';

interface Saved {
  plan: PlanInput;
  planYaml?: string;
  planPath?: string;
  step: StepId;
  examples?: Record<string, string>;
}

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/** What is written: the plan and where the person was, never a field of the secrets slice. */
export function snapshot(s: Pick<AppState, 'plan' | 'planYaml' | 'planPath' | 'step' | 'examples'>): Saved | undefined {
  if (!s.plan) return undefined;
  return { plan: s.plan, ...(s.planYaml ? { planYaml: s.planYaml } : {}), ...(s.planPath ? { planPath: s.planPath } : {}), step: s.step, examples: s.examples };
}

/** Keeps sessionStorage in step with the plan while the page lives. */
export function persistWorkingPlan(store: { subscribe(l: (s: AppState, prev: AppState) => void): () => void }): () => void {
  return store.subscribe((s, prev) => {
    if (s.plan === prev.plan && s.step === prev.step && s.planYaml === prev.planYaml && s.planPath === prev.planPath) return;
    const saved = snapshot(s);
    try {
      if (saved) storage()?.setItem(KEY, JSON.stringify(saved));
    } catch {
      // A full or disabled storage only loses the convenience.
    }
  });
}

/** Puts the saved plan back after a reload, and the screen when the person may open it again. */
export function restoreWorkingPlan(get: () => AppState, set: (p: Partial<AppState>) => void): boolean {
  let saved: Saved | undefined;
  try {
    const text = storage()?.getItem(KEY);
    saved = text ? (JSON.parse(text) as Saved) : undefined;
  } catch {
    saved = undefined;
  }
  if (!saved?.plan || typeof saved.plan !== 'object') return false;
  set({ examples: saved.examples ?? {} });
  get().replacePlan(saved.plan, saved.planYaml, saved.planPath);
  const step = STEPS.includes(saved.step) ? saved.step : 'hosts';
  // Screens after Settings need this session's preflight again: land on the last one that needs nothing more.
  const target = (['mode', 'hosts', 'credentials', 'settings'] as StepId[]).includes(step) ? step : 'settings';
  set({ step: 'mode' });
  if (canVisit(get(), target)) set({ step: target });
  else set({ step: 'hosts' });
  return true;
}
