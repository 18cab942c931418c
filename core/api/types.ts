// The one contract between the engine and every shell (Electron IPC, the WebSocket of browser mode, the
// CLI). Commands are request/response; events flow from the engine to the shell. Type-only imports, so the
// renderer can import this file without pulling in Node code.
import type { Lang, Message } from '../common/messages.js';
import type { Mode, PlanInput, Role } from '../plan/schema.js';
import type { SettingsSection } from '../modes/profile.js';
import type { PlanIssue, ValidationResult } from '../plan/issues.js';
import type { CheckResult, HostReport, PreflightReport } from '../preflight/types.js';
import type { RunEvent, RunOutputs, RunSummary, StepInfo, StepStatus } from '../install/types.js';
import type { EgressEntry } from '../install/egress.js';
import type { PlanChange } from '../install/plan-diff.js';
import type { BuildEvent } from '../bundle/build.js';

export type { Lang, Message, Mode, PlanInput, PlanIssue, Role, SettingsSection, ValidationResult, CheckResult, HostReport, PreflightReport };
export type { RunEvent, RunOutputs, RunSummary, StepInfo, StepStatus, EgressEntry, PlanChange };
export type { BuildEvent };

/** What `bundle.build` ends with: the file, its size and sha256 (of the whole file), or what failed. */
export interface BundleBuildResult {
  ok: boolean;
  file?: string;
  size?: number;
  sha256?: string;
  manifestSha256?: string;
  artifacts?: number;
  failed: { id: string; message: string }[];
}

/** Secrets typed by the person for this session, keyed by auth profile name. Held in memory by the engine. */
export interface SecretsInput {
  password?: Record<string, string>;
  passphrase?: Record<string, string>;
  sudoPassword?: Record<string, string>;
  /** The BOSH/CF/UAA secrets of a caas plan, by kind (core/plan/secrets.ts SERVICE_SECRETS); never in the plan. */
  service?: Record<string, string>;
  /** Ask the OS keychain to remember these (Electron with a real keyring only). */
  remember?: boolean;
}

export interface ReleaseSummary {
  name: string;
  title: string;
  kubernetes: string;
  kubeedge?: string;
  /** Its middleware is BOSH's (the 2021 release): the standalone and edge take the director settings. */
  bosh?: boolean;
}

/** A mode as the wizard shows it (core/modes/<mode>/profile.ts). */
export interface ModeInfo {
  name: Mode;
  title: Message;
  description: Message;
  icon: string;
  /** The engine can run it now. */
  available: boolean;
  /** Why not yet, and what to do instead. */
  unavailable?: Message;
  /** Roles a host may have in this mode. */
  roles: Role[];
  /** The Settings sections that apply. */
  sections: SettingsSection[];
  /** Said above the Hosts table. */
  hostsHint?: Message;
  outputs: string[];
  /**
   * The mode's variant a plan with the `bosh` section is (core/modes/profiles.ts profileOf: the 2021 edge with
   * BOSH middleware, a Kubespray cloud): its roles, Settings sections and hint replace the ones above for such a plan.
   */
  withBosh?: ModeVariantInfo;
}

/** What differs in a mode's variant for the wizard. */
export interface ModeVariantInfo {
  roles: Role[];
  sections: SettingsSection[];
  hostsHint?: Message;
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
  /** The step's title (with its parameters, e.g. the storage type). */
  stepTitle?: Message;
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
  /** `cause`: what went wrong in words and what to do next, when the output said (core/install/causes.ts). */
  failure?: { stepId: string; task?: string; host?: string; message: string; cause?: Message };
  outputs?: RunOutputs;
  lastSeq: number;
}

/**
 * A secret handed to the person on purpose (the portal's first administrator's password): the one kind of
 * value whose text crosses the transport, wrapped so no one takes it for a plain string. The renderer keeps
 * it in one component's state only (never the store, a notice, the console or a file).
 */
export interface HandedSecret {
  readonly kind: 'handed-secret';
  readonly label: string;
  readonly text: string;
}

