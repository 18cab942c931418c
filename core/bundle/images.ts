// Container images travel as OCI archives made by `skopeo copy` (no daemon): one file per image, whose
// SHA-256 the bundle's manifest records like any other file's. skopeo is run with an argument list, never
// through a shell.
import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';

export interface SkopeoOptions {
  /** Registry host:port that mirrors the upstream registries (Kubespray's registry_host convention: the
   *  upstream registry's host is replaced, the repository path kept). */
  mirror?: string;
  /** The source registry speaks plain HTTP or has a certificate this machine does not trust. */
  insecure?: boolean;
  /** One architecture (`--override-arch`); several: every architecture of the image (`--all`). */
  arch?: string[];
  skopeo?: string;
  signal?: AbortSignal;
  retries?: number;
}

export class SkopeoError extends Error {
  constructor(
    readonly ref: string,
    readonly detail: string,
  ) {
    super(`${ref}: ${detail}`);
  }
}

/** Where skopeo reads an image from: its own registry, or the mirror with the same repository path. */
export function imageSource(ref: string, mirror?: string): string {
  if (!mirror) return `docker://${ref}`;
  const slash = ref.indexOf('/');
  return `docker://${mirror.replace(/\/$/, '')}/${ref.slice(slash + 1)}`;
}

export function skopeoCopyArgs(ref: string, dest: string, o: SkopeoOptions = {}): string[] {
  const args = ['copy', '--retry-times', '3'];
  if (o.insecure) args.push('--src-tls-verify=false');
  if (o.arch && o.arch.length > 1) args.push('--all');
  else if (o.arch?.length === 1) args.push('--override-os', 'linux', '--override-arch', o.arch[0] as string);
  args.push(imageSource(ref, o.mirror), `oci-archive:${dest}`);
  return args;
}

export function run(cmd: string, args: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Copies one image into an OCI archive at `dest` (written beside it first, so a broken copy leaves nothing). */
export async function copyImage(ref: string, dest: string, o: SkopeoOptions = {}): Promise<void> {
  const tmp = `${dest}.part`;
  await rm(tmp, { force: true });
  const r = await run(o.skopeo ?? 'skopeo', skopeoCopyArgs(ref, tmp, o), o.signal);
  if (r.code !== 0) {
    await rm(tmp, { force: true });
    const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
    throw new SkopeoError(ref, last);
  }
  await rename(tmp, dest);
}

/** The manifest digest of an image inside an OCI archive. */
export async function archiveDigest(path: string, skopeo = 'skopeo'): Promise<string | undefined> {
  const r = await run(skopeo, ['inspect', '--format', '{{.Digest}}', `oci-archive:${path}`]);
  return r.code === 0 ? r.stdout.trim() || undefined : undefined;
}
