// The 2021 standalone with BOSH middleware (the spray guide) as plan rules, a dry run (no SSH) and the pure
// pieces run for real: the steps in the guide's order with the shared middleware steps, the commands and
// their inputs, the secrets on stdin only; container-platform-vars.sh as the deploy script sources it; the
// Docker daemon.json merge keeping the site's keys; the portal probe against local listeners.
import { execFile, execFileSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunPlan } from '../../../core/api/install.js';
import { secretBag, secretsNeeded } from '../../../core/api/preflight.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { registryTrustScript } from '../../../core/modes/caas/registry-trust.js';
import { caasMode } from '../../../core/modes/caas/index.js';
import { standaloneMode } from '../../../core/modes/standalone/index.js';
import { containerPlatformVars, httpProbeScript, parseHttpProbe, usesBoshMiddleware } from '../../../core/modes/standalone/bosh-middleware.js';

const UPSTREAM = '/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4';
// No bearer token: the run makes the cluster-admin ServiceAccount's token itself (core/modes/admin-token.ts).
const SECRETS = { boshClientSecret: 'director-S3cret-sa', mariadbPassword: 'Paasta!2021-sa' };

function makeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sa-bosh-bundle-'));
  symlinkSync(UPSTREAM, join(dir, 'cp-deployment'));
  symlinkSync(UPSTREAM, join(dir, 'paas-ta-container-platform-deployment'));
  const cp = join(dir, 'container-platform');
  for (const d of ['container-platform-script', 'container-platform-image', 'container-platform-yaml']) mkdirSync(join(cp, d), { recursive: true });
  for (const f of ['image-upload-standalone.sh', 'container-platform-deploy.sh', 'container-platform-vars.sh']) writeFileSync(join(cp, 'container-platform-script', f), '#!/bin/sh\n');
  return dir;
}

function planInput(bundle: string, over: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'paasta-v1.0',
    auth: [{ name: 'default', method: 'key', keyPath: '~/.ssh/id_rsa', user: 'ubuntu' }],
    hosts: [
      { name: 'master1', address: '10.0.1.11', roles: ['control-plane'] },
      { name: 'worker1', address: '10.0.1.21', roles: ['worker'] },
      { name: 'inception', address: '10.0.1.6', roles: ['jumpbox'] },
    ],
    network: { metallbRange: '10.0.1.150-10.0.1.160', ingressIp: '10.0.1.161' },
    storage: { type: 'nfs', nfs: { server: '10.0.1.31' } },
    bosh: { directorAddress: '10.0.0.6', caCertFile: '/home/ubuntu/director.crt', haproxyAddress: '10.0.0.120' },
    bundle: { path: bundle },
    ...over,
  } as PlanInput;
}

