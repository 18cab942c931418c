// The cluster-admin token step (core/modes/admin-token.ts) with its commands run for real by sh against the
// strict fake kubectl (test/fakes/kubectl) in a scratch state: the account and binding made once and kept,
// the token Secret waited for until the fake token controller fills it, the token read into memory only and
// masked; a token the user gives is used as it is. The kubeconfig path is the only thing the test rewrites.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretBag } from '../../../core/api/preflight.js';
import { ADMIN_KUBECONFIG, adminAccountScript, adminTokenStep, bearerToken, parseToken, readTokenScript, tokenSecretManifest } from '../../../core/modes/admin-token.js';
import type { Host } from '../../../core/plan/schema.js';
import type { OutputStore, StepContext, StepExecOptions } from '../../../core/install/step.js';
import type { SecretBag } from '../../../core/ssh/types.js';

const FAKES = join(import.meta.dirname, '..', '..', 'fakes');
const MASTER = { name: 'master1', address: '10.0.1.11', roles: ['control-plane'] } as unknown as Host;

interface Scratch {
  dir: string;
  state: () => { objects: Array<{ kind: string; type?: string; metadata: { name: string; namespace?: string }; data?: Record<string, string>; roleRef?: { name: string }; subjects?: unknown[] }> };
}

function scratch(kubernetes = '1.32.5'): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'admin-token-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'state'));
  for (const f of ['kubectl', 'fakek8s.py']) copyFileSync(join(FAKES, f), join(dir, 'bin', f));
  writeFileSync(join(dir, 'admin.conf'), 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
  writeFileSync(join(dir, 'state', 'cluster.json'), JSON.stringify({ kubernetes, nodes: [], workloads: [], services: [], pods: [], objects: [] }));
  return { dir, state: () => JSON.parse(readFileSync(join(dir, 'state', 'cluster.json'), 'utf8')) as ReturnType<Scratch['state']> };
}

