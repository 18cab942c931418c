// The CaaS steps after (and beside) the Kubespray cluster, as the 2021 CaaS guide runs them by hand:
//   caas-jumpbox (CLIs, director logged in, stemcell, cloud-config) → caas-bosh-tree → caas-middleware
//   (bosh deploy) → caas-vms → caas-registry-trust (every node) → caas-images → caas-container-service →
//   caas-endpoints → caas-broker → caas-uaa-client
// BOSH, cf and uaac run on the jump box (the plan's `jumpbox` host); the container service on the first
// control plane. Every secret goes through stdin (core/tools/bosh/env.ts), and each step can tell it is done,
// so a resume re-runs only what failed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { Secret } from '../../common/secret.js';
import { clusterNodes, hostsWithRole, type Host, type Plan } from '../../plan/schema.js';
import { SERVICE_SECRETS, type ServiceSecretKind } from '../../plan/secrets.js';
import { StepError, type Step, type StepContext } from '../../install/step.js';
import { packTree } from '../../install/tree.js';
import {
  boshCloudConfig,
  boshDeploy,
  boshEnvironment,
  boshStemcells,
  boshUploadStemcell,
  boshVms,
  type Director,
} from '../../tools/bosh/commands.js';
import type { EnvCommand } from '../../tools/bosh/env.js';
import { withEnv } from '../../tools/bosh/env.js';
import { manifestFile, middlewareDeploy, planVars, renderVarsFile, PLAN_VARS_FILE, treeVarsFile, OFFLINE_RELEASE_DIR } from '../../tools/bosh/middleware.js';
import { describeBoshFailure, newBoshTaskState, parseBoshLine, stageDetail } from '../../tools/bosh/parser.js';
import { checkVariables } from '../../tools/bosh/variables.js';
import { middlewareAddresses, parseBoshVms, parseDirectorUuid, parseStemcells } from '../../tools/bosh/vms.js';
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
import {
  brokerWorker,
  bundleBoshTree,
  bundleContainerService,
  bundleRelease,
  bundleStemcells,
  CONTAINER_SERVICE_PORTS,
  jumpboxHost,
  jumpboxTree,
  jumpboxWorkspace,
  MASTER_CONTAINER_SERVICE,
  masterAddress,
  SERVICE_OFFERING,
} from './layout.js';
import { probeDown, tcpProbeScript } from './probe.js';
import { registryTrustScript, type TrustRuntime } from './registry-trust.js';

const ADMIN_CONF = '/etc/kubernetes/admin.conf';

function secret(ctx: StepContext, kind: ServiceSecretKind): Secret {
  const s = ctx.secrets.service?.[kind];
  // A dry run shows commands, never stdin: it needs no secret, so it asks for none.
  if ((!s || s.isEmpty) && ctx.dryRun) return Secret.of(`<${kind}>`, kind);
  if (!s || s.isEmpty) throw new StepError(msg('mode.caas.secret-missing', { kind, env: SERVICE_SECRETS[kind].env }), { message: `${kind} not given` }, true);
  return s;
}

function director(ctx: StepContext): Director {
  const b = ctx.plan.bosh!;
  return { environment: b.environment ?? b.directorAddress, client: b.client, ...(b.caCertFile ? { caCert: b.caCertFile } : {}), clientSecret: secret(ctx, 'boshClientSecret') };
}

/** Runs an env command (its secrets on stdin). */
function run(ctx: StepContext, host: string, c: EnvCommand, options: Parameters<StepContext['exec']>[2] = {}) {
  return ctx.exec(host, c.command, { ...options, ...(c.stdin ? { stdin: c.stdin } : {}) });
}

function bundlePath(ctx: StepContext): string | undefined {
  return ctx.plan.bundle?.path.replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
}

function releaseFile(treeVarsText: string): string {
  const v = parse(treeVarsText) as Record<string, unknown>;
  return `${String(v.container_platform_release_name ?? 'paasta-container-platform')}-${String(v.container_platform_release_version ?? '1.0')}.tgz`;
}

/** The node runtime the trust goes to: the release's Docker (2021), else the plan's runtime. */
export function trustRuntime(ctx: StepContext): TrustRuntime {
  return ctx.release.runtimes.docker ? 'docker' : ctx.plan.cluster.runtime === 'containerd' ? 'containerd' : 'crio';
}

