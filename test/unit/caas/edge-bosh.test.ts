// The 2021 edge with BOSH middleware (v1.4.x cp-edge-deployment-guide + cp-bosh-deployment-edge-guide): `mode:
// edge`, `release: paasta-v1.0` and the `bosh` section. Plan rules with field paths, the profile the plan
// selects, the pure command builders it adds (keadm join on Docker, flannel for Kubespray) and a dry run (no SSH):
// the guides' order from the shared steps, the commands each host gets, and no secret in the listing.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunPlan } from '../../../core/api/install.js';
import { secretBag, secretsNeeded } from '../../../core/api/preflight.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { descriptorOf } from '../../../core/modes/index.js';
import { profileOf, modeMessages } from '../../../core/modes/profiles.js';
import { edgeBoshProfile } from '../../../core/modes/edge-bosh/profile.js';
import { keadmJoinArgv } from '../../../core/tools/kubeedge/commands.js';
import { groupVarChanges } from '../../../core/tools/kubespray/group-vars.js';
import { affinityTargets } from '../../../core/tools/kubectl/affinity.js';
import { edgeFlannelDaemonSet } from '../../../core/modes/edge-bosh/flannel.js';
import { contextFor } from '../../../core/preflight/checks/context.js';
import { cloudcoreProcessStep } from '../../../core/modes/edge/cloudcore-process.js';
import { EdgeRunState } from '../../../core/modes/edge/state.js';
import { parseAllDocuments } from 'yaml';
import { edgeBoshPlanInput } from './edge-bosh-plans.js';

const UPSTREAM = '/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4';
const SECRETS = { boshClientSecret: 'director-S3cret-eb', mariadbPassword: 'Paasta!2021-eb' };

function makeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edge-bosh-bundle-'));
  symlinkSync(UPSTREAM, join(dir, 'cp-deployment'));
  symlinkSync(UPSTREAM, join(dir, 'paas-ta-container-platform-deployment'));
  // The tree's edge/keadm (guide 2.3), which the upstream snapshot lacks: a bundle that is the tree has it at edge/.
  mkdirSync(join(dir, 'edge'));
  writeFileSync(join(dir, 'edge', 'keadm'), '#!/bin/sh\n', { mode: 0o755 });
  const cp = join(dir, 'container-platform');
  for (const d of ['container-platform-script', 'container-platform-image', 'container-platform-yaml']) mkdirSync(join(cp, d), { recursive: true });
  for (const f of ['image-upload-standalone.sh', 'container-platform-deploy.sh', 'container-platform-vars.sh']) writeFileSync(join(cp, 'container-platform-script', f), '#!/bin/sh\n');
  return dir;
}

const planInput = (bundle: string, over: Partial<PlanInput> = {}) => edgeBoshPlanInput(bundle, over);

const issues = (input: PlanInput) => {
  const r = validatePlan(input);
  return { errors: r.errors.map((e) => `${e.path}: ${e.key}`), warnings: r.warnings.map((e) => `${e.path}: ${e.key}`) };
};

