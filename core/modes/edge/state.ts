// What the edge steps of one run share: the host state paths, which edge hosts this run joins, what edges
// dial, and a cache of the join token and the node list (in memory only).
//
// Tokens: the kubeadm bootstrap token and the keadm join token are secrets. Output that may carry them is
// read quietly, the token is registered with ctx.addSecret before any line is logged, it is kept only in
// this run's memory (never an output, so never in the journal), and the join receives it on stdin.
import { msg, type Message } from '../../common/messages.js';
import { kubeedgeRange, kubeedgeSupports, type Release } from '../../plan/catalog.js';
import { hostsWithRole, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { getNodesCommand, parseNodes, type NodeStatus } from '../../tools/kubectl/nodes.js';
import { keadmGettoken } from '../../tools/kubeedge/commands.js';
import { parseGettoken } from '../../tools/kubeedge/parser.js';
import type { RunOptions, StepContext } from '../../install/step.js';
import { fail, kubectlJson } from './exec.js';

/**
 * How many edge joins run at once. A join mostly waits on its host (image pull, edgecore start), so the
 * bound is the SSH pool's, not the installer's CPU.
 */
export const EDGE_JOIN_CONCURRENCY = 32;
/** How long verification waits for edge nodes to turn Ready (RunOptions `edgeVerifySeconds` overrides). */
export const EDGE_VERIFY_SECONDS = 300;
/** The installer's own folder on hosts. */
export const HOST_STATE_DIR = '/var/lib/cp-installer';
/** Written on an edge host before its join: a later attempt resets what the earlier one left. */
export const JOIN_MARKER = `${HOST_STATE_DIR}/edge-join-attempted`;

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
  async nodeList(ctx: StepContext, maxAgeMs = 2000, timeoutMs?: number): Promise<NodeStatus[]> {
    if (!this.nodes || Date.now() - this.nodes.at > maxAgeMs) {
      const list = kubectlJson(ctx, this.cloud.name, getNodesCommand(this.kubeconfig()), timeoutMs).then(parseNodes);
      this.nodes = { at: Date.now(), list };
      list.catch(() => (this.nodes = undefined));
    }
    return this.nodes.list;
  }
}
