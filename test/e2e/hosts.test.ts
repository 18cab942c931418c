// The wizard against real SSH test hosts through browser mode: an unknown host key shown with its SHA256
// fingerprint and accepted, a wrong password shown on the host's row, and a failed preflight check that
// blocks Next until it is overridden by name.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../support/secrets-scan.js';
import {
  cannotRunBrowser,
  chooseStandalone,
  fillSettings,
  openBrowser,
  passwordProfile,
  replaceHosts,
  screenshot,
  startBrowserMode,
  type Browser,
  type BrowserMode,
} from './support.js';

const hostsCheck = canRunTestHosts();
const why = cannotRunBrowser() ?? (hostsCheck.ok ? undefined : hostsCheck.reason);
if (why) console.log(`e2e hosts: skipped — ${why}`);

describe.skipIf(!!why)('wizard against real SSH hosts', () => {
  let th: TestHosts;
  let bm: BrowserMode;
  let b: Browser;

  beforeAll(async () => {
    // worker1 reports 1 GB of memory: below kubeadm's floor, a preflight failure.
    th = await startTestHosts({ count: 2, hosts: [{}, { memTotalKb: 1_000_000 }] });
    bm = await startBrowserMode();
    b = await openBrowser(bm.server.url, 'en');
  });

  afterAll(async () => {
    await b?.close();
    await bm?.close();
    await th?.stop();
  });

  // Secrets scan (test/support/secrets-scan.ts): after every test, no file this suite left and no command
  // line seen while it ran (this machine and the hosts) holds the hosts' password or key passphrase.
  let secretsPs: PsSampler | undefined;
  beforeAll(() => void (secretsPs = startPsSampler({ hosts: th })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => void assertNoSecrets({ secrets: harnessSecrets(th), paths: bm ? [bm.workdir, bm.knownHostsFile] : [], sampler: secretsPs, minSamples: 0 }));

  it('shows an unknown host key with its fingerprint, accepts it, then shows a wrong password on the host row', async () => {
    const { page } = b;
    await chooseStandalone(page);
    await replaceHosts(page, [`master1 ${th.hosts[0]!.address} control-plane nfs`, `worker1 ${th.hosts[1]!.address} worker`]);
    // A new plan has no example addresses: until Settings has them the plan has errors, and nothing connects.
    await page.getByTestId('nav-credentials').click();
    await page.getByTestId('conn-plan-errors').waitFor();
    expect(await page.getByTestId('test-all').isDisabled()).toBe(true);
    await fillSettings(page, th.hosts[0]!.address.replace(/\.\d+$/, ''));
    await passwordProfile(page, th.user, 'not-the-password');
    await page.getByTestId('test-all').click();
    for (const i of [0, 1]) {
      const fp = page.getByTestId(`hostkey-${i}-fingerprint`);
      await fp.waitFor();
      expect((await fp.innerText()).trim()).toBe(th.hosts[i]!.hostKeyFingerprint);
    }
    // The fingerprint is shown once (in the box under the row), the row only says the key is not known yet;
    // with several new hosts one button accepts them all.
    const rowText = await page.getByTestId('conn-0-status').innerText();
    expect(rowText).not.toContain(th.hosts[0]!.hostKeyFingerprint);
    expect(await page.getByTestId('hostkey-accept-all').count()).toBe(1);
    await screenshot(page, 'en', '3-credentials-hostkey');
    for (const i of [0, 1]) {
      await page.getByTestId(`hostkey-${i}-accept`).click();
      await page.getByTestId(`hostkey-${i}`).waitFor({ state: 'detached' });
    }
    await page.getByTestId('test-all').click();
    const rowError = page.getByTestId('conn-0-status-error');
    await rowError.waitFor({ timeout: 30_000 });
    expect(await rowError.getAttribute('data-kind')).toBe('auth');
    expect(await rowError.innerText()).toContain('master1');
    // Next stays blocked while a host cannot be logged into.
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('true');
    // The Hosts screen shows it on master1's row too.
    await page.getByTestId('nav-hosts').click();
    const hostRow = page.getByTestId('host-row-0').getByTestId('host-0-status-error');
    await hostRow.waitFor();
    expect(await hostRow.getAttribute('data-kind')).toBe('auth');
    await screenshot(page, 'en', '2-hosts-wrong-password');
  });

  it('connects with the right password', async () => {
    const { page } = b;
    await passwordProfile(page, th.user, th.password);
    await page.getByTestId('test-all').click();
    for (const i of [0, 1]) {
      const status = page.getByTestId(`conn-${i}-status`);
      await expect.poll(() => status.getAttribute('data-status'), { timeout: 30_000 }).toBe('ok');
    }
    expect(await page.getByTestId('conn-0-status').innerText()).toContain(th.hosts[0]!.name === 'master1' ? 'master1' : '');
    await screenshot(page, 'en', '3-credentials');
  });

  it('blocks Next on a failed preflight check until that check is overridden by name', async () => {
    const { page } = b;
    await page.getByTestId('nav-preflight').click();
    await page.getByTestId('screen-preflight').waitFor();
    await page.getByTestId('preflight-run').click();
    const status = page.getByTestId('preflight-status');
    await status.waitFor({ timeout: 60_000 });
    expect(await status.getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('preflight-cell-1-memory').getAttribute('data-status')).toBe('fail');
    await screenshot(page, 'en', '5-preflight-failed');
    const next = page.getByTestId('next');
    expect(await next.getAttribute('data-blocked')).toBe('true');
    expect((await page.getByTestId('next-blocked-reason').innerText()).trim()).not.toBe('');
    // A person can still click it (it is aria-disabled, not removed): nothing moves.
    await next.click({ force: true });
    await page.waitForTimeout(300);
    expect(await page.getByTestId('screen-preflight').count()).toBe(1);

    // Overriding the named check (and any other failure this machine has) lets the person go on.
    await page.getByTestId('preflight-host-1').click();
    const failed = await page.locator('[data-testid^="check-"][data-status="fail"]').evaluateAll((els) =>
      els.map((e) => (e.getAttribute('data-testid') ?? '').replace(/^check-[^-]+-/, '')),
    );
    expect(failed).toContain('memory');
    for (const id of new Set(failed)) {
      const box = page.getByTestId(`override-${id}`);
      if ((await box.count()) > 0 && !(await box.first().isChecked())) await box.first().check();
    }
    await screenshot(page, 'en', '5-preflight-override');
  });
});
