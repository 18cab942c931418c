// The CaaS steps after (and beside) the Kubespray cluster, as the 2021 CaaS guide runs them by hand:
//   caas-jumpbox (CLIs, director logged in, stemcell, cloud-config) → caas-bosh-tree → caas-k8s-token → caas-middleware
//   (bosh deploy) → caas-vms → caas-registry-trust (every node) → caas-images → caas-container-service →
//   caas-endpoints → caas-broker → caas-uaa-client
// (the middleware steps up to caas-node-reach are shared with the 2021 standalone: core/modes/bosh-middleware.ts)
// BOSH, cf and uaac run on the jump box (the plan's `jumpbox` host); the container service on the first
// control plane. Every secret goes through stdin (core/tools/bosh/env.ts), and each step can tell it is done,
// so a resume re-runs only what failed.
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import { StepError, type OutputValue, type Step, type StepContext } from '../../install/step.js';
import { packTree } from '../../install/tree.js';
import { withEnv } from '../../tools/bosh/env.js';
import {
  cfApi,
  cfAuth,
  cfCreateServiceBroker,
  cfEnableServiceAccess,
  cfServiceAccess,
  cfServiceBrokers,
  cfUpdateServiceBroker,
  parseServiceAccess,
  parseServiceBrokers,
  type CfTarget,
} from '../../tools/cf/commands.js';
import { parseClientRedirects, redirectUris, uaacClientAdd, uaacClientGet, uaacClientUpdate, uaacTarget, uaacTokenClientGet, CAAS_CLIENT } from '../../tools/uaac/commands.js';
import { boshMiddlewareSteps, bundlePath, run, secret, trustRuntime } from '../bosh-middleware.js';
import { bearerToken } from '../admin-token.js';
import {
  brokerWorker,
  bundleContainerService,
  CONTAINER_SERVICE_PORTS,
  jumpboxHost,
  jumpboxWorkspace,
  MASTER_CONTAINER_SERVICE,
  SERVICE_OFFERING,
} from './layout.js';
import { httpProbeScript, parseHttpProbe } from '../standalone/bosh-middleware.js';
import { cloudConfigGaps } from '../../preflight/checks/caas.js';

const ADMIN_CONF = '/etc/kubernetes/admin.conf';

/** The container service's endpoints as the Done screen and the report name them. */
export const ENDPOINT_NAMES: Record<keyof typeof CONTAINER_SERVICE_PORTS, string> = {
  api: 'container-service-api',
  broker: 'container-service-broker',
  commonApi: 'container-service-common-api',
  dashboard: 'container-service-dashboard',
};

// The shared BOSH middleware steps and their helpers (core/modes/bosh-middleware.ts).
export { trustRuntime };

