// The portal through the wizard, in Chromium (browser mode) against a real SSH test host: the wizard reopens
// a standalone run that was interrupted once its cluster was up (the journal says so: connect … verify
// done, the installer gone), resumes it from the Install screen, and the portal steps run for real — the
// archive (the guide's layout) streamed to master 1, cp-portal-vars.sh rendered, deploy-cp-portal.sh calling
// the strict helm/kubectl fakes, every ingress requested through the ingress IP from an HTTPS stand-in —
// then kubeconfig and report. Done shows the verified URLs and the first login, handed over once: masked,
// copied to the clipboard, said plainly to be kept nowhere (browser mode), and not given a second time. The
// uninstall runs from Done behind the guide's warning, and the URLs go. Screenshots: Done in en and ko.
//
// The cluster part is not run here (test/e2e/install.test.ts runs it through the wizard): installing it
// takes the Kubespray fixture and its own fakes of kubectl/helm, which the portal's fakes would have to share.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal, runDir } from '../../core/install/journal.js';
import { stepInfos } from '../../core/install/runner.js';
import { standaloneMode } from '../../core/modes/standalone/index.js';
import { findRelease } from '../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../core/plan/schema.js';
import { validatePlan } from '../../core/plan/validate.js';
import { PORTAL_COMPONENTS } from '../../core/tools/portal/components.js';
import { makePortalArchive } from '../fixtures/portal/archive.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { portalToolsMissing, preparePortalHost, type PortalHost } from '../integration/portal/portal-host.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../support/secrets-scan.js';
import { cannotRunBrowser, openBrowser, screenshot, startBrowserMode, type Browser, type BrowserMode } from './support.js';

function missing(): string | undefined {
  const browser = cannotRunBrowser();
  if (browser) return browser;
  const hosts = canRunTestHosts();
  if (!hosts.ok) return hosts.reason;
  return portalToolsMissing();
}

const why = missing();
if (why) console.log(`e2e portal: skipped — ${why}`);

const RUN_ID = '20261206-080000-e2e1';

/** The journal of a standalone run interrupted right after `verify`: what a closed installer leaves. */
function interruptedRun(workdir: string, plan: Plan): void {
  const release = findRelease(plan.release)!;
  const ids = stepInfos(standaloneMode, plan, release, { overrides: [] }).map((s) => s.id);
  const done = ids.slice(0, ids.indexOf('portal-archive'));
  expect(done.at(-1)).toBe('verify');
  // A process that has ended: the run is "interrupted", not "running".
  const gone = spawnSync('true').pid!;
  const journal = Journal.open(runDir(workdir, RUN_ID));
  let t = Date.parse('2026-12-06T08:00:00Z');
  const at = () => new Date((t += 7_000)).toISOString();
  journal.append({ t: 'run-start', runId: RUN_ID, mode: 'standalone', release: release.name, plan, options: { overrides: [] }, pid: gone, at: at() });
  for (const step of done) {
    journal.append({ t: 'step-start', step, attempt: 1, at: at() });
    journal.append({ t: 'step-end', step, status: 'done', durationMs: 7_000, at: at() });
  }
  journal.close();
}

