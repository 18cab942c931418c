// The wizard's "Check the director and PaaS-TA" (caas.check): one SSH session to the plan's jump box, the
// same gathering and verdicts as the jump box's CaaS checks in preflight (core/modes/caas/checks.ts).
import { caasJumpboxChecks } from '../modes/caas/checks.js';
import { jumpboxHost } from '../modes/caas/layout.js';
import { profileOf } from '../modes/profiles.js';
import type { Plan } from '../plan/schema.js';
import type { CheckResult } from '../preflight/types.js';
import type { Connector, SshTarget } from '../ssh/types.js';
import { ApiFailure } from './service-errors.js';
import type { SessionSecrets } from './engine.js';

export async function caasCheck(plan: Plan, secrets: SessionSecrets, connector: Connector, targets: SshTarget[]): Promise<{ host: string; checks: CheckResult[] }> {
  const jump = jumpboxHost(plan);
  if (!profileOf(plan.mode).bosh || !jump || !plan.bosh || !plan.paasta) throw new ApiFailure('mode.caas.plan-incomplete', {}, 'The plan is not a complete caas plan');
  const target = targets.find((t) => t.name === jump.name);
  if (!target) throw new ApiFailure('mode.caas.plan-incomplete', {}, `no SSH target for ${jump.name}`);
  const session = await connector.connect(target);
  try {
    return { host: jump.name, checks: await caasJumpboxChecks(plan, (command, options) => session.exec(command, options), secrets.service ?? {}) };
  } finally {
    await session.close().catch(() => undefined);
  }
}
