// Both edge modes end to end over real SSH to test hosts, with the fake kubeadm / keadm / kubectl in each
// host's /usr/local/bin: the product's real command lines and config files, checked by the fakes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadJournal, readJournal } from '../../../core/install/journal.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { expandEdgeMode } from '../../../core/modes/expand-edge/index.js';
import { affinityTargets, hasEdgeAffinity } from '../../../core/tools/kubectl/affinity.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { failNextJoin, installFakes, readCluster, seedExistingCluster, stopCloudcore, type FakeCluster } from '../../fakes/install.js';
import { fakeVersions, filesContaining, installAllFakes, planFor, release, runMode } from './helpers.js';
import { assertNoSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`edge integration tests skipped: ${can.reason}`);

function edgeNodes(c: FakeCluster | undefined) {
  return (c?.nodes ?? []).filter((n) => 'node-role.kubernetes.io/edge' in n.metadata.labels);
}

function readyAgentEdge(c: FakeCluster | undefined): string[] {
  return edgeNodes(c)
    .filter((n) => n.status.conditions.some((x) => x.type === 'Ready' && x.status === 'True'))
    .filter((n) => 'node-role.kubernetes.io/agent' in n.metadata.labels)
    .map((n) => n.metadata.name)
    .sort();
}

describe.skipIf(!can.ok)('the fakes refuse what the real tools refuse', () => {
  let hosts: TestHosts;
  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    installFakes(hosts.hosts[0]!, { kubernetes: '1.35.0', kubeedge: '1.23.1' });
    installFakes(hosts.hosts[1]!, { kubernetes: '1.30.7', kubeedge: '1.20.0' });
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  it('kubeadm: unknown flag, v1beta3 on 1.35, v1beta4 on 1.30, extraArgs of the wrong shape, --config mixed with flags', async () => {
    let r = await hosts.exec(0, 'kubeadm init --pod-cidr 10.0.0.0/16');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown flag: --pod-cidr');
    r = await hosts.exec(0, `printf 'apiVersion: kubeadm.k8s.io/v1beta3\\nkind: InitConfiguration\\n' > /etc/kubernetes/c.yaml; kubeadm init --config /etc/kubernetes/c.yaml`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('your configuration file uses an old API spec: "kubeadm.k8s.io/v1beta3"');
    r = await hosts.exec(1, `printf 'apiVersion: kubeadm.k8s.io/v1beta4\\nkind: InitConfiguration\\n' > /etc/kubernetes/c.yaml; kubeadm init --config /etc/kubernetes/c.yaml`);
    expect(r.stderr).toContain('no kind "InitConfiguration" is registered for version "kubeadm.k8s.io/v1beta4"');
    r = await hosts.exec(
      0,
      `printf 'apiVersion: kubeadm.k8s.io/v1beta4\\nkind: InitConfiguration\\nnodeRegistration:\\n  kubeletExtraArgs:\\n    node-ip: 10.0.0.1\\n' > /etc/kubernetes/c.yaml; kubeadm init --config /etc/kubernetes/c.yaml`,
    );
    expect(r.stderr).toContain('cannot unmarshal object into Go struct field NodeRegistrationOptions.nodeRegistration.kubeletExtraArgs of type []v1beta4.Arg');
    r = await hosts.exec(0, 'kubeadm init --config /etc/kubernetes/c.yaml --pod-network-cidr 10.0.0.0/16');
    expect(r.stderr).toContain("can not mix '--config' with arguments ['pod-network-cidr']");
  });

  it('keadm: unknown flag, missing cloudcore-ipport, flags of another version, token refused without cloudcore', async () => {
    let r = await hosts.exec(0, 'keadm join --cloudcore-ipport 10.0.0.1:10000 --bogus');
    expect(r.stderr).toContain('Error: unknown flag: --bogus');
    r = await hosts.exec(0, 'keadm join --token abc');
    expect(r.stderr).toContain('Error: required flag(s) "cloudcore-ipport" not set');
    r = await hosts.exec(0, 'keadm join --cloudcore-ipport 10.0.0.1:10000 --with-mqtt');
    expect(r.stderr).toContain('unknown flag: --with-mqtt');
    r = await hosts.exec(1, 'keadm init --advertise-address 10.0.0.1 --skip-preflight-checks');
    expect(r.stderr).toContain('unknown flag: --skip-preflight-checks');
    r = await hosts.exec(0, `keadm join --cloudcore-ipport ${hosts.hosts[1]!.address}:10000 --token x --kubeedge-version v1.23.1`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed to get CA certificate.*connect: connection refused/);
  });

  it('kubectl: no cluster, unknown flag', async () => {
    let r = await hosts.exec(0, 'kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes');
    expect(r.stderr).toContain('stat /etc/kubernetes/admin.conf: no such file or directory');
    r = await hosts.exec(0, 'kubectl get nodes --watchit');
    expect(r.stderr).toContain('unknown flag: --watchit');
  });
});

describe.skipIf(!can.ok)('edge mode: kubeadm + KubeEdge on test hosts', () => {
  let hosts: TestHosts;
  beforeAll(async () => {
    hosts = await startTestHosts({ count: 4 });
    installAllFakes(hosts);
  });
  afterAll(async () => {
    if (hosts) stopCloudcore(hosts.hosts[0]!);
    await hosts?.stop();
  });

  // Secrets scan (test/support/secrets-scan.ts): the cloudcore and bootstrap tokens the run handled are in no
  // file of its workdir and on no command line, except keadm's own (keadm reads its token only from argv).
  let secretsPs: PsSampler | undefined;
  const workdirs: string[] = [];
  beforeAll(() => void (secretsPs = startPsSampler({ hosts })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => {
    const stored = JSON.parse(readFileSync(join(hosts.hosts[0]!.dir, 'lib', 'fake-k8s', 'cluster.json'), 'utf8')) as { cloudcore?: { token?: string }; bootstrapToken?: string };
    const secrets = [
      stored.cloudcore?.token && { label: 'cloudcore token', value: stored.cloudcore.token },
      stored.bootstrapToken && { label: 'bootstrap token', value: stored.bootstrapToken },
    ].filter((x): x is { label: string; value: string } => !!x);
    assertNoSecrets({ secrets, paths: workdirs, sampler: secretsPs, minSamples: 0, ignorePsLines: /\bkeadm join\b/ });
  });

  it('initialises the control plane, installs cloudcore, joins every edge host and verifies agent,edge', async () => {
    const plan = planFor(hosts, [
      [0, ['control-plane']],
      [1, ['edge']],
      [2, ['edge']],
      [3, ['edge']],
    ]);
    const { result, workdir } = await runMode({ hosts, mode: edgeMode, plan });
    workdirs.push(workdir);
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');

    const cluster = readCluster(hosts.hosts[0]!);
    expect(readyAgentEdge(cluster)).toEqual([1, 2, 3].map((i) => hosts.hosts[i]!.name).sort());
    expect(edgeNodes(cluster)[0]!.status.nodeInfo.kubeletVersion).toBe('v1.32.10-kubeedge-v1.23.1');
    // kubeadm read the generated config: v1beta4 for 1.32, the SANs and the node name from the plan.
    const config = readFileSync(join(hosts.hosts[0]!.dir, 'kube', 'kubeadm-config.yaml'), 'utf8');
    expect(config).toContain('apiVersion: kubeadm.k8s.io/v1beta4');
    expect(readFileSync(join(hosts.hosts[0]!.dir, 'kube', 'admin.conf'), 'utf8')).toContain(`server: https://${hosts.hosts[0]!.address}:6443`);
    // cloudcore pinned to the control plane it advertises.
    expect(cluster!.cloudcore!.advertise[0]).toBe(hosts.hosts[0]!.address);
    expect(cluster!.cloudcore!.values['cloudCore.nodeSelector.kubernetes\\.io/hostname']).toBe(hosts.hosts[0]!.name);
    // Cloud DaemonSets keep off edge nodes.
    for (const name of ['kube-proxy', 'calico-node']) {
      const w = cluster!.workloads.find((x) => x.metadata.name === name)!;
      expect(hasEdgeAffinity(w as never), name).toBe(true);
    }
    expect(affinityTargets(JSON.stringify({ items: cluster!.workloads }))).toEqual([]);

    // Tokens never reach the workdir (journal, logs).
    const stored = JSON.parse(readFileSync(join(hosts.hosts[0]!.dir, 'lib', 'fake-k8s', 'cluster.json'), 'utf8')) as {
      cloudcore: { token: string };
      bootstrapToken: string;
    };
    expect(filesContaining(workdir, stored.cloudcore.token)).toEqual([]);
    expect(filesContaining(workdir, stored.bootstrapToken)).toEqual([]);
    const log = filesContaining(workdir, 'kubeadm join');
    expect(log.length).toBeGreaterThan(0);
    expect(filesContaining(workdir, '--token ***').length).toBeGreaterThan(0);
    // The edge hosts keep no token either (keadm deletes its bootstrap file).
    for (const i of [1, 2, 3]) {
      expect(readFileSync(join(hosts.hosts[i]!.dir, 'lib', 'fake-k8s', 'edge', 'etc-kubeedge', 'config', 'edgecore.yaml'), 'utf8')).not.toContain(
        stored.cloudcore.token,
      );
    }
  });
});

describe.skipIf(!can.ok)('expand-edge mode on an existing cluster', () => {
  const EDGES = 10;
  let hosts: TestHosts;
  let lb: string;
  beforeAll(async () => {
    hosts = await startTestHosts({ count: EDGES + 3 });
    installAllFakes(hosts);
    const h = hosts.hosts;
    // A Kubespray cluster: control plane h0, worker h1; edge hosts 2..11; h12 comes later.
    seedExistingCluster(h[0]!, release().kubernetes, [
      { name: h[0]!.name, ip: h[0]!.address, roles: ['control-plane'] },
      { name: h[1]!.name, ip: h[1]!.address, roles: [] },
    ]);
    // MetalLB announces the pool's address from the node cloudcore runs on (its speaker does this for real).
    lb = h[0]!.address.replace(/\.\d+$/, '.250');
    await hosts.exec(0, `ip addr add ${lb}/24 dev eth0`);
    failNextJoin(h[6]!, true);
  });
  afterAll(async () => {
    if (hosts) stopCloudcore(hosts.hosts[0]!);
    await hosts?.stop();
  });

  const edgeIdx = Array.from({ length: EDGES }, (_, i) => i + 2);
  const plan = (extra: number[] = []) =>
    planFor(
      hosts,
      [
        [0, ['control-plane']],
        [1, ['worker']],
        ...[...edgeIdx, ...extra].map((i): [number, ['edge']] => [i, ['edge']]),
      ],
      { mode: 'expand-edge', edge: { cloudcorePrivateAddress: lb } },
    );

  it('a failed join on one edge host of ten leaves nine joined; resuming retries only that one', async () => {
    const first = await runMode({ hosts, mode: expandEdgeMode, plan: plan(), runId: 'expand-1' });
    expect(first.result.status, JSON.stringify(first.result.failure)).toBe('failed');
    expect(first.result.failedStep, JSON.stringify(first.result.failure)).toBe('edge-join');
    expect(first.result.failedStep).toBe('edge-join');
    expect(first.result.error?.key).toBe('edge.join-failed');
    expect(first.result.error?.params?.host).toBe(hosts.hosts[6]!.name);
    expect(first.result.failure?.message).toContain('pull Images failed');
    const joined = readyAgentEdge(readCluster(hosts.hosts[0]!));
    expect(joined).toHaveLength(9);
    expect(joined).not.toContain(hosts.hosts[6]!.name);

    // The cloud side as the platform's playbook leaves it.
    const cluster = readCluster(hosts.hosts[0]!)!;
    expect(cluster.objects.find((o) => o.kind === 'IPAddressPool')?.metadata.name).toBe('cloudcore');
    const svc = cluster.services.find((s) => s.metadata.name === 'cloudcore')!;
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p) => p.nodePort)).toEqual([30000, 30001, 30002, 30003, 30004]);
    expect(cluster.cloudcore!.advertise[0]).toBe(lb);
    for (const name of ['calico-node', 'kube-proxy', 'nodelocaldns', 'speaker']) {
      expect(hasEdgeAffinity(cluster.workloads.find((w) => w.metadata.name === name)! as never), name).toBe(true);
    }

    failNextJoin(hosts.hosts[6]!, false);
    const state = loadJournal(first.workdir, 'expand-1');
    const second = await runMode({ hosts, mode: expandEdgeMode, plan: plan(), runId: 'expand-1', workdir: first.workdir, resume: state });
    expect(second.result.error, JSON.stringify(second.result.failure)).toBeUndefined();
    expect(second.result.status).toBe('succeeded');
    expect(readyAgentEdge(readCluster(hosts.hosts[0]!))).toHaveLength(10);
    // Only the failed host's join ran again (a second join on a joined host would fail: edgecore running).
    const records = readJournal(join(first.workdir, 'runs', 'expand-1', 'journal.jsonl'));
    const resumedAt = records.findIndex((r) => r.t === 'resume');
    const rejoined = records.slice(resumedAt).filter((r) => r.t === 'step-start' && r.step === 'edge-join' && r.host);
    expect(rejoined.map((r) => (r as { host: string }).host)).toEqual([hosts.hosts[6]!.name]);
  });

  it('adding an edge host later runs only its join', async () => {
    const { result, workdir } = await runMode({ hosts, mode: expandEdgeMode, plan: plan([12]), runId: 'expand-2' });
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(readyAgentEdge(readCluster(hosts.hosts[0]!))).toHaveLength(11);
    const records = readJournal(join(workdir, 'runs', 'expand-2', 'journal.jsonl'));
    const ends = records.filter((r) => r.t === 'step-end') as Array<{ step: string; host?: string; status: string }>;
    const status = (step: string, host?: string) => ends.find((e) => e.step === step && e.host === host)?.status;
    expect(status('keadm-init')).toBe('skipped');
    expect(status('cloudcore-service')).toBe('skipped');
    expect(status('edge-affinity')).toBe('skipped');
    expect(status('edge-join', hosts.hosts[12]!.name)).toBe('done');
    for (const i of edgeIdx) expect(status('edge-join', hosts.hosts[i]!.name)).toBe('skipped');
  });

  it('re-applies the affinity patches after a Kubespray run re-templated a DaemonSet', async () => {
    // What cluster.yml does to calico-node: the template comes back without the rule.
    const file = join(hosts.hosts[0]!.dir, 'lib', 'fake-k8s', 'cluster.json');
    const c = JSON.parse(readFileSync(file, 'utf8')) as FakeCluster;
    delete c.workloads.find((w) => w.metadata.name === 'calico-node')!.spec.template.spec.affinity;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(c));
    const { result } = await runMode({ hosts, mode: expandEdgeMode, plan: plan([12]), runId: 'expand-3' });
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const after = readCluster(hosts.hosts[0]!)!;
    expect(hasEdgeAffinity(after.workloads.find((w) => w.metadata.name === 'calico-node')! as never)).toBe(true);
  });

  it('fake versions match the release', () => {
    expect(fakeVersions()).toEqual({ kubernetes: '1.32.5', kubeedge: '1.23.1', edgeKubelet: '1.32.10' });
  });
});
