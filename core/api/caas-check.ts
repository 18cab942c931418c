// The wizard's "Check the director and PaaS-TA" (caas.check): one SSH session to the plan's jump box, the
// same gathering and verdicts as the jump box's CaaS checks in preflight (core/modes/caas/checks.ts).
import { caasJumpboxChecks, jumpboxChecksApply } from '../modes/caas/checks.js';
import { jumpboxHost } from '../modes/caas/layout.js';
import { findRelease } from '../plan/catalog.js';
import type { Plan } from '../plan/schema.js';
import type { CheckResult } from '../preflight/types.js';
import type { Connector, SshTarget } from '../ssh/types.js';
import { ApiFailure } from './service-errors.js';
import type { SessionSecrets } from './engine.js';

export async function caasCheck(plan: Plan, secrets: SessionSecrets, connector: Connector, targets: SshTarget[]): Promise<{ host: string; checks: CheckResult[] }> {
  const jump = jumpboxHost(plan);
  // A caas plan, or a 2021 standalone/edge plan with the bosh section (its director only: no PaaS-TA).
  if (!jump || !jumpboxChecksApply(plan, findRelease(plan.release))) throw new ApiFailure(plan.paasta ? 'mode.caas.plan-incomplete' : 'mode.caas.bosh-incomplete', {}, 'The plan has no jump box and BOSH settings to check');
  const target = targets.find((t) => t.name === jump.name);
  if (!target) throw new ApiFailure(plan.paasta ? 'mode.caas.plan-incomplete' : 'mode.caas.bosh-incomplete', {}, `no SSH target for ${jump.name}`);
  const session = await connector.connect(target);
  try {
    return { host: jump.name, checks: await caasJumpboxChecks(plan, (command, options) => session.exec(command, options), secrets.service ?? {}) };
  } finally {
    await session.close().catch(() => undefined);
  }
}
