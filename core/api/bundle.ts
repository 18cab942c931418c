// The offline bundle as the shells see it (core/bundle): the CLI's `bundle` commands, later the wizard, and
// its upload to the deployer (core/ssh/resumable-upload.ts).
import { readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { readManifest, unpackBundle } from '../bundle/archive.js';
import { buildBundle, type BuildEvent } from '../bundle/build.js';
import { bundleSupports, type Artifact } from '../bundle/manifest.js';
import { sha256File } from '../common/sha256-file.js';
import { findRelease, releaseNames } from '../plan/catalog.js';
import { deployerHost, derivedBundleDir, Plan, type Plan as PlanT } from '../plan/schema.js';
import { Ssh2Connector } from '../ssh/connector.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { resumableUpload, type ResumableEvent, type ResumableResult, type SftpSession } from '../ssh/resumable-upload.js';
import { SshConfigFile } from '../ssh/ssh-config.js';
import { targetForHost } from '../ssh/targets.js';
import type { Connector, SecretBag } from '../ssh/types.js';
import { checkedPlan } from './plan-gate.js';
import { expandHome } from './plan.js';
export * from '../bundle/index.js';
export { findRelease, releaseNames } from '../plan/catalog.js';
export { Plan as PlanSchema } from '../plan/schema.js';
export type { ResumableEvent, ResumableResult } from '../ssh/resumable-upload.js';

// --- build, as the wizard asks for it ----------------------------------------------------------------------

export interface PlanBuildOptions {
  /** Where the bundle goes (already allowed by the shell's path policy). */
  out: string;
  /** A mirror (`<mirror>/<host>/<path>`); absent: the upstream sites (`--online`). */
  mirror?: string;
  /** Registry host:port holding the images under their upstream paths (`--images-from`). */
  imagesFrom?: string;
  without?: Artifact['kind'][];
  signal?: AbortSignal;
  onEvent?: (e: BuildEvent) => void;
}

export interface PlanBuildResult {
  ok: boolean;
  /** The bundle file, its size and the sha256 of the whole file (what `sha256sum FILE` prints). */
  file?: string;
  size?: number;
  sha256?: string;
  manifestSha256?: string;
  artifacts?: number;
  failed: { id: string; message: string }[];
}

/**
 * `cp-installer bundle build` for the plan at hand (its release, mode, runtime and storage): the same
 * buildBundle the CLI runs, its events passed on. The plan need not be complete (the wizard builds before the
 * hosts are typed): only what decides the artifacts is read.
 */
export async function buildBundleForPlan(input: unknown, o: PlanBuildOptions): Promise<PlanBuildResult> {
  const parsed = Plan.safeParse(input);
  const release = findRelease(parsed.success ? parsed.data.release : String((input as { release?: unknown })?.release ?? ''));
  if (!release) throw new Error(`unknown release ${String((input as { release?: unknown })?.release ?? '(none)')}: use one of ${releaseNames().join(', ')}`);
  if (parsed.success && !bundleSupports(parsed.data.mode, parsed.data)) throw new Error(`the ${parsed.data.mode} mode takes its own bundle (bundle.path), not a built one`);
  const r = await buildBundle({
    release,
    ...(parsed.success ? { plan: parsed.data } : {}),
    out: o.out,
    ...(o.mirror ? { mirror: o.mirror } : {}),
    ...(o.imagesFrom ? { imageMirror: o.imagesFrom } : {}),
    ...(o.without?.length ? { without: o.without } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  if (!r.ok) return { ok: false, failed: r.failed.length ? r.failed : [{ id: 'build', message: o.signal?.aborted ? 'cancelled' : 'stopped' }] };
  const whole = await sha256File(o.out);
  return { ok: true, file: o.out, size: whole.size, sha256: whole.sha256, ...(r.manifestSha256 ? { manifestSha256: r.manifestSha256 } : {}), artifacts: r.manifest?.artifacts.length ?? 0, failed: [] };
}

// --- a plan with only bundle.file ---------------------------------------------------------------------

/** Where the bundle-manifest checksum line of an unpacked bundle sits (unpackBundle writes it there). */
const UNPACKED_SUM = 'bundle-manifest.json.sha256';

/**
 * Unpacks `plan.bundle.file` into the folder derived from it (derivedBundleDir) unless that folder already
 * holds this very bundle (its manifest checksum line matches the file's). Plans that name their own
 * `bundle.path` are left alone. The folder is filled under a temporary name and renamed, so a cut unpack
 * never passes for a whole one. Returns the folder when it unpacked something.
 */
export async function ensureBundleUnpacked(plan: PlanT, onUnpack?: (file: string, dir: string) => void): Promise<string | undefined> {
  const b = plan.bundle;
  if (!b?.file || b.path !== derivedBundleDir(b.file)) return undefined;
  const file = expandHome(b.file);
  const dir = expandHome(b.path);
  const head = await readManifest(file);
  if (!head.manifestSha256) throw new Error(`${b.file}: not a readable bundle (${head.problems.map((p) => p.detail ?? p.problem).join('; ') || 'no manifest'}); rebuild it with cp-installer bundle build`);
  const have = await readFile(join(dir, UNPACKED_SUM), 'utf8').catch(() => '');
  if (have.startsWith(head.manifestSha256)) return undefined;
  onUnpack?.(file, dir);
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const r = await unpackBundle(file, staging);
  if (!r.ok) {
    await rm(staging, { recursive: true, force: true });
    const first = r.problems[0];
    throw new Error(`${b.file} is damaged (${first ? `${first.path}: ${first.problem}` : 'unreadable'}); run cp-installer bundle verify on it, or build it again`);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return dir;
}

// --- upload to the deployer ----------------------------------------------------------------------------

/** Where `bundle upload` puts the file when no folder is named: relative, so under the login user's home. */
export const DEFAULT_UPLOAD_DIR = 'cp-installer-bundles';

export interface UploadBundleOptions {
  secrets: SecretBag;
  /** Folder on the deployer (default DEFAULT_UPLOAD_DIR, under the login user's home). */
  to?: string;
  knownHostsFile?: string;
  acceptNewHostKeys?: boolean;
  /** Read ~/.ssh/config for what the plan leaves open (default true). */
  useSshConfig?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: ResumableEvent) => void;
  /** Tests: an SSH layer of their own (its sessions must offer SFTP: Ssh2Session does). */
  connector?: Connector;
}

export interface UploadBundleResult extends ResumableResult {
  host: string;
  path: string;
}

/**
 * Uploads a bundle file to the plan's deployer (resumable, checked by the host's sha256 before it gets its
 * name). The plan is validated first: nothing connects for a plan with errors.
 */
export async function uploadBundle(input: unknown, file: string, opts: UploadBundleOptions): Promise<UploadBundleResult> {
  const plan = checkedPlan(input);
  const deployer = deployerHost(plan);
  if (!deployer) throw new Error('the plan has no deployer host (role deployer, or a control plane)');
  const sshConfig = opts.useSshConfig === false ? undefined : await SshConfigFile.load().catch(() => undefined);
  const target = targetForHost(plan, deployer, sshConfig ? { sshConfig } : {});
  const connector =
    opts.connector ??
    new Ssh2Connector({
      knownHosts: new KnownHosts({ file: opts.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts') }),
      secrets: opts.secrets,
      acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    });
  const session = await connector.connect(target, opts.signal);
  try {
    if (!('withSftp' in session)) throw new Error(`${target.name}: this connection offers no SFTP`);
    const dir = (opts.to ?? DEFAULT_UPLOAD_DIR).replace(/\/+$/, '') || '/';
    const path = `${dir === '/' ? '' : dir}/${basename(file)}`;
    const r = await resumableUpload(session as unknown as SftpSession, file, path, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    return { ...r, host: target.name, path };
  } finally {
    await session.close();
  }
}
