import { createServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointLines, endpointName, endpoints, probeEndpoint, type Endpoint } from '../../../core/outputs/endpoints.js';
import { makeCerts, type TestCerts } from '../../fixtures/portal/certs.js';
import { haExternalEtcd, singleMaster } from '../kubespray/plans.js';

describe('endpoints', () => {
  it('no portal URL from the plan alone: only the API server until the portal step checked them', () => {
    // The plan enables the portal and has an ingress IP: nothing was installed or requested, so nothing is shown.
    expect(singleMaster().portal.enabled).toBe(true);
    expect(endpoints(singleMaster())).toEqual([{ name: 'api-server', url: 'https://203.0.113.10:6443' }]);
    expect(endpoints(haExternalEtcd())).toEqual([{ name: 'api-server', url: 'https://k8s-api.example.internal:6443' }]);
  });

  it('the checked portal URLs follow the API server as they were found, the unreachable ones with their reason', () => {
    const checked: Endpoint[] = [
      { name: 'portal', url: 'https://portal.d.nip.io', state: 'ok', status: 200, via: '10.0.0.170', certificate: { trusted: true, subject: 'CN=*.d.nip.io' } },
      { name: 'harbor', url: 'https://harbor.d.nip.io', state: 'unreachable', via: '10.0.0.170', reason: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.170:443' },
    ];
    const list = endpoints(singleMaster(), checked);
    expect(list.map((e) => e.name)).toEqual(['api-server', 'portal', 'harbor']);
    expect(endpointLines(list)).toEqual([
      'api-server   https://203.0.113.10:6443',
      'portal       https://portal.d.nip.io  ✔ HTTP 200, certificate OK',
      'harbor       https://harbor.d.nip.io  ✘ not reachable: ECONNREFUSED: connect ECONNREFUSED 10.0.0.170:443',
    ]);
    expect(endpointName('keycloak.10.0.0.170.nip.io', '10.0.0.170.nip.io')).toBe('keycloak');
  });
});

describe('probeEndpoint against a real HTTPS server answering for several Host names on one address', () => {
  let server: Server;
  let port: number;
  let certs: TestCerts;
  const hosts: string[] = [];

  beforeAll(async () => {
    certs = makeCerts('10.0.0.170.nip.io');
    server = createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
      hosts.push(String(req.headers.host));
      res.writeHead(req.headers.host === 'portal.10.0.0.170.nip.io' ? 200 : 404).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records the status and a certificate trusted through the portal CA, sending the Host name', async () => {
    const e = await probeEndpoint('portal', 'https://portal.10.0.0.170.nip.io', { address: '127.0.0.1', port, ca: certs.ca });
    expect(e).toMatchObject({ name: 'portal', state: 'ok', status: 200, via: '127.0.0.1' });
    expect(e.certificate).toMatchObject({ trusted: true, subject: 'CN=*.10.0.0.170.nip.io', issuer: 'CN=cp-portal test CA' });
    expect(e.certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(hosts).toContain('portal.10.0.0.170.nip.io');
    const other = await probeEndpoint('harbor', 'https://harbor.10.0.0.170.nip.io', { address: '127.0.0.1', port, ca: certs.ca });
    expect(other).toMatchObject({ state: 'ok', status: 404 });
  });

  it('without the CA, or for another name, the certificate is recorded as not trusted (still an answer)', async () => {
    const noCa = await probeEndpoint('portal', 'https://portal.10.0.0.170.nip.io', { address: '127.0.0.1', port });
    expect(noCa.state).toBe('ok');
    expect(noCa.certificate?.trusted).toBe(false);
    expect(noCa.certificate?.problem).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    const wrong = await probeEndpoint('x', 'https://portal.example.com', { address: '127.0.0.1', port, ca: certs.ca });
    expect(wrong.certificate).toMatchObject({ trusted: false });
    expect(wrong.certificate?.problem).toMatch(/ALTNAME_INVALID|portal\.example\.com/);
  });

  it('a closed port or a silent address is unreachable, with the reason', async () => {
    const closed = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const refused = await probeEndpoint('portal', 'https://portal.10.0.0.170.nip.io', { address: '127.0.0.1', port: closed });
    expect(refused).toMatchObject({ state: 'unreachable' });
    expect(refused.reason).toMatch(/ECONNREFUSED/);
    // Accepts the connection and never answers (a hung ingress): bounded by the timeout.
    const held: Socket[] = [];
    const mute = createNetServer((c) => void held.push(c));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    const silent = await probeEndpoint('portal', 'https://portal.10.0.0.170.nip.io', { address: '127.0.0.1', port: (mute.address() as AddressInfo).port, timeoutMs: 300 });
    for (const c of held) c.destroy();
    await new Promise<void>((r) => mute.close(() => r()));
    expect(silent).toMatchObject({ state: 'unreachable', reason: 'no answer within 300 ms' });
  });
});
