// The 2021 edge guide's flannel for edge nodes (cp-edge-deployment-guide 2.5): Kubespray's kube-flannel
// DaemonSet is kept off edge nodes (the edge mode's affinity step), and a copy of it, kube-flannel-edge, runs on
// them instead, talking to the API server through edgecore's metaServer (`--kube-api-url=http://127.0.0.1:10550`).
// The guide writes its placement as a required affinity `node-role.kubernetes.io/agent Exists`; the copy here
// says the same with a nodeSelector on the edge role (KubeEdge gives edge nodes both labels), which the affinity
// step recognises as meant for edge nodes and so never patches away from them. Pure: JSON in, JSON out.
import { sleep } from '../../common/async.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host } from '../../plan/schema.js';
import { msg } from '../../common/messages.js';
import { StepError, type Step } from '../../install/step.js';
import { EDGE_ROLE_LABEL } from '../../tools/kubectl/affinity.js';
import { kubectlJson } from '../edge/exec.js';
import { EDGE_VERIFY_SECONDS, type EdgeRunState } from '../edge/state.js';

export const CLOUD_FLANNEL = 'kube-flannel';
export const EDGE_FLANNEL = 'kube-flannel-edge';
/** edgecore's metaServer, where a pod on an edge node reaches the API (the guide's flag). */
export const EDGE_KUBE_API = 'http://127.0.0.1:10550';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** kube-flannel-edge from the cluster's kube-flannel DaemonSet (`kubectl get ds kube-flannel -o json`). */
export function edgeFlannelDaemonSet(cloud: Obj): Obj {
  const meta = obj(cloud.metadata);
  const spec = obj(cloud.spec);
  const template = obj(spec.template);
  const podSpec = obj(template.spec);
  // The label flannel's selector matches on (Kubespray 2.14: `app: flannel`; the guide's: `k8s-app: flannel`) turns
  // into flannel-edge, so the two DaemonSets' selectors never overlap.
  const relabel = (labels: unknown) => {
    const l = obj(labels);
    if (Object.values(l).includes('flannel-edge')) return l;
    const own = Object.keys(l).filter((k) => l[k] === 'flannel');
    return own.length ? { ...l, ...Object.fromEntries(own.map((k) => [k, 'flannel-edge'])) } : { ...l, 'k8s-app': 'flannel-edge' };
  };
  // What the API server owns (uid, resourceVersion, status, the last-applied annotation) is not carried over.
  const { affinity: _cloudOnly, nodeSelector, ...rest } = podSpec;
  const containers = (Array.isArray(podSpec.containers) ? podSpec.containers : []).map((c) => {
    const container = obj(c);
    const command = Array.isArray(container.command) ? (container.command as string[]) : undefined;
    const flanneld = command?.some((a) => /flanneld$/.test(a));
    return {
      ...container,
      ...(container.name === CLOUD_FLANNEL ? { name: EDGE_FLANNEL } : {}),
      ...(flanneld && !command!.some((a) => a.startsWith('--kube-api-url=')) ? { command: [...command!, `--kube-api-url=${EDGE_KUBE_API}`] } : {}),
    };
  });
  return {
    apiVersion: cloud.apiVersion ?? 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: EDGE_FLANNEL, namespace: meta.namespace ?? 'kube-system', labels: relabel(meta.labels) },
    spec: {
      ...spec,
      selector: { ...obj(spec.selector), matchLabels: relabel(obj(spec.selector).matchLabels) },
      template: {
        ...template,
        metadata: { ...obj(template.metadata), labels: relabel(obj(template.metadata).labels) },
        spec: { ...rest, nodeSelector: { ...obj(nodeSelector), [EDGE_ROLE_LABEL]: '' }, containers },
      },
    },
  };
}

export interface FlannelEdgeProblem {
  node: string;
  reason: string;
  message: string;
}

/**
 * What keeps kube-flannel-edge from running on each edge node, from `kubectl get pods -o json` of its pods: a
 * node without a pod, a pod not Running, or a container not ready (its waiting reason and message, such as
 * CrashLoopBackOff with flanneld's "dial tcp 127.0.0.1:10550: connect: connection refused" when metaServer is off).
 */