describe('edge with BOSH middleware: plan rules and profile', () => {
  it('a complete plan is valid, takes worker and jumpbox, and selects the Kubespray profile', () => {
    const r = issues(planInput('/srv/b'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => /roleIgnored|edgeIgnored/.test(w))).toEqual([]);
    const plan = Plan.parse(planInput('/srv/b'));
    const p = profileOf('edge', plan);
    expect(p).toBe(edgeBoshProfile);
    expect([p.cluster, p.kubeedge, p.preflight.ansible, p.preflight.kubeadm]).toEqual(['kubespray', true, true, false]);
    // Without the bosh section the edge is the kubeadm one, as before.
    const plain = Plan.parse({ ...planInput('/srv/b'), bosh: undefined, release: 'k-paas-v1.6.2-kubeedge-1.23' } as PlanInput);
    expect(profileOf('edge', plain).cluster).toBe('kubeadm');
    expect(profileOf('edge').cluster).toBe('kubeadm');
  });

  it('names what is missing by field path: one master, a cloud worker, an edge host, one jump box, HAProxy, the bundle', () => {
    const two = planInput('/srv/b');
    two.hosts = [...two.hosts!, { name: 'master2', address: '10.0.1.12', roles: ['control-plane'] }];
    expect(issues(two).errors).toContain('hosts: mode.edgeBosh.controlPlane');
    const noWorker = planInput('/srv/b');
    noWorker.hosts = noWorker.hosts!.filter((h) => h.name !== 'worker1');
    expect(issues(noWorker).errors).toContain('hosts: mode.edgeBosh.noWorker');
    const noEdge = planInput('/srv/b');
    noEdge.hosts = noEdge.hosts!.filter((h) => h.name !== 'edge1');
    expect(issues(noEdge).errors).toContain('hosts: plan.edge.noEdgeHost');
    const noJump = planInput('/srv/b');
    noJump.hosts = noJump.hosts!.filter((h) => h.name !== 'inception');
    expect(issues(noJump).errors).toContain('hosts: mode.standalone.bosh.jumpbox');
    expect(issues(planInput('/srv/b', { bosh: { directorAddress: '10.0.0.6' } } as never)).errors).toContain('bosh.haproxyAddress: mode.standalone.bosh.haproxyAddress');
    const noBundle = planInput('/srv/b');
    delete noBundle.bundle;
    expect(issues(noBundle).errors).toContain('bundle.path: mode.standalone.bosh.bundle');
    // edgecore's cluster DNS is the service network's .3: an IPv6 service network is refused before any step is built.
    const v6 = planInput('/srv/b');
    v6.cluster = { ...v6.cluster, serviceCidr: 'fd00:10:96::/112' } as never;
    expect(issues(v6).errors).toContain('cluster.serviceCidr: mode.edgeBosh.ipv4Services');
    expect(issues(planInput('/srv/b')).errors.filter((e) => e.startsWith('cluster.serviceCidr'))).toEqual([]);
    // The bosh section's own fields are validated like the rest (here: a director address that is no address).
    expect(issues(planInput('/srv/b', { bosh: { directorAddress: 'not an address', haproxyAddress: '10.0.0.120' } } as never)).errors.some((e) => e.startsWith('bosh.directorAddress:'))).toBe(true);
  });

  it('a bosh section with a release without BOSH middleware is refused at `bosh`', () => {
    expect(issues(planInput('/srv/b', { release: 'k-paas-v1.6.2-kubeedge-1.23' })).errors).toContain('bosh: mode.edgeBosh.release');
    expect(() => descriptorOf('edge').steps(Plan.parse(planInput('/srv/b', { release: 'k-paas-v1.6.2-kubeedge-1.23' })), findRelease('k-paas-v1.6.2-kubeedge-1.23')!, {} as never)).toThrow(
      expect.objectContaining({ error: { key: 'mode.edgeBosh.release', params: { release: 'k-paas-v1.6.2-kubeedge-1.23' } } }),
    );
  });

  it('every message of the profile is in en and ko, and in the mode catalog', () => {
    const en = Object.keys(edgeBoshProfile.messages.en).sort();
    expect(Object.keys(edgeBoshProfile.messages.ko).sort()).toEqual(en);
    for (const k of en) expect(modeMessages.en[k]).toBeDefined();
    for (const k of ['mode.standalone.bosh.jumpbox', 'mode.standalone.bosh.haproxyAddress', 'mode.standalone.bosh.bundle']) expect(modeMessages.ko[k]).toBeDefined();
  });

  it('asks for the director and MariaDB secrets only (the bearer token is made by the run)', () => {
    const needed = secretsNeeded(Plan.parse(planInput('/srv/b'))).filter((n) => n.profile === '' && !n.optional);
    expect(needed.map((n) => n.kind)).toEqual(['boshClientSecret', 'mariadbPassword']);
  });
});

