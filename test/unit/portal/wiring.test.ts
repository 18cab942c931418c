// Where the portal steps appear: standalone and edge plans with a portal archive get them (in order, before
// the kubeconfig and report), plans without one do not; the CLI summary shows only checked portal URLs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { printResult } from '../../../cli/commands/apply.js';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { standaloneMode } from '../../../core/modes/standalone/index.js';
import { installsPortal, portalArchive } from '../../../core/modes/standalone/portal.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { singleMaster } from '../kubespray/plans.js';

const scratch = mkdtempSync(join(tmpdir(), 'portal-wiring-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const archive = join(scratch, 'cp-portal-deployment-v1.6.1.1.tar.gz');
writeFileSync(archive, '');

const ids = (steps: Array<{ id: string; needs: string[] }>) => steps.map((s) => s.id);

describe('portal steps in the modes', () => {
  it('standalone: after verify, before kubeconfig and report, only with an archive', () => {
    const plan = singleMaster();
    const r = findRelease(plan.release)!;
    expect(installsPortal(plan)).toBe(false);
    expect(ids(standaloneMode.steps(plan, r, { overrides: [] })).filter((i) => i.startsWith('portal'))).toEqual([]);
    plan.portal.archive = archive;
    const steps = standaloneMode.steps(plan, r, { overrides: [] });
    const list = ids(steps);
    expect(list.slice(list.indexOf('verify'))).toEqual(['verify', 'portal-archive', 'portal-vars', 'portal-deploy', 'portal-admin', 'portal-endpoints', 'kubeconfig', 'report']);
    expect(steps.find((s) => s.id === 'portal-archive')?.needs).toEqual(['verify']);
    expect(steps.find((s) => s.id === 'kubeconfig')?.needs).toEqual(['portal-endpoints']);
    plan.portal.enabled = false;
    expect(ids(standaloneMode.steps(plan, r, { overrides: [] }))).not.toContain('portal-archive');
  });

  it('the offline bundle\'s portal/ archive is used when the plan names none', () => {
    const plan = singleMaster();
    const bundle = join(scratch, 'bundle');
    mkdirSync(join(bundle, 'portal'), { recursive: true });
    writeFileSync(join(bundle, 'portal', 'cp-portal-deployment-v1.6.1.1.tar.gz'), '');
    plan.bundle = { path: bundle };
    expect(portalArchive(plan)).toBe(join(bundle, 'portal', 'cp-portal-deployment-v1.6.1.1.tar.gz'));
  });

  it('edge: the portal after the edge nodes are verified, when the plan names an archive', () => {
    const input: PlanInput = {
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'edge',
      release: 'k-paas-v1.6.2-kubeedge-1.23',
      hosts: [
        { name: 'master1', address: '10.0.0.11', roles: ['control-plane'] },
        { name: 'edge1', address: '10.0.0.21', roles: ['edge'] },
      ],
      auth: [{ name: 'default', method: 'agent', user: 'ubuntu' }],
      network: { ingressIp: '10.0.0.200' },
    };
    const r = findRelease(input.release)!;
    expect(ids(edgeMode.steps(Plan.parse(input), r, { overrides: [] }))).not.toContain('portal-archive');
    const withArchive = Plan.parse({ ...input, portal: { archive } });
    const list = ids(edgeMode.steps(withArchive, r, { overrides: [] }));
    expect(list.slice(-6)).toEqual(['edge-verify', 'portal-archive', 'portal-vars', 'portal-deploy', 'portal-admin', 'portal-endpoints']);
  });

  it('the plan: portal.archive must be a .tar.gz; a standalone plan without one is warned that no portal is installed', () => {
    const base = { ...singleMaster() } as unknown as Record<string, unknown>;
    const v = validatePlan({ ...base, portal: { enabled: true } });
    expect(v.warnings.map((w) => `${w.path} ${w.key}`)).toContain('portal.archive plan.warn.portalNoArchive');
    const bad = validatePlan({ ...base, portal: { archive: '/srv/portal.zip' } });
    expect(bad.errors.map((e) => `${e.path} ${e.key}`)).toContain('portal.archive plan.portal.archiveName');
    const ok = validatePlan({ ...base, portal: { archive } });
    expect([...ok.errors, ...ok.warnings].map((e) => e.path)).not.toContain('portal.archive');
  });
});

describe('CLI summary', () => {
  it('prints the API server and only the checked portal URLs, with the state, the CA and the hosts line', () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const code = printResult(
      {
        runId: 'r1',
        status: 'succeeded',
        outputs: {
          kubeconfigPath: '/w/kubeconfig',
          endpoints: [
            { name: 'api-server', url: 'https://10.0.0.11:6443' },
            { name: 'portal', url: 'https://portal.d.nip.io', state: 'ok', status: 200, via: '10.0.0.200', certificate: { trusted: true }, caPath: '/w/portal-ca.crt' },
            { name: 'harbor', url: 'https://harbor.d.nip.io', state: 'unreachable', via: '10.0.0.200', reason: 'ECONNRESET: socket hang up' },
          ],
          portalHostsSnippet: '10.0.0.200 portal.d.nip.io',
        },
      },
      { out, err, isTTY: false },
    );
    expect(code).toBe(0);
    expect(text).toContain('  api-server   https://10.0.0.11:6443\n');
    expect(text).toContain('  portal       https://portal.d.nip.io  ✔ HTTP 200, certificate OK\n');
    expect(text).toContain('  harbor       https://harbor.d.nip.io  ✘ not reachable: ECONNRESET: socket hang up\n');
    expect(text).toContain('portal CA (trust it in the browser): /w/portal-ca.crt');
    expect(text).toContain('hosts-file line (without DNS for these names): 10.0.0.200 portal.d.nip.io');
  });
});

describe('first login hand-over', () => {
  it('reads the admin from cp-portal-secret, masks the password, keeps it out of the outputs, hands it over once', async () => {
    const { portalAdminStep, takePortalAdmin } = await import('../../../core/modes/standalone/portal-admin.js');
    const password = 'S3cret-portal-pw';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secrets: string[] = [];
    const outputs: Record<string, unknown> = {};
    const commands: string[] = [];
    const ctx = {
      runId: 'run-admin',
      dryRun: false,
      exec: async (_h: string, cmd: string, o: { quiet?: boolean }) => {
        commands.push(cmd);
        expect(o.quiet).toBe(true);
        return { code: 0, stdout: cmd.includes('KEYCLOAK_ADMIN_PASSWORD') ? b64(password) : b64('admin'), stderr: '' };
      },
      addSecret: (s: string) => secrets.push(s),
      outputs: { set: (k: string, v: unknown) => (outputs[k] = v) },
      log: () => undefined,
    };
    await portalAdminStep('master-1', ['portal-deploy']).run(ctx as never);
    expect(commands).toEqual([
      'kubectl get secret cp-portal-secret --namespace cp-portal --output \'jsonpath={.data.KEYCLOAK_ADMIN_USERNAME}\' --kubeconfig /etc/kubernetes/admin.conf',
      'kubectl get secret cp-portal-secret --namespace cp-portal --output \'jsonpath={.data.KEYCLOAK_ADMIN_PASSWORD}\' --kubeconfig /etc/kubernetes/admin.conf',
    ]);
    expect(secrets).toEqual([b64(password), password]);
    expect(JSON.stringify(outputs)).not.toContain(password);
    expect(outputs).toEqual({ portalAdminUser: 'admin' });

    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    printResult({ runId: 'run-admin', status: 'succeeded', outputs: {} }, { out, err: new PassThrough(), isTTY: false });
    expect(text).toContain(`    Keycloak admin: admin\n    password:       ${password}\n`);
    expect(text).toContain('shown once, not saved anywhere');
    expect(takePortalAdmin('run-admin')).toBeUndefined();
    let again = '';
    const out2 = new PassThrough();
    out2.on('data', (d: Buffer) => (again += d.toString()));
    printResult({ runId: 'run-admin', status: 'succeeded', outputs: {} }, { out: out2, err: new PassThrough(), isTTY: false });
    expect(again).not.toContain(password);
  });
});
