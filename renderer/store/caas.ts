// CaaS and the 2021 standalone/edge with BOSH middleware: the check of the BOSH director (and PaaS-TA, for
// caas) from the jump box (caas.check), and whether it still speaks for the plan and secrets as they are now:
// Settings lets such a plan through only after a check of these very settings found nothing failing.
import type { CheckResult, Message, ModeVariantInfo, PlanInput } from '../../core/api/types.js';
import { call } from '../api.js';
import type { AppState } from './index.js';
import type { Slice } from './types.js';

/** The secrets a caas run needs, by the Settings section that asks for them (core/plan/secrets.ts
 *  SERVICE_SECRETS; the renderer sees only api types). Not k8sBearerToken: the run makes that token on the
 *  new cluster (core/modes/admin-token.ts), which cannot exist while Settings is filled in. */
export const CAAS_SECRETS = {
  bosh: ['boshClientSecret', 'mariadbPassword'],
  paasta: ['cfAdminPassword', 'uaaAdminClientSecret', 'brokerPassword', 'caasClientSecret'],
} as const;
const ALL_CAAS_SECRETS: readonly string[] = [...CAAS_SECRETS.bosh, ...CAAS_SECRETS.paasta];

export interface CaasCheckResult {
  /** What was checked (caasCheckKey): a later edit of the director, PaaS-TA, jump box or secrets makes it stale. */
  key: string;
  host: string;
  checks: CheckResult[];
}

export interface CaasSlice {
  caasCheck?: CaasCheckResult;
  caasChecking: boolean;
  runCaasCheck(): Promise<void>;
}

/** FNV-1a: the secrets take part in the key without a second copy of them being kept. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

export function caasCheckKey(plan: PlanInput | undefined, secrets: Record<string, string>): string {
  if (!plan) return '';
  const jump = (plan.hosts ?? []).filter((h) => h.roles?.includes('jumpbox'));
  const cluster = (plan.hosts ?? []).filter((h) => !h.roles?.includes('jumpbox')).map((h) => [h.name, h.address, h.port]);
  return JSON.stringify({ bosh: plan.bosh, paasta: plan.paasta, jump, cluster, auth: plan.auth, bundle: plan.bundle, s: fnv(JSON.stringify(secrets)) });
}

export const createCaasSlice: Slice<CaasSlice> = (set, get) => ({
  caasChecking: false,
  async runCaasCheck() {
    const plan = get().plan;
    if (!plan || get().caasChecking) return;
    await get().pushSecrets();
    set({ caasChecking: true });
    try {
      const key = caasCheckKey(plan, get().serviceSecrets);
      const r = await call('caas.check', { plan });
      set({ caasCheck: { key, host: r.host, checks: r.checks } });
    } catch (e) {
      set({ caasCheck: undefined });
      get().fail(e);
    } finally {
      set({ caasChecking: false });
    }
  },
});

/**
 * Which director settings the plan's mode takes: `withPaasta` (caas: the director and PaaS-TA, always), `optional` (a mode
 * listing the bosh section with a release whose middleware is BOSH's: the 2021 standalone and edge, where the
 * person chooses the BOSH middleware and the plan then has the bosh section), or `none`.
 */
export type BoshShape = 'withPaasta' | 'optional' | 'none';

/** app.info's entry for the plan's mode (undefined until the engine has answered). */
const planMode = (s: Pick<AppState, 'info' | 'plan'>) => s.info?.modes.find((x) => x.name === s.plan?.mode);

export function boshShape(s: Pick<AppState, 'info' | 'plan'>): BoshShape {
  const mode = planMode(s);
  // The edge lists bosh only in its variant (the 2021 edge): the toggle is what selects that variant.
  const sections = [...(mode?.sections ?? []), ...(mode?.withBosh?.sections ?? [])];
  if (!sections.includes('bosh')) return 'none';
  if (sections.includes('paasta')) return 'withPaasta';
  return s.info?.releases?.find((r) => r.name === s.plan?.release)?.bosh ? 'optional' : 'none';
}

/**
 * The roles, Settings sections and Hosts hint that apply to the plan as it is now: the mode's, or its variant's
 * when the plan has the bosh section (the 2021 edge, as the engine's profileOf picks it); undefined until the
 * engine has answered app.info.
 */
export function modeView(s: Pick<AppState, 'info' | 'plan'>): ModeVariantInfo | undefined {
  const mode = planMode(s);
  if (!mode) return undefined;
  return s.plan?.bosh && mode.withBosh ? mode.withBosh : mode;
}

/** The plan's mode becomes another variant with the bosh section (the edge: the 2021 edge on a Kubespray cloud). */
export function boshSelectsVariant(s: Pick<AppState, 'info' | 'plan'>): boolean {
  return !!planMode(s)?.withBosh;
}

/** The director settings are in use: a caas plan, or a 2021 standalone/edge plan with its bosh section. */
export function boshInUse(s: Pick<AppState, 'info' | 'plan'>): boolean {
  const shape = boshShape(s);
  return shape === 'withPaasta' || (shape === 'optional' && !!s.plan?.bosh);
}

/**
 * Why Settings cannot be left yet for a plan with director settings: a secret not typed, no check of these
 * settings, or one that failed. A caas plan needs all six secrets; the 2021 standalone/edge the director's two.
 */
export function caasBlocker(s: AppState): Message | null {
  if (!boshInUse(s)) return null;
  const caas = boshShape(s) === 'withPaasta';
  const empty = (caas ? ALL_CAAS_SECRETS : CAAS_SECRETS.bosh).filter((k) => !s.serviceSecrets[k]);
  if (empty.length) return { key: caas ? 'ui.block.caasSecrets' : 'ui.block.boshSecrets', params: { count: empty.length }, nested: { first: { key: `ui.caas.secret.${empty[0]}` } } };
  const c = s.caasCheck;
  if (!c || c.key !== caasCheckKey(s.plan, s.serviceSecrets)) return { key: caas ? 'ui.block.caasCheck' : 'ui.block.boshCheck' };
  const failed = c.checks.filter((x) => x.status === 'fail').map((x) => x.id);
  return failed.length ? { key: caas ? 'ui.block.caasFailed' : 'ui.block.boshFailed', params: { checks: failed.join(', ') } } : null;
}
