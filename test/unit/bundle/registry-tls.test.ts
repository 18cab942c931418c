// TLS for the deployer's own registry (issue 13: nodes pointed at it "with its CA"): the pure renderers — the
// registry's config, the certificate script (run for real with openssl in a scratch home: made once, kept on a
// rerun, issued again for a changed address with the same CA), the runtimes' files with the CA, Kubespray's
// registry variables, skopeo's load — the plan switch bundle.registryTls and its validation, and the dry run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDryRun } from '../../../core/install/dryrun.js';
import { offlineSteps } from '../../../core/install/offline/steps.js';
import { InstallRun } from '../../../core/install/runner.js';
import type { InstallMode } from '../../../core/install/step.js';
import { coreMessages } from '../../../core/api/messages.js';
import { msg, render } from '../../../core/common/messages.js';
import type { PlanIssue } from '../../../core/plan/issues.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { offlineRegistry, Plan, type PlanInput } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { containerdHostsToml, containerdMirrorsVar, crioRegistriesVar, crioRegistryConf, mirrorEntries } from '../../../core/tools/registry/mirrors.js';
import { certSubjectAltName, loadImageCommand, parseRegistryCert, registryCertScript, registryConfig, registryServiceSpec, registryTlsFiles, waitHttpCommand } from '../../../core/tools/registry/services.js';

const release = findRelease('k-paas-v1.6.2')!;

function plan(bundle: Record<string, unknown> = {}, extra: Partial<PlanInput> = {}): Plan {
  return Plan.parse({
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release: 'k-paas-v1.6.2',
    cluster: { runtime: 'containerd' },
    auth: [{ name: 'default', method: 'key', user: 'ubuntu', keyPath: '~/.ssh/id_ed25519' }],
    hosts: [
      { name: 'master-1', address: '203.0.113.10', privateAddress: '10.0.0.10', roles: ['control-plane', 'etcd'] },
      { name: 'worker-1', address: '10.0.0.21', roles: ['worker'] },
    ],
    network: { metallbRange: '10.0.0.100-10.0.0.110', ingressIp: '10.0.0.120' },
    bundle: { path: '/b', file: '/nowhere/b.tar', ...bundle },
    ...extra,
  } as PlanInput);
}

