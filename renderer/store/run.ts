// The run: steps and their status, per-host progress, the failure to show first, outputs, and the log
// buffer (outside React state; the log view subscribes to it directly).
import type { ApiEvent, Message, PlanChange, RunOutputs, RunState, RunSummary } from '../../core/api/types.js';
import { call } from '../api.js';
import { LogBuffer } from '../lib/log-buffer.js';
import type { Slice } from './types.js';

export type RunStep = RunState['steps'][number];
export interface HostProgress {
  status?: RunStep['status'];
  fraction?: number;
  detail?: string;
}
export type RunStatus = 'idle' | 'starting' | RunSummary['status'];

export interface RunSlice {
  runId?: string;
  runStatus: RunStatus;
  steps: RunStep[];
  /** stepId → host ('' for a step without a host) → progress */
  hostProgress: Record<string, Record<string, HostProgress>>;
  failure?: RunState['failure'];
  /** The engine's message for the failed step, translated on screen. */
  failureError?: Message;
  outputs?: RunOutputs;
  logs: LogBuffer;
  /** Set when Resume found the plan changed since the run started: the dialog shows these and asks. */
  planChanges?: { runId: string; changes: PlanChange[]; overrides: string[] };
  startRun(): Promise<void>;
  cancelRun(): Promise<void>;
  /** Resumes, unless the plan changed since the run started: then `planChanges` is set and nothing runs yet. */
  resumeRun(): Promise<void>;
  /** Resumes the run with the plan it started with, whatever the plan is now. */
  resumeAsBefore(): Promise<void>;
  /** A new run with the plan as it is now, keeping this session's overrides and the old run's. */
  startNewRun(): Promise<void>;
  dismissPlanChanges(): void;
  /** Shows an existing run (reopening the wizard): its state and every log line so far. */
  attachRun(runId: string): Promise<void>;
  /** After a reconnect, fetch what the log missed. */
  catchUpLogs(): Promise<void>;
  onEvent(e: ApiEvent): void;
}

const LOG_PAGE = 5000;

