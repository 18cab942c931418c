// Which of the portal's helm releases are installed (`helm list -A -o json`), so a rerun after a failure
// continues where deploy-cp-portal.sh stopped instead of reinstalling what is there. Pure.
import { PORTAL_COMPONENTS } from './components.js';

export interface HelmListEntry {
  name: string;
  namespace: string;
  status: string;
  chart: string;
  revision?: string;
  app_version?: string;
}

/** `helm list -A -o json` (an array; helm prints `[]` for none). Anything else is an error naming what came. */
export function parseHelmList(json: string): HelmListEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(json.trim() === '' ? '[]' : json);
  } catch {
    throw new Error(`helm list printed something that is not JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(data)) throw new Error('helm list -o json did not print a list');
  return data
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object')
    .map((r) => ({
      name: String(r.name ?? ''),
      namespace: String(r.namespace ?? ''),
      status: String(r.status ?? ''),
      chart: String(r.chart ?? ''),
      revision: r.revision === undefined ? undefined : String(r.revision),
      app_version: r.app_version === undefined ? undefined : String(r.app_version),
    }));
}

export interface PortalReleaseState {
  /** Components whose release is deployed in their namespace. */
  deployed: string[];
  /** Components with a release in another state (failed, pending-install…): reinstalled on resume. */
  broken: Array<{ name: string; status: string }>;
  /** Components with no release yet. */
  missing: string[];
}

/** Each portal component's release state, in install order. */
export function portalReleaseState(list: readonly HelmListEntry[]): PortalReleaseState {
  const out: PortalReleaseState = { deployed: [], broken: [], missing: [] };
  for (const c of PORTAL_COMPONENTS) {
    const inNs = list.filter((r) => r.namespace === c.namespace);
    // The release is named after its chart; the cp-portal namespace may hold several of the portal's charts.
    const own = inNs.find((r) => r.name === c.name) ?? inNs.find((r) => r.chart.startsWith(`${c.name}-`));
    if (!own) out.missing.push(c.name);
    else if (own.status === 'deployed') out.deployed.push(c.name);
    else out.broken.push({ name: c.name, status: own.status });
  }
  return out;
}