describe('the release as the 2021 tree has it', () => {
  it('KubeEdge is the tree\'s edge/version (the guide\'s keadm --kubeedge-version 1.6.1)', () => {
    const tree = readFileSync(join(UPSTREAM, 'edge', 'version'), 'utf8').trim().replace(/^v/, '');
    expect(findRelease('paasta-v1.0')!.kubeedge!.version).toBe(tree);
  });

  it('keadm join on Docker names no runtime (legacy keadm\'s default), as the guide\'s join; a CRI keeps its flags', () => {
    const o = { kubeedgeVersion: '1.6.1', cloudcoreAddress: '10.0.1.11', nodeName: 'edge1' };
    expect(keadmJoinArgv({ ...o, runtime: 'docker' })).toEqual(['keadm', 'join', '--cloudcore-ipport', '10.0.1.11:10000', '--kubeedge-version', '1.6.1', '--edgenode-name', 'edge1']);
    expect(keadmJoinArgv({ ...o, runtime: 'containerd' })).toContain('--runtimetype');
    expect(() => keadmJoinArgv({ ...o, kubeedgeVersion: '1.20.0', runtime: 'docker' })).toThrow(/CRI runtime/);
  });

  it('Kubespray gets flannel for a 2021 cloud with edge nodes (edge guide 2.2), calico stays otherwise', () => {
    const release = findRelease('paasta-v1.0')!;
    const net = (p: Plan) => groupVarChanges(p, release).filter((c) => c.key === 'kube_network_plugin');
    expect(net(Plan.parse(planInput('/srv/b'))).map((c) => [c.file, c.value])).toEqual([['group_vars/k8s-cluster/k8s-cluster.yml', 'flannel']]);
    const standalone = planInput('/srv/b', { mode: 'standalone' });
    // A standalone plan's edge-role host is not joined: its cluster keeps calico (the 2021 tree's own setting).
    expect(net(Plan.parse(standalone))).toEqual([]);
    standalone.hosts = standalone.hosts!.filter((h) => h.name !== 'edge1');
    expect(net(Plan.parse(standalone))).toEqual([]);
  });
});

/** The v1.0.4 tree's kube-flannel DaemonSet (Kubespray 2.14's cni-flannel.yml.j2, amd64, Jinja values elided). */
function treeFlannel(): Record<string, unknown> {
  let t = readFileSync(join(UPSTREAM, 'standalone/aws/roles/network_plugin/flannel/templates/cni-flannel.yml.j2'), 'utf8');
  t = t.replace(/\{% if arch == 'amd64' %\}\n([\s\S]*?)\{% else %\}\n[\s\S]*?\{% endif %\}\n/g, '$1');
  t = t.replace(/\{% if [^%]*%\}[\s\S]*?\{% endif %\}/g, '').replace(/^\s*\{%.*%\}\s*\n/gm, '').replace(/\{\{[^}]*\}\}/g, 'x');
  const docs = parseAllDocuments(t).map((d) => d.toJSON() as Record<string, unknown> | null);
  return docs.find((d) => d?.kind === 'DaemonSet')!;
}

describe('kube-flannel-edge (edge guide 2.5), from the tree\'s own kube-flannel', () => {
  it('is a DaemonSet of its own for edge nodes, reaching the API through edgecore\'s metaServer', () => {
    const cloud = treeFlannel();
    expect((cloud.metadata as { name: string }).name).toBe('kube-flannel');
    const edge = edgeFlannelDaemonSet({ ...cloud, status: { numberReady: 2 }, metadata: { ...(cloud.metadata as object), uid: 'u-1', resourceVersion: '77' } }) as {
      metadata: Record<string, unknown>; spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { containers: Array<{ name: string; command: string[] }> } } };
    };
    expect(edge.metadata).toEqual({ name: 'kube-flannel-edge', namespace: 'kube-system', labels: { tier: 'node', app: 'flannel-edge' } });
    expect('status' in edge).toBe(false);
    // Selectors never overlap: the cloud DaemonSet's pods are app=flannel, these app=flannel-edge.
    expect(edge.spec.selector.matchLabels).toEqual({ app: 'flannel-edge' });
    expect(edge.spec.template.metadata.labels).toEqual({ tier: 'node', app: 'flannel-edge' });
    expect(edge.spec.template.spec.affinity).toBeUndefined();
    expect(edge.spec.template.spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/edge': '' });
    expect(edge.spec.template.spec.containers[0]!.name).toBe('kube-flannel-edge');
    expect(edge.spec.template.spec.containers[0]!.command).toEqual(['/opt/bin/flanneld', '--ip-masq', '--kube-subnet-mgr', '--kube-api-url=http://127.0.0.1:10550']);
    // Rendering its own output again adds nothing.
    expect(edgeFlannelDaemonSet(edge as never)).toEqual(edge);
    // The affinity step keeps kube-flannel off edge nodes and leaves kube-flannel-edge alone.
    const list = JSON.stringify({ items: [cloud, edge] });
    expect(affinityTargets(list)).toEqual([{ kind: 'daemonset', namespace: 'kube-system', name: 'kube-flannel' }]);
  });
});

