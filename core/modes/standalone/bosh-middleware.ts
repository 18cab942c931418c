// The 2021 release's standalone with BOSH middleware (the spray guide, v1.4.x--cp-bosh-deployment-spray-guide
// v1.0; the edge guide is the same past the cluster): when the release is one whose middleware is BOSH's
// (the catalog entry has `bosh`) and the plan has the `bosh` section, the v1.6 portal is replaced by
//   bosh-jumpbox → bosh-bosh-tree → bosh-k8s-token (after the cluster: the cluster-admin token the deploy's
//   k8s_auth_bearer takes) → bosh-middleware → bosh-vms → bosh-registry-trust → bosh-node-reach
//   (core/modes/bosh-middleware.ts, shared with caas) → cp-images (image-upload-standalone.sh
//   <HAProxy>:5001) → cp-deploy (container-platform-vars.sh, container-platform-deploy.sh) → cp-endpoints
//   (operator portal :32080 and user portal :32091 requested from the master)
// on the master, from the bundle's `container-platform/` (container-platform-standalone-image.tar unpacked).
// The MariaDB password reaches the script only through its environment, read from stdin.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import type { Release } from '../../plan/catalog.js';
import { StepError, type OutputValue, type Step } from '../../install/step.js';
import { packTree } from '../../install/tree.js';
import type { Endpoint } from '../../outputs/endpoints.js';
import { withEnv } from '../../tools/bosh/env.js';
import { boshMiddlewareSteps, bundlePath, middlewareLast, run, secret } from '../bosh-middleware.js';

/** Step and output prefix of the middleware steps in this mode. */
export const BOSH_PX = 'bosh';
export const CP_STEPS = ['cp-images', 'cp-deploy', 'cp-endpoints'] as const;
/** The step kubeconfig and report wait for. */
export const BOSH_LAST = 'cp-endpoints';

/** Where the guide (3.2) unpacks container-platform-standalone-image.tar on the master (relative to home). */
export const MASTER_CONTAINER_PLATFORM = 'workspace/paasta-5.5.1/container-platform';
export const SCRIPT_DIR = `${MASTER_CONTAINER_PLATFORM}/container-platform-script`;
export const SCRIPTS = { upload: 'image-upload-standalone.sh', deploy: 'container-platform-deploy.sh', vars: 'container-platform-vars.sh' } as const;
/** The portals' NodePorts (guide 3.3.2, section 4). */
export const PORTAL_NODEPORTS = { 'operator-portal': 32080, 'user-portal': 32091 } as const;

/** Whether this run deploys the 2021 BOSH middleware: the release's middleware is BOSH's and the plan says where. */
export function usesBoshMiddleware(plan: Plan, release: Pick<Release, 'bosh'>): boolean {
  return !!release.bosh && !!plan.bosh;
}

/** The bundle's container-platform folder (the standalone image archive unpacked: images, YAML, scripts). */
export function bundleContainerPlatform(bundle: string): string | undefined {
  const p = join(bundle, 'container-platform');
  return existsSync(join(p, 'container-platform-script')) ? p : undefined;
}

/** The worker whose NodePorts the portals are reached on (K8S_WORKER_NODE_IP): a cloud worker, never an edge node. */
export function portalWorker(plan: Plan): Host | undefined {
  return hostsWithRole(plan, 'worker')[0];
}

export interface ContainerPlatformVars {
  haproxy: string;
  master: string;
  worker: string;
  workerHostname: string;
  clusterName: string;
  mariadbUser: string;
}

/**
 * container-platform-vars.sh (guide 3.3.1) as container-platform-deploy.sh sources it. The MariaDB password is
 * not in the file: it comes from the environment the installer gives the script (read from stdin).
 */
