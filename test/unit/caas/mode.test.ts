// The caas mode as a plan and a dry run (no SSH): its plan rules, every command of the CaaS guide in order
// with the secrets on stdin only, the registry trust script run for real in a scratch root, the cf/uaac
// lines with the guide's exact values.
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunPlan } from '../../../core/api/install.js';
import { SERVICE_SECRETS, secretBag, secretsNeeded } from '../../../core/api/preflight.js';
import { gatherSecrets } from '../../../cli/terminal.js';
import { Secret } from '../../../core/common/secret.js';
import { probeDown, tcpProbeScript } from '../../../core/modes/caas/probe.js';
import { registryTrustScript } from '../../../core/modes/caas/registry-trust.js';
import { cloudConfigGaps, containerServiceVars } from '../../../core/modes/caas/steps.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { cfAuth, cfCreateServiceBroker, parseServiceAccess, parseServiceBrokers } from '../../../core/tools/cf/commands.js';
import { uaacClientAdd, uaacTokenClientGet } from '../../../core/tools/uaac/commands.js';
import { TREE } from './fixtures.js';

const UPSTREAM = join(TREE, '..');

export function makeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'caas-bundle-'));
  symlinkSync(UPSTREAM, join(dir, 'cp-deployment'));
  symlinkSync(UPSTREAM, join(dir, 'paas-ta-container-platform-deployment'));
  mkdirSync(join(dir, 'container-service', 'service-script'), { recursive: true });
  mkdirSync(join(dir, 'container-service', 'container-service-yaml'), { recursive: true });
  for (const f of ['image-upload-caas.sh', 'container-service-deploy.sh']) writeFileSync(join(dir, 'container-service', 'service-script', f), '#!/bin/sh\n');
  return dir;
}

function planInput(bundle: string, over: Partial<PlanInput> = {}): PlanInput {
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'caas',
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
    paasta: { cfApi: 'https://api.sys.example.com', uaaUrl: 'https://uaa.sys.example.com', skipSslValidation: true },
    bundle: { path: bundle },
    ...over,
  } as PlanInput;
}

const SECRETS = {
  boshClientSecret: 'director-S3cret',
  cfAdminPassword: 'cf-admin-Pa55',
  uaaAdminClientSecret: 'uaa-admin-S3cret',
  brokerPassword: 'broker-Pa55word',
  caasClientSecret: 'caas-client-S3cret',
  mariadbPassword: 'Paasta!2021-x',
  k8sBearerToken: 'eyJhbGciOiJSUzI1NiJ9.k8s-bearer',
};
/** What a user gives: every secret but the cluster-admin token, which the run makes on the new cluster. */
const GIVEN = Object.fromEntries(Object.entries(SECRETS).filter(([k]) => k !== 'k8sBearerToken')) as Omit<typeof SECRETS, 'k8sBearerToken'>;

