// Events every shell receives while a run goes on, and the shape of a step. A step is data plus run(ctx).
import type { Message } from '../common/messages.js';
import type { Endpoint } from '../outputs/endpoints.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export type RunEvent =
  | { type: 'run-started'; runId: string; mode: string; steps: StepInfo[]; resumed: boolean; at: string }
  | { type: 'step-started'; runId: string; stepId: string; host?: string; at: string }
  | {
      type: 'step-progress';
      runId: string;
      stepId: string;
      host?: string;
      /** 0..1 when known */
      fraction?: number;
      /** e.g. the current Ansible play / task or kubeadm phase */
      detail?: string;
      counts?: Record<string, { ok: number; changed: number; failed: number; skipped: number }>;
    }
  | {
      type: 'log';
      runId: string;
      /** Monotonic per run, so a reopened window asks for what it missed. */
      seq: number;
      stepId: string;
      host?: string;
      stream: 'stdout' | 'stderr' | 'info';
      /** Already redacted. */
      line: string;
    }
  | { type: 'step-finished'; runId: string; stepId: string; host?: string; status: StepStatus; durationMs: number; at: string }
  | {
      type: 'step-failed';
      runId: string;
      stepId: string;
      host?: string;
      error: Message;
      /** What to show first: the failed task, host and message (already redacted). */
      failure?: { task?: string; host?: string; message: string; cause?: Message };
      at: string;
    }
  | { type: 'run-finished'; runId: string; status: 'succeeded' | 'failed' | 'cancelled'; outputs?: RunOutputs; at: string };

export interface StepInfo {
  id: string;
  title: Message;
  hosts: string[];
  needs: string[];
}

export interface RunOutputs {
  kubeconfigPath?: string;
  /** The API server, then only the portal URLs the run installed and checked (state, status, certificate). */
  endpoints?: Endpoint[];
  /** Hosts-file line for the portal's names (when the run installed the portal). */
  portalHostsSnippet?: string;
  reportPath?: string;
  versions?: Record<string, string>;
  /** When the portal was uninstalled after the run (its URLs are then gone from `endpoints`). */
  portalUninstalledAt?: string;
}

export interface RunSummary {
  id: string;
  mode: string;
  planPath?: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  startedAt: string;
  finishedAt?: string;
  failedStep?: string;
  /** The failed step's title as the run showed it (journals written before it was recorded have none). */
  failedStepTitle?: Message;
}
