// A first install on a site without internet, as a field engineer meets it in browser mode: the site's
// cp-cluster-vars.sh imported, real SSH test hosts (their network namespaces have no way out), no offline
// bundle at first. Review lists the outside addresses (github.com); Install stops at the Kubespray tree with
// the cause in words ("cannot reach github.com … offline bundle … proxy"); the failed run offers its report
// and support bundle; the person sets a bundle in Settings, Resume says what changed in the plan and offers a
// new run with it, which gets past the failed step. Cancelling asks first and is reported as "Cancelled at".
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { ROOT, cannotRunBrowser, openBrowser, overrideFailures, passwordProfile, screenshot, startBrowserMode, type Browser, type BrowserMode } from './support.js';

const FIXTURE_TREE = join(ROOT, 'test', 'fixtures', 'kubespray');

function missing(): string | undefined {
  const browser = cannotRunBrowser();
  if (browser) return browser;
  const hosts = canRunTestHosts();
  if (!hosts.ok) return hosts.reason;
  if (spawnSync('git', ['--version']).status !== 0) return 'git is not installed (the deployer step clones with it)';
  if (!existsSync(join(FIXTURE_TREE, 'cluster.yml'))) return 'the fixture Kubespray tree (test/fixtures/kubespray) is not there';
  return undefined;
}

const why = missing();
if (why) console.log(`e2e offline: skipped — ${why}`);


function siteVars(th: TestHosts): string {
  const net = th.hosts[0]!.address.replace(/\.\d+$/, '');
  return [
    'export KUBE_CONTROL_HOSTS=1',
    'export MASTER1_NODE_HOSTNAME=master-1',
    `export MASTER1_NODE_PUBLIC_IP=${th.hosts[0]!.address}`,
    `export MASTER1_NODE_PRIVATE_IP=${th.hosts[0]!.address}`,
    'export KUBE_WORKER_HOSTS=1',
    'export WORKER1_NODE_HOSTNAME=worker-1',
    `export WORKER1_NODE_PRIVATE_IP=${th.hosts[1]!.address}`,
    'export STORAGE_TYPE=nfs',
    `export NFS_SERVER_PRIVATE_IP=${th.hosts[0]!.address}`,
    `export METALLB_IP_RANGE=${net}.200-${net}.210`,
    `export INGRESS_NGINX_IP=${net}.220`,
    '',
  ].join('\n');
}