describe('the deployer\'s registry over HTTPS', () => {
  it('the registry config names the server certificate and key; without tls it stays plain HTTP', () => {
    const files = registryTlsFiles('/home/u');
    expect(files).toEqual({ certificate: '/home/u/cp-installer-offline/tls/server.crt', key: '/home/u/cp-installer-offline/tls/server.key', ca: '/home/u/cp-installer-offline/tls/ca.crt' });
    expect(registryConfig({ home: '/home/u', address: '10.0.0.10', port: 5000, tls: files })).toContain(
      'http:\n  addr: "10.0.0.10:5000"\n  tls:\n    certificate: "/home/u/cp-installer-offline/tls/server.crt"\n    key: "/home/u/cp-installer-offline/tls/server.key"\n  headers:',
    );
    expect(registryConfig({ home: '/home/u', address: '10.0.0.10', port: 5000 })).not.toContain('tls:');
    // Its health is checked over https, verified with the CA, as the nodes will.
    const spec = registryServiceSpec({ home: '/home/u', user: 'u', address: '10.0.0.10', port: 5000, tls: true });
    expect(spec.health).toBe('https://10.0.0.10:5000/v2/');
    expect(spec.healthCa).toBe('/home/u/cp-installer-offline/tls/ca.crt');
    expect(waitHttpCommand(spec.health, 30, spec.healthCa)).toMatch(/ https:\/\/10\.0\.0\.10:5000\/v2\/ 30 \/home\/u\/cp-installer-offline\/tls\/ca\.crt$/);
    expect(registryServiceSpec({ home: '/home/u', user: 'u', address: '10.0.0.10', port: 5000 }).health).toBe('http://10.0.0.10:5000/v2/');
  });

  it('the SAN holds each address once, IP for an address and DNS for a name', () => {
    expect(certSubjectAltName(['10.0.0.10', '203.0.113.10', '10.0.0.10', 'deployer.site', 'fd00::1'])).toBe('IP:10.0.0.10,IP:203.0.113.10,DNS:deployer.site,IP:fd00::1');
  });

  it('every node\'s runtime: https to the registry, verified, the CA beside the hosts.toml; Kubespray\'s variables say the same', () => {
    const reg = offlineRegistry(plan())!;
    expect(reg).toEqual({ address: '10.0.0.10:5000', insecure: false, local: true });
    const [self, fork] = mirrorEntries(reg, ['registry.k-paas.org']);
    expect(containerdHostsToml(fork!)).toBe('server = "https://registry.k-paas.org"\n[host."https://10.0.0.10:5000"]\n  capabilities = ["pull","resolve"]\n  skip_verify = false\n  override_path = false\n  ca = ["/etc/containerd/certs.d/10.0.0.10:5000/ca.crt"]\n');
    expect(crioRegistryConf(self!)).toBe('[[registry]]\nprefix = "10.0.0.10:5000"\ninsecure = false\nblocked = false\nlocation = "10.0.0.10:5000"\n');
    expect(crioRegistryConf(fork!)).toContain('[[registry.mirror]]\nlocation = "10.0.0.10:5000"\ninsecure = false\n');
    expect(containerdMirrorsVar([fork!])).toEqual([{ prefix: 'registry.k-paas.org', server: 'https://registry.k-paas.org', mirrors: [{ host: 'https://10.0.0.10:5000', capabilities: ['pull', 'resolve'], skip_verify: false, ca: ['/etc/containerd/certs.d/10.0.0.10:5000/ca.crt'] }] }]);
    expect(crioRegistriesVar([fork!])).toEqual([{ prefix: 'registry.k-paas.org', location: 'registry.k-paas.org', insecure: false, unqualified: false, mirrors: [{ location: '10.0.0.10:5000', insecure: false }] }]);
    // bundle.registryTls: false keeps plain HTTP, no CA.
    const plain = mirrorEntries(offlineRegistry(plan({ registryTls: false }))!, ['quay.io'])[1]!;
    expect(containerdHostsToml(plain)).toBe('server = "https://quay.io"\n[host."http://10.0.0.10:5000"]\n  capabilities = ["pull","resolve"]\n  skip_verify = true\n  override_path = false\n');
  });

  it('skopeo loads with --dest-cert-dir (the CA), never --dest-tls-verify=false', () => {
    const cmd = loadImageCommand('/s', 'a.oci.tar', '10.0.0.10:5000/k8s/pause:3.10', { insecure: false, certDir: '/home/u/cp-installer-offline/certs/10.0.0.10:5000' }, '/t');
    expect(cmd).toContain('--dest-cert-dir /home/u/cp-installer-offline/certs/10.0.0.10:5000 ');
    expect(cmd).not.toContain('tls-verify');
  });

  it('bundle.registryTls: a boolean; a warning where it means nothing (a site registry, no bundle file)', () => {
    const base = plan() as unknown as Record<string, unknown>;
    const issues = (input: unknown) => {
      const v = validatePlan(input);
      return [...v.errors.map((i) => ['error', i]), ...v.warnings.map((i) => ['warning', i])].filter(([, i]) => (i as PlanIssue).path === 'bundle.registryTls').map(([s, i]) => [s, (i as PlanIssue).key]);
    };
    expect(validatePlan({ ...base, bundle: { path: '/b', file: '/b.tar', registryTls: 'no' } }).errors.map((i) => i.path)).toContain('bundle.registryTls');
    expect(issues({ ...base, bundle: { path: '/b', file: '/b.tar', registryTls: false } })).toEqual([]);
    expect(issues({ ...base, bundle: { path: '/b', file: '/b.tar', registryTls: false }, registry: { address: 'harbor.site' } })).toEqual([['warning', 'plan.bundle.registryTls.site']]);
    expect(issues({ ...base, bundle: { path: '/b', registryTls: true } })).toEqual([['warning', 'plan.bundle.registryTls.noFile']]);
    for (const key of ['plan.bundle.registryTls.site', 'plan.bundle.registryTls.noFile', 'offline.registry-cert-failed', 'offline.step.registry-cert']) {
      for (const lang of ['en', 'ko'] as const) {
        const text = render(coreMessages, lang, msg(key, { field: 'bundle.registryTls', host: 'h', detail: 'd' }));
        expect(text, `${key} ${lang}`).not.toBe(key);
        expect(text, `${key} ${lang}`).not.toContain('{{');
      }
    }
  });

  it('parses what the certificate script prints', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(parseRegistryCert(`status: kept\nserver-sha256: ${'a'.repeat(64)}\n${pem}`)).toEqual({ status: 'kept', serverSha256: 'a'.repeat(64), ca: pem });
    expect(parseRegistryCert('status: kept\n')).toBeUndefined();
  });
});

const haveOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

