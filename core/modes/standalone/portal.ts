// The K-PaaS portal on the cluster (PAASTA.md §1.1 step 11, the v1.6 portal guide), as small resumable steps
// on master 1, after the cluster has storage and an ingress:
//   portal-archive   the archive checked here (layout, scripts, charts, versions), carried over, unpacked in
//                    ~/workspace/container-platform (skipped when the same archive is already unpacked)
//   portal-vars      cp-portal-vars.sh and Chaos Mesh's runtime from the plan; the helm resume wrapper
//   portal-deploy    deploy-cp-portal.sh with live, parsed progress; done when every component's release is
//                    deployed (a rerun keeps those, the wrapper skipping their `helm install`)
//   portal-admin     the first administrator read from cp-portal-secret, handed over once (portal-admin.ts)
//   portal-endpoints every ingress read back and requested through the ingress IP with its Host name
// Shared by the standalone and edge modes (expand-edge adds nodes to a cluster that has its portal already).
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { msg } from '../../common/messages.js';
import { sha256File } from '../../common/sha256-file.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import { StepError, type OutputValue, type Step, type StepContext } from '../../install/step.js';
import { safeName } from '../../install/logs.js';
import { apiServerUrl } from '../../outputs/kubeconfig.js';
import { endpointName, endpoints, probeEndpoint, type Endpoint } from '../../outputs/endpoints.js';
import { CHAOS_VALUES, checkPortalArchive, VARS_FILE } from '../../tools/portal/archive.js';
import {
  deployCommand,
  helmListCommand,
  helmWrapper,
  ingressListCommand,
  PORTAL_WORKSPACE,
  portalRoot,
  storageClassCommand,
  unpackCommand,
  unpackedMarkCommand,
  whichHelmCommand,
  WRAPPER_DIR,
} from '../../tools/portal/commands.js';
import { PORTAL_COMPONENTS, PORTAL_STORAGE_CLASS, PORTAL_URL_ORDER } from '../../tools/portal/components.js';
import { parseIngresses } from '../../tools/portal/ingress.js';
import { PortalProgress } from '../../tools/portal/progress.js';
import { parseHelmList, portalReleaseState } from '../../tools/portal/releases.js';
import { chaosMeshValues, portalHostDomain, renderPortalVars } from '../../tools/portal/vars.js';
import { portalAdminStep } from './portal-admin.js';

export const PORTAL_STEPS = ['portal-archive', 'portal-vars', 'portal-deploy', 'portal-admin', 'portal-endpoints'] as const;
/** The step the later ones (kubeconfig, report) wait for when the portal is installed. */
export const PORTAL_LAST = 'portal-endpoints';

/** The portal archive the plan names, else the offline bundle's `portal/cp-portal-deployment-v*.tar.gz`. */
export function portalArchive(plan: Plan): string | undefined {
  if (plan.portal.archive) return plan.portal.archive;
  const dir = plan.bundle?.path ? join(plan.bundle.path, 'portal') : undefined;
  if (!dir || !existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((f) => /^cp-portal-deployment-v[\d.]+\.(tar\.gz|tgz)$/.test(f))
    .sort()
    .map((f) => join(dir, f))
    .pop();
}

/** Whether a run of this plan installs the portal: enabled, and an archive to install it from. */
export function installsPortal(plan: Plan): boolean {
  return plan.portal.enabled && !!portalArchive(plan);
}

/** The entries of a local .tar.gz, read as a stream (the archive holds image tars: never all in memory). */
async function archiveEntries(path: string): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    names.push(header.type === 'directory' && !header.name.endsWith('/') ? `${header.name}/` : header.name);
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(createReadStream(path), createGunzip(), extract);
  return names;
}


function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** The kubeconfig the portal's tools use on master 1: the cluster's admin one (root-owned, hence sudo). */
const KUBECONFIG = '/etc/kubernetes/admin.conf';


/** Where the run keeps the portal's generated CA on this machine (public, for users to trust). */
export function portalCaPath(workdir: string, plan: Plan): string {
  return join(workdir, 'clusters', safeName(plan.cluster.name), 'portal-ca.crt');
}

async function releases(ctx: StepContext, m: string) {
  const r = await ctx.exec(m, helmListCommand(KUBECONFIG), { sudo: true, quiet: true, dryRunResult: { stdout: '[]' } });
  return portalReleaseState(parseHelmList(r.stdout));
}

