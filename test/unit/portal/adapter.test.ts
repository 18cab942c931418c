import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveVersion, checkPortalArchive } from '../../../core/tools/portal/archive.js';
import { helmWrapper } from '../../../core/tools/portal/commands.js';
import { PortalProgress } from '../../../core/tools/portal/progress.js';
import { parseHelmList, portalReleaseState } from '../../../core/tools/portal/releases.js';
import { parseIngresses } from '../../../core/tools/portal/ingress.js';
import { chaosMeshValues, portalHostDomain, renderPortalVars } from '../../../core/tools/portal/vars.js';
import { portalMessages } from '../../../core/tools/portal/messages.js';

const GOOD = [
  'cp-portal-deployment/',
  'cp-portal-deployment/script/',
  'cp-portal-deployment/script/cp-portal-vars.sh',
  'cp-portal-deployment/script/deploy-cp-portal.sh',
  'cp-portal-deployment/script/uninstall-cp-portal.sh',
  'cp-portal-deployment/script_mc/',
  'cp-portal-deployment/images/',
  'cp-portal-deployment/images/harbor.tar',
  'cp-portal-deployment/charts/openbao-0.12.0.tgz',
  'cp-portal-deployment/charts/mariadb-20.5.6.tgz',
  'cp-portal-deployment/charts/harbor-1.17.1.tgz',
  'cp-portal-deployment/charts/keycloak-23.0.0.tgz',
  'cp-portal-deployment/charts/chartmuseum-3.10.4.tgz',
  'cp-portal-deployment/charts/chaos-mesh-2.7.2.tgz',
  'cp-portal-deployment/charts/cp-portal-1.6.1.tgz',
  'cp-portal-deployment/values_orig/chaos-mesh.yaml',
  'cp-portal-deployment/secmg_orig/',
  'cp-portal-deployment/istio_mc/',
];

describe('portal archive check', () => {
  it('accepts the layout the guide shows and reads the version from the name', () => {
    const r = checkPortalArchive('cp-portal-deployment-v1.6.1.1.tar.gz', GOOD);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.version).toBe('1.6.1.1');
    expect(r.charts.map((c) => `${c.chart}@${c.version}`)).toContain('harbor@1.17.1');
    expect(archiveVersion('portal.tar.gz')).toBeUndefined();
  });

  it('names every missing script, folder and chart', () => {
    const r = checkPortalArchive('cp-portal-deployment-v1.6.1.1.tar.gz', GOOD.filter((e) => !/deploy-cp-portal|values_orig|keycloak/.test(e)));
    expect(r.ok).toBe(false);
    const paths = r.errors.map((e) => e.params?.path);
    expect(paths).toEqual(expect.arrayContaining(['cp-portal-deployment/values_orig/', 'cp-portal-deployment/script/deploy-cp-portal.sh', 'cp-portal-deployment/values_orig/chaos-mesh.yaml', 'cp-portal-deployment/charts/keycloak-<version>.tgz']));
  });

  it('refuses entries outside the root folder or climbing out', () => {
    expect(checkPortalArchive('cp-portal-deployment-v1.6.1.1.tar.gz', [...GOOD, 'cp-portal-deployment/../../etc/cron.d/x']).errors[0]?.key).toBe('cp-portal.archive.outside');
    expect(checkPortalArchive('cp-portal-deployment-v1.6.1.1.tar.gz', [...GOOD, 'other/file']).errors[0]?.key).toBe('cp-portal.archive.outside');
  });

  it('warns about a chart version the guide does not list and a name without a version', () => {
    const r = checkPortalArchive('portal.tgz', GOOD.map((e) => e.replace('harbor-1.17.1', 'harbor-1.16.0')));
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.key)).toEqual(['cp-portal.archive.name', 'cp-portal.archive.chartVersion']);
    expect(r.warnings[1]?.params).toMatchObject({ chart: 'harbor', found: '1.16.0', expected: '1.17.1' });
  });
});

