// Edge mode (PAASTA.md §1.4–1.5 with current versions): one cloud control plane made with kubeadm from a
// generated config, Calico, cloudcore via keadm, and every edge host joined with keadm in parallel; cloud
// DaemonSets are kept off edge nodes and the run ends only when every edge host is Ready as agent,edge.
// The cloud-side and join steps are shared with expand-edge (expand-edge.ts), which starts from a cluster
// that exists.
//
// Tokens: the kubeadm bootstrap token and the keadm join token are secrets. Output that may carry them is
// read quietly, the token is registered with ctx.addSecret before any line is logged, it is kept only in
// this run's memory (never an output, so never in the journal), and the join receives it on stdin.
import { existsSync, readFileSync } from 'node:fs';
import { msg, type Message } from '../../common/messages.js';
import { shq } from '../../common/quote.js';
import { kubeedgeRange, kubeedgeSupports, type Release } from '../../plan/catalog.js';
import { hostsWithRole, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { ADMIN_KUBECONFIG, kubeadmInit } from '../../tools/kubeadm/commands.js';
import { KUBEADM_CONFIG_PATH, KubeadmConfigError, kubeadmConfigFromPlan, renderKubeadmConfig } from '../../tools/kubeadm/config.js';
import { KubeadmParser } from '../../tools/kubeadm/parser.js';
import { affinityPatchCommand, affinityTargets, listWorkloadsCommand } from '../../tools/kubectl/affinity.js';
import { applyCommand, calicoManifestSource, getPodsCommand, podNodes } from '../../tools/kubectl/cloud.js';
import { getNodesCommand, parseNodes, verifyEdgeNodes, type NodeStatus } from '../../tools/kubectl/nodes.js';
import { keadmGettoken, keadmInit, keadmJoin, keadmJoinArgv, keadmResetEdge, type KeadmInitOptions } from '../../tools/kubeedge/commands.js';
import { KeadmInitParser, KeadmJoinParser, parseGettoken } from '../../tools/kubeedge/parser.js';
import { StepError, type InstallMode, type RunOptions, type Step, type StepContext } from '../step.js';
import { connectStep, type StandaloneDeps } from './standalone.js';

/**
 * How many edge joins run at once. A join mostly waits on its host (image pull, edgecore start), so the
 * bound is the SSH pool's, not the installer's CPU. The runner takes it from `concurrency` when it honours
 * that field, else from RunConfig.parallel.
 */
export const EDGE_JOIN_CONCURRENCY = 32;
/** How long verification waits for edge nodes to turn Ready (RunOptions `edgeVerifySeconds` overrides). */
export const EDGE_VERIFY_SECONDS = 300;
/** The installer's own folder on hosts. */
export const HOST_STATE_DIR = '/var/lib/cp-installer';
/** Written on an edge host before its join: a later attempt resets what the earlier one left. */
export const JOIN_MARKER = `${HOST_STATE_DIR}/edge-join-attempted`;

/** A step plus the fan-out bound the runner applies when it supports per-step concurrency. */
export type EdgeStep = Step & { concurrency?: number };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

function fail(error: Message, failure?: { task?: string; host?: string; message: string }, permanent = false): never {
  throw new StepError(error, failure, permanent);
}

/**
 * Runs a `kubectl … -o json` as root on the cloud host and returns its JSON text. The JSON itself is the
 * proof of success (an SSH session that lost the exit status still delivered it); without JSON the error
 * kubectl printed is what the user sees.
 */
export async function kubectlJson(ctx: StepContext, host: string, command: string): Promise<string> {
  const r = await ctx.exec(host, command, { sudo: true, quiet: true, check: false, dryRunResult: { stdout: '{"items":[]}' } });
  try {
    JSON.parse(r.stdout);
    return r.stdout;
  } catch {
    const message = ctx.redact(r.stderr.trim() || r.stdout.trim() || `exit ${r.code ?? r.signal}`);
    return fail(msg('edge.cluster-unreachable', { host, message }), { host, task: command.split(' -o ')[0]!, message });
  }
}

/**
 * Runs a command whose output says it worked (kubectl's `… created/configured/patched`, a marker echoed at
 * the end): success is that output, or exit 0. Anything else fails with the command's last lines.
 */
export async function execExpect(ctx: StepContext, host: string, command: string, ok: RegExp, describe?: string): Promise<string> {
  const r = await ctx.exec(host, command, { sudo: true, check: false, ...(describe ? { describe } : {}) });
  if (ctx.dryRun || ok.test(r.stdout) || r.code === 0) return r.stdout;
  const message = ctx.redact((r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n') || `exit ${r.code ?? r.signal}`);
  return fail(msg('install.command-failed', { host, command: ctx.redact(describe ?? command.split('\n')[0]!), code: String(r.code ?? r.signal) }), {
    host,
    message,
  });
}

/** Why this release cannot run an edge mode, or undefined when it can. */
export function edgeReleaseProblem(release: Release): Message | undefined {
  if (!release.kubeedge) return msg('edge.no-kubeedge', { release: release.name });
  const { version } = release.kubeedge;
  if (!kubeedgeSupports(version, release.kubernetes)) {
    const range = kubeedgeRange(version);
    return msg('edge.incompatible', {
      kubeedge: version,
      kubernetes: release.kubernetes,
      range: range ? `${range[0]}–${range[1]}` : '—',
    });
  }
  return undefined;
}

export function kubeedgeVersion(release: Release): string {
  if (!release.kubeedge) fail(msg('edge.no-kubeedge', { release: release.name }), undefined, true);
  return release.kubeedge.version;
}

/** Edge hosts this run joins: the plan's, narrowed by RunOptions `edgeHosts` (names) when given. */
export function edgeHostsFor(plan: Plan, options: RunOptions): Host[] {
  const all = hostsWithRole(plan, 'edge');
  const only = options.edgeHosts;
  if (!Array.isArray(only)) return all;
  const wanted = new Set(only.map(String));
  return all.filter((h) => wanted.has(h.name));
}

/** What edge nodes dial (first) and what cloudcore's certificate names. */
export function advertiseAddresses(plan: Plan, cloudcoreHost: Host): string[] {
  const lb = plan.edge?.cloudcorePrivateAddress;
  const first = plan.edge?.cloudcoreAddress ?? lb ?? cloudcoreHost.address;
  return [...new Set([first, ...(lb ? [lb] : []), cloudcoreHost.address, innerAddress(cloudcoreHost)])];
}

/** Shared between the steps of one run (in memory only). */
export class EdgeRunState {
  private token: Promise<string> | undefined;
  private nodes: { at: number; list: Promise<NodeStatus[]> } | undefined;

  constructor(
    readonly cloud: Host,
    readonly kubeconfig: () => string,
  ) {}

  /** The join token: fetched once per run, masked before anything could print it. */
  async joinToken(ctx: StepContext): Promise<string> {
    if (ctx.dryRun) return 'dry-run-token';
    this.token ??= (async () => {
      const r = await ctx.exec(this.cloud.name, keadmGettoken(this.kubeconfig()), { sudo: true, quiet: true, check: false });
      const token = parseGettoken(r.stdout);
      if (token) ctx.addSecret(token);
      if (r.code !== 0 || !token) {
        fail(msg('edge.token-missing', { host: this.cloud.name }), {
          host: this.cloud.name,
          task: 'keadm gettoken',
          message: ctx.redact(r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`),
        });
      }
      return token;
    })();
    try {
      return await this.token;
    } catch (e) {
      this.token = undefined;
      throw e;
    }
  }

  forgetToken(): void {
    this.token = undefined;
  }

  /** `kubectl get nodes` once for many concurrent callers (per-host isDone of 100 joins). */
  async nodeList(ctx: StepContext, maxAgeMs = 2000): Promise<NodeStatus[]> {
    if (!this.nodes || Date.now() - this.nodes.at > maxAgeMs) {
      const list = kubectlJson(ctx, this.cloud.name, getNodesCommand(this.kubeconfig())).then(parseNodes);
      this.nodes = { at: Date.now(), list };
      list.catch(() => (this.nodes = undefined));
    }
    return this.nodes.list;
  }
}

/** Every plan/release problem an edge run would hit, before touching a host. */
export function edgePlanStep(plan: Plan, release: Release, mode: 'edge' | 'expand-edge'): Step {
  return {
    id: 'edge-plan',
    title: msg(mode === 'edge' ? 'mode.edge' : 'mode.expand-edge'),
    hosts: [],
    needs: [],
    async run() {
      const problem = edgeReleaseProblem(release);
      if (problem) fail(problem, undefined, true);
      const cps = hostsWithRole(plan, 'control-plane');
      if (mode === 'edge' && cps.length !== 1) fail(msg('edge.control-plane-count', { count: cps.length }), undefined, true);
      if (cps.length === 0) fail(msg('edge.no-control-plane'), undefined, true);
      if (hostsWithRole(plan, 'edge').length === 0) fail(msg('edge.no-edge-hosts'), undefined, true);
      if (mode === 'edge') {
        try {
          renderKubeadmConfig(kubeadmConfigFromPlan(plan, release, cps[0]!));
        } catch (e) {
          if (e instanceof KubeadmConfigError) fail(e.error, undefined, true);
          throw e;
        }
      }
    },
  };
}

/** The tools each host needs are there (the real ones on a site; the fakes on test hosts). */
export function toolsStep(cloud: Host, edges: Host[], cloudTools: string[], needs: string[]): EdgeStep {
  return {
    id: 'edge-tools',
    title: msg('edge.step.tools'),
    hosts: [cloud.name, ...edges.map((h) => h.name).filter((n) => n !== cloud.name)],
    needs,
    perHost: true,
    concurrency: EDGE_JOIN_CONCURRENCY,
    retry: { attempts: 3, delayMs: 500 },
    async run(ctx) {
      const host = ctx.host!;
      const tools = host.name === cloud.name ? cloudTools : ['keadm'];
      for (const tool of tools) {
        // `command -v` prints the path when the tool is there: the output decides, not the exit status.
        const r = await ctx.exec(host.name, `command -v ${shq(tool)}`, { check: false, quiet: true });
        if (ctx.dryRun || r.stdout.trim().startsWith('/')) continue;
        const certain = typeof r.code === 'number' && r.code !== 0;
        fail(msg('edge.tool-missing', { tool, host: host.name }), { host: host.name, message: `${tool}: not found` }, certain);
      }
    },
  };
}

export function affinityStep(state: EdgeRunState, needs: string[]): Step {
  const cloud = state.cloud.name;
  const list = async (ctx: StepContext) => affinityTargets(await kubectlJson(ctx, cloud, listWorkloadsCommand(state.kubeconfig())));
  return {
    id: 'edge-affinity',
    title: msg('edge.step.affinity'),
    hosts: [cloud],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async isDone(ctx) {
      return (await list(ctx)).length === 0;
    },
    async run(ctx) {
      const targets = await list(ctx);
      let n = 0;
      for (const t of targets) {
        const r = await ctx.exec(cloud, affinityPatchCommand(state.kubeconfig(), t), { sudo: true, check: false });
        if (!ctx.dryRun && !/ patched$/m.test(r.stdout)) {
          fail(msg('edge.affinity-failed', { kind: t.kind, name: t.name, namespace: t.namespace, message: ctx.redact(r.stderr.trim()) }), {
            host: cloud,
            task: `kubectl patch ${t.kind} ${t.name}`,
            message: ctx.redact(r.stderr.trim() || `exit ${r.code}`),
          });
        }
        ctx.progress(++n / targets.length, `${t.namespace}/${t.kind}/${t.name}`);
      }
      ctx.log(`node affinity ${EDGE_ROLE_NOTE} on ${targets.length} workload(s)`);
    },
  };
}

const EDGE_ROLE_NOTE = 'node-role.kubernetes.io/edge DoesNotExist';

export interface CloudcoreOptions {
  /** Tolerate the control-plane taint (cloudcore is pinned to a control plane). */
  tolerateControlPlane: boolean;
  /** A load balancer fronts cloudcore: it may run on any cloud node. */
  loadBalanced: boolean;
}

export function keadmInitStep(plan: Plan, release: Release, state: EdgeRunState, o: CloudcoreOptions, needs: string[]): Step {
  const cloud = state.cloud;
  const version = release.kubeedge?.version ?? '';
  const advertise = advertiseAddresses(plan, cloud);
  const initOptions = (): KeadmInitOptions => ({
    kubeedgeVersion: version,
    advertiseAddresses: advertise,
    kubeconfig: state.kubeconfig(),
    pinToNode: cloud.name,
    tolerateControlPlane: o.tolerateControlPlane,
    master: `https://${innerAddress(cloud)}:6443`,
    ...(plan.registry ? { imageRepository: plan.registry.address } : {}),
  });
  const pods = async (ctx: StepContext) => podNodes(await kubectlJson(ctx, cloud.name, getPodsCommand(state.kubeconfig(), 'kubeedge', 'kubeedge=cloudcore')));
  return {
    id: 'keadm-init',
    title: msg('edge.step.keadm-init'),
    hosts: [cloud.name],
    needs,
    async isDone(ctx) {
      return (await pods(ctx)).some((p) => p.phase === 'Running');
    },
    async run(ctx) {
      const parser = new KeadmInitParser();
      const r = await ctx.exec(cloud.name, keadmInit(initOptions()), {
        sudo: true,
        check: false,
        onStdout: (l) => {
          const p = parser.push(l);
          if (p) ctx.progress(p.fraction * 0.8, p.detail);
        },
        onStderr: (l) => parser.push(l),
      });
      const result = parser.result(ctx.dryRun ? undefined : r.code);
      if (!ctx.dryRun && !result.succeeded) {
        fail(msg('edge.keadm-init-failed', { host: cloud.name, message: result.error ?? '' }), {
          host: cloud.name,
          task: 'keadm init',
          message: result.error ?? `exit ${r.code}`,
        });
      }
      if (ctx.dryRun) return;
      // keadm does not wait for the pod: cloudcore must run where edges are told to reach it.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const list = await pods(ctx);
        const running = list.find((p) => p.phase === 'Running');
        if (running) {
          if (!o.loadBalanced && running.hostIP && !advertise.includes(running.hostIP)) {
            fail(msg('edge.cloudcore-elsewhere', { node: running.node ?? '?', address: running.hostIP, advertised: advertise[0]! }), {
              host: cloud.name,
              task: 'keadm init',
              message: `cloudcore on ${running.node} (${running.hostIP})`,
            }, true);
          }
          ctx.log(`cloudcore running on ${running.node ?? '?'} (${running.hostIP ?? '?'}); edge nodes dial ${advertise[0]}:10000`);
          ctx.progress(1, 'cloudcore running');
          return;
        }
        if (Date.now() > deadline || ctx.signal.aborted) {
          fail(msg('edge.cloudcore-pending', { detail: list.map((p) => `${p.name}: ${p.phase ?? '?'}`).join(', ') || 'no pod' }), {
            host: cloud.name,
            task: 'keadm init',
            message: 'cloudcore pod not running',
          });
        }
        await sleep(1000, ctx.signal);
      }
    },
  };
}

export function gettokenStep(state: EdgeRunState, needs: string[]): Step {
  return {
    id: 'keadm-gettoken',
    title: msg('edge.step.gettoken'),
    hosts: [state.cloud.name],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async run(ctx) {
      state.forgetToken();
      await state.joinToken(ctx);
      ctx.log('join token obtained (kept in memory only)');
    },
  };
}

export function joinStep(plan: Plan, release: Release, state: EdgeRunState, edges: Host[], needs: string[]): EdgeStep {
  const version = release.kubeedge?.version ?? '';
  const cloudcoreAddress = advertiseAddresses(plan, state.cloud)[0]!;
  const joinOptions = (host: Host) => ({
    kubeedgeVersion: version,
    cloudcoreAddress,
    nodeName: host.name,
    runtime: plan.cluster.runtime,
    labels: host.labels,
    ...(plan.registry ? { imageRepository: plan.registry.address } : {}),
  });
  return {
    id: 'edge-join',
    title: msg('edge.step.join'),
    hosts: edges.map((h) => h.name),
    needs,
    perHost: true,
    concurrency: EDGE_JOIN_CONCURRENCY,
    // Safe to repeat: each attempt first resets what an earlier one left (the marker below).
    retry: { attempts: 2, delayMs: 2000 },
    async isDone(ctx) {
      const name = ctx.host!.name;
      return verifyEdgeNodes(await state.nodeList(ctx), [name]).ready.includes(name);
    },
    async run(ctx) {
      const host = ctx.host!;
      const token = await state.joinToken(ctx);
      // A join that failed half-way leaves /etc/kubeedge behind and keadm refuses to join over it.
      // One round trip: read the token, clean up, join.
      const clean = `if [ -e ${shq(JOIN_MARKER)} ] || [ -n "$(ls -A /etc/kubeedge 2>/dev/null)" ]; then ${keadmResetEdge(version)} >/dev/null; fi; mkdir -p ${shq(HOST_STATE_DIR)} && touch ${shq(JOIN_MARKER)}`;
      const parser = new KeadmJoinParser();
      const r = await ctx.exec(host.name, keadmJoin(joinOptions(host), clean), {
        sudo: true,
        check: false,
        stdin: `${token}\n`,
        describe: `[clean up an earlier attempt] ${keadmJoinArgv(joinOptions(host)).join(' ')} --token ***`,
        onStdout: (l) => {
          const p = parser.push(l);
          if (p) ctx.progress(p.fraction, p.detail);
        },
        onStderr: (l) => parser.push(l),
      });
      if (ctx.dryRun) return;
      const result = parser.result(r.code);
      if (!result.succeeded) {
        const message = ctx.redact(result.error ?? `exit ${r.code}`);
        fail(msg('edge.join-failed', { host: host.name, message }), { host: host.name, task: 'keadm join', message });
      }
    },
  };
}

export function verifyStep(state: EdgeRunState, edges: Host[], needs: string[], cloudNodes: string[] = []): Step {
  return {
    id: 'edge-verify',
    title: msg('edge.step.verify'),
    hosts: [state.cloud.name],
    needs,
    async run(ctx) {
      if (ctx.dryRun) {
        await state.nodeList(ctx, 0);
        return;
      }
      const seconds = Number(ctx.options.edgeVerifySeconds ?? EDGE_VERIFY_SECONDS);
      const deadline = Date.now() + seconds * 1000;
      const names = edges.map((h) => h.name);
      for (;;) {
        const nodes = await state.nodeList(ctx, 0);
        const verdict = verifyEdgeNodes(nodes, names);
        const cloudNotReady = cloudNodes.filter((n) => !nodes.find((x) => x.name === n)?.ready);
        ctx.progress(names.length ? verdict.ready.length / names.length : 1, `${verdict.ready.length}/${names.length} edge nodes Ready`);
        if (verdict.problems.length === 0 && cloudNotReady.length === 0) {
          ctx.log(`every edge node is Ready with roles agent,edge: ${verdict.ready.length}`);
          return;
        }
        if (Date.now() > deadline || ctx.signal.aborted) {
          const list = [
            ...verdict.problems.map((p) => `${p.name} (${p.reason}${p.detail ? ` ${p.detail}` : ''})`),
            ...cloudNotReady.map((n) => `${n} (not-ready)`),
          ];
          fail(msg('edge.nodes-not-ready', { seconds, nodes: list.join(', ') }), { host: state.cloud.name, message: list.join(', ') });
        }
        await sleep(2000, ctx.signal);
      }
    },
  };
}

// ---- the edge mode's own cloud side: kubeadm on the single control plane, then Calico ----

export function kubeadmConfigStep(plan: Plan, release: Release, cloud: Host, needs: string[]): Step {
  return {
    id: 'kubeadm-config',
    title: msg('edge.step.kubeadm-config'),
    hosts: [cloud.name],
    needs,
    async run(ctx) {
      let text: string;
      try {
        text = renderKubeadmConfig(kubeadmConfigFromPlan(plan, release, cloud));
      } catch (e) {
        if (e instanceof KubeadmConfigError) fail(e.error, undefined, true);
        throw e;
      }
      await ctx.upload(cloud.name, text, KUBEADM_CONFIG_PATH, { sudo: true, mode: 0o600 });
    },
  };
}

export function kubeadmInitStep(plan: Plan, cloud: Host, needs: string[]): Step {
  return {
    id: 'kubeadm-init',
    title: msg('edge.step.kubeadm-init'),
    hosts: [cloud.name],
    needs,
    async isDone(ctx) {
      const r = await ctx.exec(cloud.name, `test -s ${shq(ADMIN_KUBECONFIG)} && echo present`, { sudo: true, check: false, quiet: true });
      return r.stdout.includes('present');
    },
    async run(ctx) {
      // Quiet: the bootstrap token is printed twice; the parser registers it as a secret before we log a line.
      const parser = new KubeadmParser((token) => ctx.addSecret(token));
      const r = await ctx.exec(cloud.name, kubeadmInit(), {
        sudo: true,
        check: false,
        quiet: true,
        onStdout: (l) => {
          const p = parser.push(l);
          ctx.log(l, { host: cloud.name, stream: 'stdout' });
          if (p) ctx.progress(p.fraction, p.detail);
        },
        onStderr: (l) => {
          parser.push(l);
          ctx.log(l, { host: cloud.name, stream: 'stderr' });
        },
      });
      if (ctx.dryRun) return;
      const result = parser.result(r.code);
      if (!result.succeeded) {
        const message = ctx.redact(result.preflightErrors.length ? result.preflightErrors.join('; ') : (result.error ?? `exit ${r.code}`));
        fail(msg('edge.kubeadm-failed', { host: cloud.name, phase: result.failedPhase ?? '?', message }), {
          host: cloud.name,
          task: `kubeadm init${result.failedPhase ? ` (${result.failedPhase})` : ''}`,
          message,
        });
      }
    },
  };
}

export function cniStep(plan: Plan, release: Release, cloud: Host, needs: string[]): Step {
  const kubeconfig = ADMIN_KUBECONFIG;
  return {
    id: 'cni',
    title: msg('edge.step.cni'),
    hosts: [cloud.name],
    needs,
    retry: { attempts: 3, delayMs: 3000 },
    async isDone(ctx) {
      const r = await ctx.exec(cloud.name, `kubectl --kubeconfig ${shq(kubeconfig)} get daemonset calico-node -n kube-system -o name`, {
        sudo: true,
        check: false,
        quiet: true,
      });
      return r.stdout.includes('calico-node');
    },
    async run(ctx) {
      const version = release.calico ?? '3.29.3';
      let source = calicoManifestSource(version);
      if (plan.bundle) {
        const local = calicoManifestSource(version, plan.bundle.path);
        if (!ctx.dryRun && !existsSync(local)) fail(msg('edge.bundle-file-missing', { path: local }), undefined, true);
        source = `${HOST_STATE_DIR}/edge/calico.yaml`;
        await ctx.upload(cloud.name, ctx.dryRun && !existsSync(local) ? '' : readFileSync(local), source, {
          sudo: true,
          mode: 0o644,
          describe: `Calico v${version} manifest from the bundle`,
        });
      }
      await execExpect(ctx, cloud.name, applyCommand(kubeconfig, source), / (created|configured|unchanged)$/m);
    },
  };
}

export const edgeMode: InstallMode = {
  name: 'edge',
  title: msg('mode.edge'),
  steps(plan, release, options) {
    const cloud = hostsWithRole(plan, 'control-plane')[0];
    const planStep = edgePlanStep(plan, release, 'edge');
    if (!cloud) return [planStep];
    const edges = edgeHostsFor(plan, options);
    const state = new EdgeRunState(cloud, () => ADMIN_KUBECONFIG);
    return [
      planStep,
      toolsStep(cloud, edges, ['kubeadm', 'kubectl', 'keadm'], ['edge-plan']),
      kubeadmConfigStep(plan, release, cloud, ['edge-tools']),
      kubeadmInitStep(plan, cloud, ['kubeadm-config']),
      cniStep(plan, release, cloud, ['kubeadm-init']),
      affinityStep(state, ['cni']),
      keadmInitStep(plan, release, state, { tolerateControlPlane: true, loadBalanced: false }, ['edge-affinity']),
      gettokenStep(state, ['keadm-init']),
      joinStep(plan, release, state, edges, ['keadm-gettoken']),
      // Re-applied after the joins too: cheap (isDone) and it catches a DaemonSet created meanwhile.
      { ...affinityStep(state, ['edge-join']), id: 'edge-affinity-after-join' },
      verifyStep(state, edges, ['edge-affinity-after-join'], [cloud.name]),
    ];
  },
};

/**
 * A mode with the engine's preflight gate (the `connect` step, which runs the preflight checks — the edge
 * ones included — and stops on a failure not overridden) in front of its first host step, when the facade
 * hands in a preflight runner. What core/install/modes/index.ts registers.
 */
export function withPreflightGate(mode: InstallMode, deps: StandaloneDeps = {}): InstallMode {
  if (!deps.preflight) return mode;
  return {
    ...mode,
    steps(plan, release, options) {
      const steps = mode.steps(plan, release, options);
      return [
        connectStep(plan, deps),
        ...steps.map((s) => (s.id === 'edge-tools' ? { ...s, needs: [...s.needs, 'connect'] } : s)),
      ];
    },
  };
}

export function edgeModeFactory(deps: StandaloneDeps = {}): InstallMode {
  return withPreflightGate(edgeMode, deps);
}