export function caasSteps(plan: Plan, needs: { start: string[]; cluster: string[] }): Step[] {
  const jump = jumpboxHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!jump || !master || !plan.bosh || !plan.paasta) throw new StepError(msg('mode.caas.plan-incomplete'), undefined, true);
  const j = jump.name;
  const m = master.name;
  const ws = jumpboxWorkspace(plan);
  const tree = jumpboxTree(plan);
  const b = plan.bosh;
  const p = plan.paasta;
  const cf: CfTarget = { api: p.cfApi, skipSslValidation: p.skipSslValidation, home: `${ws}/cf` };
  const uaacHome = `${ws}/uaac`;
  const worker = brokerWorker(plan);
  const brokerUrl = `http://${worker.address}:${CONTAINER_SERVICE_PORTS.broker}`;

  const treeText = (ctx: StepContext, rel: string): string | Promise<Buffer> => {
    const local = bundlePath(ctx) && !b.treePath ? bundleBoshTree(bundlePath(ctx)!) : undefined;
    if (local) return readFileSync(join(local, rel), 'utf8');
    return ctx.download(j, `${tree}/${rel}`);
  };
  const readTree = async (ctx: StepContext, rel: string): Promise<string> => {
    const t = treeText(ctx, rel);
    return typeof t === 'string' ? t : (await t).toString('utf8');
  };

  const jumpboxStep: Step = {
    id: 'caas-jumpbox',
    title: msg('mode.caas.step.jumpbox'),
    hosts: [j],
    needs: needs.start,
    async run(ctx) {
      const tools = await ctx.exec(j, 'for t in bosh cf uaac; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', { quiet: true });
      const missing = tools.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
      if (missing.length) throw new StepError(msg('mode.caas.tools-missing', { host: j, tools: missing.join(', ') }), { host: j, message: `not found: ${missing.join(', ')}` }, true);
      const d = director(ctx);
      const env = await run(ctx, j, boshEnvironment(d), { check: false, quiet: true, timeoutMs: 60_000, dryRunResult: { stdout: '{"Tables":[{"Rows":[{"uuid":"<director uuid>"}]}]}' } });
      if (env.code !== 0)
        throw new StepError(msg('mode.caas.director', { host: j, director: d.environment, detail: ctx.redact((env.stderr || env.stdout).trim().split('\n').slice(-3).join(' ')) }), { host: j, message: `bosh environment failed (${env.code})` });
      ctx.outputs.set('caas.directorUuid', parseDirectorUuid(env.stdout));
      // The deploy needs the plan's stemcell on the director: uploaded from the bundle when it is not there.
      const stem = await run(ctx, j, boshStemcells(d), { quiet: true, dryRunResult: { stdout: '{"Tables":[{"Rows":[]}]}' } });
      const have = ctx.dryRun ? [] : parseStemcells(stem.stdout);
      if (!have.some((s) => s.os === b.stemcell.os && s.version === b.stemcell.version)) {
        const files = bundlePath(ctx) ? bundleStemcells(bundlePath(ctx)!) : [];
        const file = files.find((f) => f.includes(b.stemcell.version)) ?? files[0];
        if (!file && !ctx.dryRun) throw new StepError(msg('mode.caas.stemcell', { host: j, os: b.stemcell.os, version: b.stemcell.version }), { host: j, message: `stemcell ${b.stemcell.os}/${b.stemcell.version} missing` }, true);
        if (file) {
          const remote = `${ws}/${file.split('/').pop()}`;
          await ctx.exec(j, shellJoin(['mkdir', '-p', ws]));
          await ctx.upload(j, readFileSync(file), remote, { mode: 0o600, describe: `stemcell ${file}` });
          await run(ctx, j, boshUploadStemcell(d, remote), { timeoutMs: 60 * 60_000 });
          await ctx.exec(j, shellJoin(['rm', '-f', remote]));
        }
      }
      const cc = await run(ctx, j, boshCloudConfig(d), { quiet: true, dryRunResult: { stdout: '' } });
      if (!ctx.dryRun) {
        const gaps = cloudConfigGaps(ctx.plan, cc.stdout);
        if (gaps.length) throw new StepError(msg('mode.caas.cloud-config', { gaps: gaps.join('; ') }), { host: j, message: gaps.join('; ') }, true);
      }
    },
  };

  const treeStep: Step = {
    id: 'caas-bosh-tree',
    title: msg('mode.caas.step.tree'),
    hosts: [j],
    needs: ['caas-jumpbox'],
    async isDone(ctx) {
      const r = await ctx.exec(j, `test -f ${shq(`${tree}/${manifestFile(b.iaas)}`)}`, { check: false, quiet: true });
      if (r.code !== 0 || !b.offlineReleases) return r.code === 0;
      const rel = releaseFile(await readTree(ctx, treeVarsFile(b.iaas)));
      return (await ctx.exec(j, `test -f ${shq(`${OFFLINE_RELEASE_DIR}/${rel}`)}`, { check: false, quiet: true })).code === 0;
    },
    async run(ctx) {
      const bundle = bundlePath(ctx);
      if (!b.treePath) {
        const local = bundle ? bundleBoshTree(bundle) : undefined;
        if (!local) throw new StepError(msg('mode.caas.no-tree'), { host: j, message: 'no bosh tree' }, true);
        const packed = await packTree(local);
        const tar = `${ws}/bosh-tree.tar`;
        await ctx.exec(j, shellJoin(['mkdir', '-p', ws, tree]));
        await ctx.upload(j, packed.tar, tar, { mode: 0o600, describe: `the v1.0.4 tree's bosh/ from ${local}: ${packed.files} files, sha256 ${packed.sha256}` });
        await ctx.exec(j, [shellJoin(['tar', '-xf', tar, '-C', tree]), shellJoin(['chmod', '-R', 'u+w', tree]), shellJoin(['rm', '-f', tar])].join(' && '));
      } else {
        await ctx.exec(j, `test -f ${shq(`${tree}/${manifestFile(b.iaas)}`)}`, { describe: `check ${tree} holds the v1.0.4 tree's bosh/` });
      }
      if (b.offlineReleases) {
        const rel = releaseFile(await readTree(ctx, treeVarsFile(b.iaas)));
        const local = bundle ? bundleRelease(bundle, rel) : undefined;
        if (!local) throw new StepError(msg('mode.caas.no-release', { file: rel }), { host: j, message: `${rel} not in the bundle` }, true);
        await ctx.exec(j, shellJoin(['mkdir', '-p', OFFLINE_RELEASE_DIR]));
        await ctx.upload(j, readFileSync(local), `${OFFLINE_RELEASE_DIR}/${rel}`, { mode: 0o644, describe: `release ${local}` });
      }
    },
  };

  const middleware: Step = {
    id: 'caas-middleware',
    title: msg('mode.caas.step.middleware'),
    hosts: [j],
    needs: ['caas-bosh-tree'],
    async isDone(ctx) {
      const r = await run(ctx, j, boshVms(director(ctx), b.deployment), { check: false, quiet: true });
      if (r.code !== 0) return false;
      try {
        middlewareAddresses(parseBoshVms(r.stdout), b.haproxyAddress);
        return true;
      } catch {
        return false;
      }
    },
    async run(ctx) {
      const uuid = ctx.outputs.require<string>('caas.directorUuid');
      const user = await ctx.exec(j, 'id -un', { quiet: true, dryRunResult: { stdout: ctx.plan.hosts.find((h) => h.name === j)?.user ?? 'ubuntu' } });
      const vars = renderVarsFile(await readTree(ctx, treeVarsFile(b.iaas)), planVars(ctx.plan, { apiServer: masterAddress(master), jumpboxUser: user.stdout.trim() }));
      for (const c of vars.changes) ctx.log(`${PLAN_VARS_FILE}: ${c}`);
      await ctx.upload(j, vars.text, `${tree}/${PLAN_VARS_FILE}`, { mode: 0o600 });
      const spec = middlewareDeploy(ctx.plan, { treeDir: tree, directorUuid: uuid });
      const secretVars = { mariadb_admin_user_password: secret(ctx, 'mariadbPassword'), k8s_auth_bearer: secret(ctx, 'k8sBearerToken') };
      if (!ctx.dryRun) {
        // The CLI would send the director a manifest with a hole in it; say which variable and where first.
        const check = checkVariables({
          manifest: await readTree(ctx, spec.manifest),
          opsFiles: await Promise.all(spec.opsFiles.map(async (path) => ({ path, text: await readTree(ctx, path) }))),
          varsFiles: [{ path: PLAN_VARS_FILE, text: vars.text }],
          given: [...Object.keys(spec.vars), ...Object.keys(secretVars)],
        });
        if (check.missing.length)
          throw new StepError(msg('mode.caas.unresolved', { vars: check.missing.map((v) => `((${v.name})) in ${v.usedIn}`).join(', ') }), { host: j, message: `unresolved: ${check.missing.map((v) => v.name).join(', ')}` }, true);
      }
      const state = newBoshTaskState();
      const cmd = boshDeploy(director(ctx), { ...spec, secretVars });
      const r = await run(ctx, j, cmd, {
        check: false,
        timeoutMs: 3 * 60 * 60_000,
        describe: `bosh -n -d ${spec.deployment} deploy ${spec.manifest} ${spec.varsFiles.map((f) => `-l ${f}`).join(' ')} --vars-env CP_BOSH_VAR ${spec.opsFiles.map((f) => `-o ${f}`).join(' ')} ${Object.entries(spec.vars).map(([k, v]) => `-v ${k}=${v}`).join(' ')}`,
        onStdout: (line) => {
          for (const e of parseBoshLine(line, state)) {
            if (e.kind === 'stage') ctx.progress(state.started ? state.finished / Math.max(state.started, 1) : undefined, `Task ${e.task}: ${stageDetail(e)}`);
          }
        },
      });
      if (r.code !== 0 || state.failed) {
        for (const l of r.stderr.split('\n')) parseBoshLine(l, state);
        const first = describeBoshFailure(state) ?? ctx.redact((r.stderr || r.stdout).trim().split('\n').slice(-3).join(' '));
        throw new StepError(msg('mode.caas.deploy-failed', { task: String(state.failed?.task ?? state.task ?? '?'), detail: first }), {
          host: j,
          ...(state.failed?.stage ? { task: `${state.failed.stage}${state.failed.item ? `: ${state.failed.item}` : ''}` } : {}),
          message: first,
        });
      }
    },
  };

  const vmsStep: Step = {
    id: 'caas-vms',
    title: msg('mode.caas.step.vms'),
    hosts: [j],
    needs: ['caas-middleware'],
    async run(ctx) {
      const r = await run(ctx, j, boshVms(director(ctx), b.deployment), {
        quiet: true,
        dryRunResult: { stdout: JSON.stringify({ Tables: [{ Rows: [
          { instance: 'haproxy/<id>', process_state: 'running', ips: `<private>\n${b.haproxyAddress ?? '<haproxy>'}` },
          { instance: 'mariadb/<id>', process_state: 'running', ips: '<mariadb>' },
          { instance: 'private-image-repository/<id>', process_state: 'running', ips: '<registry>' },
        ] }] }) },
      });
      let a;
      try {
        a = middlewareAddresses(parseBoshVms(r.stdout), b.haproxyAddress);
      } catch (e) {
        throw new StepError(msg('mode.caas.vms', { detail: (e as Error).message }), { host: j, message: (e as Error).message });
      }
      ctx.log(`HAProxy ${a.haproxy} (private ${a.haproxyPrivate}), MariaDB ${a.mariadb}:${b.mariadb.port}, registry ${a.registry} (through HAProxy ${a.haproxy}:${b.registry.port})`);
      ctx.outputs.set('caas.haproxy', a.haproxy);
      ctx.outputs.set('caas.mariadb', a.mariadb);
      ctx.outputs.set('caas.registry', `${a.haproxy}:${b.registry.port}`);
    },
  };

  const nodes = clusterNodes(plan).map((h) => h.name);
  const trust: Step = {
    id: 'caas-registry-trust',
    title: msg('mode.caas.step.trust'),
    hosts: nodes,
    needs: ['caas-vms', ...needs.cluster],
    perHost: true,
    async run(ctx) {
      const registry = ctx.outputs.require<string>('caas.registry');
      await ctx.exec(ctx.host!.name, registryTrustScript(trustRuntime(ctx), registry), { sudo: true, describe: `trust ${registry} in the ${trustRuntime(ctx)} configuration (insecure registry) and restart it if changed` });
    },
  };

  // The CaaS guide's nodes pull from <HAProxy>:5001 and the container service reaches MariaDB: both from every node.
  const reach: Step = {
    id: 'caas-node-reach',
    title: msg('mode.caas.step.reach'),
    hosts: nodes,
    needs: ['caas-registry-trust'],
    perHost: true,
    async run(ctx) {
      const host = ctx.host!.name;
      const targets = [
        { name: 'registry', host: ctx.outputs.require<string>('caas.haproxy'), port: b.registry.port },
        { name: 'mariadb', host: ctx.outputs.require<string>('caas.mariadb'), port: b.mariadb.port },
      ];
      const r = await ctx.exec(host, tcpProbeScript(targets), { quiet: true, dryRunResult: { stdout: 'ok registry\nok mariadb' } });
      const down = probeDown(targets, r.stdout);
      if (down.length)
        throw new StepError(msg('mode.caas.node-reach', { host, endpoints: down.map((d) => `${d.host}:${d.port} (${d.name})`).join(', ') }), { host, message: `cannot reach ${down.map((d) => `${d.host}:${d.port}`).join(', ')}` });
    },
  };

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
      const c = withEnv('./container-service-deploy.sh', { KUBECONFIG: ADMIN_CONF }, { CP_K8S_AUTH_BEARER_TOKEN: secret(ctx, 'k8sBearerToken'), CP_MARIADB_USER_PASSWORD: secret(ctx, 'mariadbPassword') }, `${MASTER_CONTAINER_SERVICE}/service-script`);
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
      const targets = Object.entries(CONTAINER_SERVICE_PORTS).map(([name, port]) => ({ name, host: worker.address, port }));
      const r = await ctx.exec(j, tcpProbeScript(targets), { quiet: true, dryRunResult: { stdout: targets.map((t) => `ok ${t.name}`).join('\n') } });
      const down = probeDown(targets, r.stdout);
      const urls = Object.fromEntries(targets.map((t) => [t.name, `http://${t.host}:${t.port}`]));
      if (down.length) throw new StepError(msg('mode.caas.endpoints-down', { host: j, endpoints: down.map((d) => `${d.host}:${d.port} (${d.name})`).join(', ') }), { host: j, message: `not answering: ${down.map((d) => d.name).join(', ')}` });
      ctx.log(`answering: ${Object.values(urls).join(', ')}`);
      ctx.outputs.set('caas.endpoints', urls);
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

  return [jumpboxStep, treeStep, middleware, vmsStep, trust, reach, images, containerService, endpoints, broker, uaaClient];
}

