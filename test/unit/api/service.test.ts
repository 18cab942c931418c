import { describe, expect, it } from 'vitest';
import { createInstallerService, ApiFailure } from '../../../core/api/service.js';
import { COMMAND_NAMES, type ApiEvent, type RunEvent } from '../../../core/api/types.js';
import type { Engine, InstallPart, Keychain, SessionSecrets } from '../../../core/api/engine.js';
import { bindEngine } from '../../../core/api/engine-bind.js';
import type { PlanInput } from '../../../core/api/types.js';

// The fake engine parts never look at the plan.
// A plan validation accepts: the service refuses to hand any other to an engine's host commands (security #5).
const PLAN: PlanInput = {
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode: 'standalone',
  release: 'k-paas-v1.6.2',
  auth: [{ name: 'default', method: 'agent', user: 'ubuntu' }],
  hosts: [
    { name: 'm1', address: '10.0.0.11', roles: ['control-plane'] },
    { name: 'w1', address: '10.0.0.21', roles: ['worker'] },
    { name: 'nfs1', address: '10.0.0.31', roles: ['nfs'] },
  ],
  network: { metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.161' },
};

const base = (): Engine => ({ ...bindEngine({ workdir: '/nonexistent' }), plan: undefined, ssh: undefined, preflight: undefined, install: undefined, outputs: undefined });

async function failure(p: Promise<unknown>): Promise<ApiFailure> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiFailure);
    return e as ApiFailure;
  }
  throw new Error('expected a failure');
}

function fakeInstall(script: (emit: (e: RunEvent) => void) => void, seen: { secrets?: SessionSecrets } = {}): InstallPart {
  return {
    modes: () => ['standalone'],
    dryRun: async () => [],
    start: async (_plan, secrets, _overrides, onEvent) => {
      seen.secrets = secrets;
      script(onEvent);
      return 'run-1';
    },
    cancel: async () => undefined,
    resume: async () => 'run-1',
    list: async () => [],
    state: async () => {
      throw new Error('no state');
    },
    logsSince: async () => ({ lines: [], lastSeq: 0 }),
  };
}

