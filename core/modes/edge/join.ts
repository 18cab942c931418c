// The edge join: every edge host at once (within EDGE_JOIN_CONCURRENCY), the token on stdin, an earlier
// half-done attempt reset first, done when the cluster already lists the node Ready as agent,edge.
import { msg } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import type { Host, Plan } from '../../plan/schema.js';
import { verifyEdgeNodes } from '../../tools/kubectl/nodes.js';
import { keadmJoin, keadmJoinArgv, keadmJoinCleanup, kubeedgeImageRepository, type KeadmJoinOptions } from '../../tools/kubeedge/commands.js';
import { KeadmJoinParser } from '../../tools/kubeedge/parser.js';
import type { Step } from '../../install/step.js';
import { fail } from './exec.js';
import { advertiseAddresses, EDGE_JOIN_CONCURRENCY, JOIN_MARKER, type EdgeRunState } from './state.js';

/** `runtime`: the edge nodes' (the plan's by default; the 2021 edge's Docker). */
export function joinStep(plan: Plan, release: Release, state: EdgeRunState, edges: Host[], needs: string[], runtime: KeadmJoinOptions['runtime'] = plan.cluster.runtime): Step {
  const version = release.kubeedge?.version ?? '';
  const cloudcoreAddress = advertiseAddresses(plan, state.cloud)[0]!;
  const joinOptions = (host: Host) => ({
    kubeedgeVersion: version,
    cloudcoreAddress,
    nodeName: host.name,
    runtime,
    labels: host.labels,
    ...(kubeedgeImageRepository(plan) ? { imageRepository: kubeedgeImageRepository(plan)! } : {}),
  });
  return {
    id: 'edge-join',
    title: msg('edge.step.join'),
    hosts: edges.map((h) => h.name),
    needs,
    perHost: true,
    concurrency: EDGE_JOIN_CONCURRENCY,
    // Safe to repeat: each attempt first resets what an earlier one left (the marker).
    retry: { attempts: 2, delayMs: 2000 },
    async isDone(ctx) {
      const name = ctx.host!.name;
      return verifyEdgeNodes(await state.nodeList(ctx), [name]).ready.includes(name);
    },
    async run(ctx) {
      const host = ctx.host!;
      const token = await state.joinToken(ctx);
      // One round trip: read the token, clean up an earlier attempt, join.
      const parser = new KeadmJoinParser();
      const r = await ctx.exec(host.name, keadmJoin(joinOptions(host), keadmJoinCleanup(version, JOIN_MARKER)), {
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
