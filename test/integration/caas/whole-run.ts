// A whole caas run on test hosts, the Kubespray part of paasta-v1.0 included (test/e2e/caas.test.ts):
//
// - Kubespray: the fixture tree (test/fixtures/kubespray, with the platform's applications/ and the NFS chart:
//   test/integration/install/fixture-bundle.ts) with its group names as Kubespray 2.14 has them (kube-master,
//   kube-node, k8s-cluster, calico-rr), since the inventory a paasta-v1.0 run writes uses those. The real v1.0.4
//   tree's Kubespray needs Ansible 2.9 and real nodes (its inventory is checked by
//   test/integration/kubespray/upstream-v104.test.ts).
// - The master: the install tests' strict fake kubectl/helm (storage, ingress, verify answer from what the
//   fixture playbook left) and the CaaS tests' strict fake kubectl for the admin token's ServiceAccount, Binding
//   and token Secret (test/fakes/kubectl); `kubectl` hands each command to the one that serves it (below).
//   Docker's daemon.json is the node's own (`ownDirs: ['/etc']`), and `systemctl restart docker` (no systemd
//   here) checks it is JSON dockerd would read and records the restart.
// - The BOSH VMs' addresses: the director's networks are the test subnet, so HAProxy's public address (the
//   plan's), its private one, MariaDB's and the registry's (.101–.103, as the fake director hands them out) are
//   added to the jump box, which listens on the registry (5001) and MariaDB (13306) ports for them.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestHosts } from '../../hosts/harness.js';
import { makeFixtureBundle } from '../install/fixture-bundle.js';
import { seedMasterCluster } from './setup.js';

const FAKE_K8S_TOOL = fileURLToPath(new URL('../install/fakes/fake-k8s-tool', import.meta.url));

/** Kubespray 2.28's group names → 2.14's (the 2021 tree's inventory/sample/inventory.ini). */
export const GROUPS_214: Record<string, string> = { kube_control_plane: 'kube-master', kube_node: 'kube-node', k8s_cluster: 'k8s-cluster', calico_rr: 'calico-rr' };

function rewrite(dir: string): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      rewrite(p);
      const renamed = GROUPS_214[e];
      if (renamed) renameSync(p, join(dir, renamed));
      continue;
    }
    const text = readFileSync(p, 'utf8');
    let out = text;
    for (const [from, to] of Object.entries(GROUPS_214)) out = out.split(from).join(to);
    if (out !== text) writeFileSync(p, out);
  }
}

/** The bundle of a whole caas run: the fixture Kubespray with 2.14's groups, applications/, charts/. */
export function writeKubespray214(bundle: string): void {
  makeFixtureBundle(bundle);
  rewrite(join(bundle, 'kubespray'));
}

/** Sends the admin token's commands to the CaaS fake kubectl, every other to the install tests' one. */
const ROUTER = `#!/usr/bin/env python3
# Test glue (never shipped): two strict fake kubectls on one master, each handed the commands it serves.
import os, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
SA = os.path.join(HERE, '.fakes', 'sa', 'kubectl')
CLUSTER = os.path.join(HERE, '.fakes', 'cluster', 'kubectl')
args = sys.argv[1:]
def after(verb):
    return args[args.index(verb) + 1] if verb in args and args.index(verb) + 1 < len(args) else None
data = None
sa = after('create') in ('serviceaccount', 'sa', 'clusterrolebinding') or after('get') in ('secret', 'secrets')
if not sa and 'apply' in args and '-' in args:
    data = sys.stdin.buffer.read()
    sa = b'kubernetes.io/service-account-token' in data
target = SA if sa else CLUSTER
if data is None:
    os.execv(target, [target] + args)
sys.exit(subprocess.run([target] + args, input=data).returncode)
`;