/** The portal's first login (core/modes/standalone/portal-admin.ts), as the Done screen hands it over. */
export interface PortalFirstLogin {
  /** Absent: not a portal run, or handed over already and not kept. */
  user?: string;
  password?: HandedSecret;
  /** The Keycloak realm to log into (cp-realm). */
  realm: string;
  /** Where it is after this answer: the OS keychain (desktop with a keyring), or nowhere. */
  kept: 'keychain' | 'nowhere';
  /** A `keychain.*` message key saying why it is not kept. */
  whyNotKept?: string;
  /** This answer came back from the keychain (the hand-over itself was earlier). */
  fromKeychain?: boolean;
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
      /** Every mode, in order, with what the wizard shows for it. */
      modes: ModeInfo[];
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
  'plan.importVars': { args: { clusterVars: string; edgeVars?: string }; result: { plan: PlanInput; yaml: string; issues?: PlanIssue[] } };
  'secrets.set': { args: SecretsInput; result: { remembered: boolean } };
  'ssh.test': { args: { plan: PlanInput; hosts?: string[] }; result: { hosts: ConnectionResult[] } };
  /** CaaS: from the jump box, the BOSH director (reached, logged in, stemcell, cloud-config), CF and UAA. */
  'caas.check': { args: { plan: PlanInput }; result: { host: string; checks: CheckResult[] } };
  'ssh.acceptHostKey': { args: { plan: PlanInput; host: string; fingerprint: string }; result: { ok: true } };
  'preflight.run': { args: { plan: PlanInput }; result: PreflightReport };
  'preflight.fix': {
    args: { plan: PlanInput; host: string; fixId: string };
    result: { ok: boolean; output: string };
  };
  'run.dryRun': { args: { plan: PlanInput }; result: { actions: DryRunAction[] } };
  /** Every address outside the site the plan's run will reach (Review lists them). */
  'plan.egress': { args: { plan: PlanInput }; result: { entries: EgressEntry[]; bundleProblem?: Message } };
  /** How `plan` differs from the plan run `runId` started with (resume asks first), and that run's overrides. */
  'run.planChanges': { args: { runId: string; plan: PlanInput }; result: { changes: PlanChange[]; overrides: string[] } };
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
  'outputs.report': { args: { runId: string; lang?: Lang }; result: { path: string } };
  'outputs.supportBundle': { args: { runId: string }; result: { path: string } };
  /** The portal's first administrator, handed over once; `fromKeychain` reads back what the keychain kept. */
  'portal.firstLogin': { args: { runId: string; fromKeychain?: boolean }; result: PortalFirstLogin };
  /** The archive's uninstall-cp-portal.sh on master 1; the run's outputs then list no portal URL. */
  'portal.uninstall': { args: { runId: string }; result: { removed: string[]; outputs: RunOutputs } };
  /** Native file dialogs in Electron; browser mode answers `{ canceled: true }` and the UI asks for a path. */
  'dialog.open': { args: { title?: string; filters?: string[] }; result: { canceled: boolean; path?: string; text?: string } };
  'dialog.save': { args: { title?: string; defaultPath?: string }; result: { canceled: boolean; path?: string } };
  /**
   * Builds the offline bundle for the plan's release and mode on this machine (the CLI's `bundle build`),
   * from a mirror or, without one, the upstream sites; progress comes as `bundle-build` events with the
   * caller's `buildId`, and the answer when it ends.
   */
  'bundle.build': {
    args: { buildId: string; plan: PlanInput; output: string; mirror?: string; imagesFrom?: string; without?: Array<'image' | 'wheels' | 'chart' | 'file'> };
    result: BundleBuildResult;
  };
  /** Stops a build; what was fetched stays staged beside the output, so building again goes on from there. */
  'bundle.cancel': { args: { buildId: string }; result: { ok: true } };
}

export type CommandName = keyof ApiCommands;
export type ArgsOf<C extends CommandName> = ApiCommands[C]['args'];
export type ResultOf<C extends CommandName> = ApiCommands[C]['result'];

/** Events from the engine. Log lines arrive in batches (every ~50 ms or 64 KB) with sequence numbers. */
export type ApiEvent =
  | Exclude<RunEvent, { type: 'log' }>
  | { type: 'log-batch'; runId: string; lines: LogLine[] }
  | { type: 'preflight-host'; report: HostReport }
  | { type: 'ssh-host'; result: ConnectionResult }
  | { type: 'bundle-build'; buildId: string; event: BuildEvent };

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
  'caas.check',
  'ssh.acceptHostKey',
  'preflight.run',
  'preflight.fix',
  'run.dryRun',
  'plan.egress',
  'run.planChanges',
  'run.start',
  'run.cancel',
  'run.resume',
  'run.list',
  'run.state',
  'run.logsSince',
  'outputs.kubeconfig',
  'outputs.report',
  'outputs.supportBundle',
  'portal.firstLogin',
  'portal.uninstall',
  'dialog.open',
  'dialog.save',
  'bundle.build',
  'bundle.cancel',
] as const satisfies readonly CommandName[];

/** Errors cross the transport as this shape (message key + params, so the UI translates). */
export interface ApiError {
  key: string;
  params?: Record<string, string | number>;
  /** Placeholders filled by another message, rendered in the reader's language. */
  nested?: Record<string, Message>;
  message: string;
}

/** Frames of the WebSocket transport (browser mode). Here, not in ws-protocol.ts, so the renderer's client
 * may import them (the renderer may import only this file). */
export type WsClientFrame = { t: 'invoke'; id: number; command: CommandName; args: unknown };
export type WsServerFrame =
  /** `key`: the session key a page gets when it used the one-time ticket (browser mode keeps it per tab). */
  | { t: 'hello'; version: string; key?: string }
  | { t: 'result'; id: number; ok: true; result: unknown }
  | { t: 'result'; id: number; ok: false; error: ApiError }
  | { t: 'events'; events: ApiEvent[] };
/** Path of the WebSocket endpoint in browser mode. */
export const WS_PATH = '/api';
/** The subprotocol of browser mode's WebSocket; the page's credential travels as a second one after
 * this prefix (a browser's WebSocket can set no other header). */
export const WS_SUBPROTOCOL = 'cp-installer.v1';
export const WS_CREDENTIAL_PREFIX = 'cpi-key.';
/** Close codes of a refused WebSocket: no credential, or one that is not (or no longer) valid. */
export const WS_CLOSE_NO_CREDENTIAL = 4401;
export const WS_CLOSE_REFUSED = 4403;
