// What the service needs from the engine, one part per concern. The parts are bound to the real facades in
// engine-bind.ts; tests hand in their own. A part that is absent makes its commands answer
// `api.notAvailable` instead of pretending to work.
import { detectLang, type Lang, type Message } from '../common/messages.js';
import type { Secret } from '../common/secret.js';
import type { ServiceSecretKind } from '../plan/secrets.js';
import type {
  CheckResult,
  ConnectionResult,
  DryRunAction,
  EgressEntry,
  PlanChange,
  HostReport,
  LogLine,
  Mode,
  PlanInput,
  PlanIssue,
  PreflightReport,
  ReleaseSummary,
  RunEvent,
  RunOutputs,
  RunState,
  RunSummary,
  ValidationResult,
} from './types.js';

/** Secrets of this session keyed by auth profile, as the SSH layer takes them (core/ssh/types SecretBag). */
export interface SessionSecrets {
  password: Record<string, Secret>;
  passphrase: Record<string, Secret>;
  sudoPassword: Record<string, Secret>;
  /** The BOSH/CF/UAA secrets of a caas plan, by kind (core/plan/secrets.ts). */
  service?: Partial<Record<ServiceSecretKind, Secret>>;
}

/** CaaS: the jump box's checks of the director, CF and UAA (core/api/caas-check.ts). */
export interface CaasPart {
  check(plan: PlanInput, secrets: SessionSecrets): Promise<{ host: string; checks: CheckResult[] }>;
}

export interface PlanPart {
  newPlan(mode: Mode): { plan: PlanInput; yaml: string };
  validate(plan: unknown): ValidationResult;
  parse(yaml: string): { plan?: PlanInput; issues: PlanIssue[] };
  toYaml(plan: PlanInput, previousYaml?: string): string;
  load(path: string): Promise<{ yaml: string; plan?: PlanInput; issues: PlanIssue[] }>;
  save(path: string, plan: PlanInput, previousYaml?: string): Promise<{ path: string; yaml: string }>;
  importVars(clusterVars: string, edgeVars?: string): { plan: PlanInput; yaml: string; issues?: PlanIssue[] };
}

export interface SshPart {
  test(
    plan: PlanInput,
    secrets: SessionSecrets,
    hosts: string[] | undefined,
    onHost: (r: ConnectionResult) => void,
  ): Promise<ConnectionResult[]>;
  /** The connection needs the session's secrets to get as far as the host key (the login comes after). */
  acceptHostKey(plan: PlanInput, secrets: SessionSecrets, host: string, fingerprint: string): Promise<void>;
}

export interface PreflightPart {
  run(plan: PlanInput, secrets: SessionSecrets, onHost: (r: HostReport) => void): Promise<PreflightReport>;
  fix(plan: PlanInput, secrets: SessionSecrets, host: string, fixId: string): Promise<{ ok: boolean; output: string }>;
}

export interface InstallPart {
  /** Modes the engine can run. */
  modes(): Mode[];
  dryRun(plan: PlanInput): Promise<DryRunAction[]>;
  start(
    plan: PlanInput,
    secrets: SessionSecrets,
    overrides: string[],
    onEvent: (e: RunEvent) => void,
  ): Promise<string>;
  cancel(runId: string): Promise<void>;
  resume(runId: string, secrets: SessionSecrets, onEvent: (e: RunEvent) => void): Promise<string>;
  list(): Promise<RunSummary[]>;
  state(runId: string): Promise<RunState>;
  logsSince(runId: string, seq: number, limit?: number): Promise<{ lines: LogLine[]; lastSeq: number }>;
  /** Addresses outside the site the plan's run reaches. */
  egress?(plan: PlanInput): { entries: EgressEntry[]; bundleProblem?: Message };
  /** How `plan` differs from the plan the run started with, and that run's preflight overrides. */
  planChanges?(runId: string, plan: PlanInput): { changes: PlanChange[]; overrides: string[] };
  /** The run's cluster and its portal administrator, taken once from this process's memory. */
  portalAdmin?(runId: string): { cluster: string; admin?: { user: string; password: Secret } };
  /** The portal archive's uninstall script on master 1; the run's outputs then list no portal URL. */
  uninstallPortal?(runId: string, secrets: SessionSecrets): Promise<{ cluster: string; removed: string[]; outputs: RunOutputs }>;
}

export interface OutputsPart {
  kubeconfig(runId: string, saveAs?: string, mergeInto?: string): Promise<{ path: string; context: string }>;
  /** Written in `lang` (default English), the language the reader sees. */
  report(runId: string, lang?: Lang): Promise<{ path: string }>;
  supportBundle(runId: string): Promise<{ path: string }>;
}

export interface CatalogPart {
  releases(): ReleaseSummary[];
  defaultRelease: string;
}

export interface Engine {
  version: string;
  catalog: CatalogPart;
  plan?: PlanPart;
  ssh?: SshPart;
  preflight?: PreflightPart;
  install?: InstallPart;
  outputs?: OutputsPart;
  caas?: CaasPart;
  dispose?(): Promise<void> | void;
}

/** Remembers secrets in the OS keychain; provided by the Electron shell only. */
export interface Keychain {
  /** Whether secrets can be remembered safely; `why` is a message key when not. */
  status(): { ok: true } | { ok: false; why: string };
  save(data: string): Promise<void>;
  load(): Promise<string | undefined>;
  /** A store of its own under `name` (the portal's first login of one cluster), as safe as the main one. */
  entry?(name: string): { save(data: string): Promise<void>; load(): Promise<string | undefined>; forget(): Promise<void> };
}

/** Native file dialogs; provided by the Electron shell only. */
export interface Dialogs {
  open(o: { title?: string; filters?: string[] }): Promise<{ canceled: boolean; path?: string; text?: string }>;
  save(o: { title?: string; defaultPath?: string }): Promise<{ canceled: boolean; path?: string }>;
}

/** The person's language (core/common/messages.ts detectLang: the one detector). */
export function systemLang(): Lang {
  return detectLang(process.env);
}
