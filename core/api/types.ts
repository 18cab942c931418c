// The one contract between the engine and every shell (Electron IPC, the WebSocket of browser mode, the
// CLI). Commands are request/response; events flow from the engine to the shell. Type-only imports, so the
// renderer can import this file without pulling in Node code.
import type { Lang, Message } from '../common/messages.js';
import type { Mode, PlanInput } from '../plan/schema.js';
import type { PlanIssue, ValidationResult } from '../plan/issues.js';
import type { HostReport, PreflightReport } from '../preflight/types.js';
import type { RunEvent, RunOutputs, RunSummary, StepInfo, StepStatus } from '../install/types.js';

export type { Lang, Message, Mode, PlanInput, PlanIssue, ValidationResult, HostReport, PreflightReport };
export type { RunEvent, RunOutputs, RunSummary, StepInfo, StepStatus };

/** Secrets typed by the person for this session, keyed by auth profile name. Held in memory by the engine. */
export interface SecretsInput {
  password?: Record<string, string>;
  passphrase?: Record<string, string>;
  sudoPassword?: Record<string, string>;
  /** Ask the OS keychain to remember these (Electron with a real keyring only). */
  remember?: boolean;
}

export interface ReleaseSummary {
  name: string;
  title: string;
  kubernetes: string;
  kubeedge?: string;
}

export interface ConnectionResult {
  name: string;
  ok: boolean;
  /** SSH failure as a message (key `ssh.<kind>`), with `kind` for the UI to pick a style. */
  error?: Message & { kind: string };
  /** For host-key-unknown / host-key-changed. */
  fingerprint?: string;
  hostname?: string;
  os?: string;
}

export interface DryRunAction {
  step: string;
  host?: string;
  kind: 'file' | 'command';
  /** Remote path for files, command line for commands; secrets masked. */
  summary: string;
  content?: string;
}

export interface LogLine {
  seq: number;
  stepId: string;
  host?: string;
  stream: 'stdout' | 'stderr' | 'info';
  line: string;
}

export interface RunState {
  summary: RunSummary;
  steps: Array<StepInfo & { status: StepStatus; durationMs?: number; fraction?: number; detail?: string }>;
  failure?: { stepId: string; task?: string; host?: string; message: string };
  outputs?: RunOutputs;
  lastSeq: number;
}