describe('installer service', () => {
  it('answers app.info from the catalog, with no modes while no install engine is bound', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    const info = await s.invoke('app.info', {});
    expect(info.releases.map((r) => r.name)).toContain(info.defaultRelease);
    expect(info.modesAvailable).toEqual([]);
    expect(info).toMatchObject({ shell: 'browser', canRememberSecrets: false, whyNoKeychain: 'keychain.browser' });
    await s.dispose();
  });

  it('rejects malformed arguments at the boundary with api.badArgs naming the field', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    const cases: Array<[string, unknown]> = [
      ['plan.new', { mode: 'kubernetes-the-hard-way' }],
      ['plan.validate', { plan: 'not an object' }],
      ['run.state', { runId: '../../../etc/passwd' }],
      ['run.logsSince', { runId: 'r1', seq: -1 }],
      ['ssh.acceptHostKey', { plan: PLAN, host: 'm1', fingerprint: 'MD5:aa' }],
      ['app.info', { extra: true }],
    ];
    for (const [command, args] of cases) {
      const e = await failure(s.invoke(command as 'plan.new', args as never));
      expect(e.key, command).toBe('api.badArgs');
      expect(e.params.command).toBe(command);
    }
    const unknown = await failure(s.invoke('shell.exec' as 'app.info', {}));
    expect(unknown.key).toBe('api.unknownCommand');
  });

  it('says a command is not available when its engine part is absent, instead of pretending', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    const e = await failure(s.invoke('run.list', {}));
    expect(e).toMatchObject({ key: 'api.notAvailable', params: { command: 'run.list' } });
  });

  it('has a handler for every command in the contract', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    for (const command of COMMAND_NAMES) {
      const result = await s.invoke(command, {} as never).then(
        () => 'ok',
        (e: ApiFailure) => e.key,
      );
      expect(result, command).not.toBe('api.unknownCommand');
    }
  });

  it('holds secrets as Secrets that never serialize, and refuses to remember them without a keychain', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    expect(await s.invoke('secrets.set', { password: { default: 'hunter2' } })).toEqual({ remembered: false });
    expect(s.secrets.password.default?.reveal()).toBe('hunter2');
    expect(JSON.stringify(s.secrets)).not.toContain('hunter2');
    const e = await failure(s.invoke('secrets.set', { sudoPassword: { default: 'x' }, remember: true }));
    expect(e).toMatchObject({ key: 'keychain.unavailable', params: { why: 'keychain.browser' } });
  });

  it('remembers through a working keychain, refuses a basic_text one, and restores on start', async () => {
    let stored: string | undefined;
    const good: Keychain = { status: () => ({ ok: true }), save: async (d) => void (stored = d), load: async () => stored };
    const s1 = createInstallerService({ workdir: '/x', shell: 'electron', engine: base(), keychain: good });
    expect(await s1.invoke('secrets.set', { passphrase: { key1: 'pp' }, remember: true })).toEqual({ remembered: true });
    expect(stored).toContain('pp');
    const s2 = createInstallerService({ workdir: '/x', shell: 'electron', engine: base(), keychain: good });
    expect((await s2.invoke('app.info', {})).canRememberSecrets).toBe(true);
    expect(s2.secrets.passphrase.key1?.reveal()).toBe('pp');

    const basic: Keychain = { status: () => ({ ok: false, why: 'keychain.basicText' }), save: async () => undefined, load: async () => undefined };
    const s3 = createInstallerService({ workdir: '/x', shell: 'electron', engine: base(), keychain: basic });
    expect(await s3.invoke('app.info', {})).toMatchObject({ canRememberSecrets: false, whyNoKeychain: 'keychain.basicText' });
    expect(await failure(s3.invoke('secrets.set', { password: { a: 'b' }, remember: true }))).toMatchObject({
      key: 'keychain.unavailable',
      params: { why: 'keychain.basicText' },
    });
  });

  it('hands the session secrets to a run, batches its log lines and delivers them before the step ends', async () => {
    const seen: { secrets?: SessionSecrets } = {};
    const at = '2026-01-01T00:00:00Z';
    const engine = {
      ...base(),
      install: fakeInstall((emit) => {
        emit({ type: 'step-started', runId: 'run-1', stepId: 's1', at });
        for (let seq = 1; seq <= 500; seq++) emit({ type: 'log', runId: 'run-1', seq, stepId: 's1', stream: 'stdout', line: `l${seq}` });
        emit({ type: 'step-finished', runId: 'run-1', stepId: 's1', status: 'done', durationMs: 1, at });
      }, seen),
    };
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine, logBatchMs: 10_000 });
    const events: ApiEvent[] = [];
    s.on((e) => events.push(e));
    await s.invoke('secrets.set', { password: { default: 'pw' } });
    expect(await s.invoke('run.start', { plan: PLAN })).toEqual({ runId: 'run-1' });
    expect(seen.secrets?.password.default?.reveal()).toBe('pw');
    expect(events.map((e) => e.type)).toEqual(['step-started', 'log-batch', 'step-finished']);
    const batch = events[1] as Extract<ApiEvent, { type: 'log-batch' }>;
    expect(batch.lines).toHaveLength(500);
    expect(batch.lines.at(-1)).toMatchObject({ seq: 500, line: 'l500' });
    expect((await s.invoke('app.info', {})).modesAvailable).toEqual(['standalone']);
    await s.dispose();
  });

  it('forwards per-host results of ssh.test and preflight.run as events', async () => {
    const engine: Engine = {
      ...base(),
      ssh: {
        test: async (_p, _s, _h, onHost) => {
          const r = { name: 'm1', ok: false, error: { key: 'ssh.auth', kind: 'auth', params: { host: 'm1' } } };
          onHost(r);
          return [r];
        },
        acceptHostKey: async () => undefined,
      },
    };
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine });
    const events: ApiEvent[] = [];
    s.on((e) => events.push(e));
    const r = await s.invoke('ssh.test', { plan: PLAN });
    expect(r.hosts[0]?.error?.key).toBe('ssh.auth');
    expect(events).toEqual([{ type: 'ssh-host', result: r.hosts[0] }]);
  });

  it('turns an engine error with a key into an ApiError that keeps key, host and fingerprint', async () => {
    class SshLike extends Error {
      key = 'ssh.host-key-changed';
      host = 'm1';
      details = { fingerprint: 'SHA256:abc' };
    }
    const engine: Engine = {
      ...base(),
      ssh: {
        test: async () => {
          throw new SshLike('m1: host key changed');
        },
        acceptHostKey: async () => undefined,
      },
    };
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine });
    const e = await failure(s.invoke('ssh.test', { plan: PLAN }));
    expect(e).toMatchObject({ key: 'ssh.host-key-changed', params: { host: 'm1', fingerprint: 'SHA256:abc' } });
  });

  it('answers dialogs with canceled in browser mode', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: base() });
    expect(await s.invoke('dialog.open', {})).toEqual({ canceled: true });
    expect(await s.invoke('dialog.save', { defaultPath: 'plan.yaml' })).toEqual({ canceled: true });
  });
});
