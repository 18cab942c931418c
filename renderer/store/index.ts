// One zustand store made of slices, one per concern (GitHub Desktop keeps stores per concern the same way).
// Secrets live in their slice in memory only: nothing here is persisted except the language and the working
// plan (persist.ts: the plan, which holds no secret, in this tab's sessionStorage so a reload keeps it).
import { create } from 'zustand';
import { persistWorkingPlan } from './persist.js';
import { createWizardSlice, type WizardSlice } from './wizard.js';
import { createPlanSlice, type PlanSlice } from './plan.js';
import { createSecretsSlice, type SecretsSlice } from './secrets.js';
import { createConnectionSlice, type ConnectionSlice } from './connection.js';
import { createPreflightSlice, type PreflightSlice } from './preflight.js';
import { createRunSlice, type RunSlice } from './run.js';
import { createSettingsSlice, type SettingsSlice } from './settings.js';
import { createCaasSlice, type CaasSlice } from './caas.js';

export type AppState = WizardSlice & PlanSlice & SecretsSlice & ConnectionSlice & PreflightSlice & RunSlice & SettingsSlice & CaasSlice;

export const useStore = create<AppState>()((...a) => ({
  ...createWizardSlice(...a),
  ...createPlanSlice(...a),
  ...createSecretsSlice(...a),
  ...createConnectionSlice(...a),
  ...createPreflightSlice(...a),
  ...createRunSlice(...a),
  ...createSettingsSlice(...a),
  ...createCaasSlice(...a),
}));

persistWorkingPlan(useStore);