/** What the director's cloud-config lacks of what the plan names (networks, VM types, AZs, disk types). */
export function cloudConfigGaps(plan: Plan, text: string): string[] {
  const b = plan.bosh!;
  let doc: Record<string, Array<{ name?: string }>>;
  // The CLI frames the YAML with its own lines (`Using environment …`, `Succeeded`).
  const yamlText = text
    .split('\n')
    .filter((l) => !/^(Using environment '|Succeeded$)/.test(l))
    .join('\n');
  try {
    doc = (parse(yamlText) ?? {}) as Record<string, Array<{ name?: string }>>;
  } catch {
    return ['bosh cloud-config did not print YAML'];
  }
  const names = (k: string) => new Set((doc[k] ?? []).map((x) => x?.name));
  const out: string[] = [];
  const need = (k: string, field: string, values: string[]) => {
    const have = names(k);
    for (const v of new Set(values)) if (!have.has(v)) out.push(`${k} has no "${v}" (${field})`);
  };
  need('networks', 'bosh.networks', [b.networks.private, b.networks.privateNat, b.networks.public]);
  need('vm_types', 'bosh.vmTypes', [b.vmTypes.small, b.vmTypes.containerSmall]);
  need('azs', 'bosh.azs', [...b.azs.haproxy, ...b.azs.mariadb, ...b.azs.registry]);
  need('disk_types', 'bosh.mariadb.diskType / bosh.registry.diskType', [b.mariadb.diskType, b.registry.diskType]);
  return out;
}

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