const VARS = `# COMMON VARIABLE (Please change the value of the variables below.)
K8S_MASTER_NODE_IP="{k8s master node public ip}"                     # Kubernetes Master Node Public IP
K8S_CLUSTER_API_SERVER="https://\${K8S_MASTER_NODE_IP}:6443"          # kubernetes API Server
K8S_STORAGECLASS="cp-storageclass"                                   # Kubernetes StorageClass Name
HOST_CLUSTER_IAAS_TYPE="1"                                           # Kubernetes Cluster IaaS Type
HOST_DOMAIN="{host domain}"                                          # Host Domain (e.g. xx.xxx.xxx.xx.nip.io)

# TLS_CERT
TLS_CERT_AUTO_GENERATED="Y"
TLS_CERT_PATH=""
TLS_KEY_PATH=""
KEYCLOAK_URL="https://keycloak.\${HOST_DOMAIN}"
`;

describe('cp-portal-vars.sh', () => {
  it('sets only the guide\'s variables, in place, marked, and keeps the rest', () => {
    const { text, changes } = renderPortalVars(VARS, { masterIp: '10.0.0.11', apiServer: 'https://10.0.0.11:6443', hostDomain: '10.0.0.200.nip.io', tls: { mode: 'auto' } });
    expect(text).toContain(`K8S_MASTER_NODE_IP='10.0.0.11'   # cp-installer: was "{k8s master node public ip}"`);
    expect(text).toContain(`HOST_DOMAIN='10.0.0.200.nip.io'`);
    expect(text).toContain('HOST_CLUSTER_IAAS_TYPE="1"');
    expect(text).toContain('KEYCLOAK_URL="https://keycloak.${HOST_DOMAIN}"');
    expect(changes.find((c) => c.name === 'HOST_DOMAIN')).toEqual({ name: 'HOST_DOMAIN', old: '{host domain}', value: '10.0.0.200.nip.io' });
    // Sourced by bash, the values come out as written.
    const dir = mkdtempSync(join(tmpdir(), 'vars-'));
    writeFileSync(join(dir, 'v.sh'), text);
    const r = spawnSync('bash', ['-c', `source ${dir}/v.sh; echo "$K8S_MASTER_NODE_IP|$K8S_CLUSTER_API_SERVER|$HOST_DOMAIN|$TLS_CERT_AUTO_GENERATED|$KEYCLOAK_URL"`], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    expect(r.stdout.trim()).toBe('10.0.0.11|https://10.0.0.11:6443|10.0.0.200.nip.io|Y|https://keycloak.10.0.0.200.nip.io');
  });

  it('own certificate: TLS_CERT_AUTO_GENERATED=N with both paths; a variable the file lacks is appended', () => {
    const { text } = renderPortalVars(VARS.replace(/TLS_KEY_PATH=""\n/, ''), {
      masterIp: '10.0.0.11', apiServer: 'https://api.example.com:6443', hostDomain: 'paas.example.com',
      tls: { mode: 'provided', certPath: '/home/u/tls/my domain.crt', keyPath: '/home/u/tls/k.key' },
    });
    expect(text).toContain(`TLS_CERT_AUTO_GENERATED='N'`);
    expect(text).toContain(`TLS_CERT_PATH='/home/u/tls/my domain.crt'`);
    expect(text).toMatch(/# cp-installer: variables this archive's file did not define\nTLS_KEY_PATH='\/home\/u\/tls\/k.key'/);
  });

  it('a hostile value stays literal when sourced', () => {
    const { text } = renderPortalVars(VARS, { masterIp: '1.2.3.4', apiServer: 'https://x:6443', hostDomain: "a'$(touch /tmp/pwned)`id`", tls: { mode: 'auto' } });
    const r = spawnSync('bash', ['-c', `${text}\nprintf %s "$HOST_DOMAIN"`], { encoding: 'utf8' });
    expect(r.stdout).toBe("a'$(touch /tmp/pwned)`id`");
  });

  it('Chaos Mesh gets the cluster runtime and socket, comments kept', () => {
    const orig = '# chaos mesh\nchaosDaemon:\n  runtime: crio # change\n  socketPath: /var/run/crio/crio.sock # change\ndashboard:\n  create: true\n';
    expect(chaosMeshValues(orig, 'crio')).toEqual({ text: orig, changed: false });
    const { text, changed } = chaosMeshValues(orig, 'containerd');
    expect(changed).toBe(true);
    expect(text).toContain('runtime: containerd # change');
    expect(text).toContain('socketPath: /run/containerd/containerd.sock # change');
    expect(text).toContain('# chaos mesh');
  });

  it('HOST_DOMAIN: the plan\'s domain, else the ingress IP on nip.io with a warning and a hosts-file line', () => {
    expect(portalHostDomain({ domain: 'paas.example.com', ingressIp: '10.0.0.200' })).toMatchObject({ domain: 'paas.example.com', source: 'plan' });
    expect(portalHostDomain({ domain: 'paas.example.com' })?.warning).toBeUndefined();
    const d = portalHostDomain({ ingressIp: '10.0.0.200' })!;
    expect(d.domain).toBe('10.0.0.200.nip.io');
    expect(d.warning?.key).toBe('cp-portal.nipio');
    expect(d.hostsSnippet).toBe('10.0.0.200 portal.10.0.0.200.nip.io keycloak.10.0.0.200.nip.io harbor.10.0.0.200.nip.io openbao.10.0.0.200.nip.io chartmuseum.10.0.0.200.nip.io');
    expect(portalHostDomain({})).toBeUndefined();
  });
});

describe('deploy-cp-portal.sh progress', () => {
  it('follows components, waits and failures from the script\'s and tools\' lines', () => {
    const p = new PortalProgress();
    const lines = [
      'cp-installer: helm release openbao in openbao is already deployed: kept, not reinstalled',
      'namespace/mariadb created',
      'cp-installer: helm install mariadb (namespace mariadb)',
      'NAME: mariadb',
      'LAST DEPLOYED: Sun Dec  6 05:00:00 2026',
      'NAMESPACE: mariadb',
      'STATUS: deployed',
      'cp-installer: helm install harbor (namespace harbor)',
      'Waiting for all pods [app=harbor] in namespace [harbor]...',
      'Ready: [2/7] app=harbor',
    ];
    const updates = lines.map((l) => p.feed(l));
    expect(updates[0]).toMatchObject({ component: 'openbao', state: 'kept' });
    expect(updates[3]).toBeUndefined();
    expect(updates[6]).toMatchObject({ component: 'mariadb', state: 'installed' });
    expect(updates[9]?.detail).toBe('Harbor: installing (2/7) — waiting for pods app=harbor in harbor: 2/7 ready');
    expect(updates[9]?.fraction).toBeCloseTo(2 / 7);
    expect(p.feed('[503] Please wait a few minutes until Harbor is deployed...')?.detail).toContain("Harbor's API (HTTP 503)");
    expect(p.feed('Error: INSTALLATION FAILED: context deadline exceeded')).toMatchObject({ component: 'harbor', state: 'failed' });
    expect(p.feed('some other line')).toBeUndefined();
  });
});

describe('helm releases and ingresses', () => {
  it('finds which components are deployed, broken or missing', () => {
    const list = parseHelmList(JSON.stringify([
      { name: 'openbao', namespace: 'openbao', revision: '1', status: 'deployed', chart: 'openbao-0.12.0', app_version: '2.2.0' },
      { name: 'mariadb', namespace: 'mariadb', revision: '1', status: 'deployed', chart: 'mariadb-20.5.6' },
      { name: 'harbor', namespace: 'harbor', revision: '1', status: 'failed', chart: 'harbor-1.17.1' },
      { name: 'nfs-subdir-external-provisioner', namespace: 'default', status: 'deployed', chart: 'nfs-subdir-external-provisioner-4.0.18' },
    ]));
    expect(portalReleaseState(list)).toEqual({
      deployed: ['openbao', 'mariadb'],
      broken: [{ name: 'harbor', status: 'failed' }],
      missing: ['keycloak', 'chartmuseum', 'chaos-mesh', 'cp-portal'],
    });
    expect(parseHelmList('')).toEqual([]);
    expect(() => parseHelmList('Error: Kubernetes cluster unreachable')).toThrow(/not JSON/);
  });

  it('reads each ingress host back with its TLS secret and address', () => {
    const json = JSON.stringify({ items: [
      { metadata: { name: 'cp-portal-ingress', namespace: 'cp-portal' }, spec: { rules: [{ host: 'portal.d.nip.io' }], tls: [{ hosts: ['portal.d.nip.io'], secretName: 'cp-portal-tls' }] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.200' }] } } },
      { metadata: { name: 'plain', namespace: 'x' }, spec: { rules: [{ host: 'plain.d' }, {}] } },
    ] });
    expect(parseIngresses(json)).toEqual([
      { namespace: 'cp-portal', name: 'cp-portal-ingress', host: 'portal.d.nip.io', tls: true, secretName: 'cp-portal-tls', addresses: ['10.0.0.200'] },
      { namespace: 'x', name: 'plain', host: 'plain.d', tls: false, secretName: undefined, addresses: [] },
    ]);
  });
});

describe('helm resume wrapper', () => {
  // The wrapper run by bash against a recording helm: deployed → kept, failed → uninstalled first, new → installed.
  it('keeps a deployed release, reinstalls a failed one, passes the rest through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helmwrap-'));
    const real = join(dir, 'real-helm');
    writeFileSync(real, `#!/bin/bash\necho "$*" >> ${dir}/calls\nif [ "$1" = status ]; then case "$2" in openbao) echo '{"name":"openbao","info":{"status":"deployed"}}';; harbor) echo '{"name":"harbor","info":{"status":"failed"}}';; *) echo 'Error: release: not found' >&2; exit 1;; esac; fi\nexit 0\n`);
    chmodSync(real, 0o755);
    writeFileSync(join(dir, 'helm'), helmWrapper(real));
    chmodSync(join(dir, 'helm'), 0o755);
    const run = (...args: string[]) => spawnSync(join(dir, 'helm'), args, { encoding: 'utf8' });
    expect(run('install', '-f', '../values/openbao.yaml', 'openbao', '../charts/openbao-0.12.0.tgz', '-n', 'openbao').stdout).toContain('openbao in openbao is already deployed: kept');
    expect(run('install', '--namespace=harbor', '-f', 'v.yaml', 'harbor', 'c.tgz').stdout).toContain('harbor in harbor is failed: uninstalled, installing again');
    expect(run('install', 'keycloak', 'k.tgz', '-n', 'keycloak', '--set', 'a=b').stdout).toContain('cp-installer: helm install keycloak (namespace keycloak)');
    run('list', '-A');
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    rmSync(dir, { recursive: true });
    expect(calls).toEqual([
      'status openbao -n openbao -o json',
      'status harbor -n harbor -o json',
      'uninstall harbor -n harbor --wait',
      'install --namespace=harbor -f v.yaml harbor c.tgz',
      'status keycloak -n keycloak -o json',
      'install keycloak k.tgz -n keycloak --set a=b',
      'list -A',
    ]);
  });
});

describe('portal messages', () => {
  it('every key in both languages with the same placeholders', () => {
    expect(Object.keys(portalMessages.ko).sort()).toEqual(Object.keys(portalMessages.en).sort());
    for (const k of Object.keys(portalMessages.en)) {
      const ph = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(ph(portalMessages.ko[k]!), k).toEqual(ph(portalMessages.en[k]!));
    }
  });
});