describe('standalone with BOSH middleware: plan rules', () => {
  const issues = (input: PlanInput) => {
    const r = validatePlan(input);
    return { errors: r.errors.map((e) => `${e.path}: ${e.key}`), warnings: r.warnings.map((e) => `${e.path}: ${e.key}`) };
  };

  it('a complete plan is valid and takes the jump box role', () => {
    const r = issues(planInput('/srv/b'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.includes('roleIgnored'))).toEqual([]);
  });

  it('needs exactly one jump box, HAProxy\'s address and the bundle', () => {
    const noJump = planInput('/srv/b');
    noJump.hosts = noJump.hosts!.filter((h) => h.name !== 'inception');
    expect(issues(noJump).errors).toContain('hosts: mode.standalone.bosh.jumpbox');
    expect(issues(planInput('/srv/b', { bosh: { directorAddress: '10.0.0.6' } } as never)).errors).toContain('bosh.haproxyAddress: mode.standalone.bosh.haproxyAddress');
    const noBundle = planInput('/srv/b');
    delete noBundle.bundle;
    expect(issues(noBundle).errors).toContain('bundle.path: mode.standalone.bosh.bundle');
  });

  it('a jump box without the bosh section is a warning; without either, nothing changes', () => {
    const noBosh = planInput('/srv/b');
    delete noBosh.bosh;
    expect(issues(noBosh).warnings).toContain('hosts: mode.standalone.bosh.jumpboxUnused');
    noBosh.hosts = noBosh.hosts!.filter((h) => h.name !== 'inception');
    expect(issues(noBosh).warnings.filter((w) => w.includes('bosh'))).toEqual([]);
  });

  it('asks for the director and MariaDB secrets only; the bearer token is read from CP_K8S_AUTH_BEARER when set, never asked', () => {
    const needed = secretsNeeded(Plan.parse(planInput('/srv/b'))).filter((n) => n.profile === '');
    expect(needed.filter((n) => !n.optional).map((n) => n.kind)).toEqual(['boshClientSecret', 'mariadbPassword']);
    expect(needed.filter((n) => n.optional).map((n) => n.kind)).toEqual(['k8sBearerToken']);
  });

  it('the middleware comes from the release\'s catalog data, and a bosh section with a release without it is refused', () => {
    const plan = Plan.parse(planInput('/srv/b'));
    expect(usesBoshMiddleware(plan, findRelease('paasta-v1.0')!)).toBe(true);
    const other = findRelease('k-paas-v1.6.2')!;
    expect(usesBoshMiddleware(plan, other)).toBe(false);
    expect(() => standaloneMode.steps(plan, other, {} as never)).toThrow();
    try {
      standaloneMode.steps(plan, other, {} as never);
    } catch (e) {
      expect((e as { error: { key: string } }).error.key).toBe('mode.standalone.bosh.release');
    }
  });

  it('caas keeps the cluster alone from standalone: no second middleware, no cp-* steps', () => {
    const caas = Plan.parse({ ...planInput('/srv/b'), mode: 'caas', paasta: { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com' } } as PlanInput);
    const ids = caasMode.steps(caas, findRelease('paasta-v1.0')!, {} as never).map((s) => s.id);
    expect(ids.filter((i) => i.startsWith('bosh-') || i.startsWith('cp-'))).toEqual([]);
    expect(ids.filter((i) => i === 'caas-middleware')).toHaveLength(1);
  });
});

describe('standalone with BOSH middleware: the jump box', () => {
  it('wants only bosh there, and says so in the standalone\'s own words when it is missing', async () => {
    const plan = Plan.parse(planInput('/srv/b'));
    const step = standaloneMode.steps(plan, findRelease('paasta-v1.0')!, {} as never).find((s) => s.id === 'bosh-jumpbox')!;
    const commands: string[] = [];
    const ctx = { exec: async (_h: string, c: string) => (commands.push(c), { code: 0, stdout: 'bosh\n', stderr: '' }), dryRun: false } as never;
    await expect(step.run(ctx)).rejects.toMatchObject({ error: { key: 'mode.standalone.bosh.toolsMissing', params: { host: 'inception', tools: 'bosh' } } });
    expect(commands).toEqual(['for t in bosh; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done']);
    expect(standaloneMode.profile.messages.en['mode.standalone.bosh.toolsMissing']).toBeDefined();
    expect(standaloneMode.profile.messages.ko['mode.standalone.bosh.toolsMissing']).toBeDefined();
  });
});

describe('standalone with BOSH middleware: dry run', () => {
  it('runs the spray guide after the cluster, in order, with every secret on stdin only', async () => {
    const bundle = makeBundle();
    const bag = secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value })));
    const { text, records } = await dryRunPlan(Plan.parse(planInput(bundle)), { workdir: mkdtempSync(join(tmpdir(), 'sa-bosh-wd-')), secrets: bag });
    for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
    const steps = [...new Set(records.map((r) => r.step))];
    const tail = steps.slice(steps.indexOf('verify'));
    expect(tail).toEqual(['verify', 'bosh-jumpbox', 'bosh-bosh-tree', 'bosh-k8s-token', 'bosh-middleware', 'bosh-vms', 'bosh-registry-trust', 'bosh-node-reach', 'cp-images', 'cp-deploy', 'cp-endpoints', 'kubeconfig', 'report'].filter((s) => steps.includes(s) || s === 'verify'));
    expect(steps).toEqual(expect.arrayContaining(['bosh-jumpbox', 'bosh-middleware', 'bosh-registry-trust', 'cp-images', 'cp-deploy', 'cp-endpoints']));
    expect(steps.some((s) => s.startsWith('portal-'))).toBe(false);
    const cmds = records.filter((r) => r.kind === 'exec').map((r) => ({ step: r.step, host: (r as { host?: string }).host, command: (r as { command: string }).command }));
    const has = (step: string, re: RegExp) => expect(cmds.some((c) => c.step === step && re.test(c.command)), `${step} ${re}`).toBe(true);
    // Only bosh is needed on the spray guide's inception VM.
    has('bosh-jumpbox', /^for t in bosh; do command -v/);
    // The cluster-admin token on the master before the deploy that carries it (k8s_auth_bearer).
    has('bosh-k8s-token', /kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf create serviceaccount k8sadmin -n kube-system/);
    has('bosh-k8s-token', /create clusterrolebinding k8sadmin --clusterrole=cluster-admin --serviceaccount=kube-system:k8sadmin/);
    has('bosh-k8s-token', /get secret k8sadmin-token -n kube-system -o 'jsonpath=\{\.data\.token\}'/);
    expect(cmds.filter((c) => c.step === 'bosh-k8s-token').every((c) => c.host === 'master1')).toBe(true);
    has('bosh-middleware', /bosh -n -d paasta-container-platform deploy manifests\/paasta-container-service-deployment-aws\.yml -l manifests\/cp-installer-vars\.yml --vars-env CP_BOSH_VAR -o manifests\/ops-files\/paasta-container-service\/network-aws\.yml -o manifests\/ops-files\/misc\/first-time-deploy\.yml -v deployment_name=paasta-container-platform -v director_name=micro-bosh -v '?director_uuid=/);
    // Docker for this release: daemon.json on every cluster node, not on the jump box.
    const trust = cmds.filter((c) => c.step === 'bosh-registry-trust');
    expect(trust.map((c) => c.host).sort()).toEqual(['master1', 'worker1']);
    expect(trust.every((c) => /insecure-registries/.test(c.command) && /systemctl restart docker/.test(c.command))).toBe(true);
    has('cp-images', /cd workspace\/paasta-5\.5\.1\/container-platform\/container-platform-script && \.\/image-upload-standalone\.sh 10\.0\.0\.120:5001$/);
    has('cp-deploy', /^IFS= read -r CP_MARIADB_USER_PASSWORD && export CP_MARIADB_USER_PASSWORD && cd workspace\/paasta-5\.5\.1\/container-platform\/container-platform-script && KUBECONFIG=\/etc\/kubernetes\/admin\.conf \.\/container-platform-deploy\.sh$/);
    has('cp-endpoints', /dev\/tcp\/10\.0\.1\.21\/32080/);
    has('cp-endpoints', /dev\/tcp\/10\.0\.1\.21\/32091/);
    // The vars file the script sources: the plan's values, the password only as a reference to the environment.
    const vars = records.find((r) => r.kind === 'upload' && /container-platform-vars\.sh$/.test(r.path)) as { host: string; content?: string } | undefined;
    expect(vars?.host).toBe('master1');
    expect(vars?.content).toMatch(/^HAPROXY_IP='?10\.0\.0\.120'?$/m);
    expect(vars?.content).toMatch(/^K8S_WORKER_NODE_IP='?10\.0\.1\.21'?$/m);
    expect(vars?.content).toContain('MARIADB_USER_PASSWORD="${CP_MARIADB_USER_PASSWORD:?set by cp-installer}"');
    expect(text).toMatch(/stdin: \d+ bytes, not shown/);
  });
});

