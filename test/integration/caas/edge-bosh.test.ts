// The 2021 edge with BOSH middleware over real SSH, from the edge mode's own descriptor (`mode: edge`,
// `release: paasta-v1.0`, the `bosh` section), on four test hosts: the master (cloudcore), a cloud worker, an
// edge node and the jump box. Each host has an /etc of its own (`ownDirs`), so Docker's daemon.json is written
// for real on every node; `systemctl restart docker` is a strict stand-in (no systemd in a namespace).
// - KubeEdge: the strict fake keadm of the release's version (1.6.1, the download model: `--master`, bare
//   versions, Docker as the edge runtime) on the master and the edge node; `keadm join` on the edge node dials the
//   fake cloudcore on the master, which registers the node in the master's fake cluster (strict fake kubectl).
// - BOSH: the strict fake bosh on the jump box deploys the REAL v1.0.4 manifests, vars and ops files; the
//   director's networks are the test subnet, and the jump box takes HAProxy's public address and MariaDB's and
//   listens on 5001/13306 there (whole-run.ts), so every node's reach check is real.
// - The container platform: stand-in scripts strict about their inputs (container-platform.ts); the worker
//   forwards its NodePorts 32080/32091 to the master where the stand-in portals run (what kube-proxy does for a
//   pod on another node), so the portals are requested on the cloud worker's address as the guide has it.
// - Guide 2.6–2.7: the fake keadm 1.6 writes KubeEdge 1.6's own cloudcore.yaml, edgecore.yaml and edgecore.service
//   (/etc of each host, defaults: metaServer, edgeStream, dynamicController, cloudStream off) and runs cloudcore and
//   edgecore as processes; the fake cluster runs kube-flannel-edge on the edge node only once its edgecore has
//   metaServer on, cloudcore dynamicController, networkPluginName cni and the CNI plugins in /opt/cni/bin. A real
//   iptables (the master's network namespace) takes the DNAT; a real openssl makes the stream certificate from
//   the cluster CA Kubespray would have left in /etc/kubernetes/ssl.
// Not here: Kubespray (the cloud is seeded as Kubespray 2.14 with flannel leaves it; the Kubespray steps of the
// mode are the standalone's, covered by the install and whole-run tests).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { secretBag } from '../../../core/api/preflight.js';
import { loadJournal, readJournal, type JournalState } from '../../../core/install/journal.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import { descriptorOf } from '../../../core/modes/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { failNextDeploy, fakeCalls, installBoshFakes, readFake, seedDirector, sha256 } from '../../fakes/bosh-install.js';
import { cloudcorePid, installFakes, readCluster, seedExistingCluster } from '../../fakes/install.js';
import { assertNoSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { writeContainerPlatform } from './container-platform.js';
import { cloudConfig, DIRECTOR, DIRECTOR_CA, directorSeed, UPSTREAM } from './setup.js';
import { startMiddlewareStandIns, stopMiddlewareStandIns } from './whole-run.js';
import { EDGE, edgeBoshHostsPlan, JUMP, MASTER, WORKER } from './edge-bosh-plan.js';

const hasTool = (t: string) => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => { try { return readFileSync(join(d, t)).length > 0; } catch { return false; } });
const hosts0 = canRunTestHosts();
const can = !hosts0.ok ? hosts0 : !hasTool('openssl') || !hasTool('iptables') || !hasTool('ss') ? { ok: false, reason: 'openssl, iptables and ss are needed (stream certificate, DNAT, cloudcore restart)' } : hosts0;
if (!can.ok) console.log(`edge-bosh integration tests skipped: ${can.reason}`);

const SECRETS = { boshClientSecret: 'director-S3cret-eb2', mariadbPassword: 'Paasta!2021-eb2' };
/** The steps before these are the standalone's Kubespray cluster (see the header). */
const FIRST = 'edge-tools';

/**
 * No systemd on a test host: `systemctl restart docker` after checking the daemon.json dockerd would read;
 * `daemon-reload` and `restart edgecore` (keadm's unit, refused when it changed since the last reload, as a stale
 * definition), which runs the unit's ExecStart with its Environment lines.
 */