export const createRunSlice: Slice<RunSlice> = (set, get) => {
  const fetchLogs = async (runId: string, from: number) => {
    let seq = from;
    for (;;) {
      const { lines, lastSeq } = await call('run.logsSince', { runId, seq, limit: LOG_PAGE });
      if (get().runId !== runId) return;
      if (lines.length) get().logs.merge(lines);
      const newest = lines[lines.length - 1]?.seq ?? seq;
      if (!lines.length || newest >= lastSeq) return;
      seq = newest;
    }
  };

  const patchHost = (stepId: string, host: string | undefined, patch: HostProgress) => {
    const hp = get().hostProgress;
    const key = host ?? '';
    set({ hostProgress: { ...hp, [stepId]: { ...hp[stepId], [key]: { ...hp[stepId]?.[key], ...patch } } } });
  };
  const finished = (status: RunStatus, outputs: RunSlice['outputs']) => {
    set({ runStatus: status, outputs: outputs ?? get().outputs });
    if (status === 'succeeded' && get().step === 'install') set({ step: 'done' });
  };
  const patchStep = (stepId: string, patch: Partial<RunStep>) => {
    set({ steps: get().steps.map((s) => (s.id === stepId ? { ...s, ...patch } : s)) });
  };

  return {
    runStatus: 'idle',
    steps: [],
    hostProgress: {},
    logs: new LogBuffer(),
    async startRun() {
      const plan = get().plan;
      if (!plan) return;
      await get().pushSecrets();
      set({ runStatus: 'starting', failure: undefined, failureError: undefined, outputs: undefined, steps: [], hostProgress: {} });
      get().logs.clear();
      try {
        const overrides = get().overrides;
        const { runId } = await call('run.start', overrides.length ? { plan, overrides } : { plan });
        if (get().runId !== runId) set({ runId, runStatus: 'running' });
      } catch (e) {
        set({ runStatus: 'idle' });
        get().fail(e);
      }
    },
    async cancelRun() {
      const runId = get().runId;
      if (!runId) return;
      try {
        await call('run.cancel', { runId });
      } catch (e) {
        get().fail(e);
      }
    },
    async resumeRun() {
      const runId = get().runId;
      const plan = get().plan;
      if (!runId) return;
      if (plan) {
        try {
          const { changes, overrides } = await call('run.planChanges', { runId, plan });
          if (changes.length) {
            set({ planChanges: { runId, changes, overrides } });
            return;
          }
        } catch {
          // A plan that cannot be compared (invalid right now) resumes as it was: the journal holds the run's plan.
        }
      }
      await get().resumeAsBefore();
    },
    dismissPlanChanges() {
      set({ planChanges: undefined });
    },
    async startNewRun() {
      const previous = get().planChanges?.overrides ?? [];
      const overrides = [...new Set([...get().overrides, ...previous])];
      set({ planChanges: undefined, runId: undefined, overrides });
      await get().startRun();
    },
    async resumeAsBefore() {
      const runId = get().runId;
      if (!runId) return;
      set({ planChanges: undefined });
      await get().pushSecrets();
      try {
        set({ failure: undefined, failureError: undefined, runStatus: 'starting' });
        const res = await call('run.resume', { runId });
        if (res.runId !== runId) {
          set({ runId: res.runId });
          get().logs.clear();
        }
        set({ runStatus: 'running' });
      } catch (e) {
        set({ runStatus: 'failed' });
        get().fail(e);
      }
    },
    async attachRun(runId) {
      try {
        const state = await call('run.state', { runId });
        get().logs.clear();
        set({
          runId,
          runStatus: state.summary.status,
          steps: state.steps,
          failure: state.failure,
          outputs: state.outputs,
          hostProgress: {},
          resumable: [],
          step: state.summary.status === 'succeeded' ? 'done' : 'install',
        });
        await fetchLogs(runId, 0);
      } catch (e) {
        get().fail(e);
      }
    },
    async catchUpLogs() {
      const runId = get().runId;
      if (!runId) return;
      try {
        await fetchLogs(runId, get().logs.lastSeq);
        // Events sent while the socket was down are lost, not queued: the run may have moved on or ended
        // meanwhile, so its state is read again rather than waiting for a run-finished that will not come.
        const state = await call('run.state', { runId });
        if (get().runId !== runId) return;
        set({ steps: state.steps, failure: state.failure });
        if (state.summary.status !== 'running' && get().runStatus === 'running') finished(state.summary.status, state.outputs);
      } catch (e) {
        get().fail(e);
      }
    },
    onEvent(e) {
      switch (e.type) {
        case 'preflight-host':
          get().onPreflightHost(e.report);
          return;
        case 'ssh-host':
          get().onConnectionResult(e.result);
          return;
        case 'bundle-build':
          // The build panel (components/bundle-build.tsx) listens for its own build's events.
          return;
      }
      // Run events: follow the run we started or attached; a run-started of our own start adopts its id.
      if (e.type === 'run-started') {
        if (get().runId && get().runId !== e.runId && get().runStatus !== 'starting') return;
        const previous = new Map(get().steps.map((s) => [s.id, s]));
        set({
          runId: e.runId,
          runStatus: 'running',
          failure: undefined,
          steps: e.steps.map((s) => ({ ...s, status: (e.resumed && previous.get(s.id)?.status === 'done' ? 'done' : 'pending') as RunStep['status'] })),
        });
        if (e.resumed) void call('run.state', { runId: e.runId }).then((st) => set({ steps: st.steps }), () => undefined);
        return;
      }
      if (e.runId !== get().runId) return;
      switch (e.type) {
        case 'step-started':
          patchStep(e.stepId, { status: 'running' });
          if (e.host) patchHost(e.stepId, e.host, { status: 'running' });
          return;
        case 'step-progress': {
          const patch: HostProgress = {};
          if (e.fraction !== undefined) patch.fraction = e.fraction;
          if (e.detail !== undefined) patch.detail = e.detail;
          if (e.host) patchHost(e.stepId, e.host, patch);
          else patchStep(e.stepId, patch);
          return;
        }
        case 'step-finished':
          if (e.host) patchHost(e.stepId, e.host, { status: e.status, fraction: e.status === 'done' ? 1 : undefined });
          else patchStep(e.stepId, { status: e.status, durationMs: e.durationMs, fraction: e.status === 'done' ? 1 : undefined });
          return;
        case 'step-failed':
          patchStep(e.stepId, { status: 'failed' });
          if (e.host) patchHost(e.stepId, e.host, { status: 'failed' });
          set({
            failure: {
              stepId: e.stepId,
              task: e.failure?.task,
              host: e.failure?.host ?? e.host,
              message: e.failure?.message ?? '',
              ...(e.failure?.cause ? { cause: e.failure.cause } : {}),
            },
            failureError: e.error,
          });
          return;
        case 'run-finished':
          finished(e.status, e.outputs);
          return;
        case 'log-batch': {
          const { gap } = get().logs.append(e.lines);
          if (gap) void fetchLogs(e.runId, gap.from).catch((err) => get().fail(err));
          return;
        }
      }
    },
  };
};
