import { describe, expect, it } from 'vitest';
import { endpoints, portalDomain } from '../../../core/outputs/endpoints.js';
import { haExternalEtcd, singleMaster } from '../kubespray/plans.js';

describe('endpoints', () => {
  it('API server and the portal on <ingress IP>.nip.io by default', () => {
    expect(endpoints(singleMaster())).toEqual([
      { name: 'api-server', url: 'https://203.0.113.10:6443' },
      { name: 'portal', url: 'https://portal.10.0.0.170.nip.io' },
      { name: 'keycloak', url: 'https://keycloak.10.0.0.170.nip.io' },
      { name: 'harbor', url: 'https://harbor.10.0.0.170.nip.io' },
      { name: 'openbao', url: 'https://openbao.10.0.0.170.nip.io' },
      { name: 'chartmuseum', url: 'https://chartmuseum.10.0.0.170.nip.io' },
    ]);
  });

  it("the plan's portal domain wins; no portal URLs when the portal is off or not asked for", () => {
    const plan = haExternalEtcd();
    plan.portal.domain = 'paas.example.com';
    expect(portalDomain(plan)).toBe('paas.example.com');
    expect(endpoints(plan)[1]).toEqual({ name: 'portal', url: 'https://portal.paas.example.com' });
    expect(endpoints(plan, { portal: false })).toEqual([{ name: 'api-server', url: 'https://k8s-api.example.internal:6443' }]);
    plan.portal.enabled = false;
    expect(endpoints(plan).map((e) => e.name)).toEqual(['api-server']);
  });
});
