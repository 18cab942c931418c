// The CaaS checks on a real jump box (a test host with the strict fake bosh, cf and uaac): preflight adds
// them to the jump box's report, and the wizard's caas.check (through the service, as the renderer calls
// it) answers the same verdicts. A ready site passes; a wrong director secret, a cloud-config without the
// plan's network, a CF admin password that is refused and a missing CLI each fail with their own remedy.
// No secret reaches a command line.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallerService } from '../../../core/api/index.js';
import { runPlanPreflight, secretBag } from '../../../core/api/preflight.js';
import type { PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { fakeCalls, installBoshFakes, removeBoshFakes, seedCf, seedDirector, seedUaa, sha256 } from '../../fakes/bosh-install.js';
import { writeContainerService } from './container-service.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`caas preflight integration tests skipped: ${can.reason}`);

const SECRETS = {
  boshClientSecret: 'director-S3cret-p2',
  cfAdminPassword: 'cf-admin-Pa55-p2',
  uaaAdminClientSecret: 'uaa-admin-S3cret-p2',
  brokerPassword: 'broker-Pa55word-p2',
  caasClientSecret: 'caas-client-S3cret-p2',
  mariadbPassword: 'Paasta!2021-p2',
  k8sBearerToken: 'eyJhbGciOiJSUzI1NiJ9.caas-bearer-p2',
};
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfakeDirectorCA\n-----END CERTIFICATE-----\n';
const CLOUD = {
  azs: [{ name: 'z5' }, { name: 'z7' }],
  vm_types: [{ name: 'small' }],
  disk_types: [{ name: '10GB', disk_size: 10240 }],
  networks: [
    { name: 'default', type: 'manual', subnets: [{ range: '10.250.78.0/24', gateway: '10.250.78.1', azs: ['z5', 'z7'] }] },
    { name: 'vip', type: 'vip', subnets: [{ range: '10.250.77.0/24' }] },
  ],
};

describe.skipIf(!can.ok)('caas checks on a jump-box test host (fake bosh/cf/uaac)', { timeout: 180_000 }, () => {
  let hosts: TestHosts;
  let bundle: string;
  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    bundle = mkdtempSync(join(tmpdir(), 'caas-pf-bundle-'));
    symlinkSync('/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4', join(bundle, 'paas-ta-container-platform-deployment'));
    writeContainerService(bundle, sha256(SECRETS.brokerPassword));
    installBoshFakes(hosts.hosts[1]!);
    writeFileSync(join(hosts.hosts[1]!.dir, 'home', 'director.crt'), CA, { mode: 0o644 });
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  function seed(over: { cloudConfig?: Record<string, unknown>; cfPassword?: string } = {}): void {
    const jump = hosts.hosts[1]!;
    seedDirector(jump, {
      address: '10.250.77.6', name: 'micro-bosh', uuid: '0d3c1f2e-fake-director', client: 'admin', secret: SECRETS.boshClientSecret, ca: CA,
      stemcells: [{ name: 'bosh-aws-xen-hvm-ubuntu-xenial-go_agent', os: 'ubuntu-xenial', version: '621.94' }],
      cloudConfig: over.cloudConfig ?? CLOUD,
    });
    seedCf(jump, { api: 'https://api.sys.test.nip.io', selfSigned: true, admin: 'admin', password: over.cfPassword ?? SECRETS.cfAdminPassword });
    seedUaa(jump, { url: 'https://uaa.sys.test.nip.io', selfSigned: true, adminClients: { admin: SECRETS.uaaAdminClientSecret } });
  }

  function plan(): PlanInput {
    const [master, jump] = hosts.hosts;
    const net = master!.address.replace(/\.\d+$/, '');
    return {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'caas',
      release: 'paasta-v1.0',
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [
        { name: master!.name, address: master!.address, roles: ['control-plane', 'worker', 'etcd'] },
        { name: jump!.name, address: jump!.address, roles: ['jumpbox'] },
      ],
      network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
      bosh: { directorAddress: '10.250.77.6', caCertFile: `/home/${hosts.user}/director.crt`, client: 'admin', haproxyAddress: '10.250.77.120' },
      paasta: { cfApi: 'https://api.sys.test.nip.io', uaaUrl: 'https://uaa.sys.test.nip.io', skipSslValidation: true, systemDomain: 'sys.test.nip.io' },
      storage: { type: 'nfs', nfs: { server: master!.address } },
      portal: { enabled: false },
      bundle: { path: bundle },
    } as PlanInput;
  }

  const bag = (over: Partial<typeof SECRETS> = {}) =>
    secretBag(Object.entries({ ...SECRETS, ...over }).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value })));

  async function jumpChecks(over: Partial<typeof SECRETS> = {}) {
    const report = await runPlanPreflight(plan(), { secrets: bag(over), knownHostsFile: hosts.knownHostsFile, useSshConfig: false, skipReach: true });
    const jump = report.hosts.find((h) => h.name === hosts.hosts[1]!.name)!;
    expect(jump.error).toBeUndefined();
    // Only the jump box gets them.
    expect(report.hosts.find((h) => h.name === hosts.hosts[0]!.name)!.checks.some((c) => c.id.startsWith('caas.'))).toBe(false);
    return Object.fromEntries(jump.checks.filter((c) => c.id.startsWith('caas.')).map((c) => [c.id, c]));
  }

  it('the plan is a valid caas plan (what the wizard would send)', () => {
    expect(validatePlan(plan()).errors).toEqual([]);
  });

  it('preflight: a ready site passes every CaaS check on the jump box; no secret on a command line', async () => {
    seed();
    const checks = await jumpChecks();
    expect(Object.fromEntries(Object.entries(checks).map(([id, c]) => [id, c.status]))).toEqual({
      'caas.tools': 'pass', 'caas.director': 'pass', 'caas.stemcell': 'pass', 'caas.cloudConfig': 'pass', 'caas.cf': 'pass', 'caas.uaa': 'pass', 'caas.hosts': 'pass',
    });
    for (const tool of ['bosh', 'cf', 'uaa'] as const) {
      const argv = JSON.stringify(fakeCalls(hosts.hosts[1]!, tool));
      for (const v of Object.values(SECRETS)) expect(argv, tool).not.toContain(v);
    }
    // The checks' scratch logins are gone.
    const left = await hosts.exec(1, `ls -A /home/${hosts.user}/.cp-installer/cp-cluster/caas 2>/dev/null | wc -l`);
    expect(left.stdout.trim()).toBe('0');
  });

  it('preflight: a wrong director secret, a missing network and a refused CF password fail, each with its remedy', async () => {
    seed({ cloudConfig: { ...CLOUD, networks: [CLOUD.networks[0]] }, cfPassword: 'another-one' });
    const bad = await jumpChecks({ boshClientSecret: 'wrong-secret' });
    expect(bad['caas.director']!.status).toBe('fail');
    // The fake director is no real address (the port probe is down), but it answered 401: the login is the cause.
    expect(bad['caas.director']!.remedy?.key).toBe('preflight.caas.director.remedy.login');
    expect(bad['caas.director']!.message.params?.detail).toContain('401');
    expect(bad['caas.stemcell']).toBeUndefined();
    expect(bad['caas.cf']!.message.key).toBe('preflight.caas.cf.login');

    const gaps = await jumpChecks();
    expect(gaps['caas.cloudConfig']!.status).toBe('fail');
    expect(gaps['caas.cloudConfig']!.message.params?.gaps).toBe('networks has no "vip" (bosh.networks)');
  });

  it('the wizard\'s caas.check through the service: secrets from secrets.set, a missing uaac named', async () => {
    seed();
    const service = createInstallerService({ workdir: mkdtempSync(join(tmpdir(), 'caas-check-')), shell: 'browser', knownHostsFile: hosts.knownHostsFile });
    try {
      await service.invoke('secrets.set', { service: SECRETS });
      const ok = await service.invoke('caas.check', { plan: plan() });
      expect(ok.host).toBe(hosts.hosts[1]!.name);
      expect(ok.checks.filter((c) => c.status !== 'pass')).toEqual([]);

      removeBoshFakes(hosts.hosts[1]!);
      const none = await service.invoke('caas.check', { plan: plan() });
      expect(none.checks.find((c) => c.id === 'caas.tools')!.status).toBe('fail');
      expect(none.checks.find((c) => c.id === 'caas.director')!.message.key).toBe('preflight.caas.notTried.noCli');
    } finally {
      installBoshFakes(hosts.hosts[1]!);
      await service.dispose();
    }
  });
});
