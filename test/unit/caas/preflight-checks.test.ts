// The jump box's CaaS checks: the pure verdicts (core/preflight/checks/caas.ts) for each way a site goes
// wrong, and the gathering (core/modes/caas/checks.ts) against a scripted jump box: which commands it runs,
// that secrets travel on stdin only, that the scratch login folder is removed, and that what the CLIs
// print back is masked.
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { render } from '../../../core/common/messages.js';
import { modeMessages } from '../../../core/modes/profiles.js';
import { directorEndpoint, gatherCaasFacts, type Exec } from '../../../core/modes/caas/checks.js';
import { caasChecks, type CaasFacts } from '../../../core/preflight/checks/caas.js';
import type { ExecOptions, ExecResult } from '../../../core/ssh/types.js';
import { caasPlan } from './fixtures.js';

const CLOUD = 'azs:\n- name: z5\n- name: z7\nvm_types:\n- name: small\ndisk_types:\n- name: 10GB\nnetworks:\n- name: default\n- name: vip\n';
const good = (): CaasFacts => ({
  tools: { bosh: true, cf: true, uaac: true },
  directorPort: true,
  director: { ok: true },
  stemcells: [{ os: 'ubuntu-xenial', version: '621.94' }],
  cloudConfig: CLOUD,
  cfApi: { ok: true },
  cfLogin: { ok: true },
  uaaTarget: { ok: true },
  uaaLogin: { ok: true },
  hosts: [{ name: 'master-1', address: '10.0.0.11', ok: true }],
  missingSecrets: [],
});
const byId = (f: CaasFacts) => Object.fromEntries(caasChecks(caasPlan(), f).map((c) => [c.id, c]));
const text = (m: { key: string; params?: Record<string, string | number> } | undefined, lang: 'en' | 'ko' = 'en') =>
  m ? render(modeMessages, lang, m) : '';

