// The cloud-side steps both edge modes run (expand-edge imports them): the tools check, the affinity patches
// that keep cloud DaemonSets off edge nodes, cloudcore via keadm init, the join token, and the final check
// that every edge host is Ready as agent,edge.
import { sleep } from '../../common/async.js';
import { msg } from '../../common/messages.js';
import { shq } from '../../common/quote.js';
import type { Release } from '../../plan/catalog.js';
import { hostsWithRole, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { affinityPatchCommand, affinityTargets, listWorkloadsCommand } from '../../tools/kubectl/affinity.js';
import { getPodsCommand, podNodes } from '../../tools/kubectl/cloud.js';
import { verifyEdgeNodes } from '../../tools/kubectl/nodes.js';
import { keadmInit, kubeedgeImageRepository, type KeadmInitOptions } from '../../tools/kubeedge/commands.js';
import { KeadmInitParser } from '../../tools/kubeedge/parser.js';
import type { Step, StepContext } from '../../install/step.js';
import { fail, kubectlJson } from './exec.js';
import { advertiseAddresses, EDGE_JOIN_CONCURRENCY, EDGE_VERIFY_SECONDS, edgeReleaseProblem, type EdgeRunState } from './state.js';

/**
 * `keadm init` on the cloud host with its output read into progress (up to 80 %: the caller's wait for cloudcore
 * takes the rest); a refused init fails the step naming the host and keadm's own error. How cloudcore is then
 * known to run is the caller's: a pod from KubeEdge 1.11, a process (its ports) before.
 */
export async function runKeadmInit(ctx: StepContext, host: string, command: string): Promise<void> {
  const parser = new KeadmInitParser();
  const r = await ctx.exec(host, command, {
    sudo: true,
    check: false,
    onStdout: (l) => {
      const p = parser.push(l);
      if (p) ctx.progress(p.fraction * 0.8, p.detail);
    },
    onStderr: (l) => parser.push(l),
  });
  const result = parser.result(ctx.dryRun ? undefined : r.code);
  if (!ctx.dryRun && !result.succeeded)
    fail(msg('edge.keadm-init-failed', { host, message: result.error ?? '' }), { host, task: 'keadm init', message: result.error ?? `exit ${r.code}` });
}
/**
 * What both edge modes refuse before touching a host (thrown while the steps are built: the runner shows it
 * as the failed step `plan`). Returns the control plane cloudcore goes on.
 */
export function checkEdgePlan(plan: Plan, release: Release, edges: Host[]): Host {
  const problem = edgeReleaseProblem(release);
  if (problem) fail(problem, undefined, true);
  const cloud = hostsWithRole(plan, 'control-plane')[0];
  if (!cloud) fail(msg('edge.no-control-plane'), undefined, true);
  if (edges.length === 0) fail(msg('edge.no-edge-hosts'), undefined, true);
  return cloud;
}

/** The tools each host needs are there (the real ones on a site; the fakes on test hosts). */
export function toolsStep(cloud: Host, edges: Host[], cloudTools: string[], needs: string[]): Step {
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

const EDGE_ROLE_NOTE = 'node-role.kubernetes.io/edge DoesNotExist';

export function affinityStep(state: EdgeRunState, needs: string[], id = 'edge-affinity'): Step {
  const cloud = state.cloud.name;
  const list = async (ctx: StepContext) => affinityTargets(await kubectlJson(ctx, cloud, listWorkloadsCommand(state.kubeconfig())));
  return {
    id,
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
    ...(kubeedgeImageRepository(plan) ? { imageRepository: kubeedgeImageRepository(plan)! } : {}),
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
      await runKeadmInit(ctx, cloud.name, keadmInit(initOptions()));
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
        // The step's limit holds each call too: a kubectl that hangs is stopped at the deadline.
        const nodes = await state.nodeList(ctx, 0, Math.max(1_000, deadline - Date.now()));
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
