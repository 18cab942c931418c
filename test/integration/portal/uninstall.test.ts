// After the portal steps ran for real on a test host (strict helm/kubectl fakes that keep state, the HTTPS
// ingress stand-in): the first login handed over through the API once, and the uninstall from the command
// line — the archive's uninstall-cp-portal.sh on master 1, every release and portal namespace gone from the
// fakes' state, and the run's outputs without a portal URL afterwards. The archive itself travels streamed
// and resumable: a `.part` left by a cut transfer is continued, not left behind.
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalUninstall, type PortalIo } from '../../../cli/commands/portal.js';
import { createInstallerService, type InstallerService } from '../../../core/api/index.js';
import { runState } from '../../../core/api/install.js';
import { runReport } from '../../../core/api/run-files.js';
import { msg } from '../../../core/common/messages.js';
import { sha256File } from '../../../core/common/sha256-file.js';
import { readJournal, runDir, JOURNAL_FILE } from '../../../core/install/journal.js';
import { InstallRun } from '../../../core/install/runner.js';
import type { InstallMode } from '../../../core/install/step.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import { portalSteps } from '../../../core/modes/standalone/portal.js';
import type { Endpoint } from '../../../core/outputs/endpoints.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { PORTAL_COMPONENTS } from '../../../core/tools/portal/components.js';
import { makePortalArchive } from '../../fixtures/portal/archive.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, portalAdminSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { portalToolsMissing, preparePortalHost, type PortalHost } from './portal-host.js';

function missing(): string | undefined {
  const can = canRunTestHosts();
  if (!can.ok) return can.reason;
  return portalToolsMissing();
}
const skip = missing();
if (skip) console.log(`portal uninstall tests skipped: ${skip}`);

function captured(): PortalIo & { text(): string } {
  let text = '';
  const w = { write: (s: string) => (text += s) };
  return { out: w, err: w, isTTY: false, text: () => text };
}