describe('cloudcore as the 2021 release runs it (a process, not a pod)', () => {
  const plan = () => Plan.parse(planInput('/srv/b'));
  const step = (waitMs = 60_000) => cloudcoreProcessStep(plan(), findRelease('paasta-v1.0')!, new EdgeRunState(plan().hosts[0]!, () => '/etc/kubernetes/admin.conf'), [], waitMs);
  const ctx = (answers: (cmd: string) => { code: number; stdout: string; stderr?: string }) => {
    const cmds: string[] = [];
    return {
      cmds,
      ctx: {
        dryRun: false,
        signal: new AbortController().signal,
        progress() {},
        log() {},
        exec: async (_h: string, c: string, o: { onStdout?: (l: string) => void } = {}) => {
          cmds.push(c);
          const a = answers(c);
          for (const l of a.stdout.split('\n')) o.onStdout?.(l);
          return { stderr: '', ...a };
        },
      } as never,
    };
  };

  it('is the legacy keadm init, and done when cloudHub (10000) and the certificate port (10002) answer on the advertised address', async () => {
    expect(descriptorOf('edge').steps(plan(), findRelease('paasta-v1.0')!, {} as never).find((s) => s.id === 'keadm-init')!.isDone).toBeDefined();
    const up = ctx(() => ({ code: 0, stdout: 'ok cloudhub\nok certificates' }));
    expect(await step().isDone!(up.ctx)).toBe(true);
    expect(up.cmds[0]).toContain('/dev/tcp/10.0.1.11/10000');
    expect(up.cmds[0]).toContain('/dev/tcp/10.0.1.11/10002');
    expect(await step().isDone!(ctx(() => ({ code: 0, stdout: 'ok cloudhub\ndown certificates' })).ctx)).toBe(false);
  });

  it('runs keadm init, then waits for the ports; closed ones are named with the log to read', async () => {
    let probes = 0;
    const ok = ctx((c) => (c.startsWith('keadm init') ? { code: 0, stdout: 'CloudCore started' } : { code: 0, stdout: ++probes > 1 ? 'ok cloudhub\nok certificates' : 'down cloudhub\ndown certificates' }));
    await step().run(ok.ctx);
    expect(ok.cmds[0]).toBe('keadm init --advertise-address=10.0.1.11 --kubeedge-version 1.6.1 --kube-config /etc/kubernetes/admin.conf --master=https://10.0.1.11:6443');
    const closed = ctx((c) => (c.startsWith('keadm init') ? { code: 0, stdout: 'CloudCore started' } : { code: 0, stdout: 'ok cloudhub\ndown certificates' }));
    await expect(step(10).run(closed.ctx)).rejects.toMatchObject({ error: { key: 'mode.edgeBosh.cloudcoreDown', params: { host: 'master1', endpoints: '10.0.1.11:10002' } } });
    const refused = ctx(() => ({ code: 1, stdout: 'Error: failed to build config' }));
    await expect(step().run(refused.ctx)).rejects.toMatchObject({ error: { key: 'edge.keadm-init-failed' } });
  });
});

describe('edge with BOSH middleware: preflight', () => {
  it('checks the plan\'s hosts with the Kubespray profile (Ansible, no kubeadm), edge hosts as edge hosts', () => {
    const plan = Plan.parse(planInput('/srv/b'));
    const ctx = contextFor({} as never, plan.hosts[0]!, plan, findRelease('paasta-v1.0'));
    expect(ctx.profile).toBe(edgeBoshProfile);
    expect(ctx.profile.preflight).toEqual({ newClusterNodes: true, ansible: true, kubeadm: false });
  });
});