const SYSTEMCTL = `#!/bin/sh
# Test stand-in (never shipped): strict; anything else is refused.
[ "$(id -u)" = 0 ] || { echo "Failed to $1: Access denied" >&2; exit 1; }
u=/etc/systemd/system/edgecore.service; loaded=/var/lib/cp-installer/edgecore.unit.loaded
case "$*" in
"restart docker")
  python3 -c 'import json; json.load(open("/etc/docker/daemon.json"))' || { echo "Job for docker.service failed: daemon.json is not JSON" >&2; exit 1; }
  echo "restart docker $(tr -d ' \\n' < /etc/docker/daemon.json)" >> /var/lib/cp-installer/systemctl.log ;;
daemon-reload)
  if [ -f $u ]; then sha256sum $u > $loaded; else rm -f $loaded; fi ;;
"restart edgecore"|"restart edgecore.service")
  [ -f $u ] || { echo "Failed to restart edgecore.service: Unit edgecore.service not found." >&2; exit 5; }
  sha256sum -c --status $loaded 2>/dev/null || { echo "Warning: The unit file of edgecore.service changed on disk. Run 'systemctl daemon-reload' to reload units." >&2; exit 1; }
  exe=$(grep '^ExecStart=' $u | tail -1 | cut -d= -f2-)
  env $(grep '^Environment=' $u | sed 's/^Environment=//; s/"//g') $exe >/dev/null || { echo "Job for edgecore.service failed because the control process exited with error code." >&2; exit 1; }
  echo "restart edgecore $(grep '^Environment=' $u | tr -d '\\n')" >> /var/lib/cp-installer/systemctl-edgecore.log ;;
*) echo "systemctl stand-in: $* not supported" >&2; exit 2 ;;
esac
`;

/** The steps of guide 2.6–2.7; a run without them shows the strict fake's kube-flannel-edge failing. */
const KUBEEDGE_CONFIG = ['cloudcore-config', 'edgecore-config'];

/** kube-proxy's NodePorts on the worker: each connection goes to the master, where the portal pods run. */
const NODEPORTS = `import socket, sys, threading, time
master = sys.argv[2]
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', port)); s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            u = socket.create_connection((master, port), timeout=3)
        except OSError:
            c.close(); continue
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        threading.Thread(target=pipe, args=(u, c), daemon=True).start()
for p in (32080, 32091):
    threading.Thread(target=serve, args=(p,), daemon=True).start()
time.sleep(int(sys.argv[1]))
`;

/** The mode's own steps from KubeEdge on (the cluster is there): needs on the Kubespray steps dropped. */
function fromKubeEdge(without: string[] = []): InstallMode {
  const edge = descriptorOf('edge');
  return {
    name: 'edge',
    title: edge.title,
    steps(plan, release, options) {
      const all = edge.steps(plan, release, options);
      const first = all.findIndex((s) => s.id === FIRST);
      const kept = all.slice(first).filter((s) => !without.includes(s.id));
      const ids = new Set(kept.map((s) => s.id));
      return kept.map((s): Step => ({ ...s, needs: s.needs.filter((n) => ids.has(n)) }));
    },
  };
}