describe('caas plan rules', () => {
  const errs = (over: Partial<PlanInput>) => validatePlan(planInput('/srv/b', over)).errors.map((e) => `${e.path}: ${e.key}`);

  it('a complete plan is valid', () => {
    expect(errs({})).toEqual([]);
  });

  it('needs exactly one jump box, HAProxy\'s address and a bundle or a tree on the jump box', () => {
    const noJump = planInput('/srv/b').hosts!.filter((h) => h.name !== 'inception');
    expect(errs({ hosts: noJump })).toContain('hosts: mode.caas.noJumpbox');
    expect(errs({ hosts: [...planInput('/srv/b').hosts!, { name: 'j2', address: '10.0.1.7', roles: ['jumpbox'] }] })).toContain('hosts: mode.caas.manyJumpboxes');
    expect(errs({ bosh: { directorAddress: '10.0.0.6' } })).toContain('bosh.haproxyAddress: mode.caas.haproxyAddress');
    const noBundle = planInput('/srv/b');
    delete noBundle.bundle;
    expect(validatePlan(noBundle).errors.map((e) => `${e.path}: ${e.key}`)).toContain('bundle.path: mode.caas.bundle');
    // The tree may be on the jump box already, but the container service comes only from the bundle.
    expect(validatePlan({ ...noBundle, bosh: { ...noBundle.bosh!, treePath: '/home/ubuntu/tree/bosh' } }).errors.map((e) => `${e.path}: ${e.key}`)).toEqual(['bundle.path: mode.caas.bundle']);
  });

  it('names each BOSH/PaaS-TA field that is malformed', () => {
    expect(errs({ bosh: { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.999', networks: { public: 'vip; rm -rf /' }, mariadb: { port: 70000 } } as never })).toEqual(
      expect.arrayContaining(['bosh.haproxyAddress: plan.ip.invalid', 'bosh.networks.public: plan.name.invalid', 'bosh.mariadb.port: plan.port.invalid']),
    );
    expect(errs({ paasta: { cfApi: 'api.sys', uaaUrl: 'https://uaa', workerAddress: 'w1', brokerName: '-x' } as never })).toEqual(
      expect.arrayContaining(['paasta.cfApi: plan.url.invalid', 'paasta.workerAddress: plan.ip.invalid', 'paasta.brokerName: plan.name.invalid']),
    );
    expect(errs({ bosh: { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120', iaas: 'vsphere' } as never }).some((e) => e.startsWith('bosh.iaas'))).toBe(true);
  });

  it('refuses a secret written into the plan, naming the field', () => {
    const r = validatePlan({ ...planInput('/srv/b'), bosh: { directorAddress: '10.0.0.6', haproxyAddress: '10.0.0.120', clientSecret: 'x1234567' } } as never);
    expect(r.errors.map((e) => e.path)).toContain('bosh.clientSecret');
  });
});

describe('caas secrets', () => {
  it('are asked for like the SSH ones: each from its environment variable (then removed) or the prompt, never the plan', async () => {
    const plan = Plan.parse(planInput('/srv/b'));
    expect(secretsNeeded(plan).filter((n) => n.profile === '').map((n) => n.kind)).toEqual(Object.keys(SECRETS));
    const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [SERVICE_SECRETS[k as keyof typeof SECRETS].env, v]));
    const asked: string[] = [];
    const bag = await gatherSecrets(plan, { lang: 'en', env: { ...env, CP_BROKER_PASSWORD: undefined }, interactive: true, ask: async (q) => (asked.push(q), 'from-prompt-1') });
    expect(asked).toEqual(['Container service broker password: ']);
    expect(bag.service?.brokerPassword?.reveal()).toBe('from-prompt-1');
    expect(bag.service?.boshClientSecret?.reveal()).toBe(SECRETS.boshClientSecret);
    expect(JSON.stringify(bag)).not.toContain(SECRETS.boshClientSecret);
    const env2 = { ...env };
    await gatherSecrets(plan, { lang: 'en', env: env2, interactive: false });
    expect(Object.keys(env2).filter((k) => env2[k] !== undefined)).toEqual([]);
    await expect(gatherSecrets(plan, { lang: 'en', env: {}, interactive: false })).rejects.toThrow(/CP_BOSH_CLIENT_SECRET/);
  });

  it('the cluster-admin token is never asked for: taken from CP_K8S_AUTH_BEARER when set, else left to the run', async () => {
    const plan = Plan.parse(planInput('/srv/b'));
    expect(secretsNeeded(plan).filter((n) => n.optional).map((n) => n.kind)).toEqual(['k8sBearerToken']);
    const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(GIVEN).map(([k, v]) => [SERVICE_SECRETS[k as keyof typeof SECRETS].env, v]));
    const asked: string[] = [];
    const bag = await gatherSecrets(plan, { lang: 'en', env: { ...env }, interactive: true, ask: async (q) => (asked.push(q), 'x') });
    expect(asked).toEqual([]);
    expect(bag.service?.k8sBearerToken).toBeUndefined();
    // Not interactive either: no error for it.
    await expect(gatherSecrets(plan, { lang: 'en', env: { ...env }, interactive: false })).resolves.toBeDefined();
    const withToken = { ...env, CP_K8S_AUTH_BEARER: SECRETS.k8sBearerToken };
    const given = await gatherSecrets(plan, { lang: 'en', env: withToken, interactive: false });
    expect(given.service?.k8sBearerToken?.reveal()).toBe(SECRETS.k8sBearerToken);
    expect(withToken.CP_K8S_AUTH_BEARER).toBeUndefined();
  });
});

describe('caas dry run', () => {
  it('shows the guide\'s commands in order, every secret on stdin and none in the listing', async () => {
    const bundle = makeBundle();
    const bag = secretBag(Object.entries(GIVEN).map(([kind, value]) => ({ kind: kind as keyof typeof GIVEN, profile: '', value })));
    const { text, records } = await dryRunPlan(Plan.parse(planInput(bundle)), { workdir: mkdtempSync(join(tmpdir(), 'caas-wd-')), secrets: bag });
    for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
    const caas = records.filter((r) => r.step.startsWith('caas-'));
    expect([...new Set(caas.map((r) => r.step))]).toEqual([
      'caas-jumpbox', 'caas-bosh-tree', 'caas-k8s-token', 'caas-middleware', 'caas-vms', 'caas-registry-trust', 'caas-node-reach', 'caas-images', 'caas-container-service', 'caas-endpoints', 'caas-broker', 'caas-uaa-client',
    ]);
    const cmds = caas.filter((r) => r.kind === 'exec').map((r) => (r as { command: string }).command);
    const has = (re: RegExp) => expect(cmds.some((c) => re.test(c)), String(re)).toBe(true);
    has(/bosh -n -d paasta-container-platform deploy manifests\/paasta-container-service-deployment-aws\.yml -l manifests\/cp-installer-vars\.yml --vars-env CP_BOSH_VAR -o manifests\/ops-files\/paasta-container-service\/network-aws\.yml -o manifests\/ops-files\/misc\/first-time-deploy\.yml -v deployment_name=paasta-container-platform -v director_name=micro-bosh -v '?director_uuid=/);
    has(/bosh -d paasta-container-platform vms --json$/);
    // The cluster-admin token (guide 6.1), made on the first control plane once the cluster is verified.
    const token = caas.filter((r) => r.step === 'caas-k8s-token' && r.kind === 'exec') as Array<{ host: string; command: string }>;
    expect(token.map((r) => r.host)).toEqual(['master1', 'master1']);
    expect(token[0]!.command).toContain('kubectl --kubeconfig /etc/kubernetes/admin.conf create serviceaccount k8sadmin -n kube-system');
    expect(token[0]!.command).toContain('create clusterrolebinding k8sadmin --clusterrole=cluster-admin --serviceaccount=kube-system:k8sadmin');
    expect(token[0]!.command).toContain('type: kubernetes.io/service-account-token');
    expect(token[1]!.command).toContain("get secret k8sadmin-token -n kube-system -o 'jsonpath={.data.token}'");
    const steps = records.map((r) => r.step);
    expect(steps.lastIndexOf('verify')).toBeLessThan(steps.indexOf('caas-k8s-token'));
    expect(steps.lastIndexOf('caas-k8s-token')).toBeLessThan(steps.indexOf('caas-middleware'));
    // The kubeconfig and the report come last: they hand over the container service's endpoints too.
    expect(steps.lastIndexOf('caas-uaa-client')).toBeLessThan(steps.indexOf('kubeconfig'));
    expect(steps.lastIndexOf('kubeconfig')).toBeLessThan(steps.indexOf('report'));
    has(/\.\/image-upload-caas\.sh 10\.0\.0\.120:5001$/);
    has(/cf api https:\/\/api\.sys\.example\.com --skip-ssl-validation$/);
    has(/cf create-service-broker container-service-broker admin http:\/\/10\.1?0?\.?.*:31888$/);
    has(/cf enable-service-access container-service$/);
    has(/uaac target https:\/\/uaa\.sys\.example\.com --skip-ssl-validation$/);
    has(/uaac token client get admin$/);
    has(/uaac client add caasclient --redirect_uri 'http:\/\/10\.0\.1\.21:32091, http:\/\/10\.0\.1\.21:32091\/callback' --scope 'cloud_controller_service_permissions\.read , openid , cloud_controller\.read , cloud_controller\.write , cloud_controller\.admin' --authorized_grant_types 'authorization_code , client_credentials , refresh_token' --authorities=uaa\.resource '--autoapprove=openid , cloud_controller_service_permissions\.read'$/);
    // Every secret-carrying command says so: its stdin is counted, never shown.
    expect(text).toMatch(/stdin: \d+ bytes, not shown/);
    // The vars file the deploy reads is shown in full, without a secret key.
    const vars = records.find((r) => r.kind === 'upload' && /cp-installer-vars\.yml$/.test((r as { path?: string }).path ?? (r as { remotePath?: string }).remotePath ?? ''));
    expect(vars).toBeDefined();
    expect(JSON.stringify(vars)).not.toMatch(/mariadb_admin_user_password:/);
  });

  it('with a token given (CP_K8S_AUTH_BEARER): no account is made, the token only on stdin', async () => {
    const bag = secretBag(Object.entries(SECRETS).map(([kind, value]) => ({ kind: kind as keyof typeof SECRETS, profile: '', value })));
    const { text, records } = await dryRunPlan(Plan.parse(planInput(makeBundle())), { workdir: mkdtempSync(join(tmpdir(), 'caas-wd-')), secrets: bag });
    expect(text).not.toContain(SECRETS.k8sBearerToken);
    expect(records.filter((r) => r.step === 'caas-k8s-token' && r.kind === 'exec')).toEqual([]);
    expect(records.some((r) => r.kind === 'exec' && /create serviceaccount/.test((r as { command: string }).command))).toBe(false);
  });
});

describe('registry trust (run for real in a scratch root)', () => {
  const run = (script: string, root: string) => {
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'systemctl'), `#!/bin/sh\necho "$@" >> ${root}/restarts\n`, { mode: 0o755 });
    return execFileSync('sh', ['-c', script], { env: { PATH: `${root}/bin:/usr/bin:/bin` }, encoding: 'utf8' });
  };

  it('Docker: merges insecure-registries into the site\'s daemon.json and restarts once', () => {
    const root = mkdtempSync(join(tmpdir(), 'trust-'));
    mkdirSync(join(root, 'etc', 'docker'), { recursive: true });
    writeFileSync(join(root, 'etc/docker/daemon.json'), JSON.stringify({ 'log-driver': 'json-file', 'insecure-registries': ['old:5000'] }));
    expect(run(registryTrustScript('docker', '10.0.0.120:5001', root), root)).toContain('trusted 10.0.0.120:5001');
    expect(run(registryTrustScript('docker', '10.0.0.120:5001', root), root)).toContain('already trusted');
    expect(JSON.parse(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8'))).toEqual({ 'log-driver': 'json-file', 'insecure-registries': ['old:5000', '10.0.0.120:5001'] });
    expect(readFileSync(join(root, 'restarts'), 'utf8')).toBe('restart docker\n');
  });

  it('CRI-O: crio.conf.d and registries.conf.d drop-ins (guide 3.1), idempotent', () => {
    const root = mkdtempSync(join(tmpdir(), 'trust-'));
    run(registryTrustScript('crio', '10.0.0.120:5001', root), root);
    run(registryTrustScript('crio', '10.0.0.120:5001', root), root);
    expect(readFileSync(join(root, 'etc/crio/crio.conf.d/90-cp-installer-registry.conf'), 'utf8')).toContain('insecure_registries = [\n  "10.0.0.120:5001",\n]');
    expect(readFileSync(join(root, 'etc/containers/registries.conf.d/90-cp-installer-registry.conf'), 'utf8')).toBe('[[registry]]\ninsecure = true\nlocation = "10.0.0.120:5001"\n');
    expect(readFileSync(join(root, 'restarts'), 'utf8')).toBe('restart crio\n');
  });
});

describe('TCP probe (run for real against a local listener)', () => {
  it('reports the endpoint that answers and the one that does not', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    try {
      const targets = [{ name: 'registry', host: '127.0.0.1', port }, { name: 'mariadb', host: '127.0.0.1', port: deadPort }];
      const out = await new Promise<string>((res, rej) => execFile('sh', ['-c', tcpProbeScript(targets, 2)], (e, stdout) => (e ? rej(e) : res(stdout))));
      expect(probeDown(targets, out)).toEqual([targets[1]]);
    } finally {
      server.close();
    }
  });
});

describe('cf, uaac and the container-service vars', () => {
  it('cf takes both passwords from its environment, read from stdin', () => {
    const t = { api: 'https://api.x', skipSslValidation: false, home: 'h' };
    const a = cfAuth(t, 'admin', Secret.of('pw-123456'));
    expect(a.command).toBe('IFS= read -r CF_PASSWORD && export CF_PASSWORD && CF_HOME=h cf auth admin');
    expect(a.stdin).toBe('pw-123456\n');
    const b = cfCreateServiceBroker(t, 'container-service-broker', 'admin', 'http://10.0.0.21:31888', Secret.of('bpw-123456'));
    expect(b.command).toBe('IFS= read -r CF_BROKER_PASSWORD && export CF_BROKER_PASSWORD && CF_HOME=h cf create-service-broker container-service-broker admin http://10.0.0.21:31888');
  });

  it('uaac answers its secret prompts on stdin (twice for a new client)', () => {
    expect(uaacTokenClientGet('h', 'admin', Secret.of('s-123456')).stdin).toBe('s-123456\n');
    expect(uaacClientAdd('h', '10.0.0.21', Secret.of('c-123456')).stdin).toBe('c-123456\nc-123456\n');
  });

  it('reads cf service-brokers and service-access tables as the guide prints them', () => {
    expect(parseServiceBrokers('Getting service brokers as admin...\n\nname                       url\ncontainer-service-broker   http://10.0.0.21:31888\n').get('container-service-broker')).toBe('http://10.0.0.21:31888');
    const access = 'broker: container-service-broker\n   offering            plan       access   orgs\n   container-service   Advenced   all\n   container-service   Micro      all\n   container-service   Small      none\n';
    expect(parseServiceAccess(access, 'container-service')).toEqual([{ plan: 'Advenced', access: 'all' }, { plan: 'Micro', access: 'all' }, { plan: 'Small', access: 'none' }]);
  });

  it('container-service-vars.sh holds no secret: the script gets them from its environment', () => {
    const text = containerServiceVars({ systemDomain: 'sys.x', haproxy: '10.0.0.120', master: '10.0.1.11', worker: '10.0.1.21', workerHostname: 'worker1', mariadbUser: 'cp-admin' });
    expect(text).toContain("HAPROXY_IP=10.0.0.120");
    expect(text).toContain('K8S_AUTH_BEARER_TOKEN="${CP_K8S_AUTH_BEARER_TOKEN:?set by cp-installer}"');
    const out = execFileSync('bash', ['-c', `${text}\necho "$MARIADB_USER_PASSWORD|$K8S_WORKER_NODE_HOSTNAME"`], { env: { CP_K8S_AUTH_BEARER_TOKEN: 't', CP_MARIADB_USER_PASSWORD: 'p w' }, encoding: 'utf8' });
    expect(out.trim()).toBe('p w|worker1');
  });

  it('names what the director\'s cloud-config lacks', () => {
    const plan = Plan.parse(planInput('/srv/b'));
    const cc = 'azs: [{name: z5}, {name: z7}]\nvm_types: [{name: small}]\ndisk_types: [{name: 10GB}]\nnetworks: [{name: default}]\n';
    expect(cloudConfigGaps(plan, cc)).toEqual(['networks has no "vip" (bosh.networks)']);
    // As the CLI prints it: framed by its own lines.
    expect(cloudConfigGaps(plan, `Using environment '10.0.0.6' as client 'admin'\n\n${cc}\nSucceeded\n`)).toEqual(['networks has no "vip" (bosh.networks)']);
  });
});