export function flannelEdgeProblems(podList: Obj, edgeNodes: string[]): FlannelEdgeProblem[] {
  const pods = (Array.isArray(podList.items) ? podList.items : []).map(obj);
  return edgeNodes.flatMap((node): FlannelEdgeProblem[] => {
    const pod = pods.find((p) => obj(p.spec).nodeName === node);
    if (!pod) return [{ node, reason: 'NoPod', message: `no ${EDGE_FLANNEL} pod on ${node}` }];
    const status = obj(pod.status);
    const containers = (Array.isArray(status.containerStatuses) ? status.containerStatuses : []).map(obj);
    const waiting = containers.map((c) => obj(obj(c.state).waiting)).find((w) => w.reason);
    const lastLog = containers.map((c) => obj(obj(c.lastState).terminated).message).find((m) => typeof m === 'string' && m);
    if (status.phase === 'Running' && containers.length > 0 && containers.every((c) => c.ready === true)) return [];
    const reason = String(waiting?.reason ?? status.reason ?? status.phase ?? 'Unknown');
    const message = String(lastLog ?? waiting?.message ?? status.message ?? '').trim();
    return [{ node, reason, message }];
  });
}

/** Applies kube-flannel-edge from the cluster's kube-flannel (safe to repeat: `apply` configures it again), then
 *  waits for its pod to run on every edge node (edgeVerifySeconds, as the edge nodes' own check). */
export function edgeFlannelStep(state: EdgeRunState, needs: string[], edges: Host[] = []): Step {
  const cloud = state.cloud.name;
  const kubectl = (...args: string[]) => shellJoin(['kubectl', '--kubeconfig', state.kubeconfig(), ...args]);
  return {
    id: 'edge-flannel',
    title: msg('mode.edgeBosh.step.flannel'),
    hosts: [cloud],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async run(ctx) {
      const text = await kubectlJson(ctx, cloud, kubectl('get', 'daemonset', CLOUD_FLANNEL, '-n', 'kube-system', '-o', 'json'));
      const cloudDs = JSON.parse(text) as Obj;
      if (!ctx.dryRun && obj(cloudDs.metadata).name !== CLOUD_FLANNEL)
        throw new StepError(msg('mode.edgeBosh.noFlannel', { host: cloud }), { host: cloud, task: 'kubectl get ds kube-flannel', message: 'no kube-flannel DaemonSet' }, true);
      const manifest = JSON.stringify(edgeFlannelDaemonSet(ctx.dryRun ? { metadata: { name: CLOUD_FLANNEL, namespace: 'kube-system' } } : cloudDs));
      const r = await ctx.exec(cloud, `printf '%s' ${shq(manifest)} | ${kubectl('apply', '-f', '-')}`, { sudo: true, describe: `kubectl apply -f - (DaemonSet ${EDGE_FLANNEL}: ${CLOUD_FLANNEL} for edge nodes, --kube-api-url=${EDGE_KUBE_API})` });
      ctx.log(r.stdout.trim() || `${EDGE_FLANNEL} applied`);
      if (ctx.dryRun || edges.length === 0) return;
      const labels = obj(obj(obj(JSON.parse(manifest) as Obj).spec).selector).matchLabels as Record<string, string>;
      const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
      const names = edges.map((h) => h.name);
      const deadline = Date.now() + Number(ctx.options.edgeVerifySeconds ?? EDGE_VERIFY_SECONDS) * 1000;
      for (;;) {
        const pods = JSON.parse(await kubectlJson(ctx, cloud, kubectl('get', 'pods', '-n', 'kube-system', '-l', selector, '-o', 'json'))) as Obj;
        const problems = flannelEdgeProblems(pods, names);
        if (problems.length === 0) {
          ctx.log(`${EDGE_FLANNEL} Running on ${names.join(', ')}`);
          return;
        }
        if (Date.now() > deadline || ctx.signal.aborted) {
          const p = problems[0]!;
          throw new StepError(msg('mode.edgeBosh.flannelNotRunning', { host: p.node, reason: p.reason, detail: p.message || p.reason }), {
            host: p.node,
            task: `${EDGE_FLANNEL} on ${p.node}`,
            message: problems.map((x) => `${x.node}: ${x.reason}${x.message ? ` (${x.message})` : ''}`).join('; '),
          }, true);
        }
        await sleep(2000, ctx.signal);
      }
    },
  };
}
