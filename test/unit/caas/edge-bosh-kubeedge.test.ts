// The 2021 edge guide's 2.6–2.7 (KubeEdge 1.6's cloudcore.yaml, edgecore.yaml and edgecore.service edited for
// flannel on edge nodes and `kubectl logs`): the pure editors on the files keadm 1.6 writes
// (test/fixtures/kubeedge-1.6: NewDefaultCloudCoreConfig / NewDefaultEdgeCoreConfig of v1.6 as YAML, the unit of
// build/tools), the commands the steps run, where the steps sit in the mode's graph, and the reading of
// kube-flannel-edge's pods.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { descriptorOf } from '../../../core/modes/index.js';
import {
  cloudcoreYamlDone,
  clusterDnsOf,
  cniPluginsUrl,
  editCloudcoreYaml,
  editEdgecoreService,
  editEdgecoreYaml,
  edgecoreServiceDone,
  edgecoreYamlDone,
} from '../../../core/modes/edge-bosh/kubeedge-config.js';
import { edgecoreSettings, logsDnatScript, restartCloudcoreScript, streamCertScript } from '../../../core/modes/edge-bosh/kubeedge-steps.js';
import { flannelEdgeProblems } from '../../../core/modes/edge-bosh/flannel.js';
import { EdgeRunState } from '../../../core/modes/edge/state.js';
import { bundleManifest, filesRepoPath } from '../../../core/bundle/manifest.js';
import { treeFromDir } from '../../../core/bundle/archive.js';
import { haveUpstream, TREE_V104 } from '../kubespray/upstream.js';
import { edgeBoshPlanInput } from './edge-bosh-plans.js';

const FIX = join(__dirname, '../../fixtures/kubeedge-1.6');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');
type Y = { modules: Record<string, Record<string, unknown>> };
const SETTINGS = { clusterDNS: '10.233.0.3', clusterDomain: 'cluster.local', cloudcoreAddress: '10.0.0.60' };

describe('cloudcore.yaml (guide 2.6 dynamicController, 2.7 cloudStream)', () => {
  it('turns on dynamicController and cloudStream with the guide\'s ports and certificate paths, keeping everything else', () => {
    const original = fixture('cloudcore.yaml');
    expect(cloudcoreYamlDone(original)).toBe(false);
    const out = editCloudcoreYaml(original);
    const y = parse(out) as Y;
    expect(y.modules.dynamicController).toEqual({ enable: true });
    expect(y.modules.cloudStream).toEqual({
      enable: true, streamPort: 10003, tlsStreamCAFile: '/etc/kubeedge/ca/streamCA.crt', tlsStreamCertFile: '/etc/kubeedge/certs/stream.crt',
      tlsStreamPrivateKeyFile: '/etc/kubeedge/certs/stream.key', tlsTunnelCAFile: '/etc/kubeedge/ca/rootCA.crt', tlsTunnelCertFile: '/etc/kubeedge/certs/server.crt',
      tlsTunnelPrivateKeyFile: '/etc/kubeedge/certs/server.key', tunnelPort: 10004,
    });
    const before = parse(original) as Y;
    expect({ ...y.modules, dynamicController: null, cloudStream: null }).toEqual({ ...before.modules, dynamicController: null, cloudStream: null });
    expect((parse(out) as Record<string, unknown>).kubeAPIConfig).toEqual((before as unknown as Record<string, unknown>).kubeAPIConfig);
    // Only the two lines that change differ: the order and the rest of the text stay.
    const diff = out.split('\n').filter((l, i) => l !== original.split('\n')[i]);
    expect(diff).toEqual(['    enable: true', '    enable: true']);
    expect(cloudcoreYamlDone(out)).toBe(true);
  });

  it('is idempotent, returns a done file unchanged, keeps comments, and adds sections a minimal config lacks', () => {
    const once = editCloudcoreYaml(fixture('cloudcore.yaml'));
    expect(editCloudcoreYaml(once)).toBe(once);
    const commented = `# site note: cloudcore of the master\n${once.replace('  dynamicController:\n', '  # for metaServer on edge nodes\n  dynamicController:\n')}`;
    expect(editCloudcoreYaml(commented)).toBe(commented);
    const min = 'apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\n# minconfig\nmodules:\n  cloudHub:\n    nodeLimit: 1000\n';
    const out = editCloudcoreYaml(min);
    expect(out).toContain('# minconfig');
    expect((parse(out) as Y).modules.cloudHub).toEqual({ nodeLimit: 1000 });
    expect((parse(out) as Y).modules.dynamicController).toEqual({ enable: true });
    expect((parse(out) as Y).modules.cloudStream!.tunnelPort).toBe(10004);
    expect(editCloudcoreYaml(out)).toBe(out);
    expect(() => editCloudcoreYaml('modules: [\n')).toThrow(/cloudcore\.yaml: not YAML/);
  });
});

