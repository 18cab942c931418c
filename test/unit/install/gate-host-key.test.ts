// security #11: a changed host key met by `apply` is said in words (host, both fingerprints, the
// ssh-keygen -R that fixes it) and never answered with an --override that cannot skip it.
import { describe, expect, it } from 'vitest';
import { coreMessages } from '../../../core/api/messages.js';
import { render } from '../../../core/common/messages.js';
import { gateStep } from '../../../core/install/gate.js';
import { StepError, type StepContext } from '../../../core/install/step.js';
import { Plan } from '../../../core/plan/schema.js';
import type { PreflightReport } from '../../../core/preflight/types.js';
import { sshErrorMessage } from '../../../core/ssh/messages.js';
import { SshError } from '../../../core/ssh/types.js';

describe('security #11: a changed host key in apply', () => {
  it('stops the run with the SSH message itself, in en and ko, without suggesting --override', async () => {
    const plan = Plan.parse({ apiVersion: 'cp-installer/v1', kind: 'Plan', mode: 'standalone', release: 'k-paas-v1.6.2', hosts: [{ name: 'master-1', address: '10.0.0.1' }] });
    const e = new SshError('host-key-changed', 'master-1', 'host key of 10.0.0.1 changed', {
      fingerprint: 'SHA256:newnewnew',
      expected: 'SHA256:oldoldold',
      entry: '10.0.0.1',
      file: '/root/.ssh/known_hosts',
    });
    const report: PreflightReport = {
      hosts: [{ name: 'master-1', address: '10.0.0.1', error: { ...sshErrorMessage(e), kind: e.kind }, checks: [] }],
      cross: [],
      ok: false,
      startedAt: new Date().toISOString(),
      durationMs: 1,
    };
    const step = gateStep(plan, async () => report);
    const ctx = { dryRun: false, plan, options: { overrides: ['reachable'] }, log: () => undefined } as unknown as StepContext;
    const err = await step.run(ctx).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(StepError);
    const m = (err as StepError).error;
    expect(m.key).toBe('ssh.host-key-changed');
    for (const lang of ['en', 'ko'] as const) {
      const text = render(coreMessages, lang, m);
      expect(text).toContain('master-1');
      expect(text).toContain('SHA256:newnewnew');
      expect(text).toContain('SHA256:oldoldold');
      expect(text).toContain('ssh-keygen -R 10.0.0.1 -f /root/.ssh/known_hosts');
      expect(text).not.toContain('--override');
      expect(text).not.toMatch(/^host-key-changed: ssh\./);
    }
  });
});
