// Builds the StepContext each step invocation gets: the same API for a real run and a dry run.
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { msg } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import type { Host, Plan } from '../plan/schema.js';
import type { ExecResult, SecretBag, SshSession, SshTarget } from '../ssh/types.js';
import { DryRunRecorder, printable } from './dryrun.js';
import type { LogHub } from './logs.js';
import type { Redactor } from './redact.js';
import {
  StepError,
  type LogStream,
  type OutputStore,
  type OutputValue,
  type RunOptions,
  type StepContext,
  type StepExecOptions,
  type StepUploadOptions,
} from './step.js';

/** Where sessions come from: the SSH pool in a real run. */
export interface SessionSource {
  session(host: string, signal?: AbortSignal): Promise<SshSession>;
}

export class MemoryOutputs implements OutputStore {
  private values: Record<string, OutputValue>;
  /** Keys set since the last take(): what the current step adds to the journal. */
  private touched = new Set<string>();

  constructor(initial: Record<string, OutputValue> = {}) {
    this.values = { ...initial };
  }

  get<T extends OutputValue = OutputValue>(key: string): T | undefined {
    return this.values[key] as T | undefined;
  }

  require<T extends OutputValue = OutputValue>(key: string): T {
    if (!(key in this.values)) throw new Error(`Output ${key} is not set: the step that makes it has not run`);
    return this.values[key] as T;
  }

  set(key: string, value: OutputValue): void {
    this.values[key] = value;
    this.touched.add(key);
  }

  all(): Record<string, OutputValue> {
    return { ...this.values };
  }

  take(): Record<string, OutputValue> {
    const out: Record<string, OutputValue> = {};
    for (const k of this.touched) out[k] = this.values[k] as OutputValue;
    this.touched.clear();
    return out;
  }
}

export interface ContextShared {
  runId: string;
  plan: Plan;
  release: Release;
  options: RunOptions;
  secrets: SecretBag;
  workdir: string;
  runDir: string;
  signal: AbortSignal;
  outputs: MemoryOutputs;
  redactor: Redactor;
  logs: LogHub;
  sessions?: SessionSource;
  recorder?: DryRunRecorder;
  emitProgress(p: {
    stepId: string;
    host?: string;
    fraction?: number;
    detail?: string;
    counts?: Record<string, { ok: number; changed: number; failed: number; skipped: number }>;
  }): void;
}

