// The contract of the SSH layer. Everything above it (preflight, install, outputs) codes against these
// types only, so it can be tested with an in-memory fake and run for real over ssh2.
import type { AuthProfile } from '../plan/schema.js';
import type { Secret } from '../common/secret.js';
import type { ServiceSecretKind } from '../plan/secrets.js';

/** Where and how to log in to one host. Built from the plan by `targetsFromPlan` (core/ssh/targets.ts). */
export interface SshTarget {
  /** The plan's host name: every error and event names it. */
  name: string;
  address: string;
  port: number;
  user: string;
  auth: AuthProfile;
  /** Reached through this host first (ProxyJump). */
  jump?: SshTarget;
}

/** Secrets for one run, asked for on the terminal or in the UI, keyed by auth profile name. Never saved. */
export interface SecretBag {
  password?: Record<string, Secret>;
  passphrase?: Record<string, Secret>;
  sudoPassword?: Record<string, Secret>;
  /** The BOSH/CF/UAA secrets of a caas plan (core/plan/secrets.ts SERVICE_SECRETS), by kind. */
  service?: Partial<Record<ServiceSecretKind, Secret>>;
}

export type SshErrorKind =
  | 'auth' // wrong password, key refused
  | 'key-file' // key file missing or unreadable, wrong passphrase
  | 'unreachable' // refused, no route, DNS
  | 'timeout' // connect or command timed out
  | 'host-key-unknown' // not in known_hosts: the user must accept the fingerprint
  | 'host-key-changed' // differs from known_hosts: never accepted silently
  | 'sudo' // sudo refused or needs a password we do not have
  | 'cancelled'
  | 'protocol'
  | 'plan-invalid' // the plan did not validate: nothing connects
  | 'proxyjump-loop'; // ~/.ssh/config's ProxyJump settings lead back to a host already on the way

export interface SshErrorDetails {
  fingerprint?: string;
  algorithm?: string;
  expected?: string;
  /** known_hosts file concerned */
  file?: string;
  /** The known_hosts host field the differing key is filed under (`10.0.0.5`, `[h]:2222`), for `ssh-keygen -R`. */
  entry?: string;
  /** Set when `host` is a jump host: the plan's host it was on the way to. */
  jumpFor?: string;
  /** plan-invalid: the fields with errors. */
  fields?: string[];
  /** proxyjump-loop: the hosts of the loop, in order, the first repeated at the end. */
  hosts?: string[];
}

/** Every failure of the SSH layer: it names the host and says what to do (message key + params). */
export class SshError extends Error {
  constructor(
    readonly kind: SshErrorKind,
    readonly host: string,
    message: string,
    readonly details: SshErrorDetails = {},
  ) {
    super(`${host}: ${message}`);
    this.name = 'SshError';
  }

  /** Message key for the UI: `ssh.<kind>`, with params {host, fingerprint?}. */
  get key(): string {
    return `ssh.${this.kind}`;
  }

  /**
   * The message for a person (catalog core/ssh/messages.ts): key `ssh.<kind>` with the host, the cause,
   * fingerprints and known_hosts file; a jump host's key is shown under the jump host's name, with the
   * plan host it leads to (`ssh.<kind>.jump`). Shells that see only core/api call this on the error.
   */
  toMessage(knownHostsFile = '~/.ssh/known_hosts'): { key: string; params: Record<string, string> } {
    const prefix = `${this.host}: `;
    const detail = this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
    const jump = this.details.jumpFor !== undefined && (this.kind === 'host-key-unknown' || this.kind === 'host-key-changed');
    return {
      key: jump ? `${this.key}.jump` : this.key,
      params: {
        host: this.host,
        detail,
        fingerprint: this.details.fingerprint ?? '',
        expected: this.details.expected ?? '',
        file: this.details.file ?? knownHostsFile,
        entry: this.details.entry ?? this.host,
        ...(this.details.jumpFor !== undefined ? { via: this.details.jumpFor } : {}),
      },
    };
  }
}

export interface ExecOptions {
  /** Run through `sudo -S` (the password, when the profile needs one, is written to stdin, never argv). */
  sudo?: boolean;
  /** Written to the command's stdin (after the sudo password, when there is one). */
  stdin?: string | Buffer;
  /** Kills the remote process group and rejects with SshError('timeout') when exceeded. Absent or 0: the
   *  session's default (DEFAULT_EXEC_TIMEOUT_MS, core/ssh/session.ts): no command runs unbounded. */
  timeoutMs?: number;
  /** Aborting kills the remote process group (not only the channel) and rejects with 'cancelled'. */
  signal?: AbortSignal;
  /** Called with each complete line (no trailing newline) as it arrives. */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Collect stdout/stderr into the result (default true; turn off for huge streams). */
  collect?: boolean;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface UploadOptions {
  mode?: number;
  sudo?: boolean; // write to a root-owned path: upload to a temp file, then `sudo install`
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export interface SshSession {
  readonly target: SshTarget;
  /** True once the connection is gone (a pool then opens a new one). Optional: fakes may leave it out. */
  readonly closed?: boolean;
  /** `command` is a shell command line: build it with shq/shellJoin (core/common/quote.ts). */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** SFTP upload; resolves with the SHA-256 (hex) checked on the remote side after writing. */
  upload(data: Buffer | string, remotePath: string, options?: UploadOptions): Promise<{ sha256: string }>;
  download(remotePath: string, options?: { sudo?: boolean }): Promise<Buffer>;
  /** A local file streamed over SFTP and resumable (core/ssh/resumable-upload.ts), never read whole into
   *  memory; the pool's sessions have it, a session without SFTP (a fake) may not. */
  uploadFile?(localPath: string, remotePath: string, options?: FileUploadOptions): Promise<{ sha256: string; size: number }>;
  close(): Promise<void>;
}

export interface FileUploadOptions {
  mode?: number;
  /** Into a root-owned place: streamed into a login-user-owned staging folder beside it, then moved there
   *  by sudo (resumableUploadSudo). */
  sudo?: boolean;
  signal?: AbortSignal;
  /** Bytes on the host (resumed ones included) of the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Opens sessions. The real one is ssh2-based; tests may pass a fake. */
export interface Connector {
  connect(target: SshTarget, signal?: AbortSignal): Promise<SshSession>;
}

export interface PoolOptions {
  /** At most this many connections/commands at once overall (default 32). */
  globalLimit?: number;
  /** At most this many commands at once on one host (default 4). */
  perHostLimit?: number;
}
