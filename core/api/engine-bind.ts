// Binds the service to the real engine: each part adapts one facade (core/api/plan.ts, preflight.ts,
// install.ts, core/outputs) to the shape the service needs (engine.ts). A facade that has not landed
// leaves its part absent, and its commands answer `api.notAvailable`.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RELEASE, loadCatalog } from '../plan/catalog.js';
import { Plan, type PlanInput } from '../plan/schema.js';
import { Ssh2Connector } from '../ssh/connector.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { SshConfigFile } from '../ssh/ssh-config.js';
import { targetsFromPlan } from '../ssh/targets.js';
import { sshErrorMessage } from '../ssh/messages.js';
import { SshError, type SshTarget } from '../ssh/types.js';
import { caasCheck } from './caas-check.js';
import type { CaasPart, Engine, InstallPart, OutputsPart, PlanPart, PreflightPart, SessionSecrets, SshPart } from './engine.js';
import { createInstallPart, runState } from './install.js';
import { NoSuchRunError, runReport, runSupportBundle } from './run-files.js';
import { kubeconfigSummary, mergeKubeconfig, writeKubeconfig } from '../outputs/kubeconfig.js';
import { planFacade } from './plan.js';
import { runPlanPreflight, runFixes } from './preflight.js';
import { modulesFix, swapFix, sysctlFix } from '../preflight/fixes.js';
import type { Fix } from '../preflight/types.js';
import { ApiFailure } from './service-errors.js';
import { checkedPlan } from './plan-gate.js';
import type { ConnectionResult, Message } from './types.js';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cp-installer' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export interface EngineOptions {
  workdir: string;
  /** known_hosts checked and appended to (default ~/.ssh/known_hosts, like ssh). */
  knownHostsFile?: string;
}

/**
 * A plan the engine can act on: checked again here, not trusted from the shell (the service checks too; an
 * engine part reached some other way must not connect for a plan validation rejects).
 */
function soundPlan(input: PlanInput): Plan {
  return checkedPlan(input);
}

function planPart(): PlanPart {
  return {
    newPlan: planFacade.newPlan,
    validate: planFacade.validate,
    parse: (yaml) => {
      const { plan, issues } = planFacade.parse(yaml);
      return plan ? { plan, issues } : { issues };
    },
    toYaml: planFacade.toYaml,
    load: async (path) => {
      const { yaml, plan, issues } = await planFacade.load(path);
      return plan ? { yaml, plan, issues } : { yaml, issues };
    },
    save: planFacade.save,
    importVars: (clusterVars, edgeVars) => {
      // The vars file's own issues (a variable that is not a value: `$(…)`, an unterminated quote, a count
      // out of bounds) name the variable; without them a refused value would only be missing from the plan.
      const { plan, yaml, issues } = planFacade.importVars(clusterVars, edgeVars);
      return { plan, yaml, issues };
    },
  };
}

function sshFailure(e: unknown, name: string, knownHostsFile: string): Pick<ConnectionResult, 'error' | 'fingerprint'> {
  if (e instanceof SshError) {
    const error: Message & { kind: string } = { ...sshErrorMessage(e, knownHostsFile), kind: e.kind };
    return { error, ...(e.details.fingerprint ? { fingerprint: e.details.fingerprint } : {}) };
  }
  return { error: { key: 'ssh.protocol', params: { host: name, detail: e instanceof Error ? e.message : String(e) }, kind: 'protocol' } };
}

function sshPart(knownHostsFile: string): SshPart {
  const targetsOf = async (plan: Plan): Promise<SshTarget[]> => {
    const sshConfig = await SshConfigFile.load().catch(() => undefined);
    return targetsFromPlan(plan, sshConfig ? { sshConfig } : {});
  };
  return {
    async test(input, secrets, hosts, onHost) {
      const plan = soundPlan(input);
      const wanted = hosts ? new Set(hosts) : undefined;
      const targets = (await targetsOf(plan)).filter((t) => !wanted || wanted.has(t.name));
      const connector = new Ssh2Connector({ knownHosts: new KnownHosts({ file: knownHostsFile }), secrets });
      return Promise.all(
        targets.map(async (target): Promise<ConnectionResult> => {
          let result: ConnectionResult;
          try {
            const session = await connector.connect(target);
            try {
              const r = await session.exec('uname -n; . /etc/os-release 2>/dev/null; printf "%s\\n" "$PRETTY_NAME"', {
                timeoutMs: 15_000,
              });
              const [hostname = '', os = ''] = r.stdout.split('\n');
              result = { name: target.name, ok: true, hostname: hostname.trim(), os: os.trim() };
            } finally {
              await session.close();
            }
          } catch (e) {
            result = { name: target.name, ok: false, ...sshFailure(e, target.name, knownHostsFile) };
          }
          onHost(result);
          return result;
        }),
      );
    },
    async acceptHostKey(input, secrets, host, fingerprint) {
      const plan = soundPlan(input);
      const target = (await targetsOf(plan)).find((t) => t.name === host);
      if (!target) throw new ApiFailure('api.noSuchHost', { host });
      let offered: string | undefined;
      // Accept exactly the key the person saw: if the host now offers another one, nothing is written.
      const connector = new Ssh2Connector({
        knownHosts: new KnownHosts({ file: knownHostsFile }),
        secrets,
        acceptNewHostKeys: async (q) => {
          offered = q.fingerprint;
          return q.fingerprint === fingerprint;
        },
      });
      try {
        await (await connector.connect(target)).close();
      } catch (e) {
        // Authentication comes after the host key: a login failure then still means the key was filed.
        // A failure before the host key was offered (no password typed yet, unreachable) is the answer.
        if (!(e instanceof SshError) || e.kind.startsWith('host-key') || offered === undefined) throw e;
      }
      if (offered !== undefined && offered !== fingerprint) {
        throw new SshError('host-key-changed', host, `the host now offers ${offered}, not ${fingerprint}`, { fingerprint: offered });
      }
    },
  };
}