describe.skipIf(!!why)('the portal through the wizard, to Done and its uninstall', () => {
  let th: TestHosts;
  let scratch: string;
  let portal: PortalHost;
  let bm: BrowserMode;
  let b: Browser | undefined;
  let password = '';

  beforeAll(async () => {
    th = await startTestHosts({ count: 1 });
    scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-portal-'));
    portal = await preparePortalHost(th, 0, { ingressLast: 230 });
    const archive = await makePortalArchive(scratch);
    const knownHostsFile = join(scratch, 'known_hosts');
    copyFileSync(th.knownHostsFile, knownHostsFile);
    const workdir = join(scratch, 'work');
    const h = th.hosts[0]!;
    const net = h.address.replace(/\.\d+$/, '');
    const input: PlanInput = {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'cp-cluster' },
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [{ name: 'master-1', address: h.address, roles: ['control-plane', 'etcd', 'worker'] }],
      network: { ingressIp: portal.ingressIp, metallbRange: `${net}.200-${net}.210` },
      storage: { type: 'nfs', nfs: { server: h.address, path: '/srv/nfs' } },
      portal: { archive },
    };
    const v = validatePlan(input);
    expect(v.errors, JSON.stringify(v.errors)).toEqual([]);
    interruptedRun(workdir, Plan.parse(input));
    bm = await startBrowserMode({ workdir, knownHostsFile });
  });

  afterAll(async () => {
    await b?.close();
    await bm?.close();
    portal?.stop();
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  // Secrets scan: no file this suite left and no command line seen while it ran (this machine and the host)
  // holds the portal's admin password or the hosts' secrets.
  let sampler: PsSampler | undefined;
  beforeAll(() => void (sampler = startPsSampler({ hosts: th })));
  afterAll(() => sampler?.stop());
  afterEach(() => {
    const admin = password ? [{ label: 'portal admin password', value: password }] : [];
    assertNoSecrets({ secrets: [...admin, ...harnessSecrets(th)], paths: scratch ? [scratch] : [], sampler, minSamples: 0 });
  });

  it('resumes the interrupted run, installs and checks the portal, hands the first login over once', async () => {
    b = await openBrowser(bm.server.url, 'en');
    const { page } = b;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const banner = page.getByTestId('resume-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.getAttribute('data-status')).toBe('interrupted');
    await page.getByTestId('resume-open').click();
    await page.getByTestId('screen-install').waitFor();
    await page.getByTestId('run-resume').click();
    const dialog = page.getByTestId('plan-changed-resume');
    // A fresh wizard may hold a plan of its own: the run goes on with the plan it started with.
    await Promise.race([dialog.waitFor({ timeout: 15_000 }).then(() => dialog.click()), page.getByTestId('screen-done').waitFor({ timeout: 15_000 })]).catch(() => undefined);
    await page.getByTestId('screen-done').waitFor({ timeout: 400_000 });

    password = portal.adminPassword();
    expect(password).toMatch(/^[0-9a-f]{32}$/);
    // Every URL the portal made, checked through the ingress IP, as links with what the check found.
    for (const name of ['portal', 'keycloak', 'harbor', 'openbao', 'chartmuseum']) {
      const row = page.getByTestId(`endpoint-row-${name}`);
      expect(await row.getAttribute('data-state'), name).toBe('ok');
      expect(await page.getByTestId(`endpoint-${name}`).getAttribute('href')).toBe(`https://${name}.${portal.ingressIp}.nip.io`);
      expect(await page.getByTestId(`endpoint-check-${name}`).innerText()).toContain(`answered HTTP 200 through ${portal.ingressIp}`);
    }
    expect(await page.getByTestId('portal-ca').innerText()).toContain('portal-ca.crt');

    // The first login: the user and realm in view, the password masked until asked, said to be kept nowhere.
    const login = page.getByTestId('first-login');
    await page.getByTestId('first-login-user').waitFor();
    expect(await page.getByTestId('first-login-user').innerText()).toBe('admin');
    expect(await page.getByTestId('first-login-realm').innerText()).toBe('cp-realm');
    expect(await page.getByTestId('first-login-kept').getAttribute('data-kept')).toBe('nowhere');
    expect(await page.getByTestId('first-login-kept').innerText()).toContain('browser mode keeps it nowhere');
    expect(await login.innerText()).not.toContain(password);
    await page.getByTestId('first-login-copy').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
    // The notice says what was copied, never the text.
    expect(await page.locator('body').innerText()).not.toContain(password);
    expect(await page.getByTestId('portal-next').innerText()).toContain('cp-realm');
    await screenshot(page, 'en', '8-done-portal');
    await page.getByTestId('lang-ko').click();
    await page.getByText('포털 관리자').waitFor();
    await screenshot(page, 'ko', '8-done-portal');
    await page.getByTestId('lang-en').click();
    await page.getByTestId('first-login-show').click();
    expect(await page.getByTestId('first-login-password').innerText()).toBe(password);
    await page.getByTestId('first-login-show').click();
    expect(await page.getByTestId('first-login-password').getAttribute('data-shown')).toBe('false');

    // Once: asked again (another window, a reload), the engine has nothing more to hand over.
    const again = await bm.service.invoke('portal.firstLogin', { runId: RUN_ID });
    expect(again).toEqual({ realm: 'cp-realm', kept: 'nowhere', whyNotKept: 'keychain.browser' });
  }, 600_000);

  it('uninstalls the portal from Done after the guide\'s warning; its URLs go', async () => {
    const { page } = b!;
    await page.getByTestId('portal-uninstall-open').click();
    expect(await page.getByTestId('portal-uninstall-warning').innerText()).toContain('the data stays on the NFS server');
    await screenshot(page, 'en', '8-done-portal-uninstall');
    await page.getByTestId('portal-uninstall-confirm').click();
    await page.getByTestId('portal-gone').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('endpoint-row-portal').count()).toBe(0);
    expect(await page.getByTestId('first-login').count()).toBe(0);
    expect(portal.state().releases).toEqual({});
    expect(portal.state().namespaces.filter((n) => PORTAL_COMPONENTS.some((c) => c.namespace === n))).toEqual([]);
    // The engine says the same: the run lists the API server only.
    const state = await bm.service.invoke('run.state', { runId: RUN_ID });
    expect(state.outputs?.endpoints?.map((e) => e.name)).toEqual(['api-server']);
    await screenshot(page, 'en', '8-done-portal-uninstalled');
  }, 300_000);
});
