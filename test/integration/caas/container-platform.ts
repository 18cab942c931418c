// A stand-in for the 2021 standalone image archive's scripts (container-platform-standalone-image.tar is not
// public here): image-upload-standalone.sh and container-platform-deploy.sh with the real ones' inputs (the
// registry as `<HAProxy>:5001`, exactly one argument; container-platform-vars.sh sourced with every variable
// of guide 3.3.1 set) and NodePort listeners standing in for the operator (32080) and user (32091) portals.
// What they were given is recorded under /var/lib/cp-installer/cp-test/ on the master (a hash only for the
// password), so the test checks the values that reached them; each push is counted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PORTALS = `import http.server, socketserver, sys, threading, time
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        # The portals' login redirect, as the real webadmin/webuser answer /.
        self.send_response(302); self.send_header('Location', '/login'); self.send_header('Content-Length', '0'); self.end_headers()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    allow_reuse_address = True
    daemon_threads = True
for p in (32080, 32091):
    threading.Thread(target=S(('0.0.0.0', p), H).serve_forever, daemon=True).start()
time.sleep(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
`;

const UPLOAD = `#!/bin/bash
set -e
OUT=/var/lib/cp-installer/cp-test
mkdir -p "$OUT"
[ "$#" = 1 ] && [[ "$1" =~ ^[0-9.]+:5001$ ]] || { echo "usage: image-upload-standalone.sh {HAProxy_IP}:5001" >&2; exit 2; }
[ "$(basename "$PWD")" = container-platform-script ] || { echo "run from container-platform-script" >&2; exit 2; }
for img in container-platform-api container-platform-common-api container-platform-webadmin container-platform-webuser; do
  test -f ../container-platform-image/$img.tar.gz || { echo "missing image $img" >&2; exit 1; }
  echo "pushed $1/$img"
done
echo "$1" >> "$OUT/images-pushed"
`;

const DEPLOY = `#!/bin/bash
set -e
[ "$#" = 0 ] || { echo "container-platform-deploy.sh takes no arguments" >&2; exit 2; }
source container-platform-vars.sh
OUT=/var/lib/cp-installer/cp-test
mkdir -p "$OUT"
for v in HAPROXY_IP K8S_MASTER_NODE_IP K8S_WORKER_NODE_IP K8S_WORKER_NODE_HOSTNAME CP_CLUSTER_NAME MARIADB_USER_ID MARIADB_USER_PASSWORD; do
  [ -n "\${!v}" ] || { echo "$v is empty" >&2; exit 1; }
done
for y in paas-ta-container-platform-api paas-ta-container-platform-common-api paas-ta-container-platform-webadmin paas-ta-container-platform-webuser; do
  test -f ../container-platform-yaml/$y.yaml || { echo "missing $y.yaml" >&2; exit 1; }
done
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
printf '{"haproxy":"%s","master":"%s","worker":"%s","workerHostname":"%s","cluster":"%s","mariadbUser":"%s","mariadbPassword":"%s"}\\n' \\
  "$HAPROXY_IP" "$K8S_MASTER_NODE_IP" "$K8S_WORKER_NODE_IP" "$K8S_WORKER_NODE_HOSTNAME" "$CP_CLUSTER_NAME" "$MARIADB_USER_ID" "$(h "$MARIADB_USER_PASSWORD")" > "$OUT/deployed.json"
if [ -f "$OUT/portals.pid" ] && kill -0 "$(cat "$OUT/portals.pid")" 2>/dev/null; then kill "$(cat "$OUT/portals.pid")"; sleep 0.2; fi
setsid nohup python3 ./portals.py 600 </dev/null >/dev/null 2>&1 &
echo $! > "$OUT/portals.pid"
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/32091) 2>/dev/null && break; sleep 0.1; done
echo "service/webadmin-deployment     NodePort    10.233.36.158   <none>        8080:32080/TCP   1s"
echo "service/webuser-deployment      NodePort    10.233.12.9     <none>        8091:32091/TCP   1s"
`;

/** The container-platform folder of a bundle (the guide's layout, 3.2). */
export function writeContainerPlatform(bundle: string): void {
  const root = join(bundle, 'container-platform');
  for (const d of ['container-platform-script', 'container-platform-yaml', 'container-platform-image', 'redis']) mkdirSync(join(root, d), { recursive: true });
  for (const img of ['container-platform-api', 'container-platform-common-api', 'container-platform-webadmin', 'container-platform-webuser']) {
    writeFileSync(join(root, 'container-platform-image', `${img}.tar.gz`), `image ${img}\n`);
    writeFileSync(join(root, 'container-platform-yaml', `paas-ta-${img}.yaml`), `# ${img}\n`);
  }
  writeFileSync(join(root, 'container-platform-script', 'image-upload-standalone.sh'), UPLOAD, { mode: 0o755 });
  writeFileSync(join(root, 'container-platform-script', 'container-platform-deploy.sh'), DEPLOY, { mode: 0o755 });
  writeFileSync(join(root, 'container-platform-script', 'container-platform-vars.sh'), '# the guide\'s template: cp-installer writes its own\n');
  writeFileSync(join(root, 'container-platform-script', 'portals.py'), PORTALS);
}