export function caasSteps(plan: Plan, needs: { start: string[]; cluster: string[] }): Step[] {
  const jump = jumpboxHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!jump || !master || !plan.bosh || !plan.paasta) throw new StepError(msg('mode.caas.plan-incomplete'), undefined, true);
  const j = jump.name;
  const m = master.name;
  const ws = jumpboxWorkspace(plan);
  const b = plan.bosh;
  const p = plan.paasta;
  const cf: CfTarget = { api: p.cfApi, skipSslValidation: p.skipSslValidation, home: `${ws}/cf` };
  const uaacHome = `${ws}/uaac`;
  const worker = brokerWorker(plan);
  const brokerUrl = `http://${worker.address}:${CONTAINER_SERVICE_PORTS.broker}`;

  const middlewareSteps = boshMiddlewareSteps(plan, { px: 'caas', needs, tools: ['bosh', 'cf', 'uaac'] });

  const images: Step = {
    id: 'caas-images',
    title: msg('mode.caas.step.images'),
    hosts: [m],
    needs: ['caas-node-reach'],
    async run(ctx) {
      const bundle = bundlePath(ctx);
      const local = bundle ? bundleContainerService(bundle) : undefined;
      if (!local) throw new StepError(msg('mode.caas.no-container-service'), { host: m, message: 'no container-service in the bundle' }, true);
      const packed = await packTree(local);
      const tar = `${MASTER_CONTAINER_SERVICE}.tar`;
      await ctx.exec(m, shellJoin(['mkdir', '-p', MASTER_CONTAINER_SERVICE]));
      await ctx.upload(m, packed.tar, tar, { mode: 0o600, describe: `container-service from ${local}: ${packed.files} files, sha256 ${packed.sha256}` });
      await ctx.exec(m, [shellJoin(['tar', '-xf', tar, '-C', MASTER_CONTAINER_SERVICE]), shellJoin(['rm', '-f', tar]), shellJoin(['chmod', '+x', ...['image-upload-caas.sh', 'container-service-deploy.sh'].map((f) => `${MASTER_CONTAINER_SERVICE}/service-script/${f}`)])].join(' && '));
      const registry = ctx.outputs.require<string>('caas.registry');
      await ctx.exec(m, `cd ${shq(`${MASTER_CONTAINER_SERVICE}/service-script`)} && ${shellJoin(['./image-upload-caas.sh', registry])}`, { sudo: true, timeoutMs: 60 * 60_000 });
    },
  };

  const containerService: Step = {
    id: 'caas-container-service',
    title: msg('mode.caas.step.container-service'),
    hosts: [m],
    needs: ['caas-images'],
    async run(ctx) {
      const haproxy = ctx.outputs.require<string>('caas.haproxy');
      const hostname = worker.host?.name ?? '';
      const text = containerServiceVars({
        systemDomain: p.systemDomain ?? new URL(p.cfApi).hostname.replace(/^api\./, ''),
        haproxy,
        master: master.address,
        worker: worker.address,
        workerHostname: hostname,
        mariadbUser: b.mariadb.adminUser,
      });
      await ctx.upload(m, text, `${MASTER_CONTAINER_SERVICE}/service-script/container-service-vars.sh`, { mode: 0o600 });
      const c = withEnv('./container-service-deploy.sh', { KUBECONFIG: ADMIN_CONF }, { CP_K8S_AUTH_BEARER_TOKEN: await bearerToken(ctx, m), CP_MARIADB_USER_PASSWORD: secret(ctx, 'mariadbPassword') }, `${MASTER_CONTAINER_SERVICE}/service-script`);
      await run(ctx, m, c, { sudo: true, timeoutMs: 30 * 60_000 });
    },
  };

  const endpoints: Step = {
    id: 'caas-endpoints',
    title: msg('mode.caas.step.endpoints'),
    hosts: [j],
    needs: ['caas-container-service'],
    retry: { attempts: 3, delayMs: 5000 },
    async run(ctx) {
      // From the jump box, where cf and uaac run: CF reaches the broker and UAA redirects to the dashboard there too.
      // Any HTTP answer counts (the broker answers 401 without its credentials, as the real one does).
      const targets = Object.entries(CONTAINER_SERVICE_PORTS).map(([name, port]) => ({ name, host: worker.address, port }));
      const r = await ctx.exec(j, httpProbeScript(targets), { quiet: true, dryRunResult: { stdout: targets.map((t) => `ok ${t.name} HTTP/1.1 200 OK`).join('\n') } });
      const results = parseHttpProbe(targets, r.stdout, j);
      const down = results.filter((e) => e.state !== 'ok');
      for (const e of results) ctx.log(e.state === 'ok' ? `${e.url} (${e.name}): HTTP ${e.status}` : `${e.url} (${e.name}): not reachable: ${e.reason}`);
      if (down.length) throw new StepError(msg('mode.caas.endpoints-down', { host: j, endpoints: down.map((d) => `${d.url.replace(/^http:\/\//, '')} (${d.name})`).join(', ') }), { host: j, message: `not answering: ${down.map((d) => d.name).join(', ')}` });
      ctx.outputs.set('caas.endpoints', Object.fromEntries(results.map((e) => [e.name, e.url])));
      // Handed over with the API server by the kubeconfig step (outputs.ts), as the Done screen's endpoints.
      ctx.outputs.set('portalEndpoints', results.map((e) => ({ ...e, name: ENDPOINT_NAMES[e.name as keyof typeof CONTAINER_SERVICE_PORTS] ?? e.name, service: true })) as unknown as OutputValue);
    },
  };

  // The CLIs keep their login (an access token) under these folders: removed once a step is through with them.
  const forget = (ctx: StepContext, dir: string) => ctx.exec(j, shellJoin(['rm', '-rf', dir]), { check: false, quiet: true });
  const cfLogin = async (ctx: StepContext) => {
    await ctx.exec(j, shellJoin(['mkdir', '-p', cf.home]), { quiet: true });
    await run(ctx, j, cfApi(cf));
    await run(ctx, j, cfAuth(cf, p.cfAdminUser, secret(ctx, 'cfAdminPassword')), { describe: `cf auth ${p.cfAdminUser} (password from CF_PASSWORD)` });
  };
  const brokerState = async (ctx: StepContext) => {
    const brokers = parseServiceBrokers((await run(ctx, j, cfServiceBrokers(cf), { quiet: true })).stdout);
    const access = brokers.get(p.brokerName) === brokerUrl ? parseServiceAccess((await run(ctx, j, cfServiceAccess(cf, p.brokerName), { quiet: true })).stdout, SERVICE_OFFERING) : [];
    return { url: brokers.get(p.brokerName), allAccess: access.length > 0 && access.every((a) => a.access === 'all') };
  };

  const broker: Step = {
    id: 'caas-broker',
    title: msg('mode.caas.step.broker'),
    hosts: [j],
    needs: ['caas-endpoints'],
    async isDone(ctx) {
      try {
        await cfLogin(ctx);
        const s = await brokerState(ctx);
        return s.url === brokerUrl && s.allAccess;
      } finally {
        await forget(ctx, cf.home);
      }
    },
    async run(ctx) {
      try {
        await cfLogin(ctx);
        const s = ctx.dryRun ? { url: undefined } : await brokerState(ctx);
        const pw = secret(ctx, 'brokerPassword');
        if (s.url === undefined) await run(ctx, j, cfCreateServiceBroker(cf, p.brokerName, p.brokerUser, brokerUrl, pw), { describe: `cf create-service-broker ${p.brokerName} ${p.brokerUser} ${brokerUrl} (password from CF_BROKER_PASSWORD)` });
        else if (s.url !== brokerUrl) await run(ctx, j, cfUpdateServiceBroker(cf, p.brokerName, p.brokerUser, brokerUrl, pw));
        await run(ctx, j, cfEnableServiceAccess(cf, SERVICE_OFFERING));
        ctx.outputs.set('caas.broker', { name: p.brokerName, url: brokerUrl });
      } finally {
        await forget(ctx, cf.home);
      }
    },
  };

  const uaaLogin = async (ctx: StepContext) => {
    await ctx.exec(j, shellJoin(['mkdir', '-p', uaacHome]), { quiet: true });
    await run(ctx, j, uaacTarget(uaacHome, p.uaaUrl, p.skipSslValidation));
    await run(ctx, j, uaacTokenClientGet(uaacHome, p.uaaAdminClient, secret(ctx, 'uaaAdminClientSecret')), { describe: `uaac token client get ${p.uaaAdminClient} (secret answered on stdin)` });
  };
  const wantRedirects = redirectUris(worker.address).split(',').map((s) => s.trim()).sort();

  const uaaClient: Step = {
    id: 'caas-uaa-client',
    title: msg('mode.caas.step.uaa'),
    hosts: [j],
    needs: ['caas-broker'],
    async isDone(ctx) {
      try {
        await uaaLogin(ctx);
        const r = await run(ctx, j, uaacClientGet(uaacHome, CAAS_CLIENT.id), { check: false, quiet: true });
        return r.code === 0 && JSON.stringify(parseClientRedirects(r.stdout).sort()) === JSON.stringify(wantRedirects);
      } finally {
        await forget(ctx, uaacHome);
      }
    },
    async run(ctx) {
      try {
        await uaaLogin(ctx);
        const got = await run(ctx, j, uaacClientGet(uaacHome, CAAS_CLIENT.id), { check: false, quiet: true, dryRunResult: { code: 1 } });
        // The guide's fix for a client with the wrong address (4.2): update its redirect URIs.
        if (got.code !== 0) await run(ctx, j, uaacClientAdd(uaacHome, worker.address, secret(ctx, 'caasClientSecret')));
        else await run(ctx, j, uaacClientUpdate(uaacHome, worker.address));
        ctx.outputs.set('caas.uaaClient', CAAS_CLIENT.id);
      } finally {
        await forget(ctx, uaacHome);
      }
    },
  };

  return [...middlewareSteps, images, containerService, endpoints, broker, uaaClient];
}

