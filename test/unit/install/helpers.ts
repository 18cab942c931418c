// Small plans and a fake SSH session source for the engine's unit tests.
import { findRelease, DEFAULT_RELEASE, type Release } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import type { SessionSource } from '../../../core/install/context.js';
import type { ExecOptions, ExecResult, SshSession } from '../../../core/ssh/types.js';

export function testPlan(extra: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: DEFAULT_RELEASE,
    auth: [{ name: 'default', method: 'password', user: 'ubuntu', sudo: 'password' }],
    hosts: [
      { name: 'master-1', address: '10.0.0.1', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.2', roles: ['worker'] },
      { name: 'worker-2', address: '10.0.0.3', roles: ['worker'] },
    ],
    network: { metallbRange: '10.0.0.100-10.0.0.110', ingressIp: '10.0.0.120' },
    ...extra,
  });
}

export function testRelease(): Release {
  const r = findRelease(DEFAULT_RELEASE);
  if (!r) throw new Error('catalog has no default release');
  return r;
}

export type Answer = Partial<ExecResult> | ((command: string, options: ExecOptions) => Partial<ExecResult> | Promise<Partial<ExecResult>>);

/** Records every command per host and answers from a list of (pattern → answer). */
export class FakeSessions implements SessionSource {
  readonly commands: Array<{ host: string; command: string; stdin?: string }> = [];
  readonly uploads: Array<{ host: string; path: string; data: Buffer }> = [];
  readonly files = new Map<string, Buffer>();
  constructor(private readonly answers: Array<[RegExp, Answer]> = []) {}

  async session(host: string): Promise<SshSession> {
    return {
      target: { name: host, address: host, port: 22, user: 'ubuntu', auth: { name: 'default', method: 'agent', passphrase: false, sudo: 'nopasswd' } },
      exec: async (command, options = {}) => {
        this.commands.push({ host, command, stdin: options.stdin?.toString() });
        const found = this.answers.find(([re]) => re.test(command))?.[1];
        const a = typeof found === 'function' ? await found(command, options) : (found ?? {});
        const result: ExecResult = { code: 0, stdout: '', stderr: '', ...a };
        for (const l of result.stdout.split('\n').filter(Boolean)) options.onStdout?.(l);
        for (const l of result.stderr.split('\n').filter(Boolean)) options.onStderr?.(l);
        return result;
      },
      upload: async (data, path) => {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        this.uploads.push({ host, path, data: buf });
        this.files.set(`${host}:${path}`, buf);
        return { sha256: '' };
      },
      download: async (path) => this.files.get(`${host}:${path}`) ?? Buffer.alloc(0),
      close: async () => {},
    };
  }
}