/** No systemd on a test host: the one restart registry trust asks for, after checking what dockerd would read. */
const SYSTEMCTL = `#!/bin/sh
# Test stand-in (never shipped): \`systemctl restart docker\` only; dockerd refuses a daemon.json that is not JSON.
if [ "$#" = 2 ] && [ "$1" = restart ] && [ "$2" = docker ]; then
  python3 -c 'import json,sys; json.load(open("/etc/docker/daemon.json"))' || { echo "Job for docker.service failed: daemon.json is not JSON" >&2; exit 1; }
  echo "restart docker $(cat /etc/docker/daemon.json | tr -d ' \\n')" >> /var/lib/cp-installer/systemctl.log
  exit 0
fi
exec /usr/bin/systemctl "$@"
`;

const LISTEN = `import socket, sys, threading, time
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', port)); s.listen(16)
    while True:
        c, _ = s.accept(); c.close()
for p in sys.argv[2:]:
    threading.Thread(target=serve, args=(int(p),), daemon=True).start()
time.sleep(int(sys.argv[1]))
`;

/** The master of a whole run: both fake kubectls behind the router, fake helm, systemctl, the fixture's state dir. */
export function prepareWholeRunMaster(th: TestHosts, i: number): void {
  const h = th.hosts[i]!;
  const bin = join(h.dir, 'bin');
  seedMasterCluster(h);
  // The fixture Kubespray makes admin.conf; the seeded one would be an earlier cluster's leftover.
  rmSync(join(h.dir, 'kube', 'admin.conf'), { force: true });
  for (const d of ['sa', 'cluster']) mkdirSync(join(bin, '.fakes', d, '.fakes'), { recursive: true });
  renameSync(join(bin, 'kubectl'), join(bin, '.fakes', 'sa', 'kubectl'));
  copyFileSync(join(bin, 'fakek8s.py'), join(bin, '.fakes', 'sa', 'fakek8s.py'));
  copyFileSync(join(bin, '.fakes', 'versions.json'), join(bin, '.fakes', 'sa', '.fakes', 'versions.json'));
  for (const tool of ['kubeadm', 'keadm']) rmSync(join(bin, tool), { force: true });
  copyFileSync(FAKE_K8S_TOOL, join(bin, '.fakes', 'cluster', 'kubectl'));
  copyFileSync(FAKE_K8S_TOOL, join(bin, 'helm'));
  writeFileSync(join(bin, 'kubectl'), ROUTER);
  writeFileSync(join(bin, 'systemctl'), SYSTEMCTL);
  for (const f of ['.fakes/sa/kubectl', '.fakes/cluster/kubectl', 'helm', 'kubectl', 'systemctl']) chmodSync(join(bin, f), 0o755);
  mkdirSync(join(h.dir, 'lib', 'fixture'), { recursive: true });
}

/** What `systemctl restart docker` recorded on a host: one line per restart, with the daemon.json it read. */
export function dockerRestarts(th: TestHosts, i: number): string[] {
  try {
    return readFileSync(join(th.hosts[i]!.dir, 'lib', 'systemctl.log'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The BOSH VMs' addresses on the jump box, listening on the registry and MariaDB ports for `seconds`: HAProxy's
 * public address and the first `count` of the private range the fake director hands out (.101 on).
 */
export async function startMiddlewareStandIns(th: TestHosts, jumpIndex: number, haproxyPublic: string, seconds = 1800, count = 3): Promise<void> {
  const net = haproxyPublic.replace(/\.\d+$/, '');
  const addrs = [haproxyPublic, ...Array.from({ length: count }, (_, k) => `${net}.${101 + k}`)];
  const dir = join(th.hosts[jumpIndex]!.dir, 'lib');
  writeFileSync(join(dir, 'middleware-listen.py'), LISTEN);
  const r = await th.exec(
    jumpIndex,
    [
      ...addrs.map((a) => `ip addr add ${a}/32 dev eth0`),
      `setsid nohup python3 /var/lib/cp-installer/middleware-listen.py ${seconds} 5001 13306 </dev/null >/dev/null 2>&1 & echo $! > /var/lib/cp-installer/middleware-listen.pid`,
    ].join(' && '),
  );
  if (r.code !== 0) throw new Error(`middleware stand-ins on the jump box: ${r.stderr}`);
}

export async function stopMiddlewareStandIns(th: TestHosts, jumpIndex: number): Promise<void> {
  await th.exec(jumpIndex, 'p=/var/lib/cp-installer/middleware-listen.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
}
