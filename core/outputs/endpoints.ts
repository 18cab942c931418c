// The addresses a finished install hands to the user: the API server and, when the plan enables the
// portal, the portal's URLs on `*.${HOST_DOMAIN}` (PAASTA.md §5; HOST_DOMAIN defaults to `<ingress IP>.nip.io`).
import type { Plan } from '../plan/schema.js';
import { apiServerUrl } from './kubeconfig.js';

export interface Endpoint {
  name: string;
  url: string;
}

/** The portal components with an ingress of their own, in the order the guide lists them. */
export const PORTAL_HOSTS = ['portal', 'keycloak', 'harbor', 'openbao', 'chartmuseum'] as const;

/** HOST_DOMAIN: the plan's portal domain, else `<ingress IP>.nip.io`; undefined when neither is known. */
export function portalDomain(plan: Plan): string | undefined {
  if (plan.portal.domain) return plan.portal.domain;
  return plan.network.ingressIp ? `${plan.network.ingressIp}.nip.io` : undefined;
}

export function portalEndpoints(plan: Plan): Endpoint[] {
  const domain = portalDomain(plan);
  if (!plan.portal.enabled || !domain) return [];
  return PORTAL_HOSTS.map((name) => ({ name, url: `https://${name}.${domain}` }));
}

/** API server first, then the portal's URLs when the plan installs the portal. */
export function endpoints(plan: Plan, options: { portal?: boolean } = {}): Endpoint[] {
  const list: Endpoint[] = [{ name: 'api-server', url: apiServerUrl(plan) }];
  if (options.portal ?? true) list.push(...portalEndpoints(plan));
  return list;
}