describe('edgecore.yaml (guide 2.6 CNI, DNS, metaServer; 2.7 edgeStream)', () => {
  it('sets what the guide sets, on KubeEdge\'s own field names (metaServer, not the guide\'s mataServer)', () => {
    const original = fixture('edgecore.yaml');
    expect(edgecoreYamlDone(original, SETTINGS)).toBe(false);
    const y = parse(editEdgecoreYaml(original, SETTINGS)) as Y;
    expect(y.modules.edgeMesh!.enable).toBe(false);
    expect(y.modules.edged).toMatchObject({ networkPluginName: 'cni', clusterDNS: '10.233.0.3', clusterDomain: 'cluster.local', cniBinDir: '/opt/cni/bin', hostnameOverride: 'ip-10-0-0-231' });
    expect(y.modules.metaManager!.metaServer).toEqual({ debug: false, enable: true });
    expect(y.modules.metaManager).not.toHaveProperty('mataServer');
    expect(y.modules.edgeStream).toEqual({
      enable: true, handshakeTimeout: 30, readDeadline: 15, server: '10.0.0.60:10004', tlsTunnelCAFile: '/etc/kubeedge/ca/rootCA.crt',
      tlsTunnelCertFile: '/etc/kubeedge/certs/server.crt', tlsTunnelPrivateKeyFile: '/etc/kubeedge/certs/server.key', writeDeadline: 15,
    });
    // The join's settings stay: cloudHub's address, the runtime.
    expect((y.modules.edgeHub!.websocket as { server: string }).server).toBe('10.0.0.60:10000');
    expect(y.modules.edged!.runtimeType).toBe('docker');
  });

  it('is idempotent and done after one edit; a hand-made mataServer goes; a minimal file gets every field', () => {
    const once = editEdgecoreYaml(fixture('edgecore.yaml'), SETTINGS);
    expect(editEdgecoreYaml(once, SETTINGS)).toBe(once);
    expect(edgecoreYamlDone(once, SETTINGS)).toBe(true);
    // Another cloudcore address or DNS is an edit again.
    expect(edgecoreYamlDone(once, { ...SETTINGS, clusterDNS: '10.96.0.3' })).toBe(false);
    const byHand = once.replace('    metaServer:\n', '    mataServer:\n      enable: true\n    metaServer:\n');
    expect(edgecoreYamlDone(byHand, SETTINGS)).toBe(false);
    expect(editEdgecoreYaml(byHand, SETTINGS)).toBe(once);
    const min = 'apiVersion: edgecore.config.kubeedge.io/v1alpha1\nkind: EdgeCore\nmodules:\n  edged:\n    hostnameOverride: edge1\n';
    const y = parse(editEdgecoreYaml(min, SETTINGS)) as Y;
    expect(y.modules.edged).toEqual({ hostnameOverride: 'edge1', networkPluginName: 'cni', clusterDNS: '10.233.0.3', clusterDomain: 'cluster.local' });
    expect(y.modules.metaManager).toEqual({ metaServer: { enable: true } });
    expect(y.modules.edgeStream).toMatchObject({ enable: true, server: '10.0.0.60:10004', handshakeTimeout: 30, writeDeadline: 15 });
  });

  it('settings from the plan: Kubespray\'s skydns_server (the service network\'s .3), cluster.local, cloudcore\'s advertised address', () => {
    expect(clusterDnsOf('10.233.0.0/18')).toBe('10.233.0.3');
    expect(clusterDnsOf('10.96.0.0/12')).toBe('10.96.0.3');
    expect(clusterDnsOf('10.233.17.9/18')).toBe('10.233.0.3');
    expect(clusterDnsOf('172.20.128.0/17')).toBe('172.20.128.3');
    expect(() => clusterDnsOf('fd00::/108')).toThrow(/not an IPv4 network/);
    const plan = Plan.parse(planInput({ cluster: { serviceCidr: '10.96.0.0/12' } } as Partial<PlanInput>));
    expect(edgecoreSettings(plan, new EdgeRunState(plan.hosts[0]!, () => ''))).toEqual({ clusterDNS: '10.96.0.3', clusterDomain: 'cluster.local', cloudcoreAddress: '10.0.1.11' });
  });
});

