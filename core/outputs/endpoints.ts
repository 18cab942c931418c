// The addresses a finished install hands to the user: the API server, and the portal's URLs only as the run
// installed and checked them. A portal URL is never derived from the plan alone: the portal step reads the
// ingresses back from the cluster and requests each one through the ingress IP with its Host name (so the
// check works before DNS does), and what it found — answered with a status and a certificate, or did not
// answer and why — is what every shell and the report show.
import { createHash, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Plan } from '../plan/schema.js';
import { apiServerUrl } from './kubeconfig.js';

export interface EndpointCertificate {
  subject?: string;
  issuer?: string;
  validTo?: string;
  /** SHA-256 of the DER certificate, colon-separated as browsers show it. */
  fingerprint256?: string;
  /** The certificate verified for the host name, against the portal's CA when it generated one. */
  trusted: boolean;
  /** Why it is not trusted (expired, another name, unknown issuer…). */
  problem?: string;
}

export interface Endpoint {
  name: string;
  url: string;
  /** Portal URLs only: checked through the ingress. Absent for the API server (verified by the cluster steps). */
  state?: 'ok' | 'unreachable';
  /** HTTP status of the answer. */
  status?: number;
  /** For an unreachable one: what went wrong (refused, timed out, TLS handshake…). */
  reason?: string;
  /** The address the check connected to (the ingress IP). */
  via?: string;
  certificate?: EndpointCertificate;
  /** Where the CA to trust is kept, when the portal generated its certificates. */
  caPath?: string;
  /**
   * Checked like a portal URL but not the platform's portal (CaaS's container service, the 2021 release's
   * portals): shown without the portal's first login, next steps and uninstall.
   */
  service?: boolean;
}

/** Which portal endpoint a host is: the first label of `<label>.<HOST_DOMAIN>` (portal, keycloak, …). */
export function endpointName(host: string, domain: string | undefined): string {
  if (domain && host.endsWith(`.${domain}`)) return host.slice(0, -domain.length - 1);
  return host.split('.')[0] ?? host;
}

/** API server first, then the portal URLs the run checked (never a URL it did not install and request). */
export function endpoints(plan: Plan, checked: readonly Endpoint[] = []): Endpoint[] {
  return [{ name: 'api-server', url: apiServerUrl(plan) }, ...checked];
}

/** One line per endpoint for a terminal or a plain-text summary. */
export function endpointLines(list: readonly Endpoint[]): string[] {
  return list.map((e) => {
    const head = `${e.name.padEnd(12)} ${e.url}`;
    if (!e.state) return head;
    if (e.state === 'unreachable') return `${head}  ✘ not reachable: ${e.reason ?? 'no answer'}`;
    const cert = e.certificate ? (e.certificate.trusted ? 'certificate OK' : `certificate not trusted: ${e.certificate.problem ?? 'unknown issuer'}`) : 'no TLS';
    return `${head}  ✔ HTTP ${e.status}, ${cert}`;
  });
}

export interface ProbeOptions {
  /** The address to connect to (the ingress IP), whatever the name resolves to. */
  address: string;
  port?: number;
  /** PEM of the CA to check the certificate against (the portal's generated CA); the system's when absent. */
  ca?: string;
  timeoutMs?: number;
}

function colonHex(buf: Buffer): string {
  return (buf.toString('hex').toUpperCase().match(/.{2}/g) ?? []).join(':');
}

function certificateOf(socket: TLSSocket, host: string, ca: string | undefined): EndpointCertificate | undefined {
  const peer = socket.getPeerCertificate(false) as PeerCertificate | undefined;
  if (!peer || !peer.raw) return undefined;
  const x = new X509Certificate(peer.raw);
  let problem: string | undefined;
  if (!socket.authorized) problem = String(socket.authorizationError ?? 'not trusted');
  else if (!x.checkHost(host)) problem = `the certificate is not for ${host}`;
  // A CA given: the leaf must be signed by it, not only by something the system trusts.
  if (!problem && ca) {
    try {
      if (!x.verify(new X509Certificate(ca).publicKey)) problem = 'not signed by the portal CA';
    } catch {
      // An intermediate between them: node's chain check above already used the CA.
    }
  }
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    validTo: x.validTo,
    fingerprint256: colonHex(createHash('sha256').update(peer.raw).digest()),
    trusted: !problem,
    ...(problem ? { problem } : {}),
  };
}

/**
 * Requests `url` through `address` with the URL's host as TLS name and Host header, and records what
 * answered: the HTTP status (any status is an answer: the ingress routed it) and the certificate. Never
 * throws: a failure is returned as `unreachable` with its reason.
 */
export async function probeEndpoint(name: string, url: string, o: ProbeOptions): Promise<Endpoint> {
  const u = new URL(url);
  const host = u.hostname;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const base: Endpoint = { name, url, via: o.address };
  if (u.protocol !== 'https:') return { ...base, state: 'unreachable', reason: 'not HTTPS: the portal serves every URL over TLS' };
  return new Promise<Endpoint>((resolve) => {
    let done = false;
    const finish = (e: Endpoint) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(e);
      }
    };
    // The name is "resolved" to the ingress IP whatever DNS says; TLS gets the name (SNI) and so does Host.
    // rejectUnauthorized is off so an untrusted certificate is still looked at and recorded, while the
    // verdict on it comes from node's own chain and name checks (socket.authorized).
    const lookup: LookupFunction = (_name, options, cb) => {
      const family = isIP(o.address) || 4;
      if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: o.address, family }]);
      else cb(null, o.address, family);
    };
    let certificate: EndpointCertificate | undefined;
    const req = request({
      host,
      port: o.port ?? Number(u.port || 443),
      path: u.pathname + u.search,
      method: 'GET',
      servername: host,
      ca: o.ca,
      rejectUnauthorized: false,
      lookup,
      agent: false,
      headers: { Host: u.host, 'User-Agent': 'cp-installer', Connection: 'close' },
    });
    req.once('socket', (socket) => {
      socket.once('secureConnect', () => {
        certificate = certificateOf(socket as TLSSocket, host, o.ca);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ...base, state: 'unreachable', reason: `no answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`, ...(certificate ? { certificate } : {}) });
    }, timeoutMs);
    req.once('response', (res) => {
      res.resume();
      finish({ ...base, state: 'ok', status: res.statusCode, ...(certificate ? { certificate } : {}) });
      req.destroy();
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      finish({ ...base, state: 'unreachable', reason: err.code ? `${err.code}: ${err.message}` : err.message, ...(certificate ? { certificate } : {}) });
    });
    req.end();
  });
}
