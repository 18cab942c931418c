// The one check between a plan and anything that acts on it: every command that connects to a host, runs a
// command or writes a run's files asks here first, so no shell (Electron IPC, the WebSocket of browser
// mode, the CLI, a test) can reach a host with a plan validation rejects. The rule is the whole plan, the
// same one the SSH layer applies before it makes a target (core/ssh/targets.ts): one answer everywhere.
import type { PlanIssue } from '../plan/issues.js';
import type { Plan } from '../plan/schema.js';
import { passedValidation, validatePlan } from '../plan/validate.js';
import { renderCoreMessage } from './messages.js';
import { ApiFailure } from './service-errors.js';

/** The plan's errors, first one first (none: the plan may be acted on). */
export function blockingErrors(input: unknown): { plan?: Plan; errors: PlanIssue[] } {
  // A plan the validator passed in this process, unchanged since (a CLI's loaded file): not validated twice.
  if (passedValidation(input)) return { plan: input, errors: [] };
  const result = validatePlan(input);
  return result.plan ? { plan: result.plan, errors: result.errors } : { errors: result.errors };
}

/** The plan with defaults applied, or `api.planInvalid` naming the first invalid field and what is wrong with it. */
export function checkedPlan(input: unknown): Plan {
  const { plan, errors } = blockingErrors(input);
  const first = errors[0];
  if (plan && !first) return plan;
  const problem = first ?? { key: 'plan.schema.invalid', params: { field: 'plan' } };
  const field = first?.path || 'plan';
  const text = renderCoreMessage(problem, 'en');
  throw new ApiFailure(
    'api.planInvalid',
    { field, problem: text, count: Math.max(1, errors.length) },
    `The plan is not valid: ${field}: ${text}`,
    { problem: { key: problem.key, ...(problem.params ? { params: problem.params } : {}) } },
  );
}
