// A stand-in for ingress-nginx on a test host (tests only): an HTTPS server on the ingress IP's port 443 that
// routes by name exactly as the controller does from the fake cluster's state (test/fakes/portal-k8s): the
// TLS certificate is the one in the Secret the matching Ingress names (SNI), the answer is the Ingress's
// backend (200 and its namespace/name) for a known Host, nginx's 404 for any other. A name whose Secret is
// missing gets no certificate: the handshake is refused, as a client sees it. Started inside the host's
// namespaces (nsenter), so it reads the host's /var/lib/cp-installer and answers only on that network.
// Usage: node portal-ingress.mjs <state.json> <address> [port]
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createSecureContext } from 'node:tls';

const [statePath, address, port = '443'] = process.argv.slice(2);
const state = () => JSON.parse(readFileSync(statePath, 'utf8'));
const ingressFor = (s, host) => s.ingresses.find((i) => i.spec.rules.some((r) => r.host === host));

function contextFor(host) {
  const s = state();
  const ing = ingressFor(s, host);
  const tls = ing?.spec.tls?.find((t) => t.hosts.includes(host));
  const secret = tls && s.secrets[`${ing.metadata.namespace}/${tls.secretName}`];
  if (!secret) return undefined;
  const pem = (k) => Buffer.from(secret.data[k], 'base64').toString('utf8');
  return createSecureContext({ cert: pem('tls.crt'), key: pem('tls.key') });
}

const server = createServer(
  {
    SNICallback: (name, cb) => {
      try {
        const ctx = contextFor(name);
        if (ctx) cb(null, ctx);
        else cb(new Error(`no certificate for ${name}`));
      } catch (e) {
        cb(e);
      }
    },
  },
  (req, res) => {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const ing = ingressFor(state(), host);
    if (!ing) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${ing.metadata.namespace}/${ing.metadata.name}\n`);
  },
);
server.on('tlsClientError', () => undefined);
server.listen(Number(port), address, () => {
  writeFileSync(`${statePath}.ingress.pid`, String(process.pid));
  process.stdout.write(`listening ${address}:${port}\n`);
});