export function containerPlatformVars(v: ContainerPlatformVars): string {
  const line = (k: string, value: string) => `${k}=${shq(value)}`;
  return [
    '# COMMON ENV VARIABLE (written by cp-installer; the password comes from its environment)',
    line('HAPROXY_IP', v.haproxy),
    line('K8S_MASTER_NODE_IP', v.master),
    line('K8S_WORKER_NODE_IP', v.worker),
    line('K8S_WORKER_NODE_HOSTNAME', v.workerHostname),
    line('CP_CLUSTER_NAME', v.clusterName),
    line('MARIADB_USER_ID', v.mariadbUser),
    'MARIADB_USER_PASSWORD="${CP_MARIADB_USER_PASSWORD:?set by cp-installer}"',
    '',
  ].join('\n');
}

export interface HttpTarget {
  name: string;
  host: string;
  port: number;
}

/** One line per target: `ok <name> <status line>` or `down <name>`; bash's /dev/tcp, so the node needs no curl. */
export function httpProbeScript(targets: readonly HttpTarget[], timeoutSec = 5): string {
  return targets
    .map((t) => {
      const req = `exec 3<>/dev/tcp/${t.host}/${t.port} && printf 'GET / HTTP/1.0\\r\\nHost: ${t.host}:${t.port}\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3`;
      return `if s=$(timeout ${timeoutSec} bash -c ${shq(req)} 2>/dev/null) && [ -n "$s" ]; then echo ${shq(`ok ${t.name}`)} "$s"; else echo ${shq(`down ${t.name}`)}; fi`;
    })
    .join('; ');
}

/** The probe's output as endpoints: any HTTP status line is an answer (the portal routed it). */
export function parseHttpProbe(targets: readonly HttpTarget[], stdout: string, via: string): Endpoint[] {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  return targets.map((t) => {
    const url = `http://${t.host}:${t.port}`;
    const line = lines.find((l) => l.startsWith(`ok ${t.name} `));
    const status = line ? /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(line)?.[1] : undefined;
    if (status) return { name: t.name, url, via, state: 'ok', status: Number(status) };
    return { name: t.name, url, via, state: 'unreachable', reason: line ? `not HTTP: ${line.slice(`ok ${t.name} `.length, 80)}` : 'no answer within 5 s' };
  });
}