function firstLine(command: string): string {
  const line = command.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

export function makeContext(shared: ContextShared, stepId: string, host?: Host): StepContext {
  const { plan, redactor, logs, recorder } = shared;
  const dryRun = !!recorder;
  const sessions = new Map<string, SshSession>();

  const hostByName = (name: string): Host => {
    const h = plan.hosts.find((x) => x.name === name);
    if (!h) throw new StepError(msg('install.unknown-host', { host: name }), undefined, true);
    return h;
  };

  const session = async (name: string): Promise<SshSession> => {
    const h = hostByName(name);
    const cached = sessions.get(name);
    if (cached) return cached;
    let s: SshSession;
    if (recorder) {
      const target: SshTarget = { name: h.name, address: h.address, port: h.port, user: h.user ?? '', auth: { name: h.auth, method: 'agent', passphrase: false, sudo: 'nopasswd' } };
      s = recorder.session(target, () => stepId);
    } else {
      if (!shared.sessions) throw new Error('No SSH session source for a real run');
      s = await shared.sessions.session(name, shared.signal);
    }
    sessions.set(name, s);
    return s;
  };

  const log = (line: string, o: { host?: string; stream?: LogStream } = {}): void => {
    logs.write(stepId, o.host ?? host?.name, o.stream ?? 'info', line);
  };

  const ctx: StepContext = {
    runId: shared.runId,
    stepId,
    plan,
    release: shared.release,
    options: shared.options,
    host,
    secrets: shared.secrets,
    workdir: shared.workdir,
    runDir: shared.runDir,
    signal: shared.signal,
    outputs: shared.outputs,
    dryRun,
    hostByName,
    session,

    async exec(name: string, command: string, options: StepExecOptions = {}): Promise<ExecResult> {
      const { check = true, quiet = false, dryRunResult, describe, ...execOptions } = options;
      if (recorder) {
        recorder.add({
          kind: 'exec',
          step: stepId,
          host: name,
          command,
          sudo: !!execOptions.sudo,
          stdinBytes: execOptions.stdin ? Buffer.byteLength(execOptions.stdin) : undefined,
          describe,
        });
        return { code: 0, stdout: '', stderr: '', ...dryRunResult };
      }
      const s = await session(name);
      log(`$ ${execOptions.sudo ? 'sudo ' : ''}${describe ?? command}`, { host: name });
      const userOut = execOptions.onStdout;
      const userErr = execOptions.onStderr;
      // The SSH layer records the exit status inside ssh2's exec callback, so it is never lost
      // (test/integration/ssh/exec.test.ts): the command runs as written, without a trailer.
      const result = await s.exec(command, {
        ...execOptions,
        signal: execOptions.signal ?? shared.signal,
        onStdout: (l) => {
          if (!quiet) log(l, { host: name, stream: 'stdout' });
          userOut?.(l);
        },
        onStderr: (l) => {
          if (!quiet) log(l, { host: name, stream: 'stderr' });
          userErr?.(l);
        },
      });
      if (check && result.code !== 0) {
        const tail = redactor.redact((result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n'));
        throw new StepError(
          msg('install.command-failed', { host: name, command: redactor.redact(describe ?? firstLine(command)), code: String(result.code ?? result.signal) }),
          { host: name, message: tail || `exit ${result.code ?? result.signal}` },
        );
      }
      return result;
    },

    async upload(name: string, data: Buffer | string, remotePath: string, options: StepUploadOptions = {}) {
      const { describe, ...uploadOptions } = options;
      if (recorder) {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        recorder.add({
          kind: 'upload',
          step: stepId,
          host: name,
          path: remotePath,
          mode: uploadOptions.mode,
          sudo: !!uploadOptions.sudo,
          bytes: buf.length,
          content: describe ? undefined : printable(buf),
          describe,
        });
        return { sha256: '' };
      }
      const s = await session(name);
      log(`write ${remotePath}${describe ? ` (${describe})` : ''}`, { host: name });
      return s.upload(data, remotePath, { ...uploadOptions, signal: uploadOptions.signal ?? shared.signal });
    },

    async uploadFile(name: string, localPath: string, remotePath: string, options: { mode?: number; sudo?: boolean; describe?: string; onProgress?: (done: number, total: number) => void } = {}) {
      if (recorder) {
        recorder.add({ kind: 'upload', step: stepId, host: name, path: remotePath, mode: options.mode, sudo: !!options.sudo, bytes: existsSync(localPath) ? statSync(localPath).size : 0, describe: options.describe ?? localPath });
        return { sha256: '' };
      }
      const s = await session(name);
      if (!s.uploadFile) throw new StepError(msg('install.step-error', { message: `${name}: this connection cannot stream a file (no SFTP)` }), { host: name, message: `no SFTP to carry ${localPath}` });
      log(`write ${remotePath} (${options.describe ?? localPath}, streamed)`, { host: name });
      const r = await s.uploadFile(localPath, remotePath, {
        signal: shared.signal,
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        ...(options.sudo ? { sudo: true } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return { sha256: r.sha256 };
    },

    async download(name: string, remotePath: string, options: { sudo?: boolean; dryRunResult?: Buffer } = {}) {
      if (recorder) {
        recorder.add({ kind: 'download', step: stepId, host: name, path: remotePath, sudo: !!options.sudo });
        return options.dryRunResult ?? Buffer.alloc(0);
      }
      const s = await session(name);
      log(`read ${remotePath}`, { host: name });
      return s.download(remotePath, { sudo: options.sudo });
    },

    async writeLocal(path: string, data: Buffer | string, mode = 0o600) {
      if (recorder) {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        recorder.add({ kind: 'write', step: stepId, path, mode, bytes: buf.length, content: printable(buf) });
        return;
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, data, { mode });
      // writeFile's mode applies only when it creates the file.
      await chmod(path, mode);
      log(`wrote ${path}`);
    },

    log,
    progress(fraction, detail, extra = {}) {
      shared.emitProgress({
        stepId,
        host: extra.host ?? host?.name,
        fraction,
        detail: detail === undefined ? undefined : redactor.redact(detail),
        counts: extra.counts,
      });
    },
    redact: (text: string) => redactor.redact(text),
    addSecret: (value: string) => redactor.add(value),
  };
  return ctx;
}