describe('edgecore.service (guide 2.7 CHECK_EDGECORE_ENVIRONMENT)', () => {
  it('adds the Environment line at the end of [Service], once', () => {
    const unit = fixture('edgecore.service');
    expect(edgecoreServiceDone(unit)).toBe(false);
    const out = editEdgecoreService(unit);
    expect(out).toBe(unit.replace('RestartSec=10\n', 'RestartSec=10\nEnvironment="CHECK_EDGECORE_ENVIRONMENT=false"\n'));
    expect(editEdgecoreService(out)).toBe(out);
    expect(edgecoreServiceDone(out)).toBe(true);
  });

  it('replaces another value of the variable and makes a [Service] where there is none', () => {
    const set = '[Unit]\nDescription=edgecore\n\n[Service]\nEnvironment=CHECK_EDGECORE_ENVIRONMENT=true\nExecStart=/usr/local/bin/edgecore\n';
    expect(editEdgecoreService(set)).toBe('[Unit]\nDescription=edgecore\n\n[Service]\nExecStart=/usr/local/bin/edgecore\nEnvironment="CHECK_EDGECORE_ENVIRONMENT=false"\n');
    expect(editEdgecoreService('[Unit]\nDescription=edgecore\n')).toBe('[Unit]\nDescription=edgecore\n\n[Service]\nEnvironment="CHECK_EDGECORE_ENVIRONMENT=false"\n');
  });
});

describe('the master\'s commands (guide 2.7)', () => {
  it('the DNAT is added only when iptables -C does not find it', () => {
    expect(logsDnatScript('10.0.1.11')).toBe(
      'iptables -t nat -C OUTPUT -p tcp --dport 10350 -j DNAT --to 10.0.1.11:10003 2>/dev/null && echo present || { iptables -t nat -A OUTPUT -p tcp --dport 10350 -j DNAT --to 10.0.1.11:10003 && echo added; }',
    );
  });

  it('the stream certificate is the cluster CA\'s, for every cloudcore address, kept while valid, its key 0600', () => {
    const s = streamCertScript(['10.0.1.11', '192.168.0.5']);
    expect(s).toContain("ca=/etc/kubernetes/ssl/ca.crt; cakey=/etc/kubernetes/ssl/ca.key; sca=/etc/kubeedge/ca/streamCA.crt; crt=/etc/kubeedge/certs/stream.crt; key=/etc/kubeedge/certs/stream.key");
    expect(s).toContain("grep -qF 'IP Address:10.0.1.11' \"$t\" && grep -qF 'IP Address:192.168.0.5' \"$t\"");
    expect(s).toContain("printf 'subjectAltName = %s\\n' IP.1:10.0.1.11,IP.2:192.168.0.5");
    expect(s).toContain('chmod 600 "$key"');
    expect(s).not.toMatch(/wget|curl|https?:/);
  });

  it('cloudcore is restarted as the guide does, stopping only the cloudcore listening on cloudHub\'s port', () => {
    const s = restartCloudcoreScript();
    expect(s).toContain("ss -Hltnp 'sport = :10000'");
    expect(s).toContain('[ "$(cat /proc/$p/comm 2>/dev/null)" = cloudcore ] && kill "$p"');
    expect(s).toContain('setsid nohup /usr/local/bin/cloudcore </dev/null >/var/log/kubeedge/cloudcore.log 2>&1 &');
    expect(s).not.toMatch(/pkill|killall/);
  });

  it('the CNI plugins come from the bundle, under the path the bundle gives the release URL', () => {
    expect(filesRepoPath(cniPluginsUrl('amd64'))).toBe('files/github.com/containernetworking/plugins/releases/download/v0.9.1/cni-plugins-linux-amd64-v0.9.1.tgz');
  });
});