describe('container-platform-vars.sh', () => {
  it('is sourced by bash into the guide\'s variables, the password from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-vars-'));
    const text = containerPlatformVars({ haproxy: '10.0.0.120', master: '10.0.1.11', worker: '10.0.1.21', workerHostname: "worker-1'x", clusterName: 'cp-cluster', mariadbUser: 'cp-admin' });
    expect(text).not.toContain('Paasta');
    writeFileSync(join(dir, 'container-platform-vars.sh'), text);
    const out = execFileSync(
      'bash',
      ['-c', 'source ./container-platform-vars.sh && printf "%s|" "$HAPROXY_IP" "$K8S_MASTER_NODE_IP" "$K8S_WORKER_NODE_IP" "$K8S_WORKER_NODE_HOSTNAME" "$CP_CLUSTER_NAME" "$MARIADB_USER_ID" "$MARIADB_USER_PASSWORD"'],
      { cwd: dir, env: { PATH: '/usr/bin:/bin', CP_MARIADB_USER_PASSWORD: 'Paasta!2021' }, encoding: 'utf8' },
    );
    expect(out).toBe("10.0.0.120|10.0.1.11|10.0.1.21|worker-1'x|cp-cluster|cp-admin|Paasta!2021|");
    // Without the password the script stops instead of deploying with an empty one.
    expect(() => execFileSync('bash', ['-c', 'source ./container-platform-vars.sh'], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, stdio: 'pipe' })).toThrow();
  });
});

