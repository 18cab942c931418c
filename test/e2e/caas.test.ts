// The wizard's CaaS path in Chromium (browser mode, real engine) against real SSH test hosts, from the CaaS card
// to Done: a master and a jump box with the strict fake bosh, cf and uaac (test/integration/caas/setup.ts, as
// the integration tests have it). Hosts gives the jump box its role; Settings takes the director and PaaS-TA
// settings and their six secrets (the bearer token is made by the run), refuses to go on before its check,
// shows a refused director login with its remedy, then passes once the secret is right; Preflight shows the
// jump box's CaaS checks; Review's dry run lists the guide's commands (bosh deploy, cf create-service-broker,
// uaac client add) with every secret masked. Install then runs the whole caas mode: the Kubespray part of
// paasta-v1.0 (the fixture tree with 2.14's groups: test/integration/caas/whole-run.ts), the BOSH middleware
// through the fake director, registry trust in the master's own /etc/docker, the nodes' reach of the
// registry and MariaDB (listeners on the VMs' addresses), the images, the container service, the broker
// registered and its access enabled, caasclient added, the endpoints verified; Done lists them. Screenshots
// of Settings, Preflight, Review, Install and Done in en and ko.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { spawnSync } from 'node:child_process';
import { fakeCalls, readFake, sha256 } from '../fakes/bosh-install.js';
import { readCluster } from '../fakes/install.js';
import { CA_FILE, cloudConfig, DIRECTOR, installJumpbox, PAASTA, seedSite, writeCaasBundle } from '../integration/caas/setup.js';
import { dockerRestarts, prepareWholeRunMaster, startMiddlewareStandIns, stopMiddlewareStandIns, writeKubespray214 } from '../integration/caas/whole-run.js';
import { cannotRunBrowser, openBrowser, overrideFailures, passwordProfile, replaceHosts, screenshot, startBrowserMode, type Browser, type BrowserMode } from './support.js';

