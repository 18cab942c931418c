// The offline bundle as the shells see it (core/bundle): the CLI's `bundle` commands, later the wizard, and
// its upload to the deployer (core/ssh/resumable-upload.ts).
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { deployerHost } from '../plan/schema.js';
import { Ssh2Connector } from '../ssh/connector.js';
import { KnownHosts } from '../ssh/known-hosts.js';
import { resumableUpload, type ResumableEvent, type ResumableResult, type SftpSession } from '../ssh/resumable-upload.js';
import { SshConfigFile } from '../ssh/ssh-config.js';
import { targetForHost } from '../ssh/targets.js';
import type { Connector, SecretBag } from '../ssh/types.js';
import { checkedPlan } from './plan-gate.js';
export * from '../bundle/index.js';
export { findRelease, releaseNames } from '../plan/catalog.js';
export { Plan as PlanSchema } from '../plan/schema.js';
export type { ResumableEvent, ResumableResult } from '../ssh/resumable-upload.js';

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