describe('edge with BOSH middleware: dry run', () => {
  // The dry run packs the real v1.0.4 tree (about 2 s here); under parallel suites it has taken 17 s.
  it('runs the guides in order from the shared steps, every command shown, no secret in it', { timeout: 30_000 }, async () => {
    const bundle = makeBundle();
    const bag = secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value })));
    const { text, records } = await dryRunPlan(Plan.parse(planInput(bundle)), { workdir: mkdtempSync(join(tmpdir(), 'edge-bosh-wd-')), secrets: bag });
    for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
    const steps = [...new Set(records.map((r) => r.step))];
    const order = ['kubespray', 'verify', 'edge-tools', 'edge-affinity', 'keadm-init', 'edge-join', 'cloudcore-config', 'edgecore-config', 'edge-flannel', 'edge-affinity-after-join', 'edge-verify', 'bosh-k8s-token', 'bosh-middleware', 'bosh-vms', 'bosh-registry-trust', 'bosh-edge-trust', 'cp-images', 'cp-deploy', 'cp-endpoints', 'kubeconfig'];
    const at = order.map((s) => steps.indexOf(s));
    expect(at.every((i) => i >= 0), `${order.filter((_, k) => at[k]! < 0)} missing from ${steps}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(steps.filter((s) => /^kubeadm|^cni$|^portal-/.test(s))).toEqual([]);

    const cmds = records.filter((r) => r.kind === 'exec').map((r) => ({ step: r.step, host: (r as { host?: string }).host, command: (r as { command: string }).command }));
    const on = (step: string) => cmds.filter((c) => c.step === step);
    // Guide 2.4: cloudcore on the master with the release's KubeEdge and the API server behind it.
    expect(on('keadm-init').map((c) => [c.host, c.command])).toEqual([
      ['master1', 'keadm init --advertise-address=10.0.1.11 --kubeedge-version 1.6.1 --kube-config /etc/kubernetes/admin.conf --master=https://10.0.1.11:6443'],
    ]);
    // Guide 2.5: the join on the edge node, the token on stdin only (the listing says so).
    expect(on('edge-join').map((c) => c.host)).toEqual(['edge1']);
    expect(on('edge-join')[0]!.command).toMatch(/^IFS= read -r t && .* && exec keadm join --cloudcore-ipport 10\.0\.1\.11:10000 --kubeedge-version 1\.6\.1 --edgenode-name edge1 --token "\$t"$/);
    expect(text).toMatch(/\[edge1\] run \(sudo\) \(stdin: \d+ bytes, not shown\)/);
    expect(text).not.toMatch(/--runtimetype/);
    // Guide 2.6–2.7: the DNAT and cloudcore's restart on the master; the CNI plugins and edgecore's restart on the edge node.
    expect(on('cloudcore-config').map((c) => c.host)).toEqual(expect.arrayContaining(['master1']));
    expect(on('cloudcore-config').some((c) => c.command.includes('iptables -t nat -C OUTPUT -p tcp --dport 10350 -j DNAT --to 10.0.1.11:10003'))).toBe(true);
    expect(on('edgecore-config').every((c) => c.host === 'edge1')).toBe(true);
    expect(on('edgecore-config').some((c) => c.command.includes('tar -xzf /var/tmp/cp-installer-cni-plugins-amd64-v0.9.1.tgz -C /opt/cni/bin'))).toBe(true);
    expect(on('edgecore-config').some((c) => c.command === 'systemctl daemon-reload && systemctl restart edgecore.service')).toBe(true);
    // Registry trust: master and worker (guide 3.1), and the edge node; never the jump box.
    expect(on('bosh-registry-trust').map((c) => c.host).sort()).toEqual(['master1', 'worker1']);
    expect(on('bosh-edge-trust').filter((c) => /insecure-registries/.test(c.command)).map((c) => c.host)).toEqual(['edge1']);
    expect([...on('bosh-registry-trust'), ...on('bosh-edge-trust')].filter((c) => /insecure-registries/.test(c.command)).every((c) => /systemctl restart docker/.test(c.command))).toBe(true);
    expect(on('bosh-edge-trust').some((c) => c.command.includes('/dev/tcp/10.0.0.120/5001'))).toBe(true);
    // The middleware from the jump box; the images and the platform from the master; portals on the cloud worker.
    expect(on('bosh-middleware').some((c) => c.host === 'inception' && /bosh -n -d paasta-container-platform deploy manifests\/paasta-container-service-deployment-aws\.yml/.test(c.command))).toBe(true);
    expect(on('cp-images').some((c) => c.host === 'master1' && /\.\/image-upload-standalone\.sh 10\.0\.0\.120:5001$/.test(c.command))).toBe(true);
    expect(on('cp-deploy').some((c) => c.host === 'master1' && /\.\/container-platform-deploy\.sh$/.test(c.command))).toBe(true);
    expect(on('cp-endpoints').some((c) => /dev\/tcp\/10\.0\.1\.21\/32080/.test(c.command) && /dev\/tcp\/10\.0\.1\.21\/32091/.test(c.command))).toBe(true);
    expect(cmds.some((c) => c.host === 'edge1' && /container-platform|bosh /.test(c.command))).toBe(false);
    // Kubespray's group vars carry flannel (the inventory step's upload).
    expect(text).toMatch(/kube_network_plugin: flannel/);
  });
});
