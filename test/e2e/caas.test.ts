// The wizard's CaaS path in Chromium (browser mode, real engine) against real SSH test hosts: a master and a
// jump box with the strict fake bosh, cf and uaac (test/fakes/bosh-install.ts, as test/integration/caas does).
// The CaaS card is available; Hosts gives the jump box its role; Settings takes the director and PaaS-TA
// settings and their six secrets (the bearer token is made by the run), refuses to go on before its check, shows a refused director login with
// its remedy, then passes once the secret is right; Preflight shows the jump box's CaaS checks; Review's dry
// run lists the guide's commands (bosh deploy, cf create-service-broker, uaac client add) with every secret
// masked. Screenshots of Settings, Preflight and Review in en and ko.
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { fakeCalls, installBoshFakes, seedCf, seedDirector, seedUaa, sha256 } from '../fakes/bosh-install.js';
import { writeContainerService } from '../integration/caas/container-service.js';
import { cannotRunBrowser, openBrowser, passwordProfile, replaceHosts, screenshot, startBrowserMode, type Browser, type BrowserMode } from './support.js';

function missing(): string | undefined {
  const browser = cannotRunBrowser();
  if (browser) return browser;
  const hosts = canRunTestHosts();
  return hosts.ok ? undefined : hosts.reason;
}
const why = missing();
if (why) console.log(`e2e caas: skipped — ${why}`);

const SECRETS = {
  boshClientSecret: 'director-S3cret-e2e',
  mariadbPassword: 'Paasta!2021-e2e',
  cfAdminPassword: 'cf-admin-Pa55-e2e',
  uaaAdminClientSecret: 'uaa-admin-S3cret-e2e',
  brokerPassword: 'broker-Pa55word-e2e',
  caasClientSecret: 'caas-client-S3cret-e2e',
};
const UPSTREAM = '/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfakeDirectorCA\n-----END CERTIFICATE-----\n';

/** Preflight overrides a person would tick here: the test hosts share this machine's OS, cgroup and machine-id. */
async function overrideFailures(page: Page): Promise<void> {
  const boxes = page.locator('[data-testid^="override-"]');
  for (let pass = 0; pass < 3; pass++) {
    const hostButtons = page.locator('[data-testid^="preflight-host-"]');
    for (let i = 0; i < (await hostButtons.count()); i++) {
      await hostButtons.nth(i).click();
      for (let k = 0; k < (await boxes.count()); k++) {
        const box = boxes.nth(k);
        if (!(await box.isChecked())) await box.check();
      }
    }
    if ((await page.getByTestId('next').getAttribute('data-blocked')) === 'false') return;
  }
}

