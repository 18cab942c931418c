// The CaaS checks on a real jump box (a test host with the strict fake bosh, cf and uaac): preflight adds
// them to the jump box's report, and the wizard's caas.check (through the service, as the renderer calls
// it) answers the same verdicts. A ready site passes; a wrong director secret, a cloud-config without the
// plan's network, a CF admin password that is refused and a missing CLI each fail with their own remedy.
// The 2021 standalone with BOSH middleware (a bosh section, no paasta) gets the BOSH checks in preflight too,
// on a jump box with bosh only, CF and UAA skipped with the reason. No secret reaches a command line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallerService } from '../../../core/api/index.js';
import { runPlanPreflight, secretBag } from '../../../core/api/preflight.js';
import type { PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { fakeCalls, installBoshFakes, removeBoshFakes } from '../../fakes/bosh-install.js';
import { CA_FILE, cloudConfig, DIRECTOR, installJumpbox, PAASTA, seedSite, writeCaasBundle } from './setup.js';

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
const CLOUD = cloudConfig() as { networks: unknown[] } & Record<string, unknown>;

describe.skipIf(!can.ok)('caas checks on a jump-box test host (fake bosh/cf/uaac)', { timeout: 180_000 }, () => {
  let hosts: TestHosts;
  let bundle: string;
  beforeAll(async () => {
    hosts = await startTestHosts({ count: 2 });
    bundle = writeCaasBundle(mkdtempSync(join(tmpdir(), 'caas-pf-bundle-')), SECRETS.brokerPassword);
    installJumpbox(hosts.hosts[1]!);
  });
  afterAll(async () => {
    await hosts?.stop();
  });

  const seed = (over: { cloudConfig?: Record<string, unknown>; cfPassword?: string } = {}) =>
    seedSite(hosts.hosts[1]!, SECRETS, { ...(over.cloudConfig ? { director: { cloudConfig: over.cloudConfig } } : {}), ...(over.cfPassword ? { cfPassword: over.cfPassword } : {}) });

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
      bosh: { directorAddress: DIRECTOR.address, caCertFile: `/home/${hosts.user}/${CA_FILE}`, client: DIRECTOR.client, haproxyAddress: '10.250.77.120' },
      paasta: { ...PAASTA, skipSslValidation: true },
      storage: { type: 'nfs', nfs: { server: master!.address } },
      portal: { enabled: false },
      bundle: { path: bundle },
    } as PlanInput;
  }

  const bag = (over: Partial<typeof SECRETS> = {}) =>
    secretBag(Object.entries({ ...SECRETS, ...over }).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value })));

  async function jumpChecks(over: Partial<typeof SECRETS> = {}, p: PlanInput = plan()) {
    const report = await runPlanPreflight(p, { secrets: bag(over), knownHostsFile: hosts.knownHostsFile, useSshConfig: false, skipReach: true });
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
  it('the 2021 standalone with BOSH middleware (no paasta): preflight and the wizard\'s check run the BOSH checks on a jump box with bosh only, CF and UAA skipped with the reason', async () => {
    seed();
    const { paasta: _p, ...rest } = plan();
    const standalone = { ...rest, mode: 'standalone' } as PlanInput;
    expect(validatePlan(standalone).errors).toEqual([]);
    // The spray guide's inception VM has the bosh CLI and nothing of PaaS-TA.
    const jump = hosts.hosts[1]!;
    for (const f of ['cf', 'uaac']) rmSync(join(jump.dir, 'bin', f), { force: true });
    const cfCalls = fakeCalls(jump, 'cf').length;
    const service = createInstallerService({ workdir: mkdtempSync(join(tmpdir(), 'sa-check-')), shell: 'browser', knownHostsFile: hosts.knownHostsFile });
    try {
      const checks = await jumpChecks({}, standalone);
      expect(Object.fromEntries(Object.entries(checks).map(([id, c]) => [id, c.status]))).toEqual({
        'caas.tools': 'pass', 'caas.director': 'pass', 'caas.stemcell': 'pass', 'caas.cloudConfig': 'pass', 'caas.cf': 'pass', 'caas.uaa': 'pass', 'caas.hosts': 'pass',
      });
      expect(checks['caas.tools']!.title.key).toBe('preflight.caas.boshCli.title');
      for (const id of ['caas.cf', 'caas.uaa']) expect(checks[id]!.message.key, id).toBe('preflight.caas.noPaasta');

      // The wizard's check of the director takes the same plan, with the director's secrets only.
      await service.invoke('secrets.set', { service: { boshClientSecret: SECRETS.boshClientSecret, mariadbPassword: SECRETS.mariadbPassword } });
      const ok = await service.invoke('caas.check', { plan: standalone });
      expect(ok.checks.filter((c) => c.status !== 'pass')).toEqual([]);
      // A wrong director secret fails it, with the login remedy.
      await service.invoke('secrets.set', { service: { boshClientSecret: 'wrong-secret', mariadbPassword: SECRETS.mariadbPassword } });
      const bad = await service.invoke('caas.check', { plan: standalone });
      expect(bad.checks.find((c) => c.id === 'caas.director')!.remedy?.key).toBe('preflight.caas.director.remedy.login');
      expect(fakeCalls(jump, 'cf').length).toBe(cfCalls);
      const argv = JSON.stringify(fakeCalls(jump, 'bosh'));
      for (const v of Object.values(SECRETS)) expect(argv).not.toContain(v);
    } finally {
      installBoshFakes(jump);
      await service.dispose();
    }
  });
});