export function standaloneBoshSteps(plan: Plan, master: Host, needs: { start: string[]; cluster: string[] }): Step[] {
  const m = master.name;
  const worker = portalWorker(plan);
  if (!worker) throw new StepError(msg('mode.standalone.bosh.noWorker'), undefined, true);
  const middleware = boshMiddlewareSteps(plan, { px: BOSH_PX, needs, tools: ['bosh'], toolsMissing: 'mode.standalone.bosh.toolsMissing' });
  const registryOut = `${BOSH_PX}.registry`;
  const mark = `${MASTER_CONTAINER_PLATFORM}/.cp-installer-images`;

  // The same archive pushed to the same registry: what the images step records, and how it knows it is done.
  const imagesStamp = async (local: string, registry: string) => {
    const packed = await packTree(local);
    return { packed, stamp: `${registry} ${createHash('sha256').update(packed.tar).digest('hex')}` };
  };

  const images: Step = {
    id: 'cp-images',
    title: msg('mode.standalone.bosh.step.images'),
    hosts: [m],
    needs: [middlewareLast(BOSH_PX)],
    async isDone(ctx) {
      const bundle = bundlePath(ctx);
      const local = bundle ? bundleContainerPlatform(bundle) : undefined;
      const registry = ctx.outputs.get<string>(registryOut);
      if (!local || !registry) return false;
      const r = await ctx.exec(m, `cat ${shq(mark)}`, { check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === (await imagesStamp(local, registry)).stamp;
    },
    async run(ctx) {
      const bundle = bundlePath(ctx);
      const local = bundle ? bundleContainerPlatform(bundle) : undefined;
      if (!local) throw new StepError(msg('mode.standalone.bosh.noArchive'), { host: m, message: 'no container-platform in the bundle' }, true);
      const registry = ctx.outputs.require<string>(registryOut);
      const { packed, stamp } = await imagesStamp(local, registry);
      const tar = `${MASTER_CONTAINER_PLATFORM}.tar`;
      await ctx.exec(m, shellJoin(['mkdir', '-p', MASTER_CONTAINER_PLATFORM]));
      await ctx.upload(m, packed.tar, tar, { mode: 0o600, describe: `container-platform from ${local}: ${packed.files} files, sha256 ${packed.sha256}` });
      await ctx.exec(
        m,
        [
          shellJoin(['tar', '-xf', tar, '-C', MASTER_CONTAINER_PLATFORM]),
          shellJoin(['rm', '-f', tar]),
          shellJoin(['chmod', '+x', ...Object.values(SCRIPTS).map((f) => `${SCRIPT_DIR}/${f}`)]),
        ].join(' && '),
      );
      await ctx.exec(m, `cd ${shq(SCRIPT_DIR)} && ${shellJoin([`./${SCRIPTS.upload}`, registry])}`, { sudo: true, timeoutMs: 60 * 60_000 });
      await ctx.exec(m, `printf '%s\\n' ${shq(stamp)} > ${shq(mark)}`, { quiet: true });
    },
  };

  const deploy: Step = {
    id: 'cp-deploy',
    title: msg('mode.standalone.bosh.step.deploy'),
    hosts: [m, worker.name],
    needs: ['cp-images'],
    async run(ctx) {
      // The guide: "run 'hostname' on the worker node"; the node's name in Kubernetes is that hostname.
      const hn = await ctx.exec(worker.name, 'hostname', { quiet: true, dryRunResult: { stdout: worker.name } });
      const text = containerPlatformVars({
        haproxy: ctx.outputs.require<string>(`${BOSH_PX}.haproxy`),
        master: master.address,
        worker: worker.address,
        workerHostname: hn.stdout.trim(),
        clusterName: ctx.plan.cluster.name,
        mariadbUser: ctx.plan.bosh!.mariadb.adminUser,
      });
      await ctx.upload(m, text, `${SCRIPT_DIR}/${SCRIPTS.vars}`, { mode: 0o600 });
      const c = withEnv(`./${SCRIPTS.deploy}`, { KUBECONFIG: '/etc/kubernetes/admin.conf' }, { CP_MARIADB_USER_PASSWORD: secret(ctx, 'mariadbPassword') }, SCRIPT_DIR);
      await run(ctx, m, c, { sudo: true, timeoutMs: 30 * 60_000, describe: `cd ~/${SCRIPT_DIR} && ./${SCRIPTS.deploy} (MARIADB_USER_PASSWORD from its environment, on stdin)` });
    },
  };

  const targets: HttpTarget[] = Object.entries(PORTAL_NODEPORTS).map(([name, port]) => ({ name, host: worker.address, port }));
  const endpoints: Step = {
    id: 'cp-endpoints',
    title: msg('mode.standalone.bosh.step.endpoints'),
    hosts: [m],
    needs: ['cp-deploy'],
    retry: { attempts: 3, delayMs: 10_000 },
    async run(ctx) {
      const r = await ctx.exec(m, httpProbeScript(targets), { quiet: true, dryRunResult: { stdout: targets.map((t) => `ok ${t.name} HTTP/1.1 200 OK`).join('\n') } });
      const results = parseHttpProbe(targets, r.stdout, m);
      const down = results.filter((e) => e.state !== 'ok');
      for (const e of results) ctx.log(e.state === 'ok' ? `${e.url} (${e.name}): HTTP ${e.status}` : `${e.url} (${e.name}): not reachable: ${e.reason}`);
      if (down.length)
        throw new StepError(msg('mode.standalone.bosh.endpointsDown', { host: m, endpoints: down.map((d) => `${d.url} (${d.name})`).join(', ') }), { host: m, message: `not answering: ${down.map((d) => d.name).join(', ')}` });
      // The kubeconfig step hands these over with the API server (outputs.ts: portalEndpoints). They are the
      // 2021 release's portals, not v1.6's: Done shows them without that portal's first login and uninstall.
      ctx.outputs.set('portalEndpoints', results.map((e) => ({ ...e, service: true })) as unknown as OutputValue);
      ctx.progress(1, `${results.length}/${results.length} portal URLs answered`);
    },
  };

  return [...middleware, images, deploy, endpoints];
}
