// CaaS on a site with no route out (issue 13): the whole caas mode — the standalone part (deployer, Kubespray
// with the fixture tree in 2.14's groups, storage, ingress, verify), then the BOSH middleware, registry trust on
// the master, the nodes' reach check, the images, the container service, the broker and the UAA client — from
// the plan's bundle folder (the REAL v1.0.4 tree's bosh/, the container service's stand-ins, the fixture
// Kubespray, applications/ and the NFS chart), on two test hosts whose every outbound attempt beyond the test
// network is recorded and rejected (nftables in each host's namespace: test/hosts/egress.ts; a name lookup
// too), and this process's own connections likewise. The set-up is the CaaS tests' (setup.ts) and the whole
// run's (whole-run.ts): the director's networks are the test subnet, as on a site they are the site's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBag } from '../../../core/api/preflight.js';
import { readJournal } from '../../../core/install/journal.js';
import { InstallRun } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import { caasMode } from '../../../core/modes/caas/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { readFake, sha256 } from '../../fakes/bosh-install.js';
import { canRecordEgress, recordInstallerEgress } from '../../hosts/egress.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { CA_FILE, cloudConfig, DIRECTOR, installJumpbox, PAASTA, seedSite, writeCaasBundle } from './setup.js';
import { prepareWholeRunMaster, startMiddlewareStandIns, stopMiddlewareStandIns, writeKubespray214 } from './whole-run.js';
import { fixtureBundleMissing } from '../install/fixture-bundle.js';

const can = canRunTestHosts();
const eg = canRecordEgress();
const ansible = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status === 0;
const reason = !can.ok ? can.reason : !eg.ok ? eg.reason : !ansible ? 'ansible-playbook is not installed (apt-get install -y ansible)' : fixtureBundleMissing();
if (reason) console.log(`offline caas run skipped: ${reason}`);

const SECRETS = {
  boshClientSecret: 'director-S3cret-off',
  cfAdminPassword: 'cf-admin-Pa55-off',
  uaaAdminClientSecret: 'uaa-admin-S3cret-off',
  brokerPassword: 'broker-Pa55word-off',
  caasClientSecret: 'caas-client-S3cret-off',
  mariadbPassword: 'Paasta!2021-off',
};

describe.skipIf(!!reason)('the whole caas run on hosts with no route out', () => {
  let th: TestHosts;
  let scratch: string;
  const haproxy = () => `${th.hosts[0]!.address.replace(/\.\d+$/, '')}.120`;

  beforeAll(async () => {
    // The master's own /etc: registry trust writes its /etc/docker/daemon.json.
    th = await startTestHosts({ count: 2, ownDirs: ['/etc'], recordEgress: true });
    const jump = th.hosts[1]!;
    const net = th.hosts[0]!.address.replace(/\.\d+$/, '');
    installJumpbox(jump);
    seedSite(jump, SECRETS, { director: { cloudConfig: cloudConfig({ privateRange: `${net}.0/24`, publicRange: `${net}.0/24` }) } });
    await startMiddlewareStandIns(th, 1, haproxy());
    prepareWholeRunMaster(th, 0);
    scratch = mkdtempSync(join(tmpdir(), 'cp-offline-caas-'));
    writeCaasBundle(join(scratch, 'bundle'), SECRETS.brokerPassword);
    writeKubespray214(join(scratch, 'bundle'));
  }, 120_000);

  afterAll(async () => {
    if (th) await stopMiddlewareStandIns(th, 1);
    await th?.exec(0, 'p=/var/lib/cp-installer/caas-test/broker.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const planInput = (withBundle: boolean): PlanInput => {
    const [master, jump] = th.hosts;
    const net = master!.address.replace(/\.\d+$/, '');
    return {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'caas',
      release: 'paasta-v1.0',
      cluster: { name: 'offcaas' },
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'master-1', address: master!.address, roles: ['control-plane', 'etcd', 'worker'] },
        { name: 'inception', address: jump!.address, roles: ['jumpbox'] },
      ],
      network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
      storage: { type: 'nfs', nfs: { server: master!.address } },
      bosh: { directorAddress: DIRECTOR.address, caCertFile: `/home/${th.user}/${CA_FILE}`, client: DIRECTOR.client, haproxyAddress: haproxy() },
      paasta: { ...PAASTA, skipSslValidation: true },
      ...(withBundle ? { bundle: { path: join(scratch, 'bundle') } } : {}),
      portal: { enabled: false },
    } as PlanInput;
  };

  it('deploys the cluster, the middleware and the container service and registers the broker, with zero outbound attempts', { timeout: 900_000 }, async () => {
    const [master, jump] = th.hosts;
    const plan = Plan.parse(planInput(true));
    const workdir = join(scratch, 'work');
    const installer = recordInstallerEgress([`${th.bridgeAddress.replace(/\.\d+$/, '.0')}/24`]);
    try {
      const ssh = await openSsh(plan, {}, { knownHostsFile: th.knownHostsFile, useSshConfig: false });
      let result;
      try {
        const run = new InstallRun({
          runId: 'offline-caas',
          workdir,
          mode: caasMode,
          plan,
          release: findRelease('paasta-v1.0')!,
          options: { overrides: [] },
          secrets: secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value }))),
          sessions: ssh.sessions,
        });
        result = await run.start();
      } finally {
        await ssh.close();
      }
      expect(result.status, JSON.stringify({ e: result.error, f: result.failure })).toBe('succeeded');

      // Every step of the mode ran: the cluster's and the CaaS steps.
      const ends = (readJournal(join(workdir, 'runs', 'offline-caas', 'journal.jsonl')).filter((r) => r.t === 'step-end') as Array<{ step: string; status: string }>);
      for (const id of ['deployer-tree', 'kubespray', 'storage', 'verify', 'caas-k8s-token', 'caas-middleware', 'caas-registry-trust', 'caas-node-reach', 'caas-images', 'caas-container-service', 'caas-broker', 'caas-uaa-client'])
        expect(ends.filter((e) => e.step === id).map((e) => e.status), id).toContain('done');
      const cf = readFake<{ brokers: Record<string, { url: string; password_sha256: string }> }>(jump!, 'cf');
      expect(cf.brokers['container-service-broker']).toMatchObject({ url: `http://${master!.address}:31888`, password_sha256: sha256(SECRETS.brokerPassword) });

      // Zero outbound attempts: on the master and the jump box (name lookups included), and from the installer.
      expect(await th.egressAttempts()).toEqual([]);
      expect(installer.attempts()).toEqual([]);
      console.log('offline caas: egress attempts: hosts 0, installer 0');
    } finally {
      installer.restore();
    }
  });

  it('the same plan without the bundle is refused before any host is contacted, naming bundle.path', () => {
    // The middleware's releases, the container service's images and the tree's bosh/ have no download of their
    // own in the caas run: without the bundle there is nothing to fetch them from, so the plan does not pass.
    const v = validatePlan(planInput(false));
    expect(v.valid).toBe(false);
    expect(v.errors).toContainEqual(expect.objectContaining({ path: 'bundle.path', key: 'mode.caas.bundle' }));
    expect(validatePlan(planInput(true)).errors).toEqual([]);
  });
});