describe('Docker daemon.json for the 2021 release (run for real in a scratch root)', () => {
  it('adds <HAProxy>:5001 and keeps every key the site had; a second run changes and restarts nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'sa-trust-'));
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'systemctl'), `#!/bin/sh\necho "$@" >> ${root}/restarts\n`, { mode: 0o755 });
    mkdirSync(join(root, 'etc', 'docker'), { recursive: true });
    const site = { 'exec-opts': ['native.cgroupdriver=systemd'], 'log-driver': 'json-file', 'log-opts': { 'max-size': '100m' }, 'registry-mirrors': ['https://mirror.example'] };
    writeFileSync(join(root, 'etc/docker/daemon.json'), JSON.stringify(site));
    const run = () => execFileSync('sh', ['-c', registryTrustScript('docker', '10.0.0.120:5001', root)], { env: { PATH: `${root}/bin:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(run()).toContain('trusted 10.0.0.120:5001');
    expect(run()).toContain('already trusted');
    expect(JSON.parse(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8'))).toEqual({ ...site, 'insecure-registries': ['10.0.0.120:5001'] });
    expect(readFileSync(join(root, 'restarts'), 'utf8')).toBe('restart docker\n');
  });
});

describe('portal probe (run for real against local listeners)', () => {
  it('an HTTP answer is ok with its status; a closed port and a non-HTTP listener are not', async () => {
    const http = createHttpServer((_q, s) => s.writeHead(302, { Location: '/login' }).end()).listen(0, '127.0.0.1');
    const raw = createServer((s) => s.end('hello\n')).listen(0, '127.0.0.1');
    const closed = createServer().listen(0, '127.0.0.1');
    await Promise.all([http, raw, closed].map((s) => new Promise((r) => s.once('listening', r))));
    const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
    const dead = port(closed);
    await new Promise((r) => closed.close(r));
    try {
      const targets = [
        { name: 'operator-portal', host: '127.0.0.1', port: port(http) },
        { name: 'user-portal', host: '127.0.0.1', port: dead },
        { name: 'other', host: '127.0.0.1', port: port(raw) },
      ];
      const out = await new Promise<string>((res, rej) => execFile('sh', ['-c', httpProbeScript(targets, 2)], (e, stdout) => (e ? rej(e) : res(stdout))));
      const got = parseHttpProbe(targets, out, 'master1');
      expect(got[0]).toMatchObject({ name: 'operator-portal', url: `http://127.0.0.1:${port(http)}`, state: 'ok', status: 302, via: 'master1' });
      expect(got[1]).toMatchObject({ name: 'user-portal', state: 'unreachable' });
      expect(got[2]).toMatchObject({ name: 'other', state: 'unreachable' });
      expect(got[2]!.reason).toMatch(/not HTTP/);
    } finally {
      http.close();
      raw.close();
    }
  });
});
