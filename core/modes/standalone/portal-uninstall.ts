// The portal's uninstall (the v1.6 guide's §5): the archive's own uninstall-cp-portal.sh, run on master 1 in
// the tree the portal step unpacked, against a run that installed the portal. Not a step of a run: it acts
// on a finished one. Its output goes to the run's logs (redacted, like a step's) and, line by line, to the
// caller; `helm list` before and after says what it removed and what is left. Once nothing of the portal is
// left, the run's journal gets one more record that takes the portal URLs out of its outputs, so no shell
// (the Done screen, `runs`, the report) shows a URL that no longer answers.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostsWithRole, Plan } from '../../plan/schema.js';
import { Journal, loadJournal, runDir, summarize } from '../../install/journal.js';
import { safeName } from '../../install/logs.js';
import { Redactor } from '../../install/redact.js';
import { openSsh, type SshProvider, type SshProviderOptions } from '../../install/ssh-provider.js';
import type { OutputValue } from '../../install/step.js';
import { endpoints } from '../../outputs/endpoints.js';
import type { SecretBag } from '../../ssh/types.js';
import { UNINSTALL_SCRIPT } from '../../tools/portal/archive.js';
import { helmListCommand, PORTAL_WORKSPACE, portalRoot, uninstallCommand } from '../../tools/portal/commands.js';
import { parseHelmList, portalReleaseState } from '../../tools/portal/releases.js';
import { shq } from '../../common/quote.js';

/** The journal's name for it: not a step of the mode (runState lists only those), but folded like one. */
export const UNINSTALL_RECORD = 'portal-uninstall';
const KUBECONFIG = '/etc/kubernetes/admin.conf';

/** A failure with a message key (core/tools/portal/messages.ts) that every shell shows in words. */
export class PortalUninstallError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'PortalUninstallError';
  }
}

export interface UninstallDeps {
  workdir: string;
  /** Opens the SSH side (the real one unless a test hands its own). */
  ssh?: (plan: Plan, secrets: SecretBag) => Promise<SshProvider>;
  sshOptions?: SshProviderOptions;
  /** Each line of the script's output, redacted. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface UninstallResult {
  host: string;
  /** The plan's cluster name (the keychain keeps its first login under it). */
  cluster: string;
  /** Releases of the portal there before, gone now. */
  removed: string[];
  /** The run's outputs after the uninstall (no portal URL). */
  outputs: Record<string, OutputValue>;
}

/** The outputs a run keeps once its portal is gone: the API server only, no hosts line, no administrator. */
export function outputsWithoutPortal(plan: Plan, at: string): Record<string, OutputValue> {
  return {
    endpoints: endpoints(plan, []) as unknown as OutputValue,
    portalEndpoints: null,
    portalHostsSnippet: null,
    portalAdminUser: null,
    portalUninstalledAt: at,
  };
}

/** Whether a run's journal says it installed the portal (and it was not uninstalled since). */
export function runHasPortal(outputs: Record<string, OutputValue>): boolean {
  return Array.isArray(outputs.portalEndpoints) && !outputs.portalUninstalledAt;
}

/** `secrets`: the session's, or asked for once the run's plan is known (the CLI prompts for what it needs). */
export async function uninstallPortal(deps: UninstallDeps, runId: string, secretsFor: SecretBag | ((plan: Plan) => SecretBag | Promise<SecretBag>)): Promise<UninstallResult> {
  const state = loadJournal(deps.workdir, runId);
  if (summarize(runId, state).status === 'running') throw new PortalUninstallError('cp-portal.uninstall.running', { runId });
  const plan = Plan.parse(state.start.plan);
  // Only a run that unpacked the archive has its uninstall script on master 1; one uninstalled already is done.
  if (!state.finishedSteps.has('portal-archive') || state.outputs.portalUninstalledAt) throw new PortalUninstallError('cp-portal.uninstall.notInstalled', { runId });
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!master) throw new PortalUninstallError('cp-portal.uninstall.notInstalled', { runId });
  const m = master.name;
  const root = portalRoot(PORTAL_WORKSPACE);
  const secrets = typeof secretsFor === 'function' ? await secretsFor(plan) : secretsFor;

  const redactor = Redactor.fromBag(secrets);
  const dir = join(runDir(deps.workdir, runId), 'logs', UNINSTALL_RECORD);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = join(dir, `${safeName(m)}.log`);
  const log = (line: string) => {
    const clean = redactor.redact(line);
    appendFileSync(logFile, `${clean}\n`, { mode: 0o600 });
    deps.onLine?.(clean);
  };

  const provider = await (deps.ssh ?? ((p, s) => openSsh(p, s, deps.sshOptions)))(plan, secrets);
  try {
    const session = await provider.sessions.session(m, deps.signal);
    const opts = { sudo: true, ...(deps.signal ? { signal: deps.signal } : {}) };
    const list = async () => {
      const r = await session.exec(helmListCommand(KUBECONFIG), opts);
      if (r.code !== 0) throw new PortalUninstallError('cp-portal.uninstall.failed', { host: m, detail: redactor.redact(r.stderr.trim() || `helm list: exit ${r.code}`) });
      return portalReleaseState(parseHelmList(r.stdout));
    };
    const before = await list();
    const present = [...before.deployed, ...before.broken.map((b) => b.name)];
    log(`portal releases on ${m}: ${present.join(', ') || 'none'}`);
    const script = `${root}/${UNINSTALL_SCRIPT}`;
    const has = await session.exec(`test -f ${shq(script)}`, opts);
    if (has.code !== 0) throw new PortalUninstallError('cp-portal.uninstall.noScript', { host: m, path: `~/${script}` });
    log(`$ sudo cd ~/${root}/script && ./uninstall-cp-portal.sh (answered y)`);
    const run = await session.exec(uninstallCommand(root, KUBECONFIG), {
      ...opts,
      timeoutMs: 30 * 60_000,
      collect: false,
      onStdout: log,
      onStderr: log,
    });
    log(`uninstall-cp-portal.sh: exit ${run.code ?? run.signal}`);
    const after = await list();
    const left = [...after.deployed, ...after.broken.map((b) => `${b.name} (${b.status})`)];
    if (left.length) throw new PortalUninstallError('cp-portal.uninstall.left', { host: m, components: left.join(', '), log: logFile });

    // Nothing of the portal is left: the run's outputs stop listing its URLs.
    const at = new Date().toISOString();
    const outputs = outputsWithoutPortal(plan, at);
    const journal = Journal.open(runDir(deps.workdir, runId));
    try {
      journal.append({ t: 'step-start', step: UNINSTALL_RECORD, attempt: 1, at });
      journal.append({ t: 'step-end', step: UNINSTALL_RECORD, status: 'done', durationMs: 0, outputs, at });
    } finally {
      journal.close();
    }
    return { host: m, cluster: plan.cluster.name, removed: present, outputs: { ...state.outputs, ...outputs } };
  } finally {
    await provider.close();
  }
}