describe.skipIf(!!why)('CaaS through the wizard: director and PaaS-TA settings, their check, preflight, review', () => {
  let th: TestHosts;
  let scratch: string;
  let bm: BrowserMode;
  let b: Browser | undefined;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    const jump = th.hosts[1]!;
    installBoshFakes(jump);
    writeFileSync(join(jump.dir, 'home', 'director.crt'), CA, { mode: 0o644 });
    seedDirector(jump, {
      address: '10.250.77.6', name: 'micro-bosh', uuid: '0d3c1f2e-fake-director', client: 'admin', secret: SECRETS.boshClientSecret, ca: CA,
      stemcells: [{ name: 'bosh-aws-xen-hvm-ubuntu-xenial-go_agent', os: 'ubuntu-xenial', version: '621.94' }],
      cloudConfig: {
        azs: [{ name: 'z5' }, { name: 'z7' }],
        vm_types: [{ name: 'small' }],
        disk_types: [{ name: '10GB', disk_size: 10240 }],
        networks: [
          { name: 'default', type: 'manual', subnets: [{ range: '10.250.78.0/24', gateway: '10.250.78.1', azs: ['z5', 'z7'] }] },
          { name: 'vip', type: 'vip', subnets: [{ range: '10.250.77.0/24' }] },
        ],
      },
    });
    seedCf(jump, { api: 'https://api.sys.test.nip.io', selfSigned: true, admin: 'admin', password: SECRETS.cfAdminPassword });
    seedUaa(jump, { url: 'https://uaa.sys.test.nip.io', selfSigned: true, adminClients: { admin: SECRETS.uaaAdminClientSecret } });
    scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-caas-'));
    // The offline bundle: the real v1.0.4 tree (its bosh/ and Kubespray) and the container service's stand-in scripts.
    const bundle = join(scratch, 'bundle');
    writeContainerService(bundle, sha256(SECRETS.brokerPassword));
    // The bundle's Kubespray (cp-deployment/<the release's subdir>) and the BOSH tree are the same v1.0.4 tree.
    for (const name of ['paas-ta-container-platform-deployment', 'cp-deployment']) symlinkSync(UPSTREAM, join(bundle, name));
    const knownHostsFile = join(scratch, 'known_hosts');
    copyFileSync(th.knownHostsFile, knownHostsFile);
    bm = await startBrowserMode({ workdir: join(scratch, 'work'), knownHostsFile });
  });

  afterAll(async () => {
    await b?.close();
    await bm?.close();
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('sets CaaS up, checks the director and PaaS-TA from the jump box, and reviews the guide\'s commands with secrets masked', async () => {
    b = await openBrowser(bm.server.url, 'en');
    const { page } = b;
    const [master, jump] = th.hosts;
    const net = master!.address.replace(/\.\d+$/, '');

    await page.getByTestId('screen-mode').waitFor();
    expect(await page.getByTestId('mode-card-caas').getAttribute('data-available')).toBe('true');
    await page.getByTestId('mode-card-caas').click();
    await page.getByTestId('next').click();
    await page.getByTestId('screen-hosts').waitFor();
    await replaceHosts(page, [`master-1 ${master!.address} control-plane etcd worker`, `inception ${jump!.address} jumpbox`]);

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('screen-settings').waitFor();
    await page.getByTestId('setting-network.metallbRange').fill(`${net}.200-${net}.210`);
    await page.getByTestId('setting-network.ingressIp').fill(`${net}.220`);
    await page.getByTestId('setting-storage.nfs.server').fill(master!.address);
    await page.getByTestId('setting-portal.enabled').uncheck();
    // An invalid address is named at its field, in the plan validator's words.
    await page.getByTestId('setting-bosh.directorAddress').fill('10.250.77.');
    await page.getByTestId('error-bosh.directorAddress').waitFor();
    await page.getByTestId('setting-bosh.directorAddress').fill('10.250.77.6');
    await page.getByTestId('setting-bosh.caCertFile').fill(`/home/${th.user}/director.crt`);
    await page.getByTestId('setting-bosh.haproxyAddress').fill('10.250.77.120');
    await page.getByTestId('setting-bundle.path').fill(join(scratch, 'bundle'));
    await page.getByTestId('setting-paasta.cfApi').fill('https://api.sys.test.nip.io');
    await page.getByTestId('setting-paasta.uaaUrl').fill('https://uaa.sys.test.nip.io');
    await page.getByTestId('setting-paasta.systemDomain').fill('sys.test.nip.io');
    await page.getByTestId('setting-paasta.skipSslValidation').check();
    await expect.poll(async () => page.getByTestId('error-bosh.directorAddress').count()).toBe(0);

    // Next waits for the secrets, then for the check.
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('true');
    for (const [kind, value] of Object.entries(SECRETS)) await page.getByTestId(`caas-secret-${kind}`).fill(kind === 'boshClientSecret' ? 'not-the-secret' : value);

    await passwordProfile(page, th.user, th.password);
    await page.getByTestId('test-all').click();
    for (const i of [0, 1]) await expect.poll(() => page.getByTestId(`conn-${i}-status`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('caas-check-run').click();
    const state = page.getByTestId('caas-check-state');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 90_000 }).toMatch(/ok|failed/);
    expect(await state.getAttribute('data-state')).toBe('failed');
    const director = page.getByTestId('caas-check-caas.director');
    expect(await director.getAttribute('data-status')).toBe('fail');
    expect(await director.innerText()).toContain('401');
    expect(await director.innerText()).toMatch(/refused the login: check the client \(bosh\.client\) and its secret/);
    expect(await page.getByTestId('caas-check-caas.cf').getAttribute('data-status')).toBe('pass');
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('true');
    await screenshot(page, 'en', 'caas-4-settings-check-failed');

    await page.getByTestId('caas-secret-boshClientSecret').fill(SECRETS.boshClientSecret);
    await expect.poll(() => state.getAttribute('data-state')).toBe('stale');
    await page.getByTestId('caas-check-run').click();
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 90_000 }).toBe('ok');
    for (const id of ['caas.tools', 'caas.director', 'caas.stemcell', 'caas.cloudConfig', 'caas.cf', 'caas.uaa', 'caas.hosts'])
      expect(await page.getByTestId(`caas-check-${id}`).getAttribute('data-status'), id).toBe('pass');
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('false');
    await screenshot(page, 'en', 'caas-4-settings');

    await page.getByTestId('next').click();
    await page.getByTestId('screen-preflight').waitFor();
    await page.getByTestId('preflight-run').click();
    await page.getByTestId('preflight-status').waitFor({ timeout: 180_000 });
    // The jump box is the plan's second host, `inception`.
    await page.getByTestId('preflight-host-1').click();
    for (const id of ['caas.tools', 'caas.director', 'caas.stemcell', 'caas.cloudConfig', 'caas.cf', 'caas.uaa', 'caas.hosts'])
      expect(await page.getByTestId(`check-inception-${id}`).getAttribute('data-status'), id).toBe('pass');
    await screenshot(page, 'en', 'caas-5-preflight');
    await overrideFailures(page);
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('false');
    await page.getByTestId('next').click();

    await page.getByTestId('screen-review').waitFor();
    await page.getByTestId('dryrun-run').click();
    await page.getByTestId('dryrun-item-0').waitFor({ timeout: 120_000 });
    const review = await page.getByTestId('screen-review').innerText();
    for (const v of Object.values(SECRETS)) expect(review).not.toContain(v);
    expect(await page.getByTestId('plan-yaml').innerText()).toContain('directorAddress: 10.250.77.6');
    await screenshot(page, 'en', 'caas-6-review');
    // The plan the wizard made (its YAML, as Review shows it) runs the guide's commands, every secret masked.
    const { plan } = await bm.service.invoke('plan.parse', { yaml: await page.getByTestId('plan-yaml').innerText() });
    const { actions } = await bm.service.invoke('run.dryRun', { plan: plan! });
    const commands = actions.filter((a) => a.kind === 'command').map((a) => a.summary).join('\n');
    expect(commands).toMatch(/bosh -n -d paasta-container-platform deploy manifests\/paasta-container-service-deployment-aws\.yml/);
    expect(commands).toContain('cf create-service-broker container-service-broker admin http://' + master!.address + ':31888');
    expect(commands).toMatch(/uaac client add caasclient/);
    expect(commands).toContain('create serviceaccount k8sadmin -n kube-system');
    for (const v of Object.values(SECRETS)) expect(JSON.stringify(actions)).not.toContain(v);

    // No secret reached a command line of the fakes, nor the plan the engine keeps.
    for (const tool of ['bosh', 'cf', 'uaa'] as const) {
      const argv = JSON.stringify(fakeCalls(jump!, tool));
      for (const v of Object.values(SECRETS)) expect(argv, tool).not.toContain(v);
    }

    await page.getByTestId('lang-ko').click();
    await screenshot(page, 'ko', 'caas-6-review');
    await page.getByTestId('nav-preflight').click();
    await page.getByTestId('preflight-host-1').click();
    await screenshot(page, 'ko', 'caas-5-preflight');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('caas-check-list').waitFor();
    await screenshot(page, 'ko', 'caas-4-settings');
  }, 900_000);
});