/** Every command: its arguments and its result. */
export interface ApiCommands {
  'app.info': {
    args: Record<string, never>;
    result: {
      version: string;
      releases: ReleaseSummary[];
      defaultRelease: string;
      /** Modes the engine can run now; the others are shown as not available. */
      modesAvailable: Mode[];
      lang: Lang;
      shell: 'electron' | 'browser';
      canRememberSecrets: boolean;
      /** A message key (core/api/api-messages.ts, `keychain.*`) saying why secrets cannot be remembered. */
      whyNoKeychain?: string;
    };
  };
  'plan.new': { args: { mode: Mode }; result: { plan: PlanInput; yaml: string } };
  'plan.validate': { args: { plan: PlanInput }; result: ValidationResult };
  'plan.parse': { args: { yaml: string }; result: { plan?: PlanInput; issues: PlanIssue[] } };
  /** Renders YAML, keeping comments and key order of `previousYaml` when given. */
  'plan.toYaml': { args: { plan: PlanInput; previousYaml?: string }; result: { yaml: string } };
  'plan.load': { args: { path: string }; result: { yaml: string; plan?: PlanInput; issues: PlanIssue[] } };
  'plan.save': { args: { path: string; plan: PlanInput; previousYaml?: string }; result: { path: string; yaml: string } };
  'plan.importVars': { args: { clusterVars: string; edgeVars?: string }; result: { plan: PlanInput; yaml: string } };
  'secrets.set': { args: SecretsInput; result: { remembered: boolean } };
  'ssh.test': { args: { plan: PlanInput; hosts?: string[] }; result: { hosts: ConnectionResult[] } };
  'ssh.acceptHostKey': { args: { plan: PlanInput; host: string; fingerprint: string }; result: { ok: true } };
  'preflight.run': { args: { plan: PlanInput }; result: PreflightReport };
  'preflight.fix': {
    args: { plan: PlanInput; host: string; fixId: string };
    result: { ok: boolean; output: string };
  };
  'run.dryRun': { args: { plan: PlanInput }; result: { actions: DryRunAction[] } };
  'run.start': { args: { plan: PlanInput; overrides?: string[] }; result: { runId: string } };
  'run.cancel': { args: { runId: string }; result: { ok: true } };
  'run.resume': { args: { runId: string }; result: { runId: string } };
  'run.list': { args: Record<string, never>; result: { runs: RunSummary[] } };
  'run.state': { args: { runId: string }; result: RunState };
  'run.logsSince': { args: { runId: string; seq: number; limit?: number }; result: { lines: LogLine[]; lastSeq: number } };
  'outputs.kubeconfig': {
    args: { runId: string; saveAs?: string; mergeInto?: string };
    result: { path: string; context: string };
  };
  'outputs.report': { args: { runId: string }; result: { path: string } };
  'outputs.supportBundle': { args: { runId: string }; result: { path: string } };
  /** Native file dialogs in Electron; browser mode answers `{ canceled: true }` and the UI asks for a path. */
  'dialog.open': { args: { title?: string; filters?: string[] }; result: { canceled: boolean; path?: string; text?: string } };
  'dialog.save': { args: { title?: string; defaultPath?: string }; result: { canceled: boolean; path?: string } };
}

export type CommandName = keyof ApiCommands;
export type ArgsOf<C extends CommandName> = ApiCommands[C]['args'];
export type ResultOf<C extends CommandName> = ApiCommands[C]['result'];

/** Events from the engine. Log lines arrive in batches (every ~50 ms or 64 KB) with sequence numbers. */
export type ApiEvent =
  | Exclude<RunEvent, { type: 'log' }>
  | { type: 'log-batch'; runId: string; lines: LogLine[] }
  | { type: 'preflight-host'; report: HostReport }
  | { type: 'ssh-host'; result: ConnectionResult };

/** What the renderer sees as `window.installer`, whichever transport is behind it. */
export interface InstallerApi {
  invoke<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  on(listener: (event: ApiEvent) => void): () => void;
}

/** The list of command names, for transports that check what they forward. */
export const COMMAND_NAMES = [
  'app.info',
  'plan.new',
  'plan.validate',
  'plan.parse',
  'plan.toYaml',
  'plan.load',
  'plan.save',
  'plan.importVars',
  'secrets.set',
  'ssh.test',
  'ssh.acceptHostKey',
  'preflight.run',
  'preflight.fix',
  'run.dryRun',
  'run.start',
  'run.cancel',
  'run.resume',
  'run.list',
  'run.state',
  'run.logsSince',
  'outputs.kubeconfig',
  'outputs.report',
  'outputs.supportBundle',
  'dialog.open',
  'dialog.save',
] as const satisfies readonly CommandName[];

/** Errors cross the transport as this shape (message key + params, so the UI translates). */
export interface ApiError {
  key: string;
  params?: Record<string, string | number>;
  message: string;
}

/** Frames of the WebSocket transport (browser mode). Here, not in ws-protocol.ts, so the renderer's client
 * may import them (the renderer may import only this file). */
export type WsClientFrame = { t: 'invoke'; id: number; command: CommandName; args: unknown };
export type WsServerFrame =
  | { t: 'hello'; version: string }
  | { t: 'result'; id: number; ok: true; result: unknown }
  | { t: 'result'; id: number; ok: false; error: ApiError }
  | { t: 'events'; events: ApiEvent[] };
/** Path of the WebSocket endpoint in browser mode. */
export const WS_PATH = '/api';
