// The plan being edited, its YAML (kept so saving preserves the person's comments) and its validation.
import type { Mode, PlanInput, PlanIssue, ValidationResult } from '../../core/api/types.js';
import { call } from '../api.js';
import { withoutExamples } from '../lib/plan-edit.js';
import type { Slice } from './types.js';

export interface PlanSlice {
  plan?: PlanInput;
  /** The YAML the plan came from (plan.new, a loaded file, an import): comments survive a save. */
  planYaml?: string;
  planPath?: string;
  validation?: ValidationResult;
  /** Problems of a file that could not become a plan (plan.parse / plan.load). */
  parseIssues: PlanIssue[];
  /** Values of the mode's example plan (`section.key`), shown as placeholders only. */
  examples: Record<string, string>;
  chooseMode(mode: Mode): Promise<void>;
  setRelease(release: string): Promise<void>;
  /** Applies a pure edit (lib/plan-edit.ts) and schedules validation. */
  edit(fn: (plan: PlanInput) => PlanInput): void;
  replacePlan(plan: PlanInput, yaml?: string, path?: string): void;
  validateNow(): Promise<void>;
  loadYamlText(yaml: string): Promise<boolean>;
  loadPath(path: string): Promise<boolean>;
  savePath(path: string): Promise<void>;
  importVars(clusterVars: string, edgeVars?: string): Promise<void>;
  renderYaml(): Promise<string>;
}

const VALIDATE_DELAY_MS = 250;

/** Of a file that became a plan, only what validation will not say again (the YAML's own problems). */
function fileOnly(issues: PlanIssue[]): PlanIssue[] {
  return issues.filter((i) => i.key.startsWith('plan.yaml.'));
}
let timer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;

export const createPlanSlice: Slice<PlanSlice> = (set, get) => {
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void get().validateNow(), VALIDATE_DELAY_MS);
  };
  return {
    parseIssues: [],
    examples: {},
    async chooseMode(mode) {
      const current = get().plan;
      if (current?.mode === mode) return;
      try {
        const fresh = await call('plan.new', { mode });
        // The example's hosts and addresses become placeholders, never values of a real plan.
        const { plan, examples } = withoutExamples(fresh.plan);
        // Hosts and credentials already typed survive a change of mode.
        const merged: PlanInput = current
          ? { ...plan, hosts: current.hosts ?? [], auth: current.auth?.length ? current.auth : plan.auth }
          : plan;
        set({ examples });
        get().replacePlan(merged, fresh.yaml);
        // A mode may come with another release (edge needs one whose KubeEdge supports its Kubernetes): say
        // so at once, with the reason the old release would not do when validation gives one.
        if (current?.release && merged.release && current.release !== merged.release) {
          const info = get().info;
          const title = (name: string) => info?.releases.find((r) => r.name === name)?.title ?? name;
          const modeTitle = info?.modes?.find((x) => x.name === mode)?.title;
          const withOld = await call('plan.validate', { plan: { ...merged, release: current.release } }).catch(() => undefined);
          const why = withOld?.errors.find((i) => i.path === 'release');
          get().notify({
            key: why ? 'ui.mode.releaseSwitchedWhy' : 'ui.mode.releaseSwitched',
            params: { from: title(current.release), to: title(merged.release), mode },
            nested: { ...(modeTitle ? { mode: modeTitle } : {}), ...(why ? { why } : {}) },
          });
        }
      } catch (e) {
        get().fail(e);
      }
    },
    async setRelease(release) {
      get().edit((p) => ({ ...p, release }));
      // A release the mode cannot install with (KubeEdge not supporting its Kubernetes): said here, not first
      // at Review.
      await get().validateNow();
      const bad = get().validation?.errors.find((i) => i.path === 'release');
      if (bad) get().notify({ key: 'ui.mode.releaseIncompatible', nested: { why: bad } }, 'error');
    },
    edit(fn) {
      const plan = get().plan;
      if (!plan) return;
      set({ plan: fn(plan) });
      schedule();
    },
    replacePlan(plan, yaml, path) {
      set({ plan, planYaml: yaml, planPath: path ?? get().planPath, parseIssues: [] });
      clearTimeout(timer);
      void get().validateNow();
    },
    async validateNow() {
      const plan = get().plan;
      if (!plan) return;
      const mine = ++generation;
      try {
        const validation = await call('plan.validate', { plan });
        if (mine === generation) set({ validation });
      } catch (e) {
        get().fail(e);
      }
    },
    async loadYamlText(yaml) {
      try {
        const { plan, issues } = await call('plan.parse', { yaml });
        if (!plan) {
          set({ parseIssues: issues });
          return false;
        }
        get().replacePlan(plan, yaml);
        set({ parseIssues: fileOnly(issues) });
        return true;
      } catch (e) {
        get().fail(e);
        return false;
      }
    },
    async loadPath(path) {
      try {
        const { plan, yaml, issues } = await call('plan.load', { path });
        if (!plan) {
          set({ parseIssues: issues });
          return false;
        }
        get().replacePlan(plan, yaml, path);
        set({ parseIssues: fileOnly(issues) });
        return true;
      } catch (e) {
        get().fail(e);
        return false;
      }
    },
    async savePath(path) {
      const plan = get().plan;
      if (!plan) return;
      try {
        const res = await call('plan.save', { path, plan, previousYaml: get().planYaml });
        set({ planPath: res.path, planYaml: res.yaml });
        get().notify({ key: 'ui.review.saved', params: { path: res.path } });
      } catch (e) {
        get().fail(e);
      }
    },
    async importVars(clusterVars, edgeVars) {
      try {
        const { plan, yaml } = await call('plan.importVars', edgeVars ? { clusterVars, edgeVars } : { clusterVars });
        get().replacePlan(plan, yaml);
        get().notify({ key: 'ui.hosts.imported', params: { count: plan.hosts?.length ?? 0 } });
      } catch (e) {
        get().fail(e);
      }
    },
    async renderYaml() {
      const plan = get().plan;
      if (!plan) return '';
      const { yaml } = await call('plan.toYaml', { plan, previousYaml: get().planYaml });
      return yaml;
    },
  };
};
