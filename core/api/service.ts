// The in-process implementation of InstallerApi: every transport (Electron IPC, the WebSocket of browser
// mode, tests) wraps one of these. It checks arguments at the boundary, keeps this session's secrets in
// memory as Secrets, turns engine callbacks into events, and batches log lines.
import { Secret } from '../common/secret.js';
import { isServiceSecretKind } from '../plan/secrets.js';
import { LogBatcher } from './log-batcher.js';
import { modeInfos } from './modes.js';
import { ApiFailure, toApiError } from './service-errors.js';
import { checkedPlan } from './plan-gate.js';
import { ARG_SCHEMAS } from './service-args.js';
import {
  COMMAND_NAMES,
  type ApiEvent,
  type ArgsOf,
  type CommandName,
  type InstallerApi,
  type ResultOf,
  type RunEvent,
  type SecretsInput,
} from './types.js';
import { bindEngine } from './engine-bind.js';
import { buildBundleForPlan } from './bundle.js';
import { portalFirstLogin, portalKeychainName } from './portal-login.js';
import { allowedPath, browserPathPolicy, expandHome, type PathUse } from './plan.js';
import { systemLang, type Dialogs, type Engine, type Keychain, type SessionSecrets } from './engine.js';
import { runAbortController } from '../common/async.js';

// Compile-time: COMMAND_NAMES lists every command of the contract (the `satisfies` in types.ts checks the
// other direction), so a transport that forwards only listed names cannot drop one.
type Unlisted = Exclude<CommandName, (typeof COMMAND_NAMES)[number]>;
const _everyCommandListed: [Unlisted] extends [never] ? true : Unlisted = true;
void _everyCommandListed;

export { ApiFailure, toApiError };

export interface ServiceOptions {
  workdir: string;
  shell: 'electron' | 'browser';
  /** The real engine (engine-bind.ts) unless a test hands in its own. */
  engine?: Engine;
  /** known_hosts the real engine checks and appends to (default ~/.ssh/known_hosts). */
  knownHostsFile?: string;
  keychain?: Keychain;
  dialogs?: Dialogs;
  logBatchMs?: number;
  logBatchBytes?: number;
  /** Browser mode: folders besides the work folder that paths from the page may name (`serve --allow-dir`). */
  allowDirs?: string[];
}

export type InstallerService = InstallerApi & {
  dispose(): Promise<void>;
  /** This session's secrets, for an in-process shell (the CLI) that asked for them itself. */
  readonly secrets: SessionSecrets;
};

/**
 * Commands that act on hosts or write a run's files with the plan they are given (core/api/plan-gate.ts).
 * plan.save is not here: it writes the person's own draft, errors and all.
 */
const PLAN_GATED: ReadonlySet<CommandName> = new Set<CommandName>(['ssh.test', 'caas.check', 'ssh.acceptHostKey', 'preflight.run', 'preflight.fix', 'run.dryRun', 'run.start']);