describe.skipIf(!!skip)('portal first login and uninstall on a test host', () => {
  let hosts: TestHosts;
  let scratch: string;
  let archive: string;
  let portal: PortalHost;
  let service: InstallerService;
  let sampler: PsSampler | undefined;
  /** Read before the uninstall deletes the secret, for the scan at the end. */
  let password = '';
  const runId = 'portal-u1';
  const workdir = () => join(scratch, 'work');
  const remoteArchive = () => join(hosts.hosts[0]!.dir, 'home', 'workspace', 'container-platform', 'cp-portal-deployment-v1.6.1.1.tar.gz');

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 1 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-portal-un-'));
    archive = await makePortalArchive(scratch);
    portal = await preparePortalHost(hosts);
    service = createInstallerService({ workdir: workdir(), shell: 'browser', knownHostsFile: hosts.knownHostsFile });
    sampler = startPsSampler({ hosts });
  });

  afterAll(async () => {
    sampler?.stop();
    await service?.dispose();
    portal?.stop();
    await hosts?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('carries the archive streamed, continuing the .part a cut transfer left; installs the portal', async () => {
    // Half the archive on master 1 as an earlier, cut upload left it (owned by the login user, as SFTP wrote it).
    const dir = join(hosts.hosts[0]!.dir, 'home', 'workspace', 'container-platform');
    mkdirSync(dir, { recursive: true });
    const whole = readFileSync(archive);
    writeFileSync(`${remoteArchive()}.part`, whole.subarray(0, Math.floor(whole.length / 2)));
    const { uid, gid } = statSync(join(hosts.hosts[0]!.dir, 'home'));
    for (const p of [join(hosts.hosts[0]!.dir, 'home', 'workspace'), dir, `${remoteArchive()}.part`]) chownSync(p, uid, gid);

    const p = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'portal-un' },
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [{ name: 'master-1', address: hosts.hosts[0]!.address, roles: ['control-plane', 'etcd', 'worker'] }],
      network: { ingressIp: portal.ingressIp, metallbRange: portal.ingressIp.replace(/\.\d+$/, '.210') + '-' + portal.ingressIp.replace(/\.\d+$/, '.220') },
      storage: { type: 'nfs', nfs: { server: hosts.hosts[0]!.address, path: '/srv/nfs' } },
      portal: { archive },
    } as PlanInput);
    const mode: InstallMode = { name: 'standalone', title: msg('mode.standalone'), steps: () => portalSteps(p, p.hosts[0]!, ['connect']) };
    const ssh = await openSsh(p, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false });
    try {
      const run = new InstallRun({ runId, workdir: workdir(), mode, plan: p, release: findRelease(p.release)!, options: { overrides: [] }, secrets: {}, sessions: ssh.sessions });
      const result = await run.start();
      expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    } finally {
      await ssh.close();
    }
    // The part was continued and renamed into place: the whole archive is there, no part is left.
    expect(existsSync(`${remoteArchive()}.part`)).toBe(false);
    expect((await sha256File(remoteArchive())).sha256).toBe((await sha256File(archive)).sha256);
    const log = readFileSync(join(runDir(workdir(), runId), 'logs', 'portal-archive', 'master-1.log'), 'utf8');
    expect(log).toContain('streamed');
    expect(Object.keys(portal.state().releases).sort()).toEqual(PORTAL_COMPONENTS.map((c) => `${c.namespace}/${c.name}`).sort());
    password = portal.adminPassword();
    expect(portalAdminSecrets(hosts.hosts[0]!.dir).map((x) => x.value)).toEqual([password]);
  });

  it('hands the first login over once through the API; browser mode keeps it nowhere and says so', async () => {
    const first = await service.invoke('portal.firstLogin', { runId });
    expect(first).toMatchObject({ user: 'admin', realm: 'cp-realm', kept: 'nowhere', whyNotKept: 'keychain.browser' });
    expect(first.password).toEqual({ kind: 'handed-secret', label: 'portal admin password', text: password });
    // Once: a second ask (a reload, another window) gets nothing.
    const second = await service.invoke('portal.firstLogin', { runId });
    expect(second).toEqual({ realm: 'cp-realm', kept: 'nowhere', whyNotKept: 'keychain.browser' });
    expect(await service.invoke('portal.firstLogin', { runId, fromKeychain: true })).toEqual(second);
  });

  it('uninstalls from the command line after the warning: releases and namespaces gone, no portal URL in the run\'s outputs', async () => {
    // Without a terminal and without --yes nothing is touched.
    const refused = captured();
    expect(await portalUninstall(runId, { workdir: workdir(), knownHosts: hosts.knownHostsFile }, refused)).toBe(2);
    expect(refused.text()).toContain('With NFS storage the reclaim policy is Retain');
    expect(Object.keys(portal.state().releases)).toHaveLength(PORTAL_COMPONENTS.length);

    const io = captured();
    const code = await portalUninstall(runId, { workdir: workdir(), knownHosts: hosts.knownHostsFile, yes: true, lang: 'en' }, io);
    expect(code, io.text()).toBe(0);
    const text = io.text();
    expect(text).toContain('the data stays on the NFS server and must be removed there by hand');
    expect(text).toContain('release "harbor" uninstalled');
    expect(text).toContain('namespace "cp-portal" deleted');
    expect(text).toContain(`The portal is uninstalled from master-1 (${PORTAL_COMPONENTS.map((c) => c.name).join(', ')})`);

    // The fakes' state: no release, no portal namespace, ingress or secret left.
    const s = portal.state();
    expect(s.releases).toEqual({});
    expect(s.namespaces.filter((n) => PORTAL_COMPONENTS.some((c) => c.namespace === n))).toEqual([]);
    expect(s.ingresses).toEqual([]);
    expect(Object.keys(s.secrets)).toEqual([]);
    const uninstalls = portal.calls().filter((c) => c[0] === 'helm' && c[1] === 'uninstall');
    expect(uninstalls.map((c) => c[2]).sort()).toEqual(PORTAL_COMPONENTS.map((c) => c.name).sort());

    // The run lists the API server only; nothing says a portal URL is there any more.
    const outputs = runState(workdir(), runId).outputs!;
    expect((outputs.endpoints as Endpoint[]).map((e) => e.name)).toEqual(['api-server']);
    expect(outputs.portalHostsSnippet).toBeUndefined();
    expect(outputs.portalUninstalledAt).toMatch(/^\d{4}-/);
    expect(runState(workdir(), runId).summary.status).toBe('succeeded');
    // The report written now has no portal URL either.
    const report = readFileSync(runReport(workdir(), runId, 'en'), 'utf8');
    expect(report).toContain(`https://${hosts.hosts[0]!.address}:6443`);
    expect(report).not.toContain('nip.io');
    // The script's output is in the run's logs (for the support bundle), like a step's.
    expect(readFileSync(join(runDir(workdir(), runId), 'logs', 'portal-uninstall', 'master-1.log'), 'utf8')).toContain('uninstall-cp-portal.sh: exit 0');
    expect(readJournal(join(runDir(workdir(), runId), JOURNAL_FILE)).at(-1)).toMatchObject({ t: 'step-end', step: 'portal-uninstall', status: 'done' });
  });

  it('a second uninstall (through the API) is refused in words: there is nothing left to uninstall', async () => {
    await expect(service.invoke('portal.uninstall', { runId })).rejects.toMatchObject({ key: 'cp-portal.uninstall.notInstalled', params: { runId } });
  });

  it('leaves no trace of the portal admin password in what the run left, or on any command line', () => {
    const found = assertNoSecrets({
      secrets: [{ label: 'portal admin password', value: password }, ...harnessSecrets(hosts)],
      paths: [workdir()],
      sampler,
      minFiles: 5,
      minSamples: 3,
    });
    expect(found.files).toBeGreaterThan(5);
  });
});
