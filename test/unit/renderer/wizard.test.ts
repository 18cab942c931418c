// The wizard's rules, on the real store with a scripted window.installer (no transport, no DOM).
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent, ArgsOf, CommandName, InstallerApi, PlanInput, ResultOf } from '../../../core/api/types.js';
import { setApi } from '../../../renderer/api.js';
import { useStore } from '../../../renderer/store/index.js';
import { blockerFor, canVisit, failedChecks } from '../../../renderer/store/wizard.js';
import { initialLang } from '../../../renderer/store/settings.js';

type Answers = { [C in CommandName]?: (args: ArgsOf<C>) => ResultOf<C> };

function scripted(answers: Answers): InstallerApi & { calls: Array<[string, unknown]>; emit(e: ApiEvent): void } {
  const listeners = new Set<(e: ApiEvent) => void>();
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    async invoke(command, args) {
      calls.push([command, args]);
      const a = answers[command] as ((x: unknown) => unknown) | undefined;
      if (!a) throw Object.assign(new Error('no'), { key: 'test.unanswered', params: { command } });
      return a(args) as never;
    },
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
}

const plan: PlanInput = { apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'r', hosts: [], auth: [] };
const initial = useStore.getState();

beforeEach(() => {
  useStore.setState(initial, true);
  useStore.getState().logs.clear();
});

describe('wizard navigation', () => {
  it('blocks Next until a mode the engine runs is chosen, then moves on', async () => {
    setApi(
      scripted({
        'app.info': () => ({ version: '1', releases: [], defaultRelease: 'r', modesAvailable: ['standalone'], modes: [], lang: 'en', shell: 'browser', canRememberSecrets: false }),
        'run.list': () => ({ runs: [{ id: 'r1', mode: 'standalone', status: 'failed', startedAt: '2026-01-01T00:00:00Z', failedStep: 'kubespray' }, { id: 'r0', mode: 'standalone', status: 'succeeded', startedAt: '2025-12-01T00:00:00Z' }] }),
        'plan.new': () => ({ plan, yaml: '' }),
        'plan.validate': () => ({ valid: true, errors: [], warnings: [] }),
      }),
    );
    const s = useStore.getState();
    await s.init();
    expect(useStore.getState().resumable.map((r) => r.id)).toEqual(['r1']);
    s.next();
    expect(useStore.getState().step).toBe('mode');
    expect(useStore.getState().notice?.key).toBe('ui.block.chooseMode');
    await s.chooseMode('standalone');
    s.next();
    expect(useStore.getState().step).toBe('hosts');
    expect(blockerFor(useStore.getState(), 'hosts')?.key).toBe('ui.block.noHosts');
    expect(canVisit(useStore.getState(), 'credentials')).toBe(false);
  });

  it('blocks Hosts while validation names a host field, and Preflight until failures are overridden', () => {
    useStore.setState({
      plan: { ...plan, hosts: [{ name: 'a', address: 'x' }] },
      validation: { valid: false, errors: [{ path: 'hosts[0].address', key: 'k', severity: 'error' }], warnings: [] },
    });
    expect(blockerFor(useStore.getState(), 'hosts')).toEqual({ key: 'ui.block.fixFields', params: { count: 1 } });
    expect(blockerFor(useStore.getState(), 'settings')).toBeNull();
    const check = (id: string, status: 'pass' | 'fail') => ({ id, status, title: { key: id }, message: { key: id } });
    useStore.setState({
      preflight: { hosts: [{ name: 'a', address: 'x', checks: [check('swap', 'fail'), check('os', 'pass')] }], cross: [check('names', 'fail') as never], ok: false, startedAt: '', durationMs: 1 },
    });
    expect(failedChecks(useStore.getState())).toEqual(['swap', 'names']);
    expect(blockerFor(useStore.getState(), 'preflight')?.key).toBe('ui.block.preflightFailed');
    useStore.getState().toggleOverride('swap');
    useStore.getState().toggleOverride('names');
    expect(blockerFor(useStore.getState(), 'preflight')).toBeNull();
  });
});