describe.skipIf(!!why)('offline site: actionable failure, bundle, new run', () => {
  let th: TestHosts;
  let scratch: string;
  let bm: BrowserMode;
  let b: Browser;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-offline-'));
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

  it('says why the clone failed and what to do, then a new run with a bundle gets past that step', async () => {
    b = await openBrowser(bm.server.url, 'en');
    const { page } = b;
    await page.getByTestId('mode-card-standalone').click();
    await page.getByTestId('next').click();
    await page.getByTestId('screen-hosts').waitFor();

    // The site's own variables file, imported.
    await page.getByTestId('import-vars-open').click();
    await page.getByTestId('import-vars-text').fill(siteVars(th));
    await page.getByTestId('import-vars-apply').click();
    await page.getByTestId('host-row-1').waitFor();
    expect(await page.getByTestId('host-0-address').inputValue()).toBe(th.hosts[0]!.address);

    await passwordProfile(page, th.user, th.password);
    await page.getByTestId('test-all').click();
    for (const i of [0, 1]) await expect.poll(() => page.getByTestId(`conn-${i}-status`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');

    await page.getByTestId('nav-preflight').click();
    await page.getByTestId('preflight-run').click();
    await page.getByTestId('preflight-status').waitFor({ timeout: 120_000 });
    await overrideFailures(page);
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('false');
    await page.getByTestId('next').click();

    // Review names the outside addresses, github.com (the Kubespray tree) first.
    await page.getByTestId('screen-review').waitFor();
    await page.getByTestId('egress-0').waitFor({ timeout: 30_000 });
    const egressHosts = await page.locator('[data-testid^="egress-"][data-host]').evaluateAll((els) => els.map((e) => e.getAttribute('data-host')));
    expect(egressHosts).toContain('github.com');
    await screenshot(page, 'en', 'offline-1-review-egress');
    await page.getByTestId('next').click();

    // The first run: no bundle, no internet.
    await page.getByTestId('screen-install').waitFor();
    await page.getByTestId('run-start').click();
    const status = page.getByTestId('run-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 300_000, interval: 1000 }).toMatch(/failed|succeeded/);
    expect(await status.getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('step-deployer-tree').getAttribute('data-status')).toBe('failed');
    const cause = await page.getByTestId('failure-cause').innerText();
    expect(cause).toContain('master-1 cannot reach github.com');
    expect(cause).toContain('offline bundle');
    expect(cause).toContain('bundle.file');
    expect(cause).toContain('proxy');
    await screenshot(page, 'en', 'offline-2-install-failed');

    // Something to hand over from the failed run: its report (with the cause) and a support bundle.
    await page.getByTestId('report-open').click();
    const reportPath = (await page.getByTestId('report-path').innerText()).trim();
    const report = readFileSync(reportPath, 'utf8');
    expect(report).toContain('What failed');
    expect(report).toContain('cannot reach github.com');
    await page.getByTestId('support-bundle').click();
    const bundlePath = (await page.getByTestId('support-bundle-path').innerText()).trim();
    const listing = spawnSync('tar', ['-tzf', bundlePath], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('journal.jsonl');
    expect(listing).toContain('report.html');

    // The person sets the offline bundle in Settings; a wrong folder is reported at once.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('screen-settings').waitFor();
    await page.getByTestId('setting-bundle.path').fill(join(scratch, 'no-such-bundle'));
    expect(await page.getByTestId('bundle-problem').innerText()).toContain('not a folder');
    mkdirSync(join(scratch, 'bundle'));
    cpSync(FIXTURE_TREE, join(scratch, 'bundle', 'kubespray'), { recursive: true });
    await page.getByTestId('setting-bundle.path').fill(join(scratch, 'bundle'));
    await page.getByTestId('bundle-problem').waitFor({ state: 'detached' });
    await screenshot(page, 'en', 'offline-3-settings-bundle');

    // Resume notices the plan changed and offers a new run with it.
    await page.getByTestId('nav-install').click();
    await page.getByTestId('run-resume').click();
    await page.getByTestId('plan-changed-dialog').waitFor();
    expect(await page.locator('[data-testid^="plan-change-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toContain('bundle.path');
    await screenshot(page, 'en', 'offline-4-plan-changed');
    const firstRun = (await page.getByTestId('run-id').innerText()).trim();
    await page.getByTestId('plan-changed-new').click();
    await expect.poll(async () => (await page.getByTestId('run-id').innerText()).trim(), { timeout: 30_000 }).not.toBe(firstRun);
    // The new run gets past the step that failed (its overrides kept: preflight passed again).
    await expect.poll(() => page.getByTestId('step-deployer-tree').getAttribute('data-status'), { timeout: 300_000, interval: 1000 }).toBe('done');

    // Cancel asks first; the run then says where it was cancelled.
    await page.getByTestId('run-cancel').click();
    await page.getByTestId('run-cancel-dialog').waitFor();
    await screenshot(page, 'en', 'offline-5-cancel-confirm');
    await page.getByTestId('run-cancel-confirm').click();
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 300_000, interval: 1000 }).toMatch(/cancelled|failed|succeeded/);
    if ((await status.getAttribute('data-status')) === 'cancelled') expect(await page.getByTestId('failure-box').innerText()).toContain('Cancelled at');
    await page.getByTestId('handover').waitFor();
    await screenshot(page, 'en', 'offline-6-after-cancel');

    // The same failure, in Korean.
    await page.getByTestId('lang-ko').click();
    await screenshot(page, 'ko', 'offline-6-after-cancel');
    expect(await page.getByTestId('failure-box').innerText()).toMatch(/[\uac00-\ud7a3]/);

    // Every screen of this session in both languages (docs/screens/ is chosen from these).
    for (const lang of ['ko', 'en'] as const) {
      await page.getByTestId(`lang-${lang}`).click();
      for (const [n, screen] of [
        [1, 'mode'],
        [2, 'hosts'],
        [3, 'credentials'],
        [4, 'settings'],
        [5, 'preflight'],
        [6, 'review'],
        [7, 'install'],
      ] as const) {
        await page.getByTestId(`nav-${screen}`).click();
        await page.getByTestId(`screen-${screen}`).waitFor();
        if (screen === 'preflight') await page.getByTestId('preflight-host-0').click();
        if (screen === 'review') await page.getByTestId('egress-0').waitFor();
        await screenshot(page, lang, `site-${n}-${screen}`);
      }
    }
  }, 1_200_000);
});