describe.skipIf(!can.ok)('edge 2021 with BOSH middleware on test hosts (master, worker, edge node, jump box)', { timeout: 170_000 }, () => {
  let hosts: TestHosts;
  let bundle: string;
  let ps: PsSampler;
  let net: string;
  let haproxy: string;
  let streamCrt = '';

  const seedSite = () =>
    seedDirector(hosts.hosts[JUMP]!, directorSeed(SECRETS.boshClientSecret, { cloudConfig: cloudConfig({ privateRange: `${net}.0/24`, publicRange: `${net}.0/24` }) }));

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 4, ownDirs: ['/etc', '/opt', '/var/log', '/var/tmp'] });
    net = hosts.hosts[0]!.address.replace(/\.\d+$/, '');
    haproxy = `${net}.121`;
    const release = findRelease('paasta-v1.0')!;
    const versions = { kubernetes: release.kubernetes, kubeedge: release.kubeedge!.version, edgeKubelet: release.kubeedge!.edgeKubelet };
    const [master, worker, edge, jump] = [hosts.hosts[MASTER]!, hosts.hosts[WORKER]!, hosts.hosts[EDGE]!, hosts.hosts[JUMP]!];
    installFakes(master, versions);
    installFakes(edge, versions);
    seedExistingCluster(master, release.kubernetes, [
      { name: master.name, ip: master.address, roles: ['master'] },
      { name: worker.name, ip: worker.address, roles: [] },
    ]);
    // Kubespray's admin.conf (the kubeconfig step hands it over, rewritten for the cluster's name).
    writeFileSync(
      join(master.dir, 'kube', 'admin.conf'),
      [
        'apiVersion: v1', 'kind: Config', 'clusters:', '- cluster:', '    certificate-authority-data: Q0E=', `    server: https://${master.address}:6443`, '  name: cluster.local',
        'contexts:', '- context:', '    cluster: cluster.local', '    user: kubernetes-admin', '  name: kubernetes-admin@cluster.local', 'current-context: kubernetes-admin@cluster.local',
        'users:', '- name: kubernetes-admin', '  user:', '    client-certificate-data: Q0VSVA==', '    client-key-data: S0VZ', '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // Kubespray 2.14 with flannel (edge guide 2.2) and the platform's ingress-nginx DaemonSet: what cloud
    // DaemonSets edge nodes must be kept from.
    const state = join(master.dir, 'lib', 'fake-k8s', 'cluster.json');
    const cluster = JSON.parse(readFileSync(state, 'utf8')) as { workloads: Array<{ metadata: { name: string; namespace: string } }> };
    const template = cluster.workloads[0]!;
    cluster.workloads = cluster.workloads.filter((w) => !w.metadata.name.startsWith('calico'));
    cluster.workloads.push({ ...JSON.parse(JSON.stringify(template)), metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' } });
    // Kubespray 2.14's kube-flannel (its cni-flannel.yml.j2): app=flannel, flanneld with the subnet manager.
    cluster.workloads.push({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-flannel', namespace: 'kube-system', labels: { tier: 'node', app: 'flannel' } },
      spec: { selector: { matchLabels: { app: 'flannel' } }, template: { metadata: { labels: { tier: 'node', app: 'flannel' } }, spec: {
        serviceAccountName: 'flannel', hostNetwork: true, tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'kube-flannel', image: 'quay.io/coreos/flannel:v0.12.0-amd64', command: ['/opt/bin/flanneld', '--ip-masq', '--kube-subnet-mgr'] }],
      } } },
    } as never);
    writeFileSync(state, JSON.stringify(cluster, null, 1));
    for (const h of [master, worker, edge]) {
      writeFileSync(join(h.dir, 'bin', 'systemctl'), SYSTEMCTL);
      chmodSync(join(h.dir, 'bin', 'systemctl'), 0o755);
    }
    // The worker's Docker had a setting of the site's own: the trust is merged into it.
    const r = await hosts.exec(WORKER, `mkdir -p /etc/docker && printf '%s' '{"log-driver":"json-file"}' > /etc/docker/daemon.json`);
    expect(r.code, r.stderr).toBe(0);
    installBoshFakes(jump);
    writeFileSync(join(jump.dir, 'home', 'director.crt'), DIRECTOR_CA, { mode: 0o644 });
    seedSite();
    await startMiddlewareStandIns(hosts, JUMP, haproxy, 600);
    writeFileSync(join(worker.dir, 'lib', 'nodeports.py'), NODEPORTS);
    const f = await hosts.exec(WORKER, `setsid nohup python3 /var/lib/cp-installer/nodeports.py 600 ${master.address} </dev/null >/dev/null 2>&1 & echo $! > /var/lib/cp-installer/nodeports.pid`);
    expect(f.code, f.stderr).toBe(0);
    // Kubespray's cluster CA on the master (kube_cert_dir), which signs the stream certificate.
    mkdirSync(join(master.dir, 'kube', 'ssl'), { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(master.dir, 'kube', 'ssl', 'ca.key'), '-out', join(master.dir, 'kube', 'ssl', 'ca.crt'), '-subj', '/CN=kubernetes', '-days', '30'], { stdio: 'ignore' });
    bundle = mkdtempSync(join(tmpdir(), 'edge-bosh-it-bundle-'));
    // The CNI plugins v0.9.1 as the release archive has them (the edge step unpacks the archive into /opt/cni/bin).
    const cni = mkdtempSync(join(tmpdir(), 'edge-bosh-cni-'));
    chmodSync(cni, 0o755);
    for (const p of ['bandwidth', 'bridge', 'dhcp', 'firewall', 'flannel', 'host-device', 'host-local', 'ipvlan', 'loopback', 'macvlan', 'portmap', 'ptp', 'sbr', 'static', 'tuning', 'vlan', 'vrf']) writeFileSync(join(cni, p), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const cniDir = join(bundle, 'files/github.com/containernetworking/plugins/releases/download/v0.9.1');
    mkdirSync(cniDir, { recursive: true });
    execFileSync('tar', ['-czf', join(cniDir, 'cni-plugins-linux-amd64-v0.9.1.tgz'), '-C', cni, '.']);
    symlinkSync(UPSTREAM, join(bundle, 'paas-ta-container-platform-deployment'));
    writeContainerPlatform(bundle);
    ps = startPsSampler({ hosts });
  }, 120_000);

  afterAll(async () => {
    ps?.stop();
    if (!hosts) return;
    await stopMiddlewareStandIns(hosts, JUMP);
    await hosts.exec(WORKER, 'p=/var/lib/cp-installer/nodeports.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    await hosts.exec(MASTER, 'p=/var/lib/cp-installer/cp-test/portals.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    const cc = cloudcorePid(hosts.hosts[MASTER]!);
    if (cc) await hosts.exec(MASTER, `kill ${cc} 2>/dev/null; true`).catch(() => undefined);
    await hosts.stop();
  });

  const plan = (): Plan =>
    edgeBoshHostsPlan(hosts, { bosh: { directorAddress: DIRECTOR.address, caCertFile: `/home/${hosts.user}/director.crt`, client: DIRECTOR.client, haproxyAddress: haproxy }, bundle });

  async function run(runId: string, workdir: string, resume?: JournalState, opts: { without?: string[]; edgeVerifySeconds?: number } = {}): Promise<RunResult> {
    const p = plan();
    const ssh = await openSsh(p, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false });
    try {
      return await new InstallRun({
        runId, workdir, mode: fromKubeEdge(opts.without), plan: p, release: findRelease('paasta-v1.0')!, options: { overrides: [], edgeVerifySeconds: opts.edgeVerifySeconds ?? 30 },
        secrets: secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value }))),
        sessions: ssh.sessions,
        ...(resume ? { resume } : {}),
      }).start();
    } finally {
      await ssh.close();
    }
  }

  const daemonJson = async (i: number): Promise<unknown> => {
    const r = await hosts.exec(i, 'cat /etc/docker/daemon.json 2>/dev/null || echo null');
    return JSON.parse(r.stdout);
  };
  const restarts = (i: number): string[] => {
    try {
      return readFileSync(join(hosts.hosts[i]!.dir, 'lib', 'systemctl.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };

  const sh = async (i: number, cmd: string): Promise<string> => {
    const r = await hosts.exec(i, cmd);
    expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const dnatRules = async () => (await sh(MASTER, 'iptables -t nat -S OUTPUT')).split('\n').filter((l) => l.includes('--dport 10350'));
  const edgecoreRestarts = (): string[] => {
    try {
      return readFileSync(join(hosts.hosts[EDGE]!.dir, 'lib', 'systemctl-edgecore.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };

  it('joins the edge node to the Kubespray cloud with KubeEdge 1.6.1, deploys the middleware, trusts it on every node and verifies both portals', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'edge-bosh-wd-'));
    // Without guide 2.6–2.7 KubeEdge 1.6 keeps metaServer off: kube-flannel-edge crash-loops on the edge node, and
    // edge-flannel says so, naming the node and what to change.
    const without = await run('eb-1', workdir, undefined, { without: KUBEEDGE_CONFIG, edgeVerifySeconds: 3 });
    expect(without.status).toBe('failed');
    expect(without.failedStep, JSON.stringify(without.failure)).toBe('edge-flannel');
    expect(without.error).toMatchObject({ key: 'mode.edgeBosh.flannelNotRunning', params: { host: hosts.hosts[EDGE]!.name, reason: 'CrashLoopBackOff' } });
    expect(without.failure?.message).toContain('dial tcp 127.0.0.1:10550: connect: connection refused');
    expect(await dnatRules()).toEqual([]);
    // Resumed with the steps: cloudcore and edgecore reconfigured, then the rest of the run to Done.
    const result = await run('eb-1', workdir, loadJournal(workdir, 'eb-1'));
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const [master, worker, edge, jump] = [hosts.hosts[MASTER]!, hosts.hosts[WORKER]!, hosts.hosts[EDGE]!, hosts.hosts[JUMP]!];

    // KubeEdge (edge guide 2.4–2.5): cloudcore of the release's version on the master, advertised on its address;
    // the edge node Ready as agent,edge; the cloud DaemonSets kept off edge nodes.
    const cluster = readCluster(master)!;
    expect(cluster.cloudcore?.version).toBe('1.6.1');
    expect(cluster.cloudcore?.advertise).toContain(master.address);
    const edgeNode = cluster.nodes.find((n) => n.metadata.name === edge.name)!;
    expect(Object.keys(edgeNode.metadata.labels)).toEqual(expect.arrayContaining(['node-role.kubernetes.io/edge', 'node-role.kubernetes.io/agent']));
    expect(edgeNode.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    for (const name of ['kube-flannel', 'ingress-nginx-controller']) {
      const w = cluster.workloads.find((x) => x.metadata.name === name)!;
      expect(JSON.stringify(w.spec.template.spec.affinity), name).toContain('node-role.kubernetes.io/edge');
    }
    // Guide 2.5: kube-flannel-edge for the edge nodes, through edgecore's metaServer.
    const edgeFlannel = (cluster as unknown as { objects: Array<{ kind: string; metadata: { name: string }; spec: { selector: unknown; template: { spec: { nodeSelector: unknown; containers: Array<{ name: string; command: string[] }> } } } }> }).objects
      .find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'kube-flannel-edge')!;
    expect(edgeFlannel.spec.selector).toEqual({ matchLabels: { app: 'flannel-edge' } });
    expect(edgeFlannel.spec.template.spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/edge': '' });
    expect(edgeFlannel.spec.template.spec.containers[0]!.command).toContain('--kube-api-url=http://127.0.0.1:10550');
    // The join as the guide's: cloudcore's address and port, Docker (edged's dockershim default, no CRI given);
    // guide 2.6–2.7 on top: CNI, Kubespray's DNS, metaServer, no edgeMesh, edgeStream to the master's tunnel.
    type EdgecoreYaml = { modules: { edgeHub: { websocket: { server: string } }; edged: Record<string, unknown>; metaManager: { metaServer: { enable: boolean } }; edgeStream: { enable: boolean; server: string }; edgeMesh: { enable: boolean } } };
    const edgecore = parseYaml(await sh(EDGE, 'cat /etc/kubeedge/config/edgecore.yaml')) as EdgecoreYaml;
    expect(edgecore.modules.edgeHub.websocket.server).toBe(`${master.address}:10000`);
    expect(edgecore.modules.edged).toMatchObject({ runtimeType: 'docker', remoteRuntimeEndpoint: 'unix:///var/run/dockershim.sock', networkPluginName: 'cni', clusterDNS: '10.233.0.3', clusterDomain: 'cluster.local', hostnameOverride: edge.name });
    expect(edgecore.modules.metaManager.metaServer.enable).toBe(true);
    expect(edgecore.modules.edgeStream).toMatchObject({ enable: true, server: `${master.address}:10004` });
    expect(edgecore.modules.edgeMesh.enable).toBe(false);
    expect(await sh(EDGE, 'cat /etc/systemd/system/edgecore.service')).toContain('[Service]\nType=simple\nExecStart=/usr/local/bin/edgecore\nRestart=always\nRestartSec=10\nEnvironment="CHECK_EDGECORE_ENVIRONMENT=false"\n');
    expect((await sh(EDGE, 'ls /opt/cni/bin')).split('\n')).toEqual(expect.arrayContaining(['flannel', 'portmap', 'bridge', 'host-local', 'loopback']));
    expect(edgecoreRestarts()).toEqual(['restart edgecore Environment="CHECK_EDGECORE_ENVIRONMENT=false"']);
    // The master: cloudcore.yaml with dynamicController and cloudStream, the stream certificate of the cluster CA
    // (key 0600), the DNAT once, cloudcore answering on the stream and tunnel ports.
    const cloudcore = parseYaml(await sh(MASTER, 'cat /etc/kubeedge/config/cloudcore.yaml')) as { modules: Record<string, Record<string, unknown>> };
    expect(cloudcore.modules.dynamicController).toEqual({ enable: true });
    expect(cloudcore.modules.cloudStream).toMatchObject({ enable: true, streamPort: 10003, tunnelPort: 10004, tlsStreamCertFile: '/etc/kubeedge/certs/stream.crt' });
    expect(cloudcore.modules.cloudHub!.advertiseAddress).toEqual([master.address]);
    expect(await sh(MASTER, 'openssl verify -CAfile /etc/kubernetes/ssl/ca.crt /etc/kubeedge/certs/stream.crt')).toContain('OK');
    expect(await sh(MASTER, 'openssl x509 -in /etc/kubeedge/certs/stream.crt -noout -text')).toContain(`IP Address:${master.address}`);
    expect((await sh(MASTER, 'stat -c %a /etc/kubeedge/certs/stream.key')).trim()).toBe('600');
    streamCrt = await sh(MASTER, 'sha256sum /etc/kubeedge/certs/stream.crt');
    expect(await dnatRules()).toEqual([`-A OUTPUT -p tcp -m tcp --dport 10350 -j DNAT --to-destination ${master.address}:10003`]);
    expect(await sh(MASTER, `for p in 10003 10004; do timeout 2 bash -c "</dev/tcp/${master.address}/$p" && echo ok; done`)).toBe('ok\nok\n');
    // kube-flannel-edge Running on the edge node (the fake cluster's reading of the node's edgecore).
    const pods = JSON.parse(await sh(MASTER, 'kubectl --kubeconfig /etc/kubernetes/admin.conf get pods -n kube-system -l app=flannel-edge -o json')) as { items: Array<{ spec: { nodeName: string }; status: { phase: string; containerStatuses: Array<{ ready: boolean }> } }> };
    expect(pods.items.map((p) => [p.spec.nodeName, p.status.phase, p.status.containerStatuses.every((c) => c.ready)])).toEqual([[edge.name, 'Running', true]]);

    // BOSH (edge BOSH guide 2): the real manifest with the installer's vars file and the guide's ops files.
    const bosh = readFake<{ deployments: Record<string, { vms: Array<{ group: string; ips: string[]; process_state: string }>; vars_files: string[]; ops_files: string[]; manifest: string }> }>(jump, 'bosh');
    const dep = bosh.deployments['paasta-container-platform']!;
    expect(dep.vms.map((v) => [v.group, v.process_state]), 'BOSH VMs').toEqual([['haproxy', 'running'], ['mariadb', 'running'], ['private-image-repository', 'running']]);
    expect(dep.vars_files).toEqual(['manifests/cp-installer-vars.yml']);
    expect(dep.ops_files, 'ops files').toEqual(['manifests/ops-files/paasta-container-service/network-aws.yml', 'manifests/ops-files/misc/first-time-deploy.yml']);
    expect(dep.manifest).toContain(`k8s_api_server_ip: ${master.address}`);
    const tokenSecret = readCluster(master)!.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'k8sadmin-token') as unknown as { data: { token: string } };
    const token = Buffer.from(tokenSecret.data.token, 'base64').toString('utf8');
    expect(JSON.stringify(parseYaml(dep.manifest))).toContain(`"k8s_auth_bearer":"${token}"`);
    expect(result.outputs['bosh.registry']).toBe(`${haproxy}:5001`);

    // Guide 3.1 on every node, the edge node too: the repository in Docker's insecure-registries, the site's key
    // kept, Docker restarted once; nothing on the jump box.
    const registry = `${haproxy}:5001`;
    expect(await daemonJson(MASTER)).toEqual({ 'insecure-registries': [registry] });
    expect(await daemonJson(WORKER)).toEqual({ 'log-driver': 'json-file', 'insecure-registries': [registry] });
    expect(await daemonJson(EDGE)).toEqual({ 'insecure-registries': [registry] });
    expect(await daemonJson(JUMP)).toBeNull();
    for (const i of [MASTER, WORKER, EDGE]) expect(restarts(i), `host ${i}`).toHaveLength(1);

    // Guide 3.2–3.3 on the master: the images pushed once, container-platform-vars.sh with the CLOUD worker.
    expect(readFileSync(join(master.dir, 'lib', 'cp-test', 'images-pushed'), 'utf8')).toBe(`${registry}\n`);
    const deployed = JSON.parse(readFileSync(join(master.dir, 'lib', 'cp-test', 'deployed.json'), 'utf8')) as Record<string, string>;
    expect(deployed).toEqual({
      haproxy, master: master.address, worker: worker.address, workerHostname: worker.name, cluster: 'cp-cluster', mariadbUser: 'cp-admin', mariadbPassword: sha256(SECRETS.mariadbPassword),
    });
    // Section 4: both portals on the worker's NodePorts, handed over with the API server.
    const portals = (result.outputs as Record<string, unknown>)['portalEndpoints'] as Array<Record<string, unknown>>;
    expect(portals, 'portal endpoints').toEqual([
      { name: 'operator-portal', url: `http://${worker.address}:32080`, via: master.name, state: 'ok', status: 302, service: true },
      { name: 'user-portal', url: `http://${worker.address}:32091`, via: master.name, state: 'ok', status: 302, service: true },
    ]);
    const endpoints = (result.outputs as Record<string, unknown>)['endpoints'] as Array<{ name: string; url: string }>;
    expect(endpoints.map((e) => e.url)).toEqual(expect.arrayContaining([`http://${worker.address}:32080`, `http://${worker.address}:32091`]));

    // No secret in bosh's argv, the workdir, the master's workspace or a `ps` sample.
    const argv = JSON.stringify(fakeCalls(jump, 'bosh'));
    for (const v of [...Object.values(SECRETS), token]) expect(argv).not.toContain(v);
    assertNoSecrets({ secrets: [...Object.entries(SECRETS).map(([label, value]) => ({ label, value })), { label: 'k8sBearerToken', value: token }], paths: [workdir, join(master.dir, 'home', 'workspace')], sampler: ps, minSamples: 1, minFiles: 3 });
  });

  it('a failed BOSH task shows its number and stage first; resume re-runs the deploy and what follows, not KubeEdge', async () => {
    seedSite();
    failNextDeploy(hosts.hosts[JUMP]!, 'mariadb');
    const workdir = mkdtempSync(join(tmpdir(), 'edge-bosh-wd-'));
    const first = await run('eb-fail', workdir);
    expect(first.status).toBe('failed');
    expect(first.failedStep, JSON.stringify(first.failure)).toBe('bosh-middleware');
    expect(first.failure?.task).toMatch(/^Updating instance mariadb: mariadb\/[0-9a-f-]+ \(0\) \(canary\)$/);
    expect(first.failure?.message).toMatch(/^Task \d+, Updating instance mariadb: mariadb\/[0-9a-f-]+ \(0\) \(canary\): Action Failed get_task/);
    expect(first.error).toMatchObject({ key: 'mode.caas.deploy-failed', params: { task: expect.stringMatching(/^\d+$/) } });
    const joinedBefore = readCluster(hosts.hosts[MASTER]!)!.nodes.map((n) => n.metadata.name);

    const second = await run('eb-fail', workdir, loadJournal(workdir, 'eb-fail'));
    expect(second.error, JSON.stringify(second.failure)).toBeUndefined();
    expect(second.status).toBe('succeeded');
    const records = readJournal(join(workdir, 'runs', 'eb-fail', 'journal.jsonl'));
    const resumedAt = records.findIndex((r) => r.t === 'resume');
    const started = [...new Set(records.slice(resumedAt).filter((r) => r.t === 'step-start').map((r) => (r as { step: string }).step))];
    expect(started[0]).toBe('bosh-middleware');
    for (const s of ['edge-tools', 'keadm-init', 'keadm-gettoken', 'edge-join', 'cloudcore-config', 'edgecore-config', 'edge-flannel', 'edge-verify', 'bosh-jumpbox', 'bosh-bosh-tree', 'bosh-k8s-token']) expect(started, s).not.toContain(s);
    expect(started).toEqual(expect.arrayContaining(['bosh-vms', 'bosh-registry-trust', 'bosh-edge-trust', 'cp-deploy', 'cp-endpoints']));
    expect(readCluster(hosts.hosts[MASTER]!)!.nodes.map((n) => n.metadata.name)).toEqual(joinedBefore);
    expect(readFake<{ deployments: Record<string, { vms: Array<{ process_state: string }> }> }>(hosts.hosts[JUMP]!, 'bosh').deployments['paasta-container-platform']!.vms.every((v) => v.process_state === 'running')).toBe(true);
    // The trust was there already: no second Docker restart anywhere; KubeEdge's settings too: no second DNAT,
    // no second edgecore restart, the stream certificate kept.
    for (const i of [MASTER, WORKER, EDGE]) expect(restarts(i), `host ${i}`).toHaveLength(1);
    expect(await dnatRules()).toHaveLength(1);
    expect(edgecoreRestarts()).toHaveLength(1);
    expect(await sh(MASTER, 'sha256sum /etc/kubeedge/certs/stream.crt')).toBe(streamCrt);
  });
});