describe.skipIf(!haveOpenssl)('the certificate script with the real openssl (a scratch home as the deployer\'s)', () => {
  const home = mkdtempSync(join(tmpdir(), 'cp-regcert-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const run = (addresses: string[]) => parseRegistryCert(execFileSync('sh', ['-c', registryCertScript({ registry: `${addresses[0]}:5000`, addresses, host: 'master-1' })], { cwd: home, encoding: 'utf8' }))!;
  const tls = join(home, 'cp-installer-offline', 'tls');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

  it('made once: a CA (key 0600 in a 0700 folder) and a server certificate for the addresses, signed by it; skopeo\'s copy of the CA', () => {
    const first = run(['10.0.0.10', '203.0.113.10']);
    expect(first.status).toBe('ca-made');
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    expect(statSync(join(tls, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(tls, 'server.key')).mode & 0o777).toBe(0o600);
    expect(first.ca).toBe(readFileSync(join(tls, 'ca.crt'), 'utf8'));
    expect(readFileSync(join(home, 'cp-installer-offline', 'certs', '10.0.0.10:5000', 'ca.crt'), 'utf8')).toBe(first.ca);
    expect(openssl('x509', '-in', join(tls, 'server.crt'), '-noout', '-ext', 'subjectAltName')).toContain('IP Address:10.0.0.10, IP Address:203.0.113.10');
    expect(openssl('verify', '-CAfile', join(tls, 'ca.crt'), join(tls, 'server.crt'))).toContain(': OK');
    expect(openssl('x509', '-in', join(tls, 'ca.crt'), '-noout', '-ext', 'basicConstraints')).toContain('CA:TRUE');
   }, 30_000);

  it('a rerun keeps both; a changed address issues a new server certificate under the same CA', () => {
    const ca = readFileSync(join(tls, 'ca.crt'), 'utf8');
    const server = readFileSync(join(tls, 'server.crt'), 'utf8');
    const again = run(['10.0.0.10', '203.0.113.10']);
    expect(again.status).toBe('kept');
    expect(readFileSync(join(tls, 'server.crt'), 'utf8')).toBe(server);
    const moved = run(['10.0.0.11']);
    expect(moved.status).toBe('issued');
    expect(moved.ca).toBe(ca);
    expect(readFileSync(join(tls, 'server.crt'), 'utf8')).not.toBe(server);
    expect(openssl('x509', '-in', join(tls, 'server.crt'), '-noout', '-ext', 'subjectAltName')).toContain('IP Address:10.0.0.11');
    // A damaged certificate (no longer verifying against the CA) is issued again too.
    writeFileSync(join(tls, 'server.crt'), 'not a certificate\n');
    expect(run(['10.0.0.11']).status).toBe('issued');
   }, 30_000);
});

describe('the steps and the dry run', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'cp-regtls-dry-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const dry = async (p: Plan) => {
    const mode: InstallMode = { name: 'standalone', title: msg('mode.standalone'), steps: () => offlineSteps(p, p.hosts[0]!, []).filter((s) => s.id !== 'offline-tree') };
    const r = await new InstallRun({ runId: 'dry', workdir: join(scratch, 'work'), mode, plan: p, release, options: { overrides: [] }, secrets: {}, dryRun: true }).start();
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const text = formatDryRun(r.dryRun ?? []);
    if (process.env.SHOW_DRY) console.log(text);
    return text;
  };

  it('registry-cert before the registry and the nodes; the dry run shows it, the registry\'s tls and the CA on every node', async () => {
    const steps = offlineSteps(plan(), plan().hosts[0]!, ['connect']);
    expect(steps.find((s) => s.id === 'registry')!.needs).toEqual(['bundle-unpack', 'registry-cert']);
    expect(steps.find((s) => s.id === 'node-registries')!.needs).toEqual(['connect', 'registry-cert']);
    const text = await dry(plan());
    expect(text).toMatch(/## step registry-cert\n\d+\. \[master-1\] run: set -e\numask 077\n/);
    expect(text).toContain("'subjectAltName = IP:10.0.0.10,IP:203.0.113.10'");
    expect(text.indexOf('## step registry-cert')).toBeLessThan(text.indexOf('## step registry\n'));
    expect(text).toContain('    |   tls:\n    |     certificate: "/home/ubuntu/cp-installer-offline/tls/server.crt"');
    expect(text).toMatch(/\[worker-1\] write \/etc\/containers\/certs\.d\/10\.0\.0\.10:5000\/ca\.crt mode 644 \(sudo\)/);
    expect(text).toContain("https://10.0.0.10:5000/v2/ 30 /home/ubuntu/cp-installer-offline/tls/ca.crt");
  });

  it('CRI-O nodes: the CA in containers\' certs.d only (nothing there reads /etc/containerd), the drop-ins verified', async () => {
    const p = Plan.parse({ ...plan(), cluster: { ...plan().cluster, runtime: 'crio' } });
    const text = await dry(p);
    expect(text).toMatch(/\[worker-1\] write \/etc\/containers\/certs\.d\/10\.0\.0\.10:5000\/ca\.crt mode 644 \(sudo\)/);
    expect(text).not.toContain('/etc/containerd/certs.d/10.0.0.10:5000/ca.crt mode');
    expect(text).toContain('[[registry.mirror]]\n    | location = "10.0.0.10:5000"\n    | insecure = false');
  });

  it('bundle.registryTls: false — no certificate step, plain HTTP as before', async () => {
    const p = plan({ registryTls: false });
    const steps = offlineSteps(p, p.hosts[0]!, ['connect']);
    expect(steps.map((s) => s.id)).not.toContain('registry-cert');
    expect(steps.find((s) => s.id === 'registry')!.needs).toEqual(['bundle-unpack']);
    const text = await dry(p);
    expect(text).toContain('[host."http://10.0.0.10:5000"]');
    expect(text).not.toContain('ca.crt');
    expect(text).not.toContain('tls:');
  });
});