describe('CaaS checks of the jump box (verdicts)', () => {
  it('all pass on a site that is ready, every message filled in en and ko', () => {
    const checks = caasChecks(caasPlan(), good());
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['caas.tools', 'pass'], ['caas.director', 'pass'], ['caas.stemcell', 'pass'], ['caas.cloudConfig', 'pass'],
      ['caas.cf', 'pass'], ['caas.uaa', 'pass'], ['caas.hosts', 'pass'],
    ]);
    for (const c of checks) for (const lang of ['en', 'ko'] as const) {
      expect(text(c.title, lang)).not.toMatch(/preflight\.caas|\{\{/);
      expect(text(c.message, lang)).not.toMatch(/preflight\.caas|\{\{/);
    }
    expect(text(checks[1]!.title)).toBe('BOSH director 10.0.1.6');
  });

  it('a director that does not answer on 25555 says to open the port; one that refuses the login says to check client and secret; an untrusted certificate names the CA file', () => {
    const port = byId({ ...good(), directorPort: false, director: { ok: false, detail: 'dial tcp 10.0.1.6:25555: i/o timeout' } })['caas.director']!;
    expect(port.status).toBe('fail');
    expect(text(port.message)).toContain('i/o timeout');
    expect(port.remedy?.key).toBe('preflight.caas.director.remedy.port');
    const login = byId({ ...good(), director: { ok: false, detail: '401 Unauthorized' } })['caas.director']!;
    expect(login.remedy?.key).toBe('preflight.caas.director.remedy.login');
    expect(text(login.remedy, 'ko')).toContain('bosh.client');
    // An HTTP answer proves the director was reached, whatever the port probe found (an alias, a proxy).
    expect(byId({ ...good(), directorPort: false, director: { ok: false, detail: 'Request failed: 401 Unauthorized: Bad credentials' } })['caas.director']!.remedy?.key).toBe('preflight.caas.director.remedy.login');
    const ca = byId({ ...good(), director: { ok: false, detail: 'x509: certificate signed by unknown authority' } })['caas.director']!;
    expect(ca.remedy?.key).toBe('preflight.caas.director.remedy.ca');
    expect(text(ca.remedy)).toContain('bosh.caCertFile');
    // Without a login nothing is known about stemcells or the cloud-config: they are not judged.
    expect(byId({ ...good(), director: { ok: false } })['caas.stemcell']).toBeUndefined();
  });

  it('a missing stemcell fails unless the bundle brings one (then a warning: the first step uploads it)', () => {
    expect(byId({ ...good(), stemcells: [] })['caas.stemcell']!.status).toBe('fail');
    const w = byId({ ...good(), stemcells: [{ os: 'ubuntu-xenial', version: '621.90' }], bundleStemcell: true })['caas.stemcell']!;
    expect(w.status).toBe('warn');
    expect(w.message.key).toBe('preflight.caas.stemcell.bundle');
  });

  it('the cloud-config names each gap with the plan field it comes from', () => {
    const c = byId({ ...good(), cloudConfig: CLOUD.replace('- name: vip\n', '').replace('- name: z5\n', '') })['caas.cloudConfig']!;
    expect(c.status).toBe('fail');
    expect(c.message.params?.gaps).toBe('networks has no "vip" (bosh.networks); azs has no "z5" (bosh.azs)');
  });

  it('CF and UAA: not answering and a refused login are told apart; missing CLIs and secrets make a "not checked" warning', () => {
    const down = byId({ ...good(), cfApi: { ok: false, detail: 'x509: certificate signed by unknown authority' } })['caas.cf']!;
    expect([down.status, down.message.key, down.remedy?.key]).toEqual(['fail', 'preflight.caas.cf.down', 'preflight.caas.cf.remedy.down']);
    const login = byId({ ...good(), uaaLogin: { ok: false, detail: 'Bad credentials' } })['caas.uaa']!;
    expect([login.status, login.message.key]).toEqual(['fail', 'preflight.caas.uaa.login']);
    const noCli = byId({ ...good(), tools: { bosh: true, cf: false, uaac: true } });
    expect(noCli['caas.tools']!.status).toBe('fail');
    expect(text(noCli['caas.tools']!.message)).toBe('Missing: cf.');
    expect([noCli['caas.cf']!.status, noCli['caas.cf']!.message.key]).toEqual(['warn', 'preflight.caas.notTried.noCli']);
    const noSecret = byId({ ...good(), director: undefined, missingSecrets: ['boshClientSecret'] })['caas.director']!;
    expect([noSecret.status, noSecret.remedy?.params?.env]).toEqual(['warn', 'CP_BOSH_CLIENT_SECRET']);
  });

  it('hosts the jump box cannot reach are named', () => {
    const c = byId({ ...good(), hosts: [{ name: 'master-1', address: '10.0.0.11', ok: true }, { name: 'worker-1', address: '10.0.0.21', ok: false }] })['caas.hosts']!;
    expect(c.status).toBe('fail');
    expect(text(c.message)).toBe('No answer from worker-1 (10.0.0.21).');
  });

  it('the director endpoint is read from an address or a URL', () => {
    expect(directorEndpoint('10.0.1.6')).toEqual({ host: '10.0.1.6', port: 25555 });
    expect(directorEndpoint('https://10.0.1.6:25555')).toEqual({ host: '10.0.1.6', port: 25555 });
    expect(directorEndpoint('https://director.example:8443/')).toEqual({ host: 'director.example', port: 8443 });
  });
});

describe('gathering on the jump box (scripted)', () => {
  const secrets = {
    boshClientSecret: Secret.of('bosh-S3cret', 'bosh'),
    cfAdminPassword: Secret.of('cf-Pa55', 'cf'),
    uaaAdminClientSecret: Secret.of('uaa-S3cret', 'uaa'),
  };

  function jumpbox(answer: (command: string, stdin: string) => Partial<ExecResult>): { exec: Exec; calls: Array<{ command: string; stdin: string }> } {
    const calls: Array<{ command: string; stdin: string }> = [];
    const exec: Exec = async (command: string, options?: ExecOptions) => {
      const stdin = String(options?.stdin ?? '');
      calls.push({ command, stdin });
      return { code: 0, stdout: '', stderr: '', ...answer(command, stdin) } as ExecResult;
    };
    return { exec, calls };
  }

  it('runs the CLIs the caas steps run, secrets on stdin only, and removes its scratch logins', async () => {
    const { exec, calls } = jumpbox((c, stdin) => {
      if (c.includes('command -v')) return { stdout: 'tool bosh\ntool cf\ntool uaac\ndown director\nok host:master-1\nok host:worker-1\n' };
      if (c.includes('bosh environment')) return stdin.includes('bosh-S3cret') ? { stdout: '{"Tables":[{"Rows":[{"uuid":"u"}]}]}' } : { code: 1, stderr: '401' };
      if (c.includes('bosh stemcells')) return { stdout: '{"Tables":[{"Rows":[{"os":"ubuntu-xenial","version":"621.94*"}]}]}' };
      if (c.includes('bosh cloud-config')) return { stdout: CLOUD };
      // The CLI echoes what it was given: the gatherer masks it.
      if (c.includes('cf auth')) return { code: 1, stderr: 'Credentials were rejected for cf-Pa55, please try again.' };
      return {};
    });
    const facts = await gatherCaasFacts(caasPlan(), exec, secrets);
    expect(facts.tools).toEqual({ bosh: true, cf: true, uaac: true });
    expect(facts.directorPort).toBe(false);
    expect(facts.director).toEqual({ ok: true });
    expect(facts.stemcells).toEqual([{ os: 'ubuntu-xenial', version: '621.94' }]);
    expect(facts.cfLogin).toEqual({ ok: false, detail: 'Credentials were rejected for ***, please try again.' });
    expect(facts.uaaLogin).toEqual({ ok: true });
    expect(facts.hosts!.map((h) => h.name)).toEqual(['master-1', 'worker-1']);
    for (const c of calls) for (const s of ['bosh-S3cret', 'cf-Pa55', 'uaa-S3cret']) expect(c.command).not.toContain(s);
    expect(calls.at(-1)!.command).toBe("rm -rf .cp-installer/cp-cluster/caas/check");
    const checks = caasChecks(caasPlan(), facts);
    // The director answered through the CLI: a closed port probe alone does not fail it.
    expect(checks.find((c) => c.id === 'caas.director')!.status).toBe('pass');
    expect(checks.find((c) => c.id === 'caas.cf')!.status).toBe('fail');
  });

  it('without the secrets it logs in nowhere and says which were missing', async () => {
    const { exec, calls } = jumpbox((c) => (c.includes('command -v') ? { stdout: 'tool bosh\ntool cf\ntool uaac\n' } : {}));
    const facts = await gatherCaasFacts(caasPlan(), exec, {});
    expect(facts.missingSecrets).toEqual(['boshClientSecret', 'cfAdminPassword', 'uaaAdminClientSecret']);
    expect(calls.some((c) => /bosh environment|cf auth|uaac token/.test(c.command))).toBe(false);
    expect(facts.cfApi).toEqual({ ok: true });
  });
});
