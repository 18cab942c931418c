// The 2021 release's BOSH middleware (HAProxy, MariaDB, private image repository) as the CaaS, spray and edge
// guides all deploy it from the v1.0.4 tree's `bosh/`, shared by the caas mode and the standalone/edge modes
// of that release:
//   <px>-jumpbox (CLIs, director logged in, stemcell, cloud-config) → <px>-bosh-tree, and once the cluster is up
//   <px>-k8s-token (the cluster-admin ServiceAccount's token, core/modes/admin-token.ts) → <px>-middleware
//   (bosh deploy, k8s_auth_bearer from that token) → <px>-vms → <px>-registry-trust (every node) → <px>-node-reach
// `px` names the steps and their outputs (`<px>.haproxy`, `<px>.mariadb`, `<px>.registry`): the caas mode keeps
// `caas` so its journals resume as before. BOSH runs on the plan's `jumpbox` host; every secret goes through
// stdin (core/tools/bosh/env.ts), and each step can tell it is done, so a resume re-runs only what failed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { msg } from '../common/messages.js';
import { shellJoin, shq } from '../common/quote.js';
import { Secret } from '../common/secret.js';
import { clusterNodes, hostsWithRole, type Plan } from '../plan/schema.js';
import { SERVICE_SECRETS, type ServiceSecretKind } from '../plan/secrets.js';
import { StepError, type Step, type StepContext } from '../install/step.js';
import { packTree } from '../install/tree.js';
import { boshCloudConfig, boshDeploy, boshEnvironment, boshStemcells, boshUploadStemcell, boshVms, type Director } from '../tools/bosh/commands.js';
import type { EnvCommand } from '../tools/bosh/env.js';
import { manifestFile, middlewareDeploy, planVars, renderVarsFile, PLAN_VARS_FILE, treeVarsFile, OFFLINE_RELEASE_DIR } from '../tools/bosh/middleware.js';
import { describeBoshFailure, newBoshTaskState, parseBoshLine, stageDetail } from '../tools/bosh/parser.js';
import { checkVariables } from '../tools/bosh/variables.js';
import { middlewareAddresses, parseBoshVms, parseDirectorUuid, parseStemcells } from '../tools/bosh/vms.js';
import { cloudConfigGaps } from '../preflight/checks/caas.js';
import { bundleBoshTree, bundleRelease, bundleStemcells, jumpboxHost, jumpboxTree, jumpboxWorkspace, masterAddress } from './caas/layout.js';
import { probeDown, tcpProbeScript } from './caas/probe.js';
import { adminTokenStep, bearerToken } from './admin-token.js';
import { registryTrustScript, type TrustRuntime } from './caas/registry-trust.js';


export function secret(ctx: StepContext, kind: ServiceSecretKind): Secret {
  const s = ctx.secrets.service?.[kind];
  // A dry run shows commands, never stdin: it needs no secret, so it asks for none.
  if ((!s || s.isEmpty) && ctx.dryRun) return Secret.of(`<${kind}>`, kind);
  if (!s || s.isEmpty) throw new StepError(msg('mode.caas.secret-missing', { kind, env: SERVICE_SECRETS[kind].env }), { message: `${kind} not given` }, true);
  return s;
}

export function director(ctx: StepContext): Director {
  const b = ctx.plan.bosh!;
  return { environment: b.environment ?? b.directorAddress, client: b.client, ...(b.caCertFile ? { caCert: b.caCertFile } : {}), clientSecret: secret(ctx, 'boshClientSecret') };
}

/** Runs an env command (its secrets on stdin). */
export function run(ctx: StepContext, host: string, c: EnvCommand, options: Parameters<StepContext['exec']>[2] = {}) {
  return ctx.exec(host, c.command, { ...options, ...(c.stdin ? { stdin: c.stdin } : {}) });
}

export function bundlePath(ctx: StepContext): string | undefined {
  return ctx.plan.bundle?.path.replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
}

export function releaseFile(treeVarsText: string): string {
  const v = parse(treeVarsText) as Record<string, unknown>;
  return `${String(v.container_platform_release_name ?? 'paasta-container-platform')}-${String(v.container_platform_release_version ?? '1.0')}.tgz`;
}

/** The node runtime the trust goes to: the release's Docker (2021), else the plan's runtime. */
export function trustRuntime(ctx: StepContext): TrustRuntime {
  return ctx.release.runtimes.docker ? 'docker' : ctx.plan.cluster.runtime === 'containerd' ? 'containerd' : 'crio';
}


export interface MiddlewareStepsOptions {
  /** Prefix of the step ids and outputs. */
  px: string;
  /** The jump box step's needs (the run's start), and what the token and registry trust wait for (the cluster). */
  needs: { start: string[]; cluster: string[] };
  /** The CLIs the jump box must have: bosh, and cf/uaac where the mode drives PaaS-TA too. */
  tools: readonly string[];
  /** The message for missing CLIs (its remedy names what this mode needs); `mode.caas.tools-missing` by default. */
  toolsMissing?: string;
}

/** The id of the last middleware step: what the steps on the cluster after it wait for. */
export function middlewareLast(px: string): string {
  return `${px}-node-reach`;
}