function missing(): string | undefined {
  const browser = cannotRunBrowser();
  if (browser) return browser;
  const hosts = canRunTestHosts();
  if (!hosts.ok) return hosts.reason;
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return 'ansible-playbook is not installed (apt-get install -y ansible ansible-core)';
  return undefined;
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
describe.skipIf(!!why)('CaaS through the wizard: director and PaaS-TA settings, their check, preflight, review, the whole run, Done', () => {
  let th: TestHosts;
  let scratch: string;
  let bm: BrowserMode;
  let b: Browser | undefined;

  /** HAProxy's public address (bosh.haproxyAddress), in the test subnet. */
  const haproxy = () => `${th.hosts[0]!.address.replace(/\.\d+$/, '')}.120`;

  beforeAll(async () => {
    // The master's own /etc: registry trust writes its /etc/docker/daemon.json.
    th = await startTestHosts({ count: 2, ownDirs: ['/etc'] });
    const jump = th.hosts[1]!;
    const net = th.hosts[0]!.address.replace(/\.\d+$/, '');
    installJumpbox(jump);
    // The director's networks are the test subnet: the VMs get addresses the nodes reach (whole-run.ts).
    seedSite(jump, SECRETS, { director: { cloudConfig: cloudConfig({ privateRange: `${net}.0/24`, publicRange: `${net}.0/24` }) } });
    await startMiddlewareStandIns(th, 1, haproxy());
    prepareWholeRunMaster(th, 0);
    scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-caas-'));
    // The offline bundle: the real v1.0.4 tree's bosh/, the container service's stand-in scripts, and the
    // fixture Kubespray with 2.14's groups, the platform's applications/ and the NFS chart.
    const bundle = join(scratch, 'bundle');
    writeCaasBundle(bundle, SECRETS.brokerPassword);
    writeKubespray214(bundle);
    const knownHostsFile = join(scratch, 'known_hosts');
    copyFileSync(th.knownHostsFile, knownHostsFile);
    bm = await startBrowserMode({ workdir: join(scratch, 'work'), knownHostsFile });
  });

  afterAll(async () => {
    await b?.close();
    if (th) await stopMiddlewareStandIns(th, 1);
    await th?.exec(0, 'p=/var/lib/cp-installer/caas-test/broker.pid; [ -f $p ] && kill $(cat $p) 2>/dev/null; true').catch(() => undefined);
    await bm?.close();
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('sets CaaS up, checks the director and PaaS-TA from the jump box, reviews the guide\'s commands with secrets masked, and runs it to Done', async () => {
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
    await page.getByTestId('setting-bosh.directorAddress').fill(DIRECTOR.address);
    await page.getByTestId('setting-bosh.caCertFile').fill(`/home/${th.user}/${CA_FILE}`);
    await page.getByTestId('setting-bosh.haproxyAddress').fill(haproxy());
    await page.getByTestId('setting-bundle.path').fill(join(scratch, 'bundle'));
    await page.getByTestId('setting-paasta.cfApi').fill(PAASTA.cfApi);
    await page.getByTestId('setting-paasta.uaaUrl').fill(PAASTA.uaaUrl);
    await page.getByTestId('setting-paasta.systemDomain').fill(PAASTA.systemDomain);
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
    expect(await page.getByTestId('plan-yaml').innerText()).toContain(`directorAddress: ${DIRECTOR.address}`);
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

    // Install: the whole caas run, to Done (a run that succeeds takes the wizard there by itself).
    await page.getByTestId('next').click();
    await page.getByTestId('screen-install').waitFor();
    await page.getByTestId('run-start').click();
    const status = page.getByTestId('run-status');
    // A run that succeeds takes the wizard to Done by itself; a failed one stays on Install.
    const outcome = async () => ((await page.getByTestId('screen-done').count()) > 0 ? 'done' : ((await status.getAttribute('data-status', { timeout: 1000 }).catch(() => null)) ?? 'none'));
    await expect.poll(outcome, { timeout: 900_000, interval: 1000 }).toMatch(/^(done|failed|interrupted)$/);
    if ((await outcome()) !== 'done') {
      await screenshot(page, 'en', 'caas-7-install-failed');
      throw new Error(`the caas run did not succeed: ${await page.getByTestId('failure-box').innerText().catch(() => '?')}`);
    }
    await page.getByTestId('nav-install').click();
    expect(await status.getAttribute('data-status')).toBe('succeeded');
    for (const id of ['kubespray', 'verify', 'caas-k8s-token', 'caas-middleware', 'caas-registry-trust', 'caas-node-reach', 'caas-images', 'caas-container-service', 'caas-endpoints', 'caas-broker', 'caas-uaa-client', 'kubeconfig'])
      expect(await page.getByTestId(`step-${id}`).getAttribute('data-status'), id).toBe('done');
    // The step list scrolls inside its pane: the CaaS steps, at its end, are what this picture is for.
    await page.getByTestId('step-caas-uaa-client').scrollIntoViewIfNeeded();
    await screenshot(page, 'en', 'caas-7-install');
    await page.getByTestId('nav-done').click();
    await page.getByTestId('screen-done').waitFor();

    // Done: the API server, then the container service's endpoints, each answering from the jump box.
    const worker = master!.address;
    for (const [name, port] of [['container-service-api', 30333], ['container-service-broker', 31888], ['container-service-common-api', 30334], ['container-service-dashboard', 32091]] as const) {
      expect(await page.getByTestId(`endpoint-row-${name}`).getAttribute('data-state'), name).toBe('ok');
      expect(await page.getByTestId(`endpoint-${name}`).innerText()).toBe(`http://${worker}:${port}`);
    }
    expect(await page.getByTestId('endpoint-check-container-service-broker').innerText()).toContain('inception');
    // The container service is no platform portal: no first login, next steps or uninstall of one.
    for (const id of ['portal-next', 'portal-uninstall', 'first-login-loading', 'first-login-user']) expect(await page.getByTestId(id).count(), id).toBe(0);
    await screenshot(page, 'en', 'caas-8-done');

    // What the fakes keep: the deployment's three VMs, the broker registered at the worker's NodePort with
    // every plan of container-service enabled, caasclient with the dashboard's redirect URIs.
    const bosh = readFake<{ deployments: Record<string, { vms: Array<{ group: string; process_state: string }> }> }>(jump!, 'bosh');
    expect(bosh.deployments['paasta-container-platform']!.vms.map((v) => [v.group, v.process_state])).toEqual([['haproxy', 'running'], ['mariadb', 'running'], ['private-image-repository', 'running']]);
    const cf = readFake<{ brokers: Record<string, { url: string; password_sha256: string; offerings: Record<string, Record<string, string>> }> }>(jump!, 'cf');
    expect(cf.brokers['container-service-broker']).toMatchObject({ url: `http://${worker}:31888`, password_sha256: sha256(SECRETS.brokerPassword), offerings: { 'container-service': { Advenced: 'all', Micro: 'all', Small: 'all' } } });
    const uaa = readFake<{ clients: Record<string, { redirect_uri: string[]; secret_sha256: string }> }>(jump!, 'uaa');
    expect(uaa.clients.caasclient).toMatchObject({ redirect_uri: [`http://${worker}:32091`, `http://${worker}:32091/callback`], secret_sha256: sha256(SECRETS.caasClientSecret) });
    // The run made the cluster-admin account; the master trusts <HAProxy>:5001 in its own daemon.json, restarted once.
    expect(readCluster(master!)!.objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toEqual(['k8sadmin']);
    const daemon = await th.exec(0, 'cat /etc/docker/daemon.json');
    expect(JSON.parse(daemon.stdout)).toMatchObject({ 'insecure-registries': [`${haproxy()}:5001`] });
    expect(dockerRestarts(th, 0)).toHaveLength(1);
    // No secret on any CLI's command line.
    for (const tool of ['bosh', 'cf', 'uaa'] as const) {
      const argv = JSON.stringify(fakeCalls(jump!, tool));
      for (const v of Object.values(SECRETS)) expect(argv, tool).not.toContain(v);
    }

    await page.getByTestId('lang-ko').click();
    await screenshot(page, 'ko', 'caas-8-done');
    await page.getByTestId('nav-install').click();
    await page.getByTestId('screen-install').waitFor();
    await page.getByTestId('step-caas-uaa-client').scrollIntoViewIfNeeded();
    await screenshot(page, 'ko', 'caas-7-install');
    await page.getByTestId('nav-review').click();
    await page.getByTestId('screen-review').waitFor();
    await screenshot(page, 'ko', 'caas-6-review');
    await page.getByTestId('nav-preflight').click();
    await page.getByTestId('preflight-host-1').click();
    await screenshot(page, 'ko', 'caas-5-preflight');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('caas-check-list').waitFor();
    await screenshot(page, 'ko', 'caas-4-settings');
  }, 1_500_000);
});
