// The 2021 standalone with BOSH middleware over real SSH (the spray guide past the cluster): the jump box (a
// test host with the strict fake bosh in its /usr/local/bin) deploys the middleware from the REAL v1.0.4 tree
// (uploaded from the bundle) and reads its VMs; the master (a second test host, worker too) pushes the images
// and deploys the container platform with stand-in scripts strict about their inputs, and the operator and
// user portals are requested on their NodePorts. The Kubespray cluster under it is the standalone mode's,
// tested on its own; registry trust writes the nodes' /etc (shared by all test hosts), so it is run for real
// in a scratch root by test/unit/modes/standalone-bosh.test.ts instead, with the nodes' reach check.
// No bearer token is given: the run makes the cluster-admin ServiceAccount's on the master (strict fake kubectl
// over a seeded fake cluster of the release's Kubernetes) and hands it to the deploy's k8s_auth_bearer.
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBag } from '../../../core/api/preflight.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import { standaloneBoshSteps } from '../../../core/modes/standalone/bosh-middleware.js';
import { hostsWithRole, Plan, type PlanInput } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { fakeCalls, readFake, seedDirector, sha256 } from '../../fakes/bosh-install.js';
import { readCluster } from '../../fakes/install.js';
import { parse as parseYaml } from 'yaml';
import { assertNoSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { writeContainerPlatform } from './container-platform.js';
import { CA_FILE, DIRECTOR, directorSeed, installJumpbox, seedMasterCluster, UPSTREAM } from './setup.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`standalone-bosh integration tests skipped: ${can.reason}`);

const SECRETS = { boshClientSecret: 'director-S3cret-sa2', mariadbPassword: 'Paasta!2021-sa2' };
const HAPROXY = '10.250.77.121';

/** The middleware and container platform steps only, without registry trust and the reach check (see the header). */
function boshOnly(): InstallMode {
  return {
    name: 'standalone',
    title: { key: 'mode.standalone.card' },
    steps(plan) {
      return standaloneBoshSteps(plan, hostsWithRole(plan, 'control-plane')[0]!, { start: [], cluster: [] })
        .filter((s) => s.id !== 'bosh-registry-trust' && s.id !== 'bosh-node-reach')
        .map((s): Step => (s.id === 'cp-images' ? { ...s, needs: ['bosh-vms'] } : s));
    },
  };
}

describe.skipIf(!can.ok)('standalone 2021 with BOSH middleware on test hosts (jump box with fake bosh)', { timeout: 240_000 }, () => {
  let hosts: TestHosts;
  let bundle: string;
  let ps: PsSampler;

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    installJumpbox(hosts.hosts[1]!);
    seedMasterCluster(hosts.hosts[0]!);
    bundle = mkdtempSync(join(tmpdir(), 'sa-bosh-it-bundle-'));
    symlinkSync(UPSTREAM, join(bundle, 'paas-ta-container-platform-deployment'));
    writeContainerPlatform(bundle);
    ps = startPsSampler({ hosts });
    seedDirector(hosts.hosts[1]!, directorSeed(SECRETS.boshClientSecret));
  });
  afterAll(async () => {
    ps?.stop();
    await hosts?.exec(0, 'p=/var/lib/cp-installer/cp-test/portals.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    await hosts?.stop();
  });

  function plan(): Plan {
    const [master, jump] = hosts.hosts;
    return Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'paasta-v1.0',
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [
        { name: master!.name, address: master!.address, roles: ['control-plane', 'worker'] },
        { name: jump!.name, address: jump!.address, roles: ['jumpbox'] },
      ],
      bosh: { directorAddress: DIRECTOR.address, caCertFile: `/home/${hosts.user}/${CA_FILE}`, client: DIRECTOR.client, haproxyAddress: HAPROXY },
      bundle: { path: bundle },
      storage: { type: 'nfs', nfs: { server: master!.address } },
      portal: { enabled: false },
    } as PlanInput);
  }

  async function run(runId: string, workdir: string): Promise<RunResult> {
    const p = plan();
    const ssh = await openSsh(p, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false });
    try {
      return await new InstallRun({
        runId, workdir, mode: boshOnly(), plan: p, release: findRelease('paasta-v1.0')!, options: { overrides: [] },
        secrets: secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value }))),
        sessions: ssh.sessions,
      }).start();
    } finally {
      await ssh.close();
    }
  }

  it('deploys the middleware, pushes the images, deploys the platform and verifies both portals; a second run redoes nothing', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'sa-bosh-wd-'));
    const result = await run('sa-bosh-1', workdir);
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const [master, jump] = [hosts.hosts[0]!, hosts.hosts[1]!];

    // BOSH: the real manifest with the installer's vars file and the guide's ops files; three VMs running.
    const bosh = readFake<{ deployments: Record<string, { vms: Array<{ group: string; ips: string[]; process_state: string }>; vars_files: string[]; ops_files: string[]; manifest: string }> }>(jump, 'bosh');
    const dep = bosh.deployments['paasta-container-platform']!;
    expect(dep.vms.map((v) => [v.group, v.process_state])).toEqual([['haproxy', 'running'], ['mariadb', 'running'], ['private-image-repository', 'running']]);
    expect(dep.vars_files).toEqual(['manifests/cp-installer-vars.yml']);
    expect(dep.ops_files).toEqual(['manifests/ops-files/paasta-container-service/network-aws.yml', 'manifests/ops-files/misc/first-time-deploy.yml']);
    expect(dep.manifest).toContain(`k8s_api_server_ip: ${master.address}`);
    expect(result.outputs['bosh.registry']).toBe(`${HAPROXY}:5001`);
    // k8s_auth_bearer: the token of the k8sadmin ServiceAccount the run made (guide 6.1), through --vars-env only.
    const cluster = readCluster(master)!;
    expect(cluster.objects.filter((o) => o.kind === 'ServiceAccount' || o.kind === 'ClusterRoleBinding').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ServiceAccount/k8sadmin', 'ClusterRoleBinding/k8sadmin']);
    const tokenSecret = cluster.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'k8sadmin-token') as unknown as { data: { token: string } };
    const token = Buffer.from(tokenSecret.data.token, 'base64').toString('utf8');
    expect(token).toMatch(/^eyJ/);
    expect(JSON.stringify(parseYaml(dep.manifest))).toContain(`"k8s_auth_bearer":"${token}"`);
    expect(JSON.stringify(result.outputs)).not.toContain(token);
    // Only bosh is wanted on the spray guide's inception VM: no cf or uaac was called.
    expect(fakeCalls(jump, 'cf')).toEqual([]);

    // The master: the registry once, and every value of container-platform-vars.sh as the guide defines it.
    expect(readFileSync(join(master.dir, 'lib', 'cp-test', 'images-pushed'), 'utf8')).toBe(`${HAPROXY}:5001\n`);
    const deployed = JSON.parse(readFileSync(join(master.dir, 'lib', 'cp-test', 'deployed.json'), 'utf8')) as Record<string, string>;
    expect(deployed).toEqual({
      haproxy: HAPROXY, master: master.address, worker: master.address, workerHostname: master.name, cluster: 'cp-cluster', mariadbUser: 'cp-admin', mariadbPassword: sha256(SECRETS.mariadbPassword),
    });

    // Both portals requested and answering, handed over as endpoints after the API server.
    const portals = (result.outputs as Record<string, unknown>)['portalEndpoints'] as Array<Record<string, unknown>>;
    expect(portals).toEqual([
      { name: 'operator-portal', url: `http://${master.address}:32080`, via: master.name, state: 'ok', status: 302, service: true },
      { name: 'user-portal', url: `http://${master.address}:32091`, via: master.name, state: 'ok', status: 302, service: true },
    ]);

    // No secret was a word of bosh's argv, nor in the workdir, the master's workspace or a `ps` sample.
    const argv = JSON.stringify(fakeCalls(jump, 'bosh'));
    for (const v of [...Object.values(SECRETS), token]) expect(argv).not.toContain(v);
    assertNoSecrets({ secrets: [...Object.entries(SECRETS).map(([label, value]) => ({ label, value })), { label: 'k8sBearerToken', value: token }], paths: [workdir, join(master.dir, 'home', 'workspace')], sampler: ps, minSamples: 1, minFiles: 3 });

    // Again: the deployment and the pushed images are found done.
    const deploys = fakeCalls(jump, 'bosh').filter((c) => c.includes('deploy')).length;
    const again = await run('sa-bosh-2', mkdtempSync(join(tmpdir(), 'sa-bosh-wd-')));
    expect(again.status, JSON.stringify(again.failure)).toBe('succeeded');
    expect(fakeCalls(jump, 'bosh').filter((c) => c.includes('deploy')).length).toBe(deploys);
    expect(readFileSync(join(master.dir, 'lib', 'cp-test', 'images-pushed'), 'utf8')).toBe(`${HAPROXY}:5001\n`);
  });
});
