// A site without internet, served from the deployer (issue 13, "upload and serve"): small steps, each safe
// to run again and each knowing when it is done.
//   bundle-upload    the bundle file (plan bundle.file) to ~/cp-installer-offline/, resumable at the byte, the
//                    host's sha256 of the whole file checked against ours before it gets its name
//   bundle-unpack    unpacked there, every file checked against the manifest's sha256 (sha256sum -c), then
//                    swapped into place; the uploaded file is removed (a marker keeps which bundle it was)
//   files-repo       the bundle's files/ over HTTP on :8080 (Kubespray's files_repo), a supervised service
//   registry-cert    the deployer's registry's CA and server certificate, made there with openssl once and kept
//                    (issued again only for a changed address); skipped for plain HTTP (bundle.registryTls: false)
//   registry         the distribution registry from the bundle on :5000 over HTTPS with that certificate — unless
//                    the plan names a site registry
//   image-load       every OCI archive of the bundle into that registry with skopeo; an image whose digest is
//                    there already is not copied again (a rerun loads 0)
//   node-registries  every node's runtime pointed at that registry for each upstream registry (containerd
//                    hosts.toml / CRI-O registries.conf.d), with its CA (the deployer's, or the site registry's
//                    caFile) or plain HTTP as the plan says
//   offline-tree     the fork's templates made to read kubeadm's imageRepository from the inventory
// The inventory (core/tools/kubespray/group-vars.ts) sets Kubespray's offline variables and the fork's
// hard-coded image repositories again; the dry run shows each of them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readManifest, type BuiltManifest } from '../../bundle/archive.js';
import { registryUrl } from '../../bundle/manifest.js';
import { msg } from '../../common/messages.js';
import { SERVICE_SECRETS } from '../../plan/secrets.js';
import { shellJoin, shq } from '../../common/quote.js';
import { clusterNodes, FILES_REPO_PORT, innerAddress, LOCAL_REGISTRY_PORT, loginUser, offlineRegistry, registryHasCa, type Host, type OfflineRegistry, type Plan } from '../../plan/schema.js';
import { archOf } from '../../tools/hostprep/plan.js';
import { KUBEADM_REPO_VAR, patchKubeadmRepoCommand } from '../../tools/kubespray/offline-images.js';
import { mirrorEntries, runtimeRegistryFiles, upstreamRegistries, containerdCaPath, containersCaPath } from '../../tools/registry/mirrors.js';
import {
  archiveDigestCommand,
  authDirCommand,
  authJson,
  filesServiceSpec,
  loadImageCommand,
  OFFLINE_DIR,
  OFFLINE_LAYOUT,
  parseRegistryCert,
  registryCertScript,
  registryConfig,
  registryConfigPath,
  registryServiceSpec,
  registryTlsFiles,
  remoteDigestCommand,
  specHash,
  supervisorPaths,
  supervisorRunningCommand,
  supervisorScript,
  supervisorStartCommand,
  systemdInstallCommand,
  systemdUnit,
  UNPACKED_MARK,
  waitHttpCommand,
  type ServiceSpec,
  type SkopeoTls,
} from '../../tools/registry/services.js';
import { likelyHome } from '../dry-home.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { bundledChartsEdit, chartArchive } from './charts.js';
import { ImageCollision, imageLoads, imageRegistries, type ImageLoad } from './images.js';

export const OFFLINE_STEP_IDS = ['bundle-upload', 'bundle-unpack', 'files-repo', 'registry-cert', 'registry', 'image-load', 'node-registries', 'offline-tree'] as const;

function localPath(p: string): string {
  return p.replace(/^~(?=\/|$)/, process.env.HOME ?? '~');
}

/** The bundle file on this machine, with `~` expanded. */
export function bundleFile(plan: Plan): string | undefined {
  return plan.bundle?.file ? localPath(plan.bundle.file) : undefined;
}

/** Where the file goes on the deployer (relative to the login user's home) and its marker once there. */
export function remoteBundle(plan: Plan): { file: string; done: string } {
  const file = `${OFFLINE_DIR}/${basename(bundleFile(plan) ?? 'bundle.tar')}`;
  return { file, done: `${file}.done` };
}

/** sha256sum's check list for the unpacked bundle: every file the manifest lists, with its sha256. */
export function checkList(m: Pick<BuiltManifest, 'artifacts'>): string {
  return m.artifacts.flatMap((a) => a.entries.map((e) => `${e.sha256}  ${e.path}\n`)).join('');
}