export function boshMiddlewareSteps(plan: Plan, o: MiddlewareStepsOptions): Step[] {
  const jump = jumpboxHost(plan);
  const master = hostsWithRole(plan, 'control-plane')[0];
  if (!jump || !master || !plan.bosh) throw new StepError(msg('mode.caas.bosh-incomplete'), undefined, true);
  const { px, needs } = o;
  const j = jump.name;
  const ws = jumpboxWorkspace(plan);
  const tree = jumpboxTree(plan);
  const b = plan.bosh;

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
    id: `${px}-jumpbox`,
    title: msg('mode.caas.step.jumpbox'),
    hosts: [j],
    needs: needs.start,
    async run(ctx) {
      const tools = await ctx.exec(j, `for t in ${o.tools.map((t) => shq(t)).join(' ')}; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done`, { quiet: true });
      const missing = tools.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
      if (missing.length) throw new StepError(msg(o.toolsMissing ?? 'mode.caas.tools-missing', { host: j, tools: missing.join(', ') }), { host: j, message: `not found: ${missing.join(', ')}` }, true);
      const d = director(ctx);
      const env = await run(ctx, j, boshEnvironment(d), { check: false, quiet: true, timeoutMs: 60_000, dryRunResult: { stdout: '{"Tables":[{"Rows":[{"uuid":"<director uuid>"}]}]}' } });
      if (env.code !== 0)
        throw new StepError(msg('mode.caas.director', { host: j, director: d.environment, detail: ctx.redact((env.stderr || env.stdout).trim().split('\n').slice(-3).join(' ')) }), { host: j, message: `bosh environment failed (${env.code})` });
      ctx.outputs.set(`${px}.directorUuid`, parseDirectorUuid(env.stdout));
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
    id: `${px}-bosh-tree`,
    title: msg('mode.caas.step.tree'),
    hosts: [j],
    needs: [`${px}-jumpbox`],
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

  // The guide's order: the cluster first, its admin token, then the deploy that carries it (k8s_auth_bearer).
  const token = adminTokenStep(px, master, needs.cluster);

  const middleware: Step = {
    id: `${px}-middleware`,
    title: msg('mode.caas.step.middleware'),
    hosts: [j],
    needs: [`${px}-bosh-tree`, token.id],
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
      const uuid = ctx.outputs.require<string>(`${px}.directorUuid`);
      const user = await ctx.exec(j, 'id -un', { quiet: true, dryRunResult: { stdout: ctx.plan.hosts.find((h) => h.name === j)?.user ?? 'ubuntu' } });
      const vars = renderVarsFile(await readTree(ctx, treeVarsFile(b.iaas)), planVars(ctx.plan, { apiServer: masterAddress(master), jumpboxUser: user.stdout.trim() }));
      for (const c of vars.changes) ctx.log(`${PLAN_VARS_FILE}: ${c}`);
      await ctx.upload(j, vars.text, `${tree}/${PLAN_VARS_FILE}`, { mode: 0o600 });
      const spec = middlewareDeploy(ctx.plan, { treeDir: tree, directorUuid: uuid });
      const secretVars = { mariadb_admin_user_password: secret(ctx, 'mariadbPassword'), k8s_auth_bearer: await bearerToken(ctx, master.name) };
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
    id: `${px}-vms`,
    title: msg('mode.caas.step.vms'),
    hosts: [j],
    needs: [`${px}-middleware`],
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
      ctx.outputs.set(`${px}.haproxy`, a.haproxy);
      ctx.outputs.set(`${px}.mariadb`, a.mariadb);
      ctx.outputs.set(`${px}.registry`, `${a.haproxy}:${b.registry.port}`);
    },
  };

  const nodes = clusterNodes(plan).map((h) => h.name);
  const trust: Step = {
    id: `${px}-registry-trust`,
    title: msg('mode.caas.step.trust'),
    hosts: nodes,
    needs: [`${px}-vms`, ...needs.cluster],
    perHost: true,
    async run(ctx) {
      const registry = ctx.outputs.require<string>(`${px}.registry`);
      await ctx.exec(ctx.host!.name, registryTrustScript(trustRuntime(ctx), registry), { sudo: true, describe: `trust ${registry} in the ${trustRuntime(ctx)} configuration (insecure registry) and restart it if changed` });
    },
  };

  // The CaaS guide's nodes pull from <HAProxy>:5001 and the container service reaches MariaDB: both from every node.
  const reach: Step = {
    id: `${px}-node-reach`,
    title: msg('mode.caas.step.reach'),
    hosts: nodes,
    needs: [`${px}-registry-trust`],
    perHost: true,
    async run(ctx) {
      const host = ctx.host!.name;
      const targets = [
        { name: 'registry', host: ctx.outputs.require<string>(`${px}.haproxy`), port: b.registry.port },
        { name: 'mariadb', host: ctx.outputs.require<string>(`${px}.mariadb`), port: b.mariadb.port },
      ];
      const r = await ctx.exec(host, tcpProbeScript(targets), { quiet: true, dryRunResult: { stdout: 'ok registry\nok mariadb' } });
      const down = probeDown(targets, r.stdout);
      if (down.length)
        throw new StepError(msg('mode.caas.node-reach', { host, endpoints: down.map((d) => `${d.host}:${d.port} (${d.name})`).join(', ') }), { host, message: `cannot reach ${down.map((d) => `${d.host}:${d.port}`).join(', ')}` });
    },
  };

  return [jumpboxStep, treeStep, token, middleware, vmsStep, trust, reach];
}