export function portalSteps(plan: Plan, master: Host, needs: string[]): Step[] {
  if (!installsPortal(plan)) return [];
  const m = master.name;
  const ws = PORTAL_WORKSPACE;
  const root = portalRoot(ws);

  const archive: Step = {
    id: 'portal-archive',
    title: msg('cp-portal.step.archive', { host: m }),
    hosts: [m],
    needs,
    retry: { attempts: 2, delayMs: 5000 },
    async isDone(ctx) {
      const file = portalArchive(ctx.plan)!;
      const mark = await ctx.exec(m, unpackedMarkCommand(ws), { sudo: true, quiet: true, check: false });
      return mark.stdout.trim() !== '' && mark.stdout.trim() === (await sha256File(file)).sha256;
    },
    async run(ctx) {
      const file = portalArchive(ctx.plan)!;
      let entries: string[];
      try {
        entries = ctx.dryRun && !existsSync(file) ? [] : await archiveEntries(file);
      } catch (e) {
        throw new StepError(msg('cp-portal.archive.unreadable', { file, detail: (e as Error).message }), { host: m, message: `${file}: ${(e as Error).message}` }, true);
      }
      const check = checkPortalArchive(basename(file), entries);
      for (const w of check.warnings) ctx.log(`warning: ${w.key} ${JSON.stringify(w.params ?? {})}`);
      if (!check.ok && !ctx.dryRun) {
        const first = check.errors[0]!;
        throw new StepError(first, { host: m, message: check.errors.map((e) => `${e.key}: ${String(e.params?.path ?? e.params?.chart ?? e.params?.entry ?? '')}`).join('; ') }, true);
      }
      ctx.log(`archive ${basename(file)}: version ${check.version ?? 'unknown'}, charts ${check.charts.map((c) => `${c.chart} ${c.version}`).join(', ')}`);
      const sha = ctx.dryRun ? '<sha256>' : (await sha256File(file)).sha256;
      const remote = `${ws}/${basename(file)}`;
      await ctx.exec(m, shellJoin(['mkdir', '-p', ws]));
      // Streamed from disk and resumable (an archive with its images runs to gigabytes): a rerun after a cut
      // connection sends only the rest of the `.part` the last attempt left.
      let shown = -1;
      const sent = await ctx.uploadFile(m, file, remote, {
        mode: 0o600,
        describe: `portal archive ${basename(file)}`,
        onProgress: (done, total) => {
          const pct = total ? Math.floor((done / total) * 100) : 100;
          if (pct === shown) return;
          shown = pct;
          ctx.progress(total ? done / total : 1, `${basename(file)}: ${mib(done)} of ${mib(total)} MiB carried to ${m}`);
        },
      });
      if (!ctx.dryRun && sent.sha256 && sent.sha256 !== sha) throw new StepError(msg('install.step-error', { message: `${remote}: checksum differs after upload` }), { host: m, message: 'checksum differs after upload' });
      await ctx.exec(m, unpackCommand(ws, basename(file), sha), { sudo: true, timeoutMs: 30 * 60_000, describe: `tar -xzf ${basename(file)} in ~/${ws}` });
    },
  };

  const vars: Step = {
    id: 'portal-vars',
    title: msg('cp-portal.step.vars'),
    hosts: [m],
    needs: ['portal-archive'],
    retry: { attempts: 2, delayMs: 3000 },
    async run(ctx) {
      const p = ctx.plan;
      const domain = portalHostDomain({ domain: p.portal.domain, ingressIp: p.network.ingressIp });
      if (!domain) throw new StepError(msg('cp-portal.no-domain'), undefined, true);
      if (domain.warning) ctx.log(`warning: ${domain.domain} resolves through public DNS (nip.io) only; hosts-file line instead: ${domain.hostsSnippet}`);
      ctx.outputs.set('portalDomain', domain.domain);
      if (domain.hostsSnippet) ctx.outputs.set('portalHostsSnippet', domain.hostsSnippet);

      // The archive's own files are kept as .orig the first time, so a rerun renders from the platform's text.
      const keep = (rel: string) => `test -f ${shq(`${root}/${rel}.orig`)} || cp -p ${shq(`${root}/${rel}`)} ${shq(`${root}/${rel}.orig`)}`;
      await ctx.exec(m, `${keep(VARS_FILE)} && ${keep(CHAOS_VALUES)}`, { sudo: true, describe: `keep the archive's ${VARS_FILE} and ${CHAOS_VALUES}` });

      let tls: { mode: 'auto' } | { mode: 'provided'; certPath: string; keyPath: string } = { mode: 'auto' };
      if (p.portal.tls.mode === 'provided' && p.portal.tls.certFile && p.portal.tls.keyFile) {
        const home = (await ctx.exec(m, 'printf %s "$HOME"', { quiet: true, dryRunResult: { stdout: '/home/user' } })).stdout.trim();
        const dir = `${ws}/tls`;
        await ctx.exec(m, shellJoin(['mkdir', '-p', dir]));
        await ctx.upload(m, ctx.dryRun ? '' : readFileSync(p.portal.tls.certFile), `${dir}/tls.crt`, { mode: 0o644, describe: p.portal.tls.certFile });
        await ctx.upload(m, ctx.dryRun ? '' : readFileSync(p.portal.tls.keyFile), `${dir}/tls.key`, { mode: 0o600, describe: `${p.portal.tls.keyFile} (private key)` });
        tls = { mode: 'provided', certPath: `${home}/${dir}/tls.crt`, keyPath: `${home}/${dir}/tls.key` };
      }
      const original = (await ctx.download(m, `${root}/${VARS_FILE}.orig`, { sudo: true, dryRunResult: Buffer.from('') })).toString('utf8');
      const master1 = ctx.hostByName(m);
      const rendered = renderPortalVars(original, {
        masterIp: master1.address,
        apiServer: apiServerUrl(p),
        hostDomain: domain.domain,
        storageClass: PORTAL_STORAGE_CLASS,
        tls,
      });
      for (const c of rendered.changes) ctx.log(`${c.name}: ${c.old === undefined ? '(not in the file)' : c.old} → ${c.value}`);
      await ctx.upload(m, rendered.text, `${root}/${VARS_FILE}`, { sudo: true, mode: 0o600 });

      const chaosOrig = (await ctx.download(m, `${root}/${CHAOS_VALUES}.orig`, { sudo: true, dryRunResult: Buffer.from('chaosDaemon: {}\n') })).toString('utf8');
      const chaos = chaosMeshValues(chaosOrig, p.cluster.runtime);
      ctx.log(`${CHAOS_VALUES}: chaosDaemon.runtime ${p.cluster.runtime}${chaos.changed ? ' (changed)' : ' (kept)'}`);
      await ctx.upload(m, chaos.text, `${root}/${CHAOS_VALUES}`, { sudo: true, mode: 0o644 });

      const real = (await ctx.exec(m, whichHelmCommand(), { sudo: true, quiet: true, check: false, dryRunResult: { stdout: '/usr/local/bin/helm\n' } })).stdout.trim();
      if (!real) throw new StepError(msg('install.step-error', { message: `helm is not installed on ${m}` }), { host: m, message: 'helm: command not found' });
      await ctx.exec(m, shellJoin(['mkdir', '-p', `${root}/${WRAPPER_DIR}`]), { sudo: true });
      await ctx.upload(m, helmWrapper(real), `${root}/${WRAPPER_DIR}/helm`, { sudo: true, mode: 0o755, describe: `helm resume wrapper over ${real}` });
    },
  };

  const deploy: Step = {
    id: 'portal-deploy',
    title: msg('cp-portal.step.deploy'),
    hosts: [m],
    needs: ['portal-vars'],
    async isDone(ctx) {
      const s = await releases(ctx, m);
      return s.missing.length === 0 && s.broken.length === 0;
    },
    async run(ctx) {
      const sc = await ctx.exec(m, storageClassCommand(KUBECONFIG, PORTAL_STORAGE_CLASS), { sudo: true, quiet: true, check: false });
      if (sc.code !== 0) throw new StepError(msg('cp-portal.no-storage-class', { name: PORTAL_STORAGE_CLASS }), { host: m, message: sc.stderr.trim() || `storageclass ${PORTAL_STORAGE_CLASS} not found` }, true);
      const before = await releases(ctx, m);
      if (before.deployed.length) ctx.log(`already deployed, kept: ${before.deployed.join(', ')}`);
      if (before.broken.length) ctx.log(`left ${before.broken.map((b) => `${b.name} ${b.status}`).join(', ')} by an earlier attempt: installed again`);
      const progress = new PortalProgress();
      for (const name of before.deployed) progress.states.set(name, 'kept');
      ctx.progress(progress.summary().fraction, progress.summary().detail);
      const onLine = (line: string) => {
        const u = progress.feed(line);
        if (u) ctx.progress(u.fraction, u.detail);
      };
      const r = await ctx.exec(m, deployCommand(root, KUBECONFIG), {
        sudo: true,
        check: false,
        timeoutMs: 90 * 60_000,
        collect: false,
        onStdout: onLine,
        onStderr: onLine,
        describe: `cd ~/${root}/script && ./deploy-cp-portal.sh`,
      });
      if (ctx.dryRun) return;
      // The script's exit status is not enough (it goes on past some failures): the releases decide.
      const after = await releases(ctx, m);
      const notDone = [...after.broken.map((b) => `${b.name} (${b.status})`), ...after.missing];
      if (notDone.length) {
        throw new StepError(msg('cp-portal.releases-missing', { components: notDone.join(', ') }), {
          host: m,
          task: progress.current ? `deploy-cp-portal.sh: ${progress.current}` : 'deploy-cp-portal.sh',
          message: `exit ${r.code ?? r.signal}; not installed: ${notDone.join(', ')}`,
        });
      }
      ctx.progress(1, `${PORTAL_COMPONENTS.length}/${PORTAL_COMPONENTS.length} components installed`);
    },
  };

  const check: Step = {
    id: 'portal-endpoints',
    title: msg('cp-portal.step.endpoints'),
    hosts: [m],
    needs: ['portal-admin'],
    retry: { attempts: 3, delayMs: 10_000 },
    async run(ctx) {
      const p = ctx.plan;
      const list = await ctx.exec(m, ingressListCommand(KUBECONFIG), { sudo: true, quiet: true, dryRunResult: { stdout: '{"items":[]}' } });
      if (ctx.dryRun) return;
      const namespaces = new Set(PORTAL_COMPONENTS.map((c) => c.namespace));
      const domain = ctx.outputs.get<string>('portalDomain') ?? portalHostDomain({ domain: p.portal.domain, ingressIp: p.network.ingressIp })?.domain;
      const ingresses = parseIngresses(list.stdout).filter((i) => namespaces.has(i.namespace));
      if (ingresses.length === 0) throw new StepError(msg('cp-portal.no-ingress'), { host: m, message: 'kubectl get ingress -A: no ingress in the portal namespaces' });
      // The generated CA (TLS_CERT_AUTO_GENERATED): fetched to check against and for users to trust.
      let ca: string | undefined;
      let caPath: string | undefined;
      if (p.portal.tls.mode === 'auto') {
        const got = await ctx.exec(m, `cat ${shq(`${root}/certs/ca.crt`)}`, { sudo: true, quiet: true, check: false });
        if (got.code === 0 && got.stdout.includes('BEGIN CERTIFICATE')) {
          ca = got.stdout;
          caPath = portalCaPath(ctx.workdir, p);
          await ctx.writeLocal(caPath, ca, 0o644);
        } else ctx.log(`no generated CA at ~/${root}/certs/ca.crt: certificates are checked against the system's CAs`);
      }
      const order = (host: string) => {
        const i = PORTAL_URL_ORDER.indexOf(endpointName(host, domain) as (typeof PORTAL_URL_ORDER)[number]);
        return i < 0 ? PORTAL_URL_ORDER.length : i;
      };
      ingresses.sort((a, b) => order(a.host) - order(b.host) || a.host.localeCompare(b.host));
      const results: Endpoint[] = [];
      for (const ing of ingresses) {
        const address = p.network.ingressIp ?? ing.addresses[0];
        const url = `${ing.tls ? 'https' : 'http'}://${ing.host}`;
        const name = endpointName(ing.host, domain);
        const e: Endpoint = address
          ? await probeEndpoint(name, url, { address, ca, timeoutMs: 10_000 })
          : { name, url, state: 'unreachable', reason: 'the ingress has no address and the plan no ingress IP' };
        if (caPath && e.state === 'ok') e.caPath = caPath;
        results.push(e);
        ctx.log(
          e.state === 'ok'
            ? `${url} via ${address}: HTTP ${e.status}${e.certificate ? `, certificate ${e.certificate.trusted ? 'trusted' : `NOT trusted (${e.certificate.problem})`}, ${e.certificate.fingerprint256}` : ''}`
            : `${url}${address ? ` via ${address}` : ''}: not reachable: ${e.reason}`,
        );
      }
      const down = results.filter((e) => e.state !== 'ok');
      if (down.length) ctx.log(`warning: ${down.length} portal URL(s) did not answer: ${down.map((d) => d.url).join(', ')}`);
      ctx.outputs.set('portalEndpoints', results as unknown as OutputValue);
      // A mode without a kubeconfig step of its own (edge) shows them too; standalone's sets the same list later.
      ctx.outputs.set('endpoints', endpoints(p, results) as unknown as OutputValue);
      ctx.progress(1, `${results.length - down.length}/${results.length} portal URLs answered`);
    },
  };

  return [archive, vars, deploy, portalAdminStep(m, ['portal-deploy']), check];
}