/** The steps the kubespray playbook must wait for in an offline run. */
export function offlineGate(plan: Plan): string[] {
  const reg = offlineRegistry(plan);
  const ids: string[] = [];
  if (plan.bundle?.file) ids.push('files-repo', 'image-load');
  if (reg) ids.push('node-registries', 'offline-tree');
  return ids;
}

function gib(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** The platform's tree on the deployer, as deployer-tree places it (~/cp-deployment; modes/deployer.ts). */
const TREE_ROOT = 'cp-deployment';


/**
 * Keeps a service running on the deployer: a systemd unit where systemd runs, else the supervisor loop;
 * (re)started when it is down or its configuration changed; then its URL must answer.
 */
async function ensureService(ctx: StepContext, d: string, spec: ServiceSpec, description: string, config = ''): Promise<void> {
  const hash = specHash(spec, config);
  const systemd = await ctx.exec(d, 'test -d /run/systemd/system && command -v systemctl >/dev/null', { check: false, quiet: true, describe: 'does systemd run here', dryRunResult: { code: 0 } });
  if (systemd.code === 0) {
    const unitFile = `${spec.runDir}/${spec.name}.service`;
    await ctx.upload(d, `# cp-installer spec ${hash}\n${systemdUnit(spec, description)}`, unitFile, { mode: 0o644 });
    await ctx.exec(d, systemdInstallCommand(spec, unitFile), { sudo: true, describe: `${spec.name}: a systemd unit, restarted whenever it exits (${spec.argv.join(' ')})` });
  } else {
    const running = await ctx.exec(d, supervisorRunningCommand(spec, hash), { check: false, quiet: true, describe: `is ${spec.name} running with this configuration` });
    if (running.code !== 0 || ctx.dryRun) {
      await ctx.upload(d, supervisorScript(spec), supervisorPaths(spec).script, { mode: 0o755 });
      await ctx.exec(d, supervisorStartCommand(spec, hash), { describe: `${spec.name}: no systemd here, so a supervisor that starts it again a second after it exits (${spec.argv.join(' ')})` });
    } else ctx.log(`${spec.name} runs already with this configuration`, { host: d });
  }
  const up = await ctx.exec(d, waitHttpCommand(spec.health, 30, spec.healthCa), { check: false, quiet: true, describe: `wait for ${spec.health} to answer` });
  if (up.code !== 0) {
    const log = await ctx.exec(d, `tail -n 5 ${shq(supervisorPaths(spec).log)} 2>/dev/null || journalctl -u ${shq(spec.name)} -n 5 --no-pager 2>/dev/null; true`, { check: false, quiet: true });
    const detail = ctx.redact([up.stdout.trim(), log.stdout.trim()].filter(Boolean).join(' | '));
    throw new StepError(msg('offline.service-down', { host: d, service: spec.name, url: spec.health, detail }), { host: d, message: `${spec.health}: ${detail}` });
  }
  ctx.log(`${spec.name} answers at ${spec.health}`, { host: d });
}

/**
 * `o.nodes`: whose runtimes are pointed at the registry (default: the Kubespray cluster's nodes); `o.tree:
 * false` for a run without the platform's tree (the edge modes: kubeadm and keadm take the registry as flags).
 */
export function offlineSteps(plan: Plan, deployer: Host, needs: string[], treeNeeds: string[] = ['deployer-tree'], o: { nodes?: Host[]; tree?: boolean } = {}): Step[] {
  const reg = offlineRegistry(plan);
  if (!reg) return [];
  const d = deployer.name;
  const file = bundleFile(plan);
  const remote = remoteBundle(plan);
  const inner = innerAddress(deployer);
  const nodes = o.nodes ?? clusterNodes(plan);
  const steps: Step[] = [];
  /** The deployer's own registry over HTTPS: its certificate is made on the deployer before it starts. */
  const localTls = reg.local && !reg.insecure;

  // The manifest is read once from the local file (its first entries only; its own checksum checked).
  type LocalManifest = { manifest?: BuiltManifest; manifestSha256?: string; problem?: string };
  let manifest: Promise<LocalManifest> | undefined;
  const readLocal = (): Promise<LocalManifest> =>
    (manifest ??= (async (): Promise<LocalManifest> => {
      if (!file || !existsSync(file)) return { problem: 'missing' };
      const r = await readManifest(file);
      if (!r.manifest || r.problems.length) return { problem: r.problems.map((p) => p.detail ?? `${p.path}: ${p.problem}`).join('; ') || 'no manifest' };
      return { manifest: r.manifest, ...(r.manifestSha256 ? { manifestSha256: r.manifestSha256 } : {}) };
    })());
  /** The manifest, or in a dry run nothing when the file is not at hand (the dry run does not need it). */
  const needManifest = async (ctx: StepContext): Promise<{ manifest: BuiltManifest; sha: string } | undefined> => {
    const r = await readLocal();
    if (r.manifest && r.manifestSha256) return { manifest: r.manifest, sha: r.manifestSha256 };
    if (ctx.dryRun) {
      ctx.log(`the bundle ${file ?? '(none)'} is not at hand${r.problem && r.problem !== 'missing' ? ` (${r.problem})` : ''}: a real run reads its manifest here`, { host: d });
      return undefined;
    }
    if (r.problem === 'missing') throw new StepError(msg('offline.bundle-missing', { path: file ?? '' }), { message: `${file}: no such file` }, true);
    throw new StepError(msg('offline.bundle-damaged', { path: file ?? '', detail: r.problem ?? '' }), { message: r.problem ?? '' }, true);
  };
  const home = async (ctx: StepContext) => (await ctx.exec(d, 'pwd', { quiet: true, dryRunResult: { stdout: `${likelyHome(ctx.plan, deployer)}\n` } })).stdout.trim();
  const unpackedSha = async (ctx: StepContext) => (await ctx.exec(d, `cat ${shq(`${OFFLINE_LAYOUT.bundle}/${UNPACKED_MARK}`)} 2>/dev/null; true`, { quiet: true, check: false })).stdout.trim();

  if (file) {
    steps.push({
      id: 'bundle-upload',
      title: msg('offline.step.upload', { host: d }),
      hosts: [d],
      needs,
      // A cut connection: the next attempt continues at the byte where this one stopped.
      retry: { attempts: 3, delayMs: 3000 },
      async isDone(ctx) {
        const m = await needManifest(ctx);
        if (!m) return false;
        if ((await unpackedSha(ctx)) === m.sha) return true;
        const size = statSync(file).size;
        const r = await ctx.exec(d, `cat ${shq(remote.done)} 2>/dev/null && stat -c %s ${shq(remote.file)}`, { quiet: true, check: false });
        return r.code === 0 && r.stdout.trim() === `${m.sha} ${size}\n${size}`;
      },
      async run(ctx) {
        const m = await needManifest(ctx);
        const size = existsSync(file) ? statSync(file).size : 0;
        const describe = `the bundle ${file}${m ? ` (${m.manifest.release}, ${m.manifest.artifacts.length} artifacts, manifest sha256 ${m.sha})` : ''}, ${size ? gib(size) : 'size known once it is at hand'}: resumable at the byte, the host's sha256 checked against this machine's`;
        const started = Date.now();
        let firstDone: number | undefined;
        const r = await ctx.uploadFile(d, file, remote.file, {
          mode: 0o600,
          describe,
          // The rate is this attempt's (a resumed upload's bytes already there are not counted as sent now).
          onProgress: (done, total) => {
            const first = (firstDone ??= done);
            const secs = (Date.now() - started) / 1000;
            const rate = secs > 0.5 ? `, ${((done - first) / secs / 1024 / 1024).toFixed(1)} MiB/s` : '';
            ctx.progress(total ? done / total : undefined, `${gib(done)} of ${gib(total)}${rate}`);
          },
        });
        if (ctx.dryRun || !m) return;
        ctx.log(`uploaded in ${((Date.now() - started) / 1000).toFixed(1)} s, sha256 ${r.sha256} on both ends`, { host: d });
        await ctx.exec(d, `printf '%s\\n' ${shq(`${m.sha} ${size}`)} > ${shq(remote.done)}`);
      },
    });

    steps.push({
      id: 'bundle-unpack',
      title: msg('offline.step.unpack', { host: d }),
      hosts: [d],
      needs: ['bundle-upload'],
      retry: { attempts: 2, delayMs: 2000 },
      async isDone(ctx) {
        const m = await needManifest(ctx);
        return !!m && (await unpackedSha(ctx)) === m.sha;
      },
      async run(ctx) {
        const m = await needManifest(ctx);
        const next = `${OFFLINE_LAYOUT.bundle}.new`;
        const sums = `${OFFLINE_DIR}/bundle.sha256sums`;
        await ctx.upload(d, m ? checkList(m.manifest) : '', sums, { mode: 0o644, describe: m ? `sha256 of the ${m.manifest.artifacts.reduce((n, a) => n + a.entries.length, 0)} files the manifest lists` : 'sha256 of every file the manifest lists' });
        await ctx.exec(d, [shellJoin(['rm', '-rf', next]), shellJoin(['mkdir', '-p', next]), shellJoin(['tar', '-xf', remote.file, '-C', next])].join(' && '), {
          timeoutMs: 60 * 60_000,
          describe: `unpack ${remote.file} into ~/${next}`,
        });
        const check = await ctx.exec(d, `cd ${shq(next)} && sha256sum -c --quiet ${shq(`../${basename(sums)}`)}`, { check: false, timeoutMs: 60 * 60_000, describe: `check every unpacked file against the manifest's sha256` });
        if (check.code !== 0) {
          const bad = `${check.stdout}\n${check.stderr}`.split('\n').map((l) => l.trim()).filter((l) => /: FAILED|No such file/.test(l));
          // The file on the host is not what was built: it goes, so the next attempt uploads it again.
          await ctx.exec(d, shellJoin(['rm', '-rf', next, remote.file, remote.done]), { check: false });
          // Permanent: a retry of this step has nothing to unpack; a resumed run uploads the file again first.
          throw new StepError(msg('offline.bundle-damaged', { path: `${d}:~/${remote.file}`, detail: bad.slice(0, 5).join('; ') || `exit ${check.code}` }), { host: d, message: bad.join('; ') }, true);
        }
        await ctx.exec(
          d,
          [
            shellJoin(['rm', '-rf', OFFLINE_LAYOUT.bundle]),
            shellJoin(['mv', next, OFFLINE_LAYOUT.bundle]),
            `printf '%s\\n' ${shq(m?.sha ?? '')} > ${shq(`${OFFLINE_LAYOUT.bundle}/${UNPACKED_MARK}`)}`,
            // The unpacked copy is what is served: the uploaded file would only double the disk used.
            shellJoin(['rm', '-f', remote.file]),
          ].join(' && '),
          { describe: `~/${OFFLINE_LAYOUT.bundle}: the checked files in place; the uploaded file removed` },
        );
      },
    });

    steps.push({
      id: 'files-repo',
      title: msg('offline.step.files-repo', { host: d, port: FILES_REPO_PORT }),
      hosts: [d],
      needs: ['bundle-unpack'],
      retry: { attempts: 2, delayMs: 2000 },
      // Every run checks it answers (and starts it when it does not): nothing to skip.
      async run(ctx) {
        const h = await home(ctx);
        const spec = filesServiceSpec({ home: h, user: loginUser(ctx.plan, deployer), address: inner, port: FILES_REPO_PORT });
        await ctx.exec(d, shellJoin(['mkdir', '-p', OFFLINE_LAYOUT.run, `${OFFLINE_LAYOUT.bundle}/files`]));
        await ensureService(ctx, d, spec, 'cp-installer: the offline bundle\'s files (Kubespray files_repo)');
        ctx.outputs.set('filesRepo', `http://${inner}:${FILES_REPO_PORT}`);
      },
    });

    if (localTls) {
      // The nodes reach the registry at the deployer's inner address; its other address is in the SAN too, for a
      // host that reaches it there. Every run checks the certificate (a kept one costs one openssl verify).
      const addresses = [...new Set([inner, deployer.address])];
      steps.push({
        id: 'registry-cert',
        title: msg('offline.step.registry-cert', { host: d }),
        hosts: [d],
        needs,
        retry: { attempts: 2, delayMs: 1000 },
        async run(ctx) {
          const r = await ctx.exec(d, registryCertScript({ registry: reg.address, addresses, host: d }), {
            check: false,
            quiet: true,
            describe: `the registry's CA (once; its key 0600 in ~/${OFFLINE_LAYOUT.tls}, never copied off ${d}) and a server certificate for ${addresses.join(', ')} signed by it, with openssl; kept on a rerun unless the address changed`,
            dryRunResult: { stdout: `status: would be made or kept\nserver-sha256: ${'0'.repeat(64)}\n-----BEGIN CERTIFICATE-----\n(the CA made on ${d})\n-----END CERTIFICATE-----\n` },
          });
          const cert = r.code === 0 ? parseRegistryCert(r.stdout) : undefined;
          if (!cert && !ctx.dryRun) {
            const detail = ctx.redact((r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`).split('\n').slice(-5).join(' | '));
            throw new StepError(msg('offline.registry-cert-failed', { host: d, detail }), { host: d, message: detail }, r.code === 3);
          }
          const status = cert?.status ?? 'kept';
          ctx.log(status === 'kept' ? `the registry's certificate for ${addresses.join(', ')} is kept (it verifies against its CA)` : status === 'issued' ? `a new server certificate for ${addresses.join(', ')}, signed by the CA kept on ${d}` : `a new CA on ${d} and a server certificate for ${addresses.join(', ')}`, { host: d });
          ctx.outputs.set('registryCa', cert?.ca ?? `(the CA made on ${d})\n`);
          ctx.outputs.set('registryCertSha256', cert?.serverSha256 ?? '');
        },
      });
    }

    if (reg.local) {
      steps.push({
        id: 'registry',
        title: msg('offline.step.registry', { host: d, address: reg.address }),
        hosts: [d],
        needs: localTls ? ['bundle-unpack', 'registry-cert'] : ['bundle-unpack'],
        retry: { attempts: 2, delayMs: 2000 },
        async run(ctx) {
          const h = await home(ctx);
          const m = await needManifest(ctx);
          const uname = (await ctx.exec(d, 'uname -m', { quiet: true, dryRunResult: { stdout: 'x86_64\n' } })).stdout.trim();
          const arch = archOf(uname);
          const url = arch ? registryUrl(arch) : undefined;
          const artifact = m?.manifest.artifacts.find((a) => a.source === url);
          if (m && (!arch || !artifact)) throw new StepError(msg('offline.no-registry-binary', { host: d, arch: arch ?? uname }), { host: d, message: `the bundle has no ${url ?? `registry for ${uname}`}` }, true);
          const archive = `${OFFLINE_LAYOUT.bundle}/${artifact?.entries[0]?.path ?? artifact?.path ?? `files/${(url ?? '').replace(/^https:\/\//, '')}`}`;
          await ctx.exec(d, [shellJoin(['mkdir', '-p', OFFLINE_LAYOUT.bin, OFFLINE_LAYOUT.run, OFFLINE_LAYOUT.registry]), shellJoin(['tar', '-xzf', archive, '-C', OFFLINE_LAYOUT.bin, 'registry']), shellJoin(['chmod', '755', `${OFFLINE_LAYOUT.bin}/registry`])].join(' && '), {
            describe: `the distribution registry from the bundle (${basename(archive)}) into ~/${OFFLINE_LAYOUT.bin}`,
          });
          const config = registryConfig({ home: h, address: inner, port: LOCAL_REGISTRY_PORT, ...(localTls ? { tls: registryTlsFiles(h) } : {}) });
          await ctx.upload(d, config, registryConfigPath(h), { mode: 0o644 });
          const spec = registryServiceSpec({ home: h, user: loginUser(ctx.plan, deployer), address: inner, port: LOCAL_REGISTRY_PORT, tls: localTls });
          // A certificate issued again (a changed address) restarts the registry: it reads it only when it starts.
          const certSha = localTls ? (ctx.outputs.get<string>('registryCertSha256') ?? '') : '';
          await ensureService(ctx, d, spec, 'cp-installer: the site\'s image registry (distribution)', `${config}\n${artifact?.entries[0]?.sha256 ?? ''}\n${certSha}`);
          ctx.outputs.set('registry', reg.address);
        },
      });
    }

    steps.push({
      id: 'image-load',
      title: msg('offline.step.image-load', { host: d, address: reg.address }),
      hosts: [d],
      needs: reg.local ? ['registry'] : ['bundle-unpack'],
      retry: { attempts: 2, delayMs: 5000 },
      async run(ctx) {
        const h = await home(ctx);
        const m = await needManifest(ctx);
        let loads: ImageLoad[];
        try {
          loads = m ? imageLoads(m.manifest, reg.address) : [];
        } catch (e) {
          if (e instanceof ImageCollision) throw new StepError(msg('offline.image-collision', { target: e.target, a: e.sources[0], b: e.sources[1] }), { host: d, message: e.message }, true);
          throw e;
        }
        const skopeo = await findSkopeo(ctx, d, h, m?.manifest);
        // A site registry with a login: its auth.json in a private folder for this step only (never on argv).
        const base = await skopeoTls(ctx, d, h, reg);
        const login = await registryLogin(ctx, d, reg);
        const tls: SkopeoTls = { ...base, ...(login ? { authFile: login.file } : {}) };
        try {
          const tmp = `${h}/${OFFLINE_DIR}/tmp`;
          await ctx.exec(d, shellJoin(['mkdir', '-p', tmp]));
          if (!m) ctx.log(`each image of the bundle would go to ${reg.address}/<its path without the upstream host>`, { host: d });
          let loaded = 0;
          let present = 0;
          let bytes = 0;
          const started = Date.now();
          for (const [i, l] of loads.entries()) {
            ctx.progress(i / loads.length, `${l.source} → ${l.target}`);
            const archive = `${h}/${OFFLINE_LAYOUT.bundle}/${l.archive}`;
            const want = l.digest ?? `sha256:${(await ctx.exec(d, archiveDigestCommand(skopeo, archive, tmp), { quiet: true, describe: `digest of ${l.archive}` })).stdout.trim()}`;
            const there = async () => {
              const r = await ctx.exec(d, remoteDigestCommand(skopeo, l.target, tls), { quiet: true, check: false, describe: `is ${l.target} in the registry` });
              const sum = r.stdout.trim();
              return sum ? `sha256:${sum}` : '';
            };
            if (!ctx.dryRun && (await there()) === want) {
              present++;
              continue;
            }
            await ctx.exec(d, loadImageCommand(skopeo, archive, l.target, tls, tmp), { timeoutMs: 60 * 60_000, describe: `load ${l.source} → ${l.target}` });
            if (ctx.dryRun) continue;
            const got = await there();
            if (got !== want) throw new StepError(msg('offline.image-failed', { image: l.source, target: l.target, detail: `digest ${got || 'none'}, the bundle's ${want}` }), { host: d, message: `${l.target}: ${got || 'not there'} after the copy` });
            const entry = m?.manifest.artifacts.find((a) => a.kind === 'image' && (a.entries[0]?.path ?? a.path) === l.archive)?.entries[0];
            bytes += entry?.size ?? 0;
            loaded++;
            ctx.log(`loaded ${l.source} → ${l.target} (${want})`, { host: d });
          }
          const secs = (Date.now() - started) / 1000;
          ctx.progress(1, `${loaded} loaded, ${present} already there`);
          ctx.log(`${loads.length} images: ${loaded} loaded (${gib(bytes)} in ${secs.toFixed(1)} s), ${present} already there with the same digest`, { host: d });
          ctx.outputs.set('imagesLoaded', loaded);
          ctx.outputs.set('imagesPresent', present);
        } finally {
          await login?.remove();
        }
      },
    });
  }

  // Every node's runtime: each upstream registry mirrored by the site registry.
  steps.push({
    id: 'node-registries',
    title: msg('offline.step.node-registries', { address: reg.address }),
    hosts: nodes.map((h) => h.name),
    // The deployer's CA is made by registry-cert (its text handed on in the run's outputs).
    needs: localTls ? [...new Set([...needs, 'registry-cert'])] : needs,
    perHost: true,
    retry: { attempts: 2, delayMs: 2000 },
    // Rewriting the same files changes nothing: every run writes them (a node may have been reinstalled).
    async run(ctx) {
      const host = ctx.host!.name;
      const m = file ? await readLocal() : undefined;
      const refs = m?.manifest ? imageRegistries(imageLoads(m.manifest, reg.address)) : [];
      const entries = mirrorEntries(reg, upstreamRegistries(refs, reg.address));
      const runtime = ctx.plan.cluster.runtime;
      const files = runtimeRegistryFiles(runtime, entries);
      const ca = !registryHasCa(reg) ? undefined : reg.local ? ctx.outputs.require<string>('registryCa') : readFileSync(localPath(reg.caFile!), 'utf8');
      // containerd reads the CA its hosts.toml names (crictl and nerdctl with it); CRI-O and skopeo on a node look
      // in containers' certs.d. A CRI-O node gets only the latter: nothing there reads /etc/containerd.
      if (ca) files.push(...(runtime === 'containerd' ? [[containerdCaPath(reg.address), ca] as [string, string]] : []), [containersCaPath(reg.address), ca]);
      const dirs = [...new Set(files.map(([p]) => p.slice(0, p.lastIndexOf('/'))))];
      await ctx.exec(host, shellJoin(['mkdir', '-p', ...dirs]), { sudo: true });
      for (const [path, text] of files) await ctx.upload(host, text, path, { sudo: true, mode: 0o644 });
      ctx.log(`${runtime}: ${entries.map((e) => e.prefix).join(', ')} → ${reg.insecure ? 'http' : 'https'}://${reg.address}${ca ? ' (its CA installed)' : ''}`, { host });
      // A running CRI-O reads its registries again on reload; containerd reads hosts.toml at each pull.
      if (runtime === 'crio') {
        await ctx.exec(host, 'if command -v systemctl >/dev/null && systemctl is-active --quiet crio; then systemctl reload crio; fi', { sudo: true, check: false, describe: 'reload CRI-O if it runs' });
      }
    },
  });

  steps.push({
    id: 'offline-tree',
    title: msg('offline.step.tree', { host: d }),
    hosts: [d],
    // The bundle unpacked first: the platform roles' charts are copied from it into the tree.
    needs: file ? [...treeNeeds, 'bundle-unpack'] : treeNeeds,
    retry: { attempts: 2, delayMs: 1000 },
    // Runs after every placement of the tree (the edit is idempotent: an edited line no longer matches).
    async run(ctx) {
      // The Kubespray tree as deployer-tree places it (~/cp-deployment/<the release's subdir>).
      const sub = ctx.release.kubespray.subdir;
      const dir = sub ? `${TREE_ROOT}/${sub}` : TREE_ROOT;
      const r = await ctx.exec(d, patchKubeadmRepoCommand(dir), { describe: `~/${dir}: kubeadm's imageRepository read from ${KUBEADM_REPO_VAR} instead of the fork's literal` });
      const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
      for (const line of lines) {
        const [path = '', left = ''] = line.split(' ');
        if (left !== '0') throw new StepError(msg('offline.tree-literal', { host: d, file: `${dir}/${path}` }), { host: d, message: `${path}: ${left} lines still name the fork's registry` }, true);
        ctx.log(`${dir}/${path}: imageRepository: {{ ${KUBEADM_REPO_VAR} }} (the inventory sets it to ${reg.address}/k8s)`, { host: d });
      }
      if (!ctx.dryRun && lines.length === 0) ctx.log(`${dir}: no template hard-codes kubeadm's imageRepository`, { host: d });
      await chartsFromBundle(ctx, d, TREE_ROOT, dir, file ? `${OFFLINE_LAYOUT.bundle}/charts` : undefined);
    },
  });

  return o.tree === false ? steps.filter((s) => s.id !== 'offline-tree') : steps;
}

/**
 * The platform roles that `helm repo add` a repository on the internet (cp/storage) install the bundle's chart
 * archive instead (charts.ts): each archive copied into the tree from the deployer's unpacked bundle
 * (`remoteCharts`), else uploaded from the plan's bundle folder on this machine; then the task file edited. A
 * chart in neither stops the run here, named, rather than 2 minutes into the playbook at `helm repo add`.
 */
async function chartsFromBundle(ctx: StepContext, d: string, treeRoot: string, ksDir: string, remoteCharts: string | undefined): Promise<void> {
  const listed = await ctx.exec(d, `cd ${shq(ksDir)} && grep -l 'helm[[:space:]]*repo[[:space:]]*add' roles/cp/*/tasks/*.yml 2>/dev/null; true`, {
    quiet: true,
    check: false,
    describe: `~/${ksDir}: the platform roles that add a Helm repository`,
  });
  const localCharts = ctx.plan.bundle?.path ? join(localPath(ctx.plan.bundle.path), 'charts') : undefined;
  for (const task of listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const text = (await ctx.exec(d, `cat ${shq(`${ksDir}/${task}`)}`, { quiet: true, describe: `read ${ksDir}/${task}` })).stdout;
    const edit = bundledChartsEdit(text);
    for (const left of edit.left) ctx.log(`${ksDir}/${task}: left as it is (no values file in the tree to put the chart beside): ${left}`, { host: d });
    if (edit.charts.length === 0) continue;
    for (const c of edit.charts) {
      const name = chartArchive(c.chart, c.version);
      const dest = `${treeRoot}/${c.file}`;
      const there = remoteCharts ? await ctx.exec(d, `test -f ${shq(`${remoteCharts}/${name}`)}`, { quiet: true, check: false }) : { code: 1 };
      if (there.code === 0) {
        await ctx.exec(d, [shellJoin(['mkdir', '-p', dest.slice(0, dest.lastIndexOf('/'))]), shellJoin(['install', '-m', '0644', `${remoteCharts}/${name}`, dest])].join(' && '), { describe: `chart ${name} from the bundle into ~/${dest}` });
      } else if (localCharts && existsSync(join(localCharts, name))) {
        await ctx.exec(d, shellJoin(['mkdir', '-p', dest.slice(0, dest.lastIndexOf('/'))]));
        await ctx.upload(d, readFileSync(join(localCharts, name)), dest, { mode: 0o644, describe: `chart ${join(localCharts, name)}` });
      } else {
        throw new StepError(msg('offline.chart-missing', { host: d, chart: name, task: `${ksDir}/${task}`, repo: c.repo }), { host: d, message: `${name}: not in the bundle (${task} would reach ${c.repo})` }, true);
      }
      ctx.log(`${ksDir}/${task}: ${c.chart} ${c.version} from ~/${dest} instead of ${c.repo}`, { host: d });
    }
    await ctx.upload(d, edit.text, `${ksDir}/${task}`, { mode: 0o644, describe: `${ksDir}/${task}: helm install of the bundle's chart, no repository` });
  }
}

/** skopeo on the deployer: the bundle's pinned static build for its architecture, else the deployer's own. */
async function findSkopeo(ctx: StepContext, d: string, home: string, m: BuiltManifest | undefined): Promise<string> {
  const uname = (await ctx.exec(d, 'uname -m', { quiet: true, dryRunResult: { stdout: 'x86_64\n' } })).stdout.trim();
  const arch = archOf(uname) ?? uname;
  const shipped = m?.artifacts.find((a) => a.kind === 'file' && a.source.endsWith(`/skopeo-linux-${arch}`));
  if (shipped) {
    const bin = `${home}/${OFFLINE_LAYOUT.bin}/skopeo`;
    await ctx.exec(d, [shellJoin(['mkdir', '-p', OFFLINE_LAYOUT.bin]), shellJoin(['install', '-m', '0755', `${OFFLINE_LAYOUT.bundle}/${shipped.entries[0]?.path ?? shipped.path}`, bin])].join(' && '), {
      describe: `skopeo from the bundle (${shipped.source})`,
    });
    return bin;
  }
  const own = await ctx.exec(d, 'command -v skopeo', { quiet: true, check: false, dryRunResult: { stdout: '/usr/bin/skopeo\n' } });
  if (own.code === 0 && own.stdout.trim()) return own.stdout.trim();
  throw new StepError(msg('offline.no-skopeo', { host: d, arch }), { host: d, message: 'no skopeo in the bundle or on the host' }, true);
}

/**
 * The site registry's login for skopeo, when the plan names a user: containers-auth.json with the user and
 * the registryPassword secret, written to a 0700 folder on a tmpfs of the deployer (authDirCommand) and removed
 * by `remove` when the step ends. The password is on no command line and in no other file.
 */
async function registryLogin(ctx: StepContext, d: string, reg: OfflineRegistry): Promise<{ file: string; remove: () => Promise<void> } | undefined> {
  if (!reg.user || reg.local) return undefined;
  const password = ctx.secrets.service?.registryPassword;
  if (!ctx.dryRun && (!password || password.isEmpty)) {
    throw new StepError(msg('offline.registry-password', { address: reg.address, user: reg.user, env: SERVICE_SECRETS.registryPassword.env }), { host: d, message: 'registryPassword not given' }, true);
  }
  const dir = (await ctx.exec(d, authDirCommand(), { quiet: true, describe: 'a private folder (0700, on a tmpfs where there is one) for the registry login', dryRunResult: { stdout: '/dev/shm/cp-installer-auth.XXXXXX\n' } })).stdout.trim();
  if (!dir) throw new StepError(msg('install.step-error', { message: `${d}: no private folder for the registry login` }), { host: d, message: 'mktemp -d failed' });
  const file = `${dir}/auth.json`;
  const remove = async () => void (await ctx.exec(d, shellJoin(['rm', '-rf', dir]), { check: false, quiet: true, describe: 'remove the registry login' }));
  try {
    await ctx.upload(d, authJson(reg.address, reg.user, password?.reveal() ?? '<registryPassword>'), file, { mode: 0o600, describe: `${reg.user}'s login for ${reg.address} (removed when the image load ends)` });
  } catch (e) {
    await remove();
    throw e;
  }
  ctx.log(`pushing to ${reg.address} as ${reg.user} (login in ${file}, removed when this step ends)`, { host: d });
  return { file, remove };
}

/**
 * How skopeo reaches the registry: plain HTTP; the deployer's own CA (registry-cert put it in the certs folder);
 * or the site registry's CA copied to the deployer.
 */
async function skopeoTls(ctx: StepContext, d: string, home: string, reg: OfflineRegistry): Promise<SkopeoTls> {
  if (reg.local && !reg.insecure) return { insecure: false, certDir: `${home}/${OFFLINE_LAYOUT.certs}/${reg.address}` };
  if (reg.insecure || !reg.caFile) return { insecure: reg.insecure };
  const dir = `${OFFLINE_LAYOUT.certs}/${reg.address}`;
  await ctx.exec(d, shellJoin(['mkdir', '-p', dir]));
  await ctx.upload(d, readFileSync(localPath(reg.caFile)), `${dir}/ca.crt`, { mode: 0o644 });
  return { insecure: false, certDir: `${home}/${dir}` };
}