const FIXES: Record<string, () => Fix> = { swap: swapFix, modules: modulesFix, sysctl: sysctlFix };

function preflightPart(knownHostsFile: string): PreflightPart {
  return {
    run: (plan, secrets, onHost) => runPlanPreflight(soundPlan(plan), { secrets, onHost, knownHostsFile }),
    async fix(plan, secrets, host, fixId) {
      const make = FIXES[fixId];
      if (!make) throw new ApiFailure('api.noSuchFix', { fixId }, `No fix named ${fixId}`);
      const outcomes = await runFixes(soundPlan(plan), new Map([[host, [make()]]]), { secrets, knownHostsFile });
      const output = outcomes.map((o) => [o.command, o.output].filter(Boolean).join('\n')).join('\n').trim();
      return { ok: outcomes.every((o) => o.ok), output };
    },
  };
}

/** The install facade's part, with the plan checked first so a bad one answers with a message. */
function installPart(workdir: string, knownHostsFile: string): InstallPart {
  const part = createInstallPart({ workdir, sshOptions: { knownHostsFile } });
  return {
    ...part,
    dryRun: (plan) => part.dryRun(soundPlan(plan) as PlanInput),
    start: (plan, secrets, overrides, onEvent) => part.start(soundPlan(plan) as PlanInput, secrets, overrides, onEvent),
  };
}

/** Outputs of a finished run, found through its journal: the kubeconfig (saved or merged), the report, a support bundle. */
function outputsPart(workdir: string): OutputsPart {
  const outputsOf = (runId: string) => runState(workdir, runId).outputs ?? {};
  return {
    async kubeconfig(runId, saveAs, mergeInto) {
      const source = outputsOf(runId).kubeconfigPath;
      if (!source || !existsSync(source)) throw new ApiFailure('api.noKubeconfig', { runId }, `Run ${runId} has no kubeconfig`);
      const text = await readFile(source, 'utf8');
      const context = kubeconfigSummary(text).current ?? '';
      let path = source;
      if (saveAs) {
        await writeKubeconfig(saveAs, text);
        path = saveAs;
      }
      if (mergeInto) {
        const existing = existsSync(mergeInto) ? await readFile(mergeInto, 'utf8') : undefined;
        await writeKubeconfig(mergeInto, mergeKubeconfig(existing, text));
        path = mergeInto;
      }
      return { path, context };
    },
    async report(runId, lang) {
      try {
        return { path: runReport(workdir, runId, lang) };
      } catch (e) {
        if (e instanceof NoSuchRunError) throw new ApiFailure('api.noReport', { runId }, `Run ${runId} has no report`);
        throw e;
      }
    },
    async supportBundle(runId) {
      return { path: await runSupportBundle(workdir, runId) };
    },
  };
}

export function bindEngine(options: EngineOptions): Engine {
  const knownHostsFile = options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
  return {
    version: packageVersion(),
    catalog: {
      releases: () =>
        [...loadCatalog().values()].map((r) => ({
          name: r.name,
          title: r.title,
          kubernetes: r.kubernetes,
          ...(r.kubeedge ? { kubeedge: r.kubeedge.version } : {}),
          ...(r.bosh ? { bosh: true } : {}),
        })),
      defaultRelease: DEFAULT_RELEASE,
    },
    plan: planPart(),
    ssh: sshPart(knownHostsFile),
    preflight: preflightPart(knownHostsFile),
    install: installPart(options.workdir, knownHostsFile),
    outputs: outputsPart(options.workdir),
    caas: caasPart(knownHostsFile),
  };
}

function caasPart(knownHostsFile: string): CaasPart {
  return {
    async check(input, secrets) {
      const plan = soundPlan(input);
      const sshConfig = await SshConfigFile.load().catch(() => undefined);
      const connector = new Ssh2Connector({ knownHosts: new KnownHosts({ file: knownHostsFile }), secrets });
      return caasCheck(plan, secrets, connector, targetsFromPlan(plan, sshConfig ? { sshConfig } : {}));
    },
  };
}

export type { SessionSecrets };
