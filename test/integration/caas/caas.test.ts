// The CaaS steps end to end over real SSH: the jump box (a test host with the strict fake bosh, cf and uaac
// in its /usr/local/bin) deploys the middleware from the REAL v1.0.4 tree (uploaded from the bundle), reads
// its VMs, registers the broker with CF and adds the UAA client; the master (a second test host) pushes the
// images and deploys the container service (stand-in scripts, NodePort listeners). The Kubespray cluster
// under it is the standalone mode's, tested on its own; registry trust writes the nodes' /etc (shared by
// all test hosts), so it is run for real in a scratch root by test/unit/caas/mode.test.ts instead, and the
// nodes' check of <HAProxy>:5001 and MariaDB (addresses the fake director invents) against local listeners there.
// The whole caas mode, those two steps and the Kubespray part included, runs from the wizard in
// test/e2e/caas.test.ts (hosts with their own /etc, the VMs' addresses on the jump box: whole-run.ts).
// No bearer token is given: the run makes the cluster-admin ServiceAccount's on the master (strict fake kubectl
// over a seeded fake cluster of the release's Kubernetes) and hands it to bosh and the container service.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBag } from '../../../core/api/preflight.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { loadJournal, readJournal } from '../../../core/install/journal.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { InstallMode, Step } from '../../../core/install/step.js';
import type { JournalState } from '../../../core/install/journal.js';
import { caasSteps } from '../../../core/modes/caas/steps.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { failNextDeploy, fakeCalls, readFake, sha256 } from '../../fakes/bosh-install.js';
import { readCluster } from '../../fakes/install.js';
import { parse as parseYaml } from 'yaml';
import { assertNoSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { CA_FILE, DIRECTOR, installJumpbox, PAASTA, seedMasterCluster, seedSite, UPSTREAM, writeCaasBundle } from './setup.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`caas integration tests skipped: ${can.reason}`);

const SECRETS = {
  boshClientSecret: 'director-S3cret-x1',
  cfAdminPassword: 'cf-admin-Pa55-x1',
  uaaAdminClientSecret: 'uaa-admin-S3cret-x1',
  brokerPassword: 'broker-Pa55word-x1',
  caasClientSecret: 'caas-client-S3cret-x1',
  mariadbPassword: 'Paasta!2021-x1',
};
const HAPROXY = '10.250.77.120';

/** The caas steps only, without registry trust (see the header): images then need only the VMs read. */
function caasOnly(): InstallMode {
  return {
    name: 'caas',
    title: { key: 'mode.caas.card' },
    steps(plan) {
      return caasSteps(plan, { start: [], cluster: [] })
        .filter((s) => s.id !== 'caas-registry-trust' && s.id !== 'caas-node-reach')
        .map((s): Step => (s.id === 'caas-images' ? { ...s, needs: ['caas-vms'] } : s));
    },
  };
}

describe.skipIf(!can.ok)('caas on test hosts (jump box with fake bosh/cf/uaac)', { timeout: 240_000 }, () => {
  let hosts: TestHosts;
  let bundle: string;
  let ps: PsSampler;
  const workdirs: string[] = [];

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    installJumpbox(hosts.hosts[1]!);
    seedMasterCluster(hosts.hosts[0]!);
    bundle = writeCaasBundle(mkdtempSync(join(tmpdir(), 'caas-it-bundle-')), SECRETS.brokerPassword);
    ps = startPsSampler({ hosts });
  });
  afterAll(async () => {
    ps?.stop();
    await hosts?.exec(0, 'p=/var/lib/cp-installer/caas-test/broker.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    await hosts?.stop();
  });

  const seed = () => seedSite(hosts.hosts[1]!, SECRETS);

  function plan(): Plan {
    const [master, jump] = hosts.hosts;
    return Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'caas',
      release: 'paasta-v1.0',
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [
        { name: master!.name, address: master!.address, roles: ['control-plane', 'worker'] },
        { name: jump!.name, address: jump!.address, roles: ['jumpbox'] },
      ],
      bosh: { directorAddress: DIRECTOR.address, caCertFile: `/home/${hosts.user}/${CA_FILE}`, client: DIRECTOR.client, haproxyAddress: HAPROXY },
      paasta: { ...PAASTA, skipSslValidation: true },
      bundle: { path: bundle },
      storage: { type: 'nfs', nfs: { server: master!.address } },
      portal: { enabled: false },
    } as PlanInput);
  }

  async function run(runId: string, workdir = mkdtempSync(join(tmpdir(), 'caas-wd-')), resume?: JournalState): Promise<{ result: RunResult; workdir: string }> {
    workdirs.push(workdir);
    const p = plan();
    const ssh = await openSsh(p, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false });
    try {
      const r = new InstallRun({
        runId, workdir, mode: caasOnly(), plan: p, release: findRelease('paasta-v1.0')!, options: { overrides: [] },
        secrets: secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value }))),
        sessions: ssh.sessions,
        ...(resume ? { resume } : {}),
      });
      return { result: await r.start(), workdir };
    } finally {
      await ssh.close();
    }
  }

  /** The token the fake token controller filled into kube-system/k8sadmin-token on the master. */
  const madeToken = (): string => {
    const secret = readCluster(hosts.hosts[0]!)!.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'k8sadmin-token') as unknown as { data?: { token?: string } } | undefined;
    return Buffer.from(secret?.data?.token ?? '', 'base64').toString('utf8');
  };
  const secretSpecs = (token: string) => [...Object.entries(SECRETS).map(([label, value]) => ({ label, value })), { label: 'k8sBearerToken', value: token }];

  it('the fakes refuse what the real CLIs refuse: unknown flags, a wrong secret, no CA, an unresolved ((variable))', async () => {
    seed();
    // The secret from a file, so this test's own command lines (sampled by `ps`) never hold it either.
    writeFileSync(join(hosts.hosts[1]!.dir, 'lib', 'bosh-secret'), SECRETS.boshClientSecret, { mode: 0o600 });
    const good = 'BOSH_CLIENT_SECRET="$(cat /var/lib/cp-installer/bosh-secret)"';
    const env = `BOSH_ENVIRONMENT=10.250.77.6 BOSH_CLIENT=admin BOSH_CA_CERT=/home/${hosts.user}/director.crt`;
    const cases = [
      `${env} BOSH_CLIENT_SECRET=wrong bosh environment --json`,
      `BOSH_ENVIRONMENT=10.250.77.6 BOSH_CLIENT=admin ${good} bosh environment`,
      `${env} ${good} bosh -d x deploy m.yml --bogus`,
      // The real manifest and ops file without the vars file: ((container_platform_release_name)) and the rest are given by no one.
      `cd ${UPSTREAM}/bosh && ${env} ${good} bosh -n -d paasta-container-platform deploy manifests/paasta-container-service-deployment-aws.yml -o manifests/ops-files/paasta-container-service/network-aws.yml -v deployment_name=paasta-container-platform`,
      'cf api https://api.sys.test.nip.io',
      'cf api https://api.sys.test.nip.io --skip-ssl-validation >/dev/null && cf create-service-broker a b c --bogus',
      'uaac target https://uaa.sys.test.nip.io --skip-ssl-validation >/dev/null && printf "nope\\n" | uaac token client get admin',
      'uaac client add x --bogus y',
    ];
    // One round trip: a test host's exec costs a namespace entry, the fakes a Python start each.
    const r = await hosts.exec(1, cases.map((c, i) => `echo "=== ${i}"; ( ${c} ); echo "=== rc $?"`).join('\n'));
    const out = r.stdout.split(/^=== \d+$/m).slice(1);
    const rc = (i: number) => Number(/=== rc (\d+)/.exec(out[i]!)![1]);
    expect(out).toHaveLength(cases.length);
    expect(out[0]).toContain('401 Unauthorized');
    expect(out[1]).toContain('x509: certificate signed by unknown authority');
    expect(out[2]).toContain("unknown flag `bogus'");
    expect(out[3]).toMatch(/Error: Failed to fetch variable '\/micro-bosh\/paasta-container-platform\/container_platform_release_name' from config server/);
    expect(out[3]).toContain("Expected task '4771' to succeed but state is 'error'");
    expect(out[4]).toContain('x509: certificate signed by unknown authority');
    expect(out[5]).toContain("Incorrect Usage: unknown flag `bogus'");
    expect(out[6]).toContain('Bad credentials');
    expect(out[7]).toContain('invalid option: --bogus');
    for (let i = 0; i < cases.length; i++) expect(rc(i), cases[i]).toBe(1);
  });

  it('a full caas run deploys the middleware, pushes the images, registers the broker, adds caasclient; secrets never on a command line or on disk', async () => {
    seed();
    const { result, workdir } = await run('caas-1');
    expect(result.error, JSON.stringify(result.failure)).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const jump = hosts.hosts[1]!;
    const master = hosts.hosts[0]!;

    // The cluster-admin ServiceAccount (guide 6.1) and its token, made by the run: no token was given.
    const cluster = readCluster(master)!;
    expect(cluster.objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toEqual(['k8sadmin']);
    expect(cluster.objects.find((o) => o.kind === 'ClusterRoleBinding')).toMatchObject({ metadata: { name: 'k8sadmin' }, roleRef: { name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', namespace: 'kube-system', name: 'k8sadmin' }] });
    const token = madeToken();
    expect(token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

    // BOSH: the real manifest, the installer's vars file, the guide's ops files; three VMs running.
    const bosh = readFake<{ deployments: Record<string, { vms: Array<{ group: string; ips: string[]; process_state: string }>; vars_files: string[]; ops_files: string[]; manifest: string }> }>(jump, 'bosh');
    const dep = bosh.deployments['paasta-container-platform']!;
    expect(dep.vms.map((v) => [v.group, v.process_state])).toEqual([['haproxy', 'running'], ['mariadb', 'running'], ['private-image-repository', 'running']]);
    expect(dep.vms[0]!.ips[0]).toBe(HAPROXY);
    expect(dep.vars_files).toEqual(['manifests/cp-installer-vars.yml']);
    expect(dep.ops_files).toEqual(['manifests/ops-files/paasta-container-service/network-aws.yml', 'manifests/ops-files/misc/first-time-deploy.yml']);
    expect(dep.manifest).toContain(`url: ${HAPROXY}`);
    expect(dep.manifest).toContain(`k8s_api_server_ip: ${master.address}`);
    // k8s_auth_bearer reached the deploy through --vars-env (stdin → environment): the interpolated manifest holds it.
    const props = JSON.stringify(parseYaml(dep.manifest));
    expect(props).toContain(`"k8s_auth_bearer":"${token}"`);
    expect(JSON.stringify(result.outputs)).not.toContain(token);
    expect(result.outputs['caas.registry']).toBe(`${HAPROXY}:5001`);

    // The master got the registry and every value container-service-vars.sh should hold.
    expect(readFileSync(join(master.dir, 'lib', 'caas-test', 'images-pushed'), 'utf8').trim()).toBe(`${HAPROXY}:5001`);
    const deployed = JSON.parse(readFileSync(join(master.dir, 'lib', 'caas-test', 'deployed.json'), 'utf8')) as Record<string, string>;
    expect(deployed).toEqual({
      haproxy: HAPROXY, master: master.address, worker: master.address, workerHostname: master.name, domain: 'sys.test.nip.io', mariadbUser: 'cp-admin',
      token: sha256(token), mariadbPassword: sha256(SECRETS.mariadbPassword),
    });

    // CF: the broker at the worker's NodePort, every plan of container-service enabled (the catalog came from the broker).
    const cf = readFake<{ brokers: Record<string, { url: string; user: string; password_sha256: string; offerings: Record<string, Record<string, string>> }> }>(jump, 'cf');
    expect(cf.brokers['container-service-broker']).toEqual({
      url: `http://${master.address}:31888`, user: 'admin', password_sha256: sha256(SECRETS.brokerPassword),
      offerings: { 'container-service': { Advenced: 'all', Micro: 'all', Small: 'all' } },
    });

    // UAA: caasclient with the guide's exact values.
    const uaa = readFake<{ clients: Record<string, Record<string, unknown>> }>(jump, 'uaa');
    expect(uaa.clients.caasclient).toEqual({
      scope: ['cloud_controller_service_permissions.read', 'openid', 'cloud_controller.read', 'cloud_controller.write', 'cloud_controller.admin'],
      authorized_grant_types: ['authorization_code', 'client_credentials', 'refresh_token'],
      authorities: ['uaa.resource'],
      redirect_uri: [`http://${master.address}:32091`, `http://${master.address}:32091/callback`],
      autoapprove: ['openid', 'cloud_controller_service_permissions.read'],
      secret_sha256: sha256(SECRETS.caasClientSecret),
    });
    expect(result.outputs['caas.endpoints']).toEqual({
      api: `http://${master.address}:30333`, broker: `http://${master.address}:31888`, commonApi: `http://${master.address}:30334`, dashboard: `http://${master.address}:32091`,
    });

    // No secret was a word of any CLI's argv, nor in the workdir, nor in a `ps` sample, nor in the vars files on the jump box.
    for (const tool of ['bosh', 'cf', 'uaa'] as const) {
      const argv = JSON.stringify(fakeCalls(jump, tool));
      for (const v of [...Object.values(SECRETS), token]) expect(argv, tool).not.toContain(v);
    }
    const varsOnJump = readFileSync(join(jump.dir, 'home', 'workspace/paasta-5.5/deployment/paas-ta-container-platform-deployment/bosh/manifests/cp-installer-vars.yml'), 'utf8');
    for (const v of [...Object.values(SECRETS), token]) expect(varsOnJump).not.toContain(v);
    assertNoSecrets({ secrets: secretSpecs(token), paths: [workdir, join(master.dir, 'home', 'workspace')], sampler: ps, minSamples: 1, minFiles: 3 });

    // cf and uaac logins (their access tokens) do not stay behind on the jump box.
    for (const d of ['cf', 'uaac']) expect(existsSync(join(jump.dir, 'home', '.cp-installer', 'cp-cluster', 'caas', d)), d).toBe(false);

    // A second run finds everything done: no second deploy, broker or client.
    const before = fakeCalls(jump, 'bosh').filter((c) => c.includes('deploy')).length;
    const again = await run('caas-2');
    expect(again.result.status).toBe('succeeded');
    expect(fakeCalls(jump, 'bosh').filter((c) => c.includes('deploy')).length).toBe(before);
    // The account, its binding and the token are kept, not made twice.
    const after = readCluster(master)!;
    expect(after.objects.filter((o) => o.kind === 'ServiceAccount' || o.kind === 'ClusterRoleBinding')).toHaveLength(2);
    expect(madeToken()).toBe(token);
  });

  it('a failed BOSH task shows its number and stage first; resume runs the deploy again and nothing before it', async () => {
    seed();
    failNextDeploy(hosts.hosts[1]!, 'mariadb');
    const first = await run('caas-fail');
    expect(first.result.status).toBe('failed');
    expect(first.result.failedStep).toBe('caas-middleware');
    expect(first.result.failure?.task).toMatch(/^Updating instance mariadb: mariadb\/[0-9a-f-]+ \(0\) \(canary\)$/);
    expect(first.result.failure?.message).toMatch(/^Task 4771, Updating instance mariadb: mariadb\/[0-9a-f-]+ \(0\) \(canary\): Action Failed get_task/);
    expect(first.result.error).toMatchObject({ key: 'mode.caas.deploy-failed', params: { task: '4771' } });

    const state = loadJournal(first.workdir, 'caas-fail');
    const second = await run('caas-fail', first.workdir, state);
    expect(second.result.error, JSON.stringify(second.result.failure)).toBeUndefined();
    expect(second.result.status).toBe('succeeded');
    // The resumed run skipped the token step: the deploy read the same token again from its Secret.
    const redeployed = readFake<{ deployments: Record<string, { manifest: string }> }>(hosts.hosts[1]!, 'bosh').deployments['paasta-container-platform']!;
    expect(JSON.stringify(parseYaml(redeployed.manifest))).toContain(`"k8s_auth_bearer":"${madeToken()}"`);
    const records = readJournal(join(first.workdir, 'runs', 'caas-fail', 'journal.jsonl'));
    const resumedAt = records.findIndex((r) => r.t === 'resume');
    const started = records.slice(resumedAt).filter((r) => r.t === 'step-start').map((r) => (r as { step: string }).step);
    expect(started).not.toContain('caas-jumpbox');
    expect(started).not.toContain('caas-bosh-tree');
    expect(started[0]).toBe('caas-middleware');
  });
});
