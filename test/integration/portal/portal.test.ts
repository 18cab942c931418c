// The portal steps for real: the installer over SSH to a test host (master 1), a portal archive shaped as the
// v1.6 guide shows it (test/fixtures/portal) whose deploy-cp-portal.sh calls strict, stateful fakes of helm and
// kubectl (test/fakes/portal-k8s), and an HTTPS stand-in for ingress-nginx on the ingress IP inside the host's
// network namespace that serves each Ingress's own certificate for its Host name (test/fakes/portal-ingress.mjs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../../core/common/messages.js';
import { foldJournal, readJournal, runDir, JOURNAL_FILE, type JournalRecord } from '../../../core/install/journal.js';
import type { RunEvent } from '../../../core/install/types.js';
import type { InstallMode } from '../../../core/install/step.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { portalSteps } from '../../../core/modes/standalone/portal.js';
import type { Endpoint } from '../../../core/outputs/endpoints.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { assertNoSecrets, harnessSecrets, portalAdminSecrets, startPsSampler, type PsSampler } from '../../support/secrets-scan.js';
import { takePortalAdmin } from '../../../core/modes/standalone/portal-admin.js';
import { makePortalArchive } from '../../fixtures/portal/archive.js';
import { InstallRun, type RunResult } from '../../../core/install/runner.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import type { JournalState } from '../../../core/install/journal.js';
import { findRelease } from '../../../core/plan/catalog.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FAKES = join(HERE, '..', '..', 'fakes');

function missing(): string | undefined {
  const can = canRunTestHosts();
  if (!can.ok) return can.reason;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed (the fixture archive makes its certificate with it)';
  if (spawnSync('python3', ['-c', 'import yaml']).status !== 0) return 'python3 with PyYAML is not installed (the helm/kubectl fakes need it)';
  return undefined;
}
const skip = missing();
if (skip) console.log(`portal integration tests skipped: ${skip}`);

interface FakeState {
  releases: Record<string, { status: string }>;
  secrets: Record<string, { data: Record<string, string> }>;
  ingresses: Array<{ metadata: { name: string; namespace: string } }>;
}