describe('run events', () => {
  it('follows a run: steps, per-host progress, failure first, log gap fetched with run.logsSince', async () => {
    const api = scripted({
      'run.start': () => ({ runId: 'r1' }),
      'run.logsSince': ({ seq }) => ({ lines: seq === 2 ? [{ seq: 3, stepId: 'k', stream: 'stdout', line: 'three' }] : [], lastSeq: 4 }),
    });
    setApi(api);
    useStore.setState({ plan, overrides: ['swap'] });
    await useStore.getState().startRun();
    expect(api.calls.find(([c]) => c === 'run.start')?.[1]).toEqual({ plan, overrides: ['swap'] });
    const on = useStore.getState().onEvent;
    on({ type: 'run-started', runId: 'r1', mode: 'standalone', steps: [{ id: 'k', title: { key: 'step.k' }, hosts: ['a', 'b'], needs: [] }], resumed: false, at: '' });
    on({ type: 'step-started', runId: 'r1', stepId: 'k', at: '' });
    on({ type: 'step-progress', runId: 'r1', stepId: 'k', host: 'a', fraction: 0.5, detail: 'TASK x' });
    expect(useStore.getState().hostProgress.k?.a).toEqual({ fraction: 0.5, detail: 'TASK x' });
    on({ type: 'log-batch', runId: 'r1', lines: [1, 2].map((seq) => ({ seq, stepId: 'k', stream: 'stdout' as const, line: String(seq) })) });
    on({ type: 'log-batch', runId: 'r1', lines: [{ seq: 4, stepId: 'k', stream: 'stdout', line: '4' }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(useStore.getState().logs.all().map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    on({ type: 'log-batch', runId: 'other', lines: [{ seq: 9, stepId: 'k', stream: 'stdout', line: 'x' }] });
    expect(useStore.getState().logs.lastSeq).toBe(4);
    on({ type: 'step-failed', runId: 'r1', stepId: 'k', host: 'b', error: { key: 'install.playbook-failed' }, failure: { task: 'T', host: 'b', message: 'boom' }, at: '' });
    on({ type: 'run-finished', runId: 'r1', status: 'failed', at: '' });
    const s = useStore.getState();
    expect(s.steps[0]?.status).toBe('failed');
    expect(s.failure).toEqual({ stepId: 'k', task: 'T', host: 'b', message: 'boom' });
    expect(s.runStatus).toBe('failed');
    expect(blockerFor(s, 'install')?.key).toBe('ui.block.runNotDone');
  });

  it('after a reconnect, a run that finished while the socket was down is shown finished (its state is read again)', async () => {
    const api = scripted({
      'run.start': () => ({ runId: 'r2' }),
      'run.logsSince': () => ({ lines: [{ seq: 1, stepId: 'k', stream: 'stdout', line: 'done' }], lastSeq: 1 }),
      'run.state': () => ({
        summary: { id: 'r2', mode: 'standalone', status: 'succeeded', startedAt: '', finishedAt: '' },
        steps: [{ id: 'k', title: { key: 'step.k' }, hosts: ['a'], needs: [], status: 'done' }],
        lastSeq: 1,
      }),
    });
    setApi(api);
    useStore.setState({ plan, overrides: [], step: 'install' });
    await useStore.getState().startRun();
    expect(useStore.getState().runStatus).toBe('running');
    // No run-finished event arrives: it was sent while the socket was down.
    await useStore.getState().catchUpLogs();
    const s = useStore.getState();
    expect(api.calls.map(([c]) => c)).toEqual(['run.start', 'run.logsSince', 'run.state']);
    expect(s.logs.all().map((l) => l.line)).toEqual(['done']);
    expect(s.runStatus).toBe('succeeded');
    expect(s.steps[0]?.status).toBe('done');
    expect(s.step).toBe('done');
  });

  it('secrets go to the engine only through secrets.set, and only once per change', async () => {
    const api = scripted({ 'secrets.set': () => ({ remembered: false }) });
    setApi(api);
    const s = useStore.getState();
    s.setSecret('password', 'default', 'pw');
    s.setSecret('sudoPassword', 'default', '');
    await s.pushSecrets();
    await s.pushSecrets();
    expect(api.calls).toEqual([['secrets.set', { password: { default: 'pw' }, passphrase: {}, sudoPassword: {} }]]);
  });
});

describe('language', () => {
  it('follows a stored choice, else a Korean browser, else English', () => {
    expect(initialLang('en', 'ko-KR')).toBe('en');
    expect(initialLang(null, 'ko-KR')).toBe('ko');
    expect(initialLang(null, 'de-DE')).toBe('en');
    expect(initialLang('xx', undefined)).toBe('en');
  });
});
