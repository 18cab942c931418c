// A full standalone install driven through the wizard in Chromium (browser mode) against real SSH test hosts,
// from a bundle holding the real K-PaaS v1.6.2 tree (test/integration/install/real-tree-bundle.ts: the
// product runs that tree's own playbooks/cluster.yml, whose roles/cp/* plays are the tree's; only Kubespray's
// node-level plays are a test stand-in, and three cp/* plays that cannot work on a test host are left out,
// each named there). Master 1 has the strict fake kubectl/helm, and the NFS provisioner's chart repository is
// not reachable at first: the first run fails in the tree's own cp/storage task on master-1, the Install
// screen shows that task first, the repository (a site's mirror) comes up, and resuming from the Install
// screen reaches Done with a kubeconfig file on disk. Screenshots of the Review, Install and Done screens in
// both languages.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, startPsSampler, type PsSampler } from '../support/secrets-scan.js';
import { runDir } from '../../core/install/journal.js';
import { fakeState, makeRealTreeBundle, prepareRealTreeHost, setRepoReachable, STANDIN_PLAY } from '../integration/install/real-tree-bundle.js';
import { haveUpstream } from '../unit/kubespray/upstream.js';
import {
  ROOT,
  cannotRunBrowser,
  chooseStandalone,
  openBrowser,
  overrideFailures,
  passwordProfile,
  replaceHosts,
  screenshot,
  startBrowserMode,
  type Browser,
  type BrowserMode,
} from './support.js';

const FAKE_K8S = join(ROOT, 'test', 'integration', 'install', 'fakes', 'fake-k8s-tool');

function missing(): string | undefined {
  const browser = cannotRunBrowser();
  if (browser) return browser;
  const hosts = canRunTestHosts();
  if (!hosts.ok) return hosts.reason;
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return 'ansible-playbook is not installed (apt-get install -y ansible ansible-core)';
  if (!haveUpstream) return 'the upstream trees (../shared/upstream) are not at hand';
  if (spawnSync('/usr/bin/python3', ['-c', 'import netaddr']).status !== 0) return "python3-netaddr is missing (the tree's version gate checks it: apt-get install -y python3-netaddr)";
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return "no overlay file system for master 1's own /usr/bin";
  if (!existsSync(FAKE_K8S)) return 'the fake kubectl/helm (test/integration/install/fakes/fake-k8s-tool) is not there';
  return undefined;
}

const why = missing();
if (why) console.log(`e2e install: skipped — ${why}`);