const planInput = (over: Partial<PlanInput> = {}) => edgeBoshPlanInput('/srv/bundle', over, 2);

describe('the steps in the mode\'s graph', () => {
  it('cloudcore-config (master) and edgecore-config (each edge node) come after the joins; kube-flannel-edge needs them', () => {
    const steps = descriptorOf('edge').steps(Plan.parse(planInput()), findRelease('paasta-v1.0')!, {} as never);
    const byId = new Map(steps.map((s) => [s.id, s]));
    expect(byId.get('cloudcore-config')).toMatchObject({ hosts: ['master1'], needs: ['edge-join'] });
    expect(byId.get('edgecore-config')).toMatchObject({ hosts: ['edge1', 'edge2'], needs: ['cloudcore-config'], perHost: true });
    expect(byId.get('edge-flannel')!.needs).toEqual(['edgecore-config']);
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf('edge-join')).toBeLessThan(ids.indexOf('cloudcore-config'));
    expect(ids.indexOf('edgecore-config')).toBeLessThan(ids.indexOf('edge-flannel'));
    // Both can tell they are done (resume, reruns).
    expect(byId.get('cloudcore-config')!.isDone).toBeDefined();
    expect(byId.get('edgecore-config')!.isDone).toBeDefined();
  });
});

describe('kube-flannel-edge\'s pods, read for each edge node', () => {
  const pod = (node: string, status: Record<string, unknown>) => ({ metadata: { name: `kube-flannel-edge-${node}` }, spec: { nodeName: node }, status });
  it('Running and ready on every edge node is fine; a missing pod, a crash loop or a pending sandbox is named with its reason', () => {
    const running = { phase: 'Running', containerStatuses: [{ name: 'kube-flannel-edge', ready: true, state: { running: {} } }] };
    expect(flannelEdgeProblems({ items: [pod('edge1', running), pod('edge2', running)] }, ['edge1', 'edge2'])).toEqual([]);
    const crash = {
      phase: 'Running',
      containerStatuses: [{
        name: 'kube-flannel-edge', ready: false, restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, message: 'Failed to create SubnetManager: dial tcp 127.0.0.1:10550: connect: connection refused' } },
      }],
    };
    const creating = { phase: 'Pending', containerStatuses: [{ name: 'kube-flannel-edge', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] };
    expect(flannelEdgeProblems({ items: [pod('edge1', crash), pod('edge2', creating)] }, ['edge1', 'edge2', 'edge3'])).toEqual([
      { node: 'edge1', reason: 'CrashLoopBackOff', message: 'Failed to create SubnetManager: dial tcp 127.0.0.1:10550: connect: connection refused' },
      { node: 'edge2', reason: 'ContainerCreating', message: '' },
      { node: 'edge3', reason: 'NoPod', message: 'no kube-flannel-edge pod on edge3' },
    ]);
  });
});

describe.skipIf(!haveUpstream)('the bundle of a 2021 edge plan', () => {
  it('carries the CNI plugins v0.9.1 for the edge nodes, per architecture (the guide\'s wget, offline)', { timeout: 30_000 }, () => {
    const m = bundleManifest({ release: findRelease('paasta-v1.0')!, tree: treeFromDir(TREE_V104), plan: Plan.parse(planInput()), arch: ['amd64', 'arm64'] });
    for (const arch of ['amd64', 'arm64']) {
      const a = m.artifacts.find((x) => x.source === cniPluginsUrl(arch));
      expect(a, arch).toMatchObject({ kind: 'file', path: filesRepoPath(cniPluginsUrl(arch)), neededBy: ['edge_node'] });
    }
  });
});