// One copy, with the preflight's CaaS checks (the jump box step keeps it as its own guard).
export { cloudConfigGaps };

export interface ContainerServiceVars {
  systemDomain: string;
  haproxy: string;
  master: string;
  worker: string;
  workerHostname: string;
  mariadbUser: string;
}

/**
 * container-service-vars.sh (guide 3.3.1) as container-service-deploy.sh sources it. The bearer token and the
 * MariaDB password are not in the file: it takes them from the environment the installer hands the script
 * (on stdin), so no secret is written to the master's disk.
 */
export function containerServiceVars(v: ContainerServiceVars): string {
  const line = (k: string, value: string) => `${k}=${shq(value)}`;
  return [
    '# COMMON ENV VARIABLE (written by cp-installer; the secrets come from its environment)',
    '',
    line('PAASTA_SYSTEM_DOMAIN', v.systemDomain),
    line('HAPROXY_IP', v.haproxy),
    line('K8S_MASTER_NODE_IP', v.master),
    line('K8S_WORKER_NODE_IP', v.worker),
    line('K8S_WORKER_NODE_HOSTNAME', v.workerHostname),
    'K8S_AUTH_BEARER_TOKEN="${CP_K8S_AUTH_BEARER_TOKEN:?set by cp-installer}"',
    line('MARIADB_USER_ID', v.mariadbUser),
    'MARIADB_USER_PASSWORD="${CP_MARIADB_USER_PASSWORD:?set by cp-installer}"',
    '',
  ].join('\n');
}

export type { Host };