describe.skipIf(!!why)('standalone install from the Mode screen to Done', () => {
  let th: TestHosts;
  let scratch: string;
  let bm: BrowserMode;
  let b: Browser;

  beforeAll(async () => {
    th = await startTestHosts({ count: 2 });
    scratch = mkdtempSync(join(tmpdir(), 'cpi-e2e-install-'));
    // The real tree (changed only where listed in real-tree-bundle.ts); master 1 with the strict fakes, its own
    // /root and /usr/bin, and the NFS chart repository not reachable yet.
    makeRealTreeBundle(join(scratch, 'bundle'));
    await prepareRealTreeHost(th, 0, { repoReachable: false });
    // The hosts' keys are known already: the host-key flow has its own test (hosts.test.ts).
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

  // Secrets scan (test/support/secrets-scan.ts): after every test, no file this suite left and no command
  // line seen while it ran (this machine and the hosts) holds the hosts' password or key passphrase.
  let secretsPs: PsSampler | undefined;
  beforeAll(() => void (secretsPs = startPsSampler({ hosts: th })));
  afterAll(() => secretsPs?.stop());
  afterEach(() => void assertNoSecrets({ secrets: harnessSecrets(th), paths: scratch ? [scratch] : [], sampler: secretsPs, minSamples: 0 }));

  it("fails in the tree's own cp/storage task, shows it first, resumes from the Install screen and ends with a kubeconfig", async () => {
    b = await openBrowser(bm.server.url, 'en');
    const { page } = b;
    await chooseStandalone(page);
    const net = th.hosts[0]!.address.replace(/\.\d+$/, '');
    await replaceHosts(page, [`master-1 ${th.hosts[0]!.address} control-plane etcd`, `worker-1 ${th.hosts[1]!.address} worker`]);
    // Settings first: a new plan has no example addresses, and nothing connects for a plan with errors.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('setting-network.metallbRange').fill(`${net}.200-${net}.210`);
    await page.getByTestId('setting-network.ingressIp').fill(`${net}.220`);
    await page.getByTestId('setting-storage.nfs.server').fill(th.hosts[0]!.address);
    await page.getByTestId('setting-storage.nfs.path').fill('/srv/nfs');
    await page.getByTestId('setting-bundle.path').fill(join(scratch, 'bundle'));

    await passwordProfile(page, th.user, th.password);
    await page.getByTestId('test-all').click();
    for (const i of [0, 1]) await expect.poll(() => page.getByTestId(`conn-${i}-status`).getAttribute('data-status'), { timeout: 60_000 }).toBe('ok');

    await page.getByTestId('nav-preflight').click();
    await page.getByTestId('preflight-run').click();
    await page.getByTestId('preflight-status').waitFor({ timeout: 120_000 });
    await overrideFailures(page);
    expect(await page.getByTestId('next').getAttribute('data-blocked')).toBe('false');
    await page.getByTestId('next').click();

    await page.getByTestId('screen-review').waitFor();
    await page.getByTestId('dryrun-run').click();
    await page.getByTestId('dryrun-item-0').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('plan-yaml').innerText()).not.toContain(th.password);
    await screenshot(page, 'en', '6-review');
    await page.getByTestId('next').click();

    await page.getByTestId('screen-install').waitFor();
    await page.getByTestId('run-start').click();
    const status = page.getByTestId('run-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 600_000, interval: 1000 }).toMatch(/failed|succeeded/);
    await screenshot(page, 'en', '7-install-failed');
    expect(await status.getAttribute('data-status')).toBe('failed');
    const box = page.getByTestId('failure-box');
    await box.waitFor();
    const boxText = await box.innerText();
    expect(boxText).toContain('master-1');
    expect(boxText).toContain('cannot be reached');
    expect(await page.getByTestId('failure-host').innerText()).toContain('master-1');
    // The tree's cp/storage role: `helm repo add` of the provisioner's repository, then `helm install` from it.
    expect(await page.getByTestId('failure-task').innerText()).toContain('Deploy nfs-subdir-external-provisioner');

    // The site's mirror of the chart repository comes up; the run resumes from the Install screen.
    setRepoReachable(th, 0, true);
    await page.getByTestId('run-resume').click();
    // A run that succeeds takes the wizard to Done by itself.
    try {
      await page.getByTestId('screen-done').waitFor({ timeout: 600_000 });
    } finally {
      await screenshot(page, 'en', '7-install-resumed');
    }
    await page.getByTestId('nav-install').click();
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('succeeded');
    await screenshot(page, 'en', '7-install');
    await page.getByTestId('next').click();

    await page.getByTestId('screen-done').waitFor();
    const kubeconfigPath = (await page.getByTestId('kubeconfig-path').innerText()).trim();
    expect(existsSync(kubeconfigPath), kubeconfigPath).toBe(true);
    expect(statSync(kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(kubeconfigPath, 'utf8')).toContain(`server: https://${th.hosts[0]!.address}:6443`);
    await screenshot(page, 'en', '8-done');

    // The tree's own plays ran from the wizard: its boilerplate, the stand-in, then its cp/* tasks on master 1,
    // and the fakes kept what they were handed (the tree's ingress manifest, the provisioner with its values).
    const runId = (await bm.service.invoke('run.list', {})).runs[0]!.id;
    const log = readFileSync(join(runDir(join(scratch, 'work'), runId), 'logs', 'kubespray', 'master-1.log'), 'utf8');
    for (const marker of ['TASK [validate_inventory : ', `PLAY [${STANDIN_PLAY}]`, 'TASK [cp/kube_config : ', 'TASK [cp/istio : Copy istioctl]', 'TASK [cp/ingress-nginx : Deploy ingress nginx controller]', 'TASK [cp/storage : Deploy nfs-subdir-external-provisioner]']) {
      expect(log, marker).toContain(marker);
    }
    const state = fakeState(th, 0);
    expect(state.objects['Deployment/ingress-nginx/ingress-nginx-controller']).toBeDefined();
    expect(state.releases['default/nfs-subdir-external-provisioner']).toMatchObject({ chart: 'nfs-subdir-external-provisioner', version: '4.0.18' });

    // What the Done screen's buttons ask of the engine: merge into an existing kubeconfig without losing its
    // contexts, and a support bundle without credentials.
    // Browser mode writes only inside its work folder (and --allow-dir folders): the kubeconfig to merge into is there.
    const mergeInto = join(scratch, 'work', 'kube', 'config');
    mkdirSync(join(scratch, 'work', 'kube'), { recursive: true });
    writeFileSync(mergeInto, 'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: https://other:6443}\ncontexts:\n- name: other\n  context: {cluster: other, user: other}\ncurrent-context: other\nusers:\n- name: other\n  user: {token: x}\n');
    const merged = await bm.service.invoke('outputs.kubeconfig', { runId, mergeInto });
    const text = readFileSync(merged.path, 'utf8');
    expect(text).toContain('name: other');
    expect(text).toContain(`https://${th.hosts[0]!.address}:6443`);
    const bundle = await bm.service.invoke('outputs.supportBundle', { runId });
    const listing = spawnSync('tar', ['-tzf', bundle.path], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('journal.jsonl');
    // No credential file (the step logs of the `kubeconfig` step are fine), and no key or password inside.
    expect(listing.split('\n').filter((f) => /(^|\/)(kubeconfig|admin\.conf|config)$/.test(f))).toEqual([]);
    const unpacked = join(scratch, 'bundle-unpacked');
    mkdirSync(unpacked);
    spawnSync('tar', ['-xzf', bundle.path, '-C', unpacked]);
    const grep = spawnSync('grep', ['-rlE', `client-key-data|${th.password}`, unpacked], { encoding: 'utf8' });
    expect(grep.stdout).toBe('');

    // The same screens in Korean, from the same session.
    await page.getByTestId('lang-ko').click();
    await screenshot(page, 'ko', '8-done');
    for (const [n, screen] of [
      [7, 'install'],
      [6, 'review'],
      [5, 'preflight'],
      [3, 'credentials'],
      [2, 'hosts'],
    ] as const) {
      await page.getByTestId(`nav-${screen}`).click();
      await page.getByTestId(`screen-${screen}`).waitFor();
      await screenshot(page, 'ko', `${n}-${screen}`);
    }
  }, 1_500_000);
});