describe.skipIf(!!skip)('portal step on a test host', () => {
  let hosts: TestHosts;
  let scratch: string;
  let archive: string;
  let ingressIp: string;
  let server: ChildProcess | undefined;
  let sampler: PsSampler | undefined;
  const workdir = () => join(scratch, 'work');

  const lib = () => join(hosts.hosts[0]!.dir, 'lib', 'fake-portal');
  const state = (): FakeState => JSON.parse(readFileSync(join(lib(), 'state.json'), 'utf8')) as FakeState;
  const installs = (release: string): number =>
    readFileSync(join(lib(), 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[])
      .filter((c) => c[0] === 'helm' && c[1] === 'install' && c.includes(release)).length;
  const adminPassword = () => Buffer.from(state().secrets['cp-portal/cp-portal-secret']!.data.KEYCLOAK_ADMIN_PASSWORD!, 'base64').toString('utf8');

  const plan = (over: Partial<PlanInput['portal']> = {}): Plan =>
    Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'portal-it' },
      auth: [{ name: 'default', method: 'key', keyPath: hosts.keyPath, user: hosts.user, sudo: 'nopasswd' }],
      hosts: [{ name: 'master-1', address: hosts.hosts[0]!.address, roles: ['control-plane', 'etcd', 'worker'] }],
      network: { ingressIp, metallbRange: ingressIp.replace(/\.\d+$/, '.210') + '-' + ingressIp.replace(/\.\d+$/, '.220') },
      storage: { type: 'nfs', nfs: { server: hosts.hosts[0]!.address, path: '/srv/nfs' } },
      portal: { archive, ...over },
    } as PlanInput);

  /** A real run of the portal steps over SSH (the runner's gate in front), its events kept. */
  const runMode = async (a: { plan: Plan; mode: InstallMode; workdir: string; runId: string; resume?: JournalState; hosts?: TestHosts }): Promise<{ result: RunResult; events: RunEvent[] }> => {
    const ssh = await openSsh(a.plan, {}, { knownHostsFile: hosts.knownHostsFile, useSshConfig: false, globalLimit: 16 });
    const events: RunEvent[] = [];
    try {
      const run = new InstallRun({
        runId: a.runId,
        workdir: a.workdir,
        mode: a.mode,
        plan: a.plan,
        release: findRelease(a.plan.release)!,
        options: { overrides: [] },
        secrets: {},
        sessions: ssh.sessions,
        ...(a.resume ? { resume: a.resume } : {}),
      });
      run.subscribe((e) => events.push(e));
      return { result: await run.start(), events };
    } finally {
      await ssh.close();
    }
  };

  const mode = (p: Plan): InstallMode => ({ name: 'standalone', title: msg('mode.standalone'), steps: () => portalSteps(p, p.hosts[0]!, ['connect']) });

  beforeAll(async () => {
    hosts = await startTestHosts({ count: 1 });
    scratch = mkdtempSync(join(tmpdir(), 'cp-portal-it-'));
    archive = await makePortalArchive(scratch);
    const h = hosts.hosts[0]!;
    for (const tool of ['kubectl', 'helm']) {
      copyFileSync(join(FAKES, 'portal-k8s'), join(h.dir, 'bin', tool));
      chmodSync(join(h.dir, 'bin', tool), 0o755);
    }
    writeFileSync(join(h.dir, 'kube', 'admin.conf'), `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${h.address}:6443\n  name: cluster.local\n`, { mode: 0o600 });
    // The ingress IP: a second address on master 1 (MetalLB would announce it), where the ingress answers.
    ingressIp = h.address.replace(/\.\d+$/, '.200');
    const dev = (await hosts.exec(0, `ip -o -4 addr show | awk '$4 ~ /^${h.address.replace(/\./g, '\\.')}\\// {print $2}'`)).stdout.trim();
    const added = await hosts.exec(0, `ip addr add ${ingressIp}/24 dev ${dev}`);
    if (added.code !== 0) throw new Error(`ip addr add: ${added.stderr}`);
    mkdirSync(lib(), { recursive: true });
    writeFileSync(
      join(lib(), 'state.json'),
      JSON.stringify({ namespaces: ['default', 'kube-system', 'kube-public', 'ingress-nginx'], storageClasses: ['cp-storageclass'], releases: {}, secrets: {}, ingresses: [], pods: [], ingressIp }),
    );
    server = spawn('nsenter', ['-t', String(h.sshdPid), '-m', '-u', '-n', '--', process.execPath, join(FAKES, 'portal-ingress.mjs'), '/var/lib/cp-installer/fake-portal/state.json', ingressIp], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the ingress stand-in did not start')), 15_000);
      server!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) {
          clearTimeout(t);
          resolve();
        }
      });
      server!.once('exit', (c) => reject(new Error(`the ingress stand-in exited (${c})`)));
    });
    sampler = startPsSampler({ hosts });
  });

  afterAll(async () => {
    sampler?.stop();
    if (server?.pid && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
    await hosts?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses an archive without deploy-cp-portal.sh before carrying it over, naming what is missing', async () => {
    const broken = join(scratch, 'broken');
    mkdirSync(broken);
    const bad = await makePortalArchive(broken, { omit: ['script/deploy-cp-portal.sh'] });
    const p = plan({ archive: bad });
    const { result } = await runMode({ hosts, mode: mode(p), plan: p, workdir: join(scratch, 'broken-work'), runId: 'broken' });
    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('portal-archive');
    expect(result.error).toEqual(msg('cp-portal.archive.missing', { file: 'cp-portal-deployment-v1.6.1.1.tar.gz', path: 'cp-portal-deployment/script/deploy-cp-portal.sh' }));
    // Nothing was carried over or unpacked on master 1.
    expect(existsSync(join(hosts.hosts[0]!.dir, 'home', 'workspace'))).toBe(false);
  });

  it('stops half-way when a component fails, naming it; a resume installs only what is not installed', async () => {
    writeFileSync(join(lib(), 'fail-install'), 'harbor\n');
    const p = plan();
    const first = await runMode({ hosts, mode: mode(p), plan: p, workdir: workdir(), runId: 'portal-1' });
    expect(first.result.status).toBe('failed');
    expect(first.result.failedStep).toBe('portal-deploy');
    expect(first.result.error?.key).toBe('cp-portal.releases-missing');
    expect(String(first.result.error?.params?.components)).toBe('harbor (failed), keycloak, chartmuseum, chaos-mesh, cp-portal');
    expect(first.result.failure?.task).toBe('deploy-cp-portal.sh: harbor');
    expect(Object.entries(state().releases).map(([k, r]) => `${k}:${r.status}`).sort()).toEqual(['harbor/harbor:failed', 'mariadb/mariadb:deployed', 'openbao/openbao:deployed']);

    // The vars file was rendered from the plan on master 1 (the archive's own kept as .orig).
    const vars = readFileSync(join(hosts.hosts[0]!.dir, 'home', 'workspace/container-platform/cp-portal-deployment/script/cp-portal-vars.sh'), 'utf8');
    expect(vars).toContain(`HOST_DOMAIN='${ingressIp}.nip.io'   # cp-installer: was "{host domain}"`);
    expect(vars).toContain(`K8S_MASTER_NODE_IP='${hosts.hosts[0]!.address}'`);
    expect(vars).toContain('NAMESPACE=("openbao"');

    rmSync(join(lib(), 'fail-install'));
    const resume = foldJournal(readJournal(join(runDir(workdir(), 'portal-1'), JOURNAL_FILE)));
    const second = await runMode({ hosts, mode: mode(p), plan: p, workdir: workdir(), runId: 'portal-1', resume });
    expect(second.result.status).toBe('succeeded');
    // Finished releases were not installed again; the failed one was, once more; the rest once.
    expect(installs('openbao')).toBe(1);
    expect(installs('mariadb')).toBe(1);
    expect(installs('harbor')).toBe(2);
    for (const r of ['keycloak', 'chartmuseum', 'chaos-mesh', 'cp-portal']) expect(installs(r), r).toBe(1);
    expect(Object.values(state().releases).every((r) => r.status === 'deployed')).toBe(true);
    // The first administrator, read from cp-portal-secret, handed over once; only the user name is an output.
    const admin = takePortalAdmin('portal-1');
    expect(admin?.user).toBe('admin');
    expect(admin?.password.reveal()).toBe(adminPassword());
    expect(JSON.stringify(admin)).not.toContain(adminPassword());
    expect(takePortalAdmin('portal-1')).toBeUndefined();
    expect(second.result.outputs.portalAdminUser).toBe('admin');
    // The archive was not carried over or unpacked again (same checksum on master 1).
    const records: JournalRecord[] = readJournal(join(runDir(workdir(), 'portal-1'), JOURNAL_FILE));
    const resumedAt = records.findIndex((r) => r.t === 'resume');
    expect(records.slice(resumedAt).some((r) => r.t === 'step-start' && r.step === 'portal-archive')).toBe(false);
    // The step log shows the wrapper keeping what was there, and the parsed progress.
    const log = readFileSync(join(runDir(workdir(), 'portal-1'), 'logs', 'portal-deploy', 'master-1.log'), 'utf8');
    expect(log).toContain('cp-installer: helm release openbao in openbao is already deployed: kept, not reinstalled');
    expect(log).toContain('cp-installer: helm release harbor in harbor is failed: uninstalled, installing again');
    // Live, parsed progress: which component, which pods it waits for.
    const details = second.events.flatMap((e) => (e.type === 'step-progress' && e.stepId === 'portal-deploy' && e.detail ? [e.detail] : []));
    expect(details).toContain('Harbor: installing (2/7)');
    expect(details).toEqual(expect.arrayContaining(['OpenBao: kept (2/7)', 'Keycloak: installing (3/7)', 'Keycloak: installed (4/7) — waiting for pods app=keycloak in keycloak: 1/1 ready']));
    expect(details.at(-1)).toBe('7/7 components installed');
    const fractions = second.events.flatMap((e) => (e.type === 'step-progress' && e.stepId === 'portal-deploy' && e.fraction !== undefined ? [e.fraction] : []));
    expect(fractions.at(-1)).toBe(1);
  });

  it('reads every ingress back and requests it through the ingress IP: status and certificate from the generated CA', async () => {
    const runs = readJournal(join(runDir(workdir(), 'portal-1'), JOURNAL_FILE));
    const outputs = foldJournal(runs).outputs;
    const checked = outputs.portalEndpoints as unknown as Endpoint[];
    expect(checked.map((e) => e.url)).toEqual(['portal', 'keycloak', 'harbor', 'openbao', 'chartmuseum'].map((n) => `https://${n}.${ingressIp}.nip.io`));
    for (const e of checked) {
      expect(e, e.url).toMatchObject({ state: 'ok', status: 200, via: ingressIp });
      expect(e.certificate, e.url).toMatchObject({ trusted: true, subject: `CN=*.${ingressIp}.nip.io`, issuer: `CN=${ingressIp}.nip.io CA` });
      expect(e.caPath).toBe(join(workdir(), 'clusters', 'portal-it', 'portal-ca.crt'));
    }
    expect(readFileSync(checked[0]!.caPath!, 'utf8')).toContain('BEGIN CERTIFICATE');
    // The list every shell shows: the API server, then exactly these.
    expect((outputs.endpoints as unknown as Endpoint[]).map((e) => e.name)).toEqual(['api-server', 'portal', 'keycloak', 'harbor', 'openbao', 'chartmuseum']);
  });

  it('an ingress that does not answer is shown unreachable with the reason; nothing is reinstalled', async () => {
    // The chartmuseum TLS secret gone: the ingress has no certificate for that name and refuses the handshake.
    const file = join(lib(), 'state.json');
    const s = JSON.parse(readFileSync(file, 'utf8')) as FakeState;
    delete s.secrets['chartmuseum/cp-portal-tls'];
    writeFileSync(file, JSON.stringify(s));
    const p = plan();
    const { result } = await runMode({ hosts, mode: mode(p), plan: p, workdir: workdir(), runId: 'portal-2' });
    expect(result.status).toBe('succeeded');
    const checked = result.outputs.portalEndpoints as unknown as Endpoint[];
    const cm = checked.find((e) => e.name === 'chartmuseum')!;
    expect(cm.state).toBe('unreachable');
    expect(cm.reason).toMatch(/ECONNRESET|socket hang up|alert|handshake/i);
    expect(checked.filter((e) => e.state === 'ok').map((e) => e.name)).toEqual(['portal', 'keycloak', 'harbor', 'openbao']);
    for (const r of ['openbao', 'mariadb', 'keycloak', 'chartmuseum', 'chaos-mesh', 'cp-portal']) expect(installs(r), r).toBe(1);
    // A new run over the installed portal: the same archive is not carried again, the script not run again.
    const ends = readJournal(join(runDir(workdir(), 'portal-2'), JOURNAL_FILE)).flatMap((r) => (r.t === 'step-end' ? [`${r.step}:${r.status}`] : []));
    expect(ends).toEqual(expect.arrayContaining(['portal-archive:skipped', 'portal-deploy:skipped', 'portal-endpoints:done']));
  });

  it('leaves no trace of the portal admin password or the hosts\' secrets in what the runs left, or in any command line', () => {
    const portal = portalAdminSecrets(hosts.hosts[0]!.dir);
    expect(portal.map((s) => s.value)).toEqual([adminPassword()]);
    expect(adminPassword()).toMatch(/^[0-9a-f]{32}$/);
    const found = assertNoSecrets({
      secrets: [...portal, ...harnessSecrets(hosts)],
      paths: [workdir()],
      sampler,
      minFiles: 5,
      minSamples: 5,
    });
    expect(found.files).toBeGreaterThan(5);
  });
});