type Handlers = { [C in CommandName]: (args: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

function need<T>(part: T | undefined, command: CommandName): T {
  if (part === undefined) {
    throw new ApiFailure('api.notAvailable', { command }, `${command} is not available in this build yet`);
  }
  return part;
}

function toSecrets(input: Record<string, string> | undefined, label: string): Record<string, Secret> {
  const out: Record<string, Secret> = {};
  for (const [profile, value] of Object.entries(input ?? {})) out[profile] = Secret.of(value, `${label}:${profile}`);
  return out;
}

export function createInstallerService(options: ServiceOptions): InstallerService {
  const { keychain, dialogs, shell } = options;
  // Browser mode gets paths as text from a page, not from a native dialog: only the work folder and the
  // folders given on serve's command line (core/api/plan.ts allowedPath). The desktop shell's paths come
  // from its dialogs; `~/` is expanded for both.
  const policy = shell === 'browser' ? browserPathPolicy(options.workdir, options.allowDirs ?? []) : undefined;
  const pathFor = (path: string, use: PathUse) => (policy ? allowedPath(policy, path, use) : expandHome(path));
  const engine = options.engine ?? bindEngine({ workdir: options.workdir, ...(options.knownHostsFile ? { knownHostsFile: options.knownHostsFile } : {}) });
  const listeners = new Set<(e: ApiEvent) => void>();
  const secrets: SessionSecrets = { password: {}, passphrase: {}, sudoPassword: {}, service: {} };

  const emit = (event: ApiEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch {
        // One broken listener (a closed window) must not stop the others.
      }
    }
  };
  const batcher = new LogBatcher(emit, options.logBatchMs ?? 50, options.logBatchBytes ?? 64 * 1024);
  const onRunEvent = (e: RunEvent) => {
    if (e.type === 'log') {
      batcher.push(e);
      return;
    }
    // Lines written before a step ends reach the window before the step's end.
    batcher.flush(e.runId);
    emit(e);
  };

  const keychainStatus = (): { ok: true } | { ok: false; why: string } =>
    keychain ? keychain.status() : { ok: false, why: shell === 'browser' ? 'keychain.browser' : 'keychain.noEncryption' };

  // Secrets remembered in an earlier session come back before the first command needs them.
  const restored = (async () => {
    if (!keychain || !keychain.status().ok) return;
    const text = await keychain.load().catch(() => undefined);
    if (!text) return;
    try {
      const saved = JSON.parse(text) as SecretsInput;
      Object.assign(secrets.password, toSecrets(saved.password, 'password'));
      Object.assign(secrets.passphrase, toSecrets(saved.passphrase, 'passphrase'));
      Object.assign(secrets.sudoPassword, toSecrets(saved.sudoPassword, 'sudo'));
    } catch {
      // An unreadable store is the same as none: the person types the secrets again.
    }
  })();

  // Bundle builds running in this session, by the caller's id (bundle.cancel stops one).
  const builds = new Map<string, AbortController>();

  const reveal = (m: Record<string, Secret>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.reveal()]));

  const handlers: Handlers = {
    'app.info': () => {
      const status = keychainStatus();
      return {
        version: engine.version,
        releases: engine.catalog.releases(),
        defaultRelease: engine.catalog.defaultRelease,
        modesAvailable: engine.install ? engine.install.modes() : [],
        modes: modeInfos(engine.install ? engine.install.modes() : []),
        lang: systemLang(),
        shell,
        canRememberSecrets: status.ok,
        ...(status.ok ? {} : { whyNoKeychain: status.why }),
      };
    },
    'plan.new': ({ mode }) => need(engine.plan, 'plan.new').newPlan(mode),
    'plan.validate': ({ plan }) => need(engine.plan, 'plan.validate').validate(plan),
    'plan.parse': ({ yaml }) => need(engine.plan, 'plan.parse').parse(yaml),
    'plan.toYaml': ({ plan, previousYaml }) => ({ yaml: need(engine.plan, 'plan.toYaml').toYaml(plan, previousYaml) }),
    'plan.load': ({ path }) => need(engine.plan, 'plan.load').load(pathFor(path, 'read')),
    'plan.save': ({ path, plan, previousYaml }) => need(engine.plan, 'plan.save').save(pathFor(path, 'write'), plan, previousYaml),
    'plan.importVars': ({ clusterVars, edgeVars }) => need(engine.plan, 'plan.importVars').importVars(clusterVars, edgeVars),
    'secrets.set': async (input) => {
      Object.assign(secrets.password, toSecrets(input.password, 'password'));
      Object.assign(secrets.passphrase, toSecrets(input.passphrase, 'passphrase'));
      Object.assign(secrets.sudoPassword, toSecrets(input.sudoPassword, 'sudo'));
      // Only the kinds a caas run reads; the keychain does not keep them (they are asked for each session).
      for (const [kind, value] of Object.entries(input.service ?? {}))
        if (isServiceSecretKind(kind)) {
          if (value === '') delete secrets.service![kind];
          else secrets.service![kind] = Secret.of(value, kind);
        }
      if (!input.remember) return { remembered: false };
      const status = keychainStatus();
      if (!keychain || !status.ok) {
        const why = status.ok ? 'keychain.noEncryption' : status.why;
        throw new ApiFailure('keychain.unavailable', { why }, `Secrets cannot be remembered: ${why}`);
      }
      await keychain.save(
        JSON.stringify({
          password: reveal(secrets.password),
          passphrase: reveal(secrets.passphrase),
          sudoPassword: reveal(secrets.sudoPassword),
        }),
      );
      return { remembered: true };
    },
    'ssh.test': async ({ plan, hosts }) => ({
      hosts: await need(engine.ssh, 'ssh.test').test(plan, secrets, hosts, (result) => emit({ type: 'ssh-host', result })),
    }),
    'caas.check': ({ plan }) => need(engine.caas, 'caas.check').check(plan, secrets),
    'ssh.acceptHostKey': async ({ plan, host, fingerprint }) => {
      await need(engine.ssh, 'ssh.acceptHostKey').acceptHostKey(plan, secrets, host, fingerprint);
      return { ok: true as const };
    },
    'preflight.run': ({ plan }) =>
      need(engine.preflight, 'preflight.run').run(plan, secrets, (report) => emit({ type: 'preflight-host', report })),
    'preflight.fix': ({ plan, host, fixId }) => need(engine.preflight, 'preflight.fix').fix(plan, secrets, host, fixId),
    'run.dryRun': async ({ plan }) => ({ actions: await need(engine.install, 'run.dryRun').dryRun(plan) }),
    'plan.egress': ({ plan }) => need(engine.install?.egress, 'plan.egress').call(engine.install, plan),
    'run.planChanges': ({ runId, plan }) => need(engine.install?.planChanges, 'run.planChanges').call(engine.install, runId, plan),
    'run.start': async ({ plan, overrides }) => ({
      runId: await need(engine.install, 'run.start').start(plan, secrets, overrides ?? [], onRunEvent),
    }),
    'run.cancel': async ({ runId }) => {
      await need(engine.install, 'run.cancel').cancel(runId);
      return { ok: true as const };
    },
    'run.resume': async ({ runId }) => ({
      runId: await need(engine.install, 'run.resume').resume(runId, secrets, onRunEvent),
    }),
    'run.list': async () => ({ runs: await need(engine.install, 'run.list').list() }),
    'run.state': ({ runId }) => need(engine.install, 'run.state').state(runId),
    'run.logsSince': ({ runId, seq, limit }) => need(engine.install, 'run.logsSince').logsSince(runId, seq, limit),
    'outputs.kubeconfig': ({ runId, saveAs, mergeInto }) =>
      need(engine.outputs, 'outputs.kubeconfig').kubeconfig(
        runId,
        saveAs === undefined ? undefined : pathFor(saveAs, 'write'),
        mergeInto === undefined ? undefined : pathFor(mergeInto, 'merge'),
      ),
    'outputs.report': ({ runId, lang }) => need(engine.outputs, 'outputs.report').report(runId, lang),
    'outputs.supportBundle': ({ runId }) => need(engine.outputs, 'outputs.supportBundle').supportBundle(runId),
    'portal.firstLogin': ({ runId, fromKeychain }) => portalFirstLogin(need(engine.install?.portalAdmin, 'portal.firstLogin').call(engine.install, runId), keychainStatus(), keychain, !!fromKeychain),
    'portal.uninstall': async ({ runId }) => {
      const r = await need(engine.install?.uninstallPortal, 'portal.uninstall').call(engine.install, runId, secrets);
      // The first login of a portal that is gone is forgotten too.
      if (keychain && keychainStatus().ok) await keychain.entry?.(portalKeychainName(r.cluster)).forget().catch(() => undefined);
      return { removed: r.removed, outputs: r.outputs };
    },
    // Browser mode has no native dialog: the page asks for a path instead.
    'dialog.open': (args) => (dialogs ? dialogs.open(args) : { canceled: true }),
    'dialog.save': (args) => (dialogs ? dialogs.save(args) : { canceled: true }),
    'bundle.build': async ({ buildId, plan, output, mirror, imagesFrom, without }) => {
      if (builds.has(buildId)) throw new ApiFailure('api.badArgs', { command: 'bundle.build', detail: `build ${buildId} is running` });
      const ac = runAbortController();
      builds.set(buildId, ac);
      try {
        return await buildBundleForPlan(plan, {
          out: pathFor(output, 'write'),
          ...(mirror ? { mirror } : {}),
          ...(imagesFrom ? { imagesFrom } : {}),
          ...(without ? { without } : {}),
          signal: ac.signal,
          onEvent: (event) => emit({ type: 'bundle-build', buildId, event }),
        });
      } finally {
        builds.delete(buildId);
      }
    },
    'bundle.cancel': ({ buildId }) => {
      builds.get(buildId)?.abort();
      return { ok: true as const };
    },
  };

  return {
    secrets,
    async invoke<C extends CommandName>(command: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
      try {
        if (!Object.hasOwn(handlers, command)) {
          throw new ApiFailure('api.unknownCommand', { command: String(command).slice(0, 80) });
        }
        const schema = ARG_SCHEMAS[command];
        const parsed = schema.safeParse(args ?? {});
        if (!parsed.success) {
          const first = parsed.error.issues[0];
          const detail = first ? `${first.path.join('.') || '(args)'}: ${first.message}` : 'invalid';
          throw new ApiFailure('api.badArgs', { command, detail }, `Bad arguments for ${command}: ${detail}`);
        }
        await restored;
        // Before any part of the engine sees the plan: a command that acts on hosts or a run's files never
        // gets one validation rejects, whatever shell sent it (security #5).
        if (PLAN_GATED.has(command)) checkedPlan((parsed.data as { plan?: unknown }).plan);
        const handler = handlers[command] as (a: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C>;
        return await handler(parsed.data as ArgsOf<C>);
      } catch (e) {
        if (e instanceof ApiFailure) throw e;
        const err = toApiError(e);
        throw new ApiFailure(err.key, err.params, err.message, err.nested);
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async dispose() {
      for (const b of builds.values()) b.abort();
      batcher.flush();
      batcher.dispose();
      listeners.clear();
      await engine.dispose?.();
    },
  };
}
