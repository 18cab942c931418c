// A stand-in for the container-service archive's scripts (container-service-image-1.1.tar is not public
// here): image-upload-caas.sh and container-service-deploy.sh with the real ones' inputs (the registry as
// `<HAProxy>:5001`; container-service-vars.sh sourced, the bearer token and the MariaDB password in it), and
// NodePort listeners standing in for the pods — the broker answering GET /v2/catalog with basic auth as the
// real container-service-broker does. What they were given is recorded under /var/lib/cp-installer/caas-test/
// on the master (hashes only for secrets), so the test checks the values that reached them.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BROKER = `import base64, hashlib, http.server, json, os, socketserver, sys, threading, time
HERE = os.path.dirname(os.path.abspath(__file__))
WANT = open(os.path.join(HERE, 'broker.sha256')).read().strip()
CATALOG = {'services': [{'name': 'container-service', 'id': 'container-service-1', 'description': 'container service', 'bindable': True,
            'plans': [{'name': 'Advenced', 'id': 'p1'}, {'name': 'Micro', 'id': 'p2'}, {'name': 'Small', 'id': 'p3'}]}]}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        port = self.server.server_address[1]
        if port == 31888:
            auth = self.headers.get('Authorization', '')
            ok = auth.startswith('Basic ') and hashlib.sha256(base64.b64decode(auth[6:]).decode().split(':', 1)[-1].encode()).hexdigest() == WANT
            if self.path != '/v2/catalog' or not ok:
                self.send_response(401 if not ok else 404); self.end_headers(); return
            body = json.dumps(CATALOG).encode()
        else:
            body = b'ok'
        self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
for p in (30333, 31888, 30334, 32091):
    threading.Thread(target=S(('0.0.0.0', p), H).serve_forever, daemon=True).start()
time.sleep(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
`;

const UPLOAD = `#!/bin/bash
set -e
OUT=/var/lib/cp-installer/caas-test
mkdir -p "$OUT"
[[ "$1" =~ ^[0-9.]+:5001$ ]] || { echo "usage: image-upload-caas.sh {HAProxy_IP}:5001" >&2; exit 2; }
for img in container-service-api container-service-broker container-service-common-api container-service-dashboard; do
  test -f ../images/$img.tar.gz || { echo "missing image $img" >&2; exit 1; }
  echo "pushed $1/$img"
done
echo "$1" > "$OUT/images-pushed"
`;

const DEPLOY = `#!/bin/bash
set -e
source container-service-vars.sh
OUT=/var/lib/cp-installer/caas-test
mkdir -p "$OUT"
for v in PAASTA_SYSTEM_DOMAIN HAPROXY_IP K8S_MASTER_NODE_IP K8S_WORKER_NODE_IP K8S_WORKER_NODE_HOSTNAME K8S_AUTH_BEARER_TOKEN MARIADB_USER_ID MARIADB_USER_PASSWORD; do
  [ -n "\${!v}" ] || { echo "$v is empty" >&2; exit 1; }
done
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
printf '{"haproxy":"%s","master":"%s","worker":"%s","workerHostname":"%s","domain":"%s","mariadbUser":"%s","token":"%s","mariadbPassword":"%s"}\\n' \\
  "$HAPROXY_IP" "$K8S_MASTER_NODE_IP" "$K8S_WORKER_NODE_IP" "$K8S_WORKER_NODE_HOSTNAME" "$PAASTA_SYSTEM_DOMAIN" "$MARIADB_USER_ID" "$(h "$K8S_AUTH_BEARER_TOKEN")" "$(h "$MARIADB_USER_PASSWORD")" > "$OUT/deployed.json"
if [ -f "$OUT/broker.pid" ] && kill -0 "$(cat "$OUT/broker.pid")" 2>/dev/null; then kill "$(cat "$OUT/broker.pid")"; sleep 0.2; fi
setsid nohup python3 ../service-script/broker.py 600 </dev/null >/dev/null 2>&1 &
echo $! > "$OUT/broker.pid"
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/31888) 2>/dev/null && break; sleep 0.1; done
echo "service/service-broker-deployment       NodePort    10.233.60.232   <none>        8888:31888/TCP   1s"
`;

/** The container-service folder of a bundle, with the broker expecting this password's hash. */
export function writeContainerService(bundle: string, brokerPasswordSha256: string): void {
  const root = join(bundle, 'container-service');
  for (const d of ['service-script', 'container-service-yaml', 'images']) mkdirSync(join(root, d), { recursive: true });
  for (const img of ['container-service-api', 'container-service-broker', 'container-service-common-api', 'container-service-dashboard']) {
    writeFileSync(join(root, 'images', `${img}.tar.gz`), `image ${img}\n`);
    writeFileSync(join(root, 'container-service-yaml', `${img.replace('container-', '')}.yaml`), `# ${img}\n`);
  }
  writeFileSync(join(root, 'service-script', 'image-upload-caas.sh'), UPLOAD, { mode: 0o755 });
  writeFileSync(join(root, 'service-script', 'container-service-deploy.sh'), DEPLOY, { mode: 0o755 });
  writeFileSync(join(root, 'service-script', 'broker.py'), BROKER);
  writeFileSync(join(root, 'service-script', 'broker.sha256'), `${brokerPasswordSha256}\n`);
  chmodSync(join(root, 'service-script', 'image-upload-caas.sh'), 0o755);
}