function sh(s: Scratch, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: `${join(s.dir, 'bin')}:/usr/bin:/bin`, FAKE_K8S_STATE: join(s.dir, 'state'), HOME: s.dir };
  return new Promise((resolve) => {
    execFile('sh', ['-c', command.split(ADMIN_KUBECONFIG).join(join(s.dir, 'admin.conf'))], { env }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface Ctx {
  ctx: StepContext;
  commands: Array<{ host: string; command: string; options?: StepExecOptions }>;
  masked: string[];
  logs: string[];
}

function context(s: Scratch, secrets: SecretBag = {}, outputs: OutputStore = {} as OutputStore, dryRun = false): Ctx {
  const commands: Ctx['commands'] = [];
  const masked: string[] = [];
  const logs: string[] = [];
  const ctx = {
    dryRun,
    secrets,
    outputs,
    async exec(host: string, command: string, options?: StepExecOptions) {
      commands.push({ host, command, ...(options ? { options } : {}) });
      if (dryRun) return { code: 0, stdout: '', stderr: '', ...options?.dryRunResult };
      const r = await sh(s, command);
      if (r.code !== 0 && options?.check !== false) throw new Error(`exit ${r.code}: ${r.stderr}`);
      if (!options?.quiet) logs.push(r.stdout);
      return r;
    },
    addSecret: (v: string) => masked.push(v),
    redact: (t: string) => masked.reduce((acc, v) => acc.split(v).join('***'), t),
    log: (l: string) => logs.push(l),
  } as unknown as StepContext;
  return { ctx, commands, masked, logs };
}

const tokenOf = (s: Scratch) => Buffer.from(s.state().objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'k8sadmin-token')!.data!.token!, 'base64').toString();

describe('cluster-admin token: the commands', () => {
  it('are the guide\'s kubectl lines plus the token Secret, with no token anywhere in them', () => {
    const script = adminAccountScript();
    expect(script).toContain('kubectl --kubeconfig /etc/kubernetes/admin.conf create serviceaccount k8sadmin -n kube-system');
    expect(script).toContain('kubectl --kubeconfig /etc/kubernetes/admin.conf create clusterrolebinding k8sadmin --clusterrole=cluster-admin --serviceaccount=kube-system:k8sadmin');
    expect(script).toContain('kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f -');
    expect(tokenSecretManifest()).toContain('type: kubernetes.io/service-account-token');
    expect(tokenSecretManifest()).toContain('kubernetes.io/service-account.name: k8sadmin');
    expect(readTokenScript()).toContain("get secret k8sadmin-token -n kube-system -o 'jsonpath={.data.token}'");
  });

  it('parseToken decodes the base64 the API keeps and refuses anything else', () => {
    expect(parseToken(`${Buffer.from('eyJ.a.b').toString('base64')}\n`)).toBe('eyJ.a.b');
    expect(parseToken('')).toBeUndefined();
    expect(parseToken('not base64!')).toBeUndefined();
    expect(parseToken(Buffer.from('two words').toString('base64'))).toBeUndefined();
  });
});

describe('cluster-admin token against the strict fake kubectl', { timeout: 30_000 }, () => {
  it('makes the account, binding and Secret, waits for the controller, keeps the token in memory only; a second run keeps them', async () => {
    const s = scratch();
    const outputs = {} as OutputStore;
    const c = context(s, {}, outputs);
    const step = adminTokenStep('caas', MASTER, ['verify']);
    expect(step).toMatchObject({ id: 'caas-k8s-token', hosts: ['master1'], needs: ['verify'] });
    await step.run(c.ctx);
    const objects = s.state().objects;
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['kube-system/k8sadmin']);
    const crb = objects.find((o) => o.kind === 'ClusterRoleBinding')!;
    expect(crb.roleRef?.name).toBe('cluster-admin');
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', namespace: 'kube-system', name: 'k8sadmin' }]);
    const token = tokenOf(s);
    expect(token).toMatch(/^eyJ/);
    // Masked before anything could show it, never in a command line or a logged line.
    expect(c.masked).toContain(token);
    expect(JSON.stringify(c.commands)).not.toContain(token);
    expect(c.logs.join('\n')).not.toContain(token);
    expect(c.commands.every((x) => x.host === 'master1' && x.options?.sudo)).toBe(true);
    expect(c.commands[1]!.options?.quiet).toBe(true);
    // The later steps get the same token from memory: no further command.
    const n = c.commands.length;
    expect((await bearerToken(c.ctx, 'master1')).reveal()).toBe(token);
    expect(c.commands).toHaveLength(n);

    // Again (a re-run): the duplicates kubectl refuses are kept, the token is the same.
    const again = context(s);
    await step.run(again.ctx);
    expect(again.logs.join('\n')).toMatch(/kept \(error: failed to create serviceaccount: serviceaccounts "k8sadmin" already exists\)/);
    expect(tokenOf(s)).toBe(token);
    expect((await bearerToken(again.ctx, 'master1')).reveal()).toBe(token);
    expect(s.state().objects.filter((o) => o.kind === 'ServiceAccount')).toHaveLength(1);
  });

  it('a resumed run that skipped the step reads the token again from its Secret', async () => {
    const s = scratch();
    await adminTokenStep('caas', MASTER, []).run(context(s).ctx);
    const later = context(s);
    expect((await bearerToken(later.ctx, 'master1')).reveal()).toBe(tokenOf(s));
    expect(later.commands.map((x) => x.command)).toEqual([readTokenScript()]);
  });

  it('works where the controller also made its own token Secret (Kubernetes before 1.24)', async () => {
    const s = scratch('1.20.15');
    const c = context(s);
    await adminTokenStep('bosh', MASTER, []).run(c.ctx);
    const secrets = s.state().objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    expect(secrets).toHaveLength(2);
    expect(secrets.some((n) => /^k8sadmin-token-[a-z0-9]{5}$/.test(n))).toBe(true);
    expect((await bearerToken(c.ctx, 'master1')).reveal()).toBe(tokenOf(s));
  });

  it('a token the controller never fills: the read gives nothing, and the step stops naming the host and the Secret', async () => {
    const s = scratch();
    // A Secret naming an account that does not exist is never filled.
    await sh(s, `printf '%s' '${tokenSecretManifest().replace('service-account.name: k8sadmin', 'service-account.name: nobody')}' | kubectl --kubeconfig ${ADMIN_KUBECONFIG} apply -f -`);
    const c = context(s);
    const r = await c.ctx.exec('master1', readTokenScript(2), { check: false, quiet: true });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const empty = { ...c.ctx, exec: async () => ({ code: 1, stdout: '', stderr: 'timed out' }) } as unknown as StepContext;
    await expect(bearerToken(empty, 'master1')).rejects.toMatchObject({ error: { key: 'mode.caas.token', params: { host: 'master1', secret: 'kube-system/k8sadmin-token', seconds: '60' } } });
  });

  it('a token the user gives (CP_K8S_AUTH_BEARER) is used: no account is made', async () => {
    const s = scratch();
    const bag = secretBag([{ kind: 'k8sBearerToken', profile: '', value: 'eyJ.given.token' }]);
    const c = context(s, bag);
    await adminTokenStep('caas', MASTER, []).run(c.ctx);
    expect(c.commands).toEqual([]);
    expect(s.state().objects).toEqual([]);
    expect((await bearerToken(c.ctx, 'master1')).reveal()).toBe('eyJ.given.token');
  });

  it('a dry run lists the commands and holds no token', async () => {
    const s = scratch();
    const c = context(s, {}, {} as OutputStore, true);
    await adminTokenStep('caas', MASTER, []).run(c.ctx);
    expect(c.commands.map((x) => x.command)).toEqual([adminAccountScript(), readTokenScript()]);
    expect((await bearerToken(c.ctx, 'master1')).reveal()).toBe('<k8sBearerToken>');
    expect(s.state().objects).toEqual([]);
  });
});

describe('the strict fake kubectl refuses what kubectl refuses', { timeout: 30_000 }, () => {
  it('a missing namespace, unknown flags, create flags on another verb, a NotFound secret', async () => {
    const s = scratch();
    const k = `kubectl --kubeconfig ${ADMIN_KUBECONFIG}`;
    const out = await Promise.all([
      sh(s, `${k} create serviceaccount x -n nowhere`),
      sh(s, `${k} create serviceaccount x --bogus`),
      sh(s, `${k} create serviceaccount x --clusterrole=cluster-admin`),
      sh(s, `${k} get secret x --serviceaccount=a:b`),
      sh(s, `${k} create clusterrolebinding x --serviceaccount=kube-system:x`),
      sh(s, `${k} create clusterrolebinding x --clusterrole=cluster-admin --serviceaccount=nocolon`),
      sh(s, `${k} get secret nothere -n kube-system -o 'jsonpath={.data.token}'`),
      sh(s, `${k} get secret nothere -n kube-system -o 'jsonpath={.items[*]}'`),
    ]);
    expect(out.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(out[0]!.stderr).toContain('namespaces "nowhere" not found');
    expect(out[1]!.stderr).toContain('unknown flag: --bogus');
    expect(out[2]!.stderr).toContain('unknown flag: --clusterrole');
    expect(out[3]!.stderr).toContain('unknown flag: --serviceaccount');
    expect(out[4]!.stderr).toContain('required flag(s) "clusterrole" not set');
    expect(out[5]!.stderr).toContain('serviceaccount must be <namespace>:<name>');
    expect(out[6]!.stderr).toContain('secrets "nothere" not found');
    expect(s.state().objects).toEqual([]);
  });
});
