// The ingresses the portal made, read back from the cluster (`kubectl get ingress -A -o json`): each host,
// its namespace and name, and whether it serves TLS. These, not a list of names, are what is checked and
// shown. Pure.

export interface PortalIngress {
  namespace: string;
  name: string;
  host: string;
  tls: boolean;
  /** The TLS secret named for this host, when there is one. */
  secretName?: string;
  /** status.loadBalancer.ingress[].ip */
  addresses: string[];
}

interface IngressObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { rules?: Array<{ host?: string }>; tls?: Array<{ hosts?: string[]; secretName?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export function parseIngresses(json: string): PortalIngress[] {
  let data: { items?: IngressObject[] };
  try {
    data = JSON.parse(json) as { items?: IngressObject[] };
  } catch {
    throw new Error(`kubectl get ingress printed something that is not JSON: ${json.slice(0, 200)}`);
  }
  const out: PortalIngress[] = [];
  for (const item of data.items ?? []) {
    const namespace = item.metadata?.namespace ?? '';
    const name = item.metadata?.name ?? '';
    const addresses = (item.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname ?? '').filter(Boolean);
    for (const rule of item.spec?.rules ?? []) {
      if (!rule.host) continue;
      const tls = (item.spec?.tls ?? []).find((t) => (t.hosts ?? []).includes(rule.host!));
      out.push({ namespace, name, host: rule.host, tls: !!tls, secretName: tls?.secretName, addresses });
    }
  }
  return out;
}
