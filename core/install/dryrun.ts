// A dry run: the steps run against recording sessions, so what would be written and run on every host is
// listed in order — for an approver on an air-gapped site to read before anything runs. Nothing connects.
import type { ExecOptions, ExecResult, SshSession, SshTarget, UploadOptions } from '../ssh/types.js';
import { createHash } from 'node:crypto';
import type { Message, Params } from '../common/messages.js';

export type DryRunRecord =
  | { kind: 'exec'; step: string; host: string; command: string; sudo: boolean; stdinBytes?: number; describe?: string }
  | { kind: 'upload'; step: string; host: string; path: string; mode?: number; sudo: boolean; bytes: number; content?: string; describe?: string }
  | { kind: 'download'; step: string; host: string; path: string; sudo: boolean }
  | { kind: 'write'; step: string; path: string; mode: number; bytes: number; content?: string; describe?: string };

/** Text content is shown when it is text and not huge; a binary or a big archive is shown by size and describe. */
export function printable(data: Buffer | string, limit = 256 * 1024): string | undefined {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  if (buf.length > limit || buf.includes(0)) return undefined;
  return buf.toString('utf8');
}

export class DryRunRecorder {
  readonly records: DryRunRecord[] = [];
  /** Steps set this so each record names its step. */
  currentStep = '';

  constructor(private readonly redact: (s: string) => string) {}

  private readonly seen = new Map<string, number>();

  add(record: DryRunRecord): void {
    const r = { ...record };
    if ('command' in r) r.command = this.redact(r.command);
    if ('content' in r && r.content !== undefined) {
      r.content = this.redact(r.content);
      // The same text written twice (a local copy of an uploaded file) is shown once.
      const earlier = this.seen.get(r.content);
      if (earlier !== undefined) {
        r.describe = `same content as ${earlier}.`;
        r.content = undefined;
      } else this.seen.set(r.content, this.records.length + 1);
    }
    this.records.push(r);
  }

  session(target: SshTarget, stepOf: () => string): SshSession {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    return {
      target,
      async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        recorder.add({
          kind: 'exec',
          step: stepOf(),
          host: target.name,
          command,
          sudo: !!options.sudo,
          stdinBytes: options.stdin ? Buffer.byteLength(options.stdin) : undefined,
        });
        return { code: 0, stdout: '', stderr: '' };
      },
      async upload(data: Buffer | string, remotePath: string, options: UploadOptions = {}) {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        recorder.add({
          kind: 'upload',
          step: stepOf(),
          host: target.name,
          path: remotePath,
          mode: options.mode,
          sudo: !!options.sudo,
          bytes: buf.length,
          content: printable(buf),
        });
        return { sha256: createHash('sha256').update(buf).digest('hex') };
      },
      async download(remotePath: string, options: { sudo?: boolean } = {}) {
        recorder.add({ kind: 'download', step: stepOf(), host: target.name, path: remotePath, sudo: !!options.sudo });
        return Buffer.alloc(0);
      },
      async close() {},
    };
  }
}

/**
 * A dry run that stopped before the last step. Its key and params are the stopping step's own message (why),
 * plus `step` and `shown`, so every shell shows the reason in words instead of a listing cut short.
 */
export class DryRunIncomplete extends Error {
  readonly key: string;
  readonly params: Params;
  constructor(
    readonly step: string,
    readonly reason: Message,
    readonly records: DryRunRecord[],
    detail?: string,
  ) {
    super(`The dry run stopped at step ${step} after ${records.length} action(s): ${detail ?? reason.key}`);
    this.name = 'DryRunIncomplete';
    this.key = reason.key;
    this.params = { ...reason.params, step, shown: records.length };
  }
}

/**
 * The records of a finished dry run, or DryRunIncomplete when a step threw inside the recording context:
 * the runner turns such a throw into a failed result like any failed step, and a listing that ignored the
 * status printed the steps before it as if they were all.
 */
export function completeDryRun(result: {
  status: string;
  failedStep?: string;
  error?: Message;
  failure?: { message: string };
  dryRun?: DryRunRecord[];
}): DryRunRecord[] {
  const records = result.dryRun ?? [];
  if (result.status === 'succeeded') return records;
  throw new DryRunIncomplete(
    result.failedStep ?? '',
    result.error ?? { key: 'install.cancelled' },
    records,
    result.failure?.message,
  );
}

/** The listing `apply --dry-run` prints: numbered, commands and files in the order they would happen. */
export function formatDryRun(records: DryRunRecord[]): string {
  const out: string[] = [];
  let step = '';
  let n = 0;
  for (const r of records) {
    if (r.step !== step) {
      step = r.step;
      out.push('', `## step ${step}`);
    }
    n++;
    switch (r.kind) {
      case 'exec':
        out.push(
          `${n}. [${r.host}] run${r.sudo ? ' (sudo)' : ''}${r.stdinBytes ? ` (stdin: ${r.stdinBytes} bytes, not shown)` : ''}: ${r.command}`,
        );
        break;
      case 'upload':
        out.push(
          `${n}. [${r.host}] write ${r.path}${r.mode !== undefined ? ` mode ${r.mode.toString(8)}` : ''}${r.sudo ? ' (sudo)' : ''} (${r.bytes} bytes)${r.describe ? `: ${r.describe}` : ''}`,
        );
        if (r.content !== undefined) out.push(indent(r.content));
        break;
      case 'download':
        out.push(`${n}. [${r.host}] read ${r.path}${r.sudo ? ' (sudo)' : ''}`);
        break;
      case 'write':
        out.push(`${n}. [local] write ${r.path} mode ${r.mode.toString(8)} (${r.bytes} bytes)${r.describe ? `: ${r.describe}` : ''}`);
        if (r.content !== undefined) out.push(indent(r.content));
        break;
    }
  }
  return out.join('\n').trimStart() + '\n';
}

function indent(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body
    .split('\n')
    .map((l) => `    | ${l}`)
    .join('\n');
}
