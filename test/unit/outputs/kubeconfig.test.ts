import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  apiServerUrl,
  kubeconfigNames,
  kubeconfigSummary,
  mergeKubeconfig,
  rewriteAdminConf,
  userKubeconfig,
  writeKubeconfig,
} from '../../../core/outputs/kubeconfig.js';
import { haExternalEtcd, singleMaster } from '../kubespray/plans.js';

// admin.conf as the fixture tree's template writes it (kubeadm's shape), with the fixture's certificates.
const files = new URL('../../fixtures/kubespray/roles/kubernetes/control-plane/files/', import.meta.url);
const b64 = (name: string) => readFileSync(new URL(name, files)).toString('base64');
const ADMIN_CONF = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64('ca.crt')}
    server: https://127.0.0.1:6443
  name: cluster.local
contexts:
- context:
    cluster: cluster.local
    user: kubernetes-admin
  name: kubernetes-admin@cluster.local
current-context: kubernetes-admin@cluster.local
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${b64('admin.crt')}
    client-key-data: ${b64('admin.key')}
`;

type Kc = {
  clusters: Array<{ name: string; cluster: Record<string, string> }>;
  users: Array<{ name: string; user: Record<string, string> }>;
  contexts: Array<{ name: string; context: Record<string, string> }>;
  'current-context'?: string;
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('apiServerUrl', () => {
  it("is master 1's address, or the HA load balancer's", () => {
    expect(apiServerUrl(singleMaster())).toBe('https://203.0.113.10:6443');
    expect(apiServerUrl(haExternalEtcd())).toBe('https://k8s-api.example.internal:6443');
  });
});

describe('rewriteAdminConf', () => {
  it('points at the user-facing server and names everything after the cluster; certificates untouched', () => {
    const plan = singleMaster();
    const out = parse(userKubeconfig(plan, ADMIN_CONF)) as Kc;
    const orig = parse(ADMIN_CONF) as Kc;
    expect(kubeconfigNames(plan)).toEqual({ cluster: 'cp-cluster', user: 'cp-cluster-admin', context: 'cp-cluster' });
    expect(out.clusters).toEqual([
      { name: 'cp-cluster', cluster: { 'certificate-authority-data': orig.clusters[0]!.cluster['certificate-authority-data'], server: 'https://203.0.113.10:6443' } },
    ]);
    expect(out.users).toEqual([{ name: 'cp-cluster-admin', user: orig.users[0]!.user }]);
    expect(out.contexts).toEqual([{ name: 'cp-cluster', context: { cluster: 'cp-cluster', user: 'cp-cluster-admin' } }]);
    expect(out['current-context']).toBe('cp-cluster');
  });

  it('refuses something that is not an admin.conf', () => {
    expect(() => rewriteAdminConf('clusters: []\nusers: []\n', { server: 'https://x:6443', names: { cluster: 'a', user: 'b', context: 'c' } })).toThrow(
      /one cluster and one user/,
    );
  });
});

describe('mergeKubeconfig', () => {
  const existing = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other:6443
- name: cp-cluster
  cluster:
    server: https://old-address:6443
users:
- name: other-user
  user:
    token: abc
contexts:
- name: other
  context:
    cluster: other
    user: other-user
current-context: other
`;

  it('adds and replaces only our entries, keeps the others, the comment and the current context', () => {
    const incoming = userKubeconfig(singleMaster(), ADMIN_CONF);
    const merged = mergeKubeconfig(existing, incoming);
    expect(merged.startsWith('# my clusters\n')).toBe(true);
    const s = kubeconfigSummary(merged);
    expect(s.clusters).toEqual([
      { name: 'other', server: 'https://other:6443' },
      { name: 'cp-cluster', server: 'https://203.0.113.10:6443' },
    ]);
    expect(s.contexts).toEqual(['other', 'cp-cluster']);
    expect(s.current).toBe('other');
    const kc = parse(merged) as Kc;
    expect(kc.users.map((u) => u.name)).toEqual(['other-user', 'cp-cluster-admin']);
    expect(kc.users[0]!.user).toEqual({ token: 'abc' });
    // merging twice changes nothing more
    expect(mergeKubeconfig(merged, incoming)).toBe(merged);
  });

  it('makes ours current when asked, or when there was none; an empty file becomes ours', () => {
    const incoming = userKubeconfig(singleMaster(), ADMIN_CONF);
    expect(kubeconfigSummary(mergeKubeconfig(existing, incoming, { makeCurrent: true })).current).toBe('cp-cluster');
    expect(kubeconfigSummary(mergeKubeconfig(existing.replace('current-context: other\n', ''), incoming)).current).toBe('cp-cluster');
    expect(mergeKubeconfig(undefined, incoming)).toBe(incoming);
    expect(mergeKubeconfig('', incoming)).toBe(incoming);
  });
});

describe('writeKubeconfig', () => {
  it('writes 0600, also over a file that was readable by others, whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-kc-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'config');
    const old = process.umask(0);
    try {
      await writeKubeconfig(path, 'a: 1\n');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
      writeFileSync(path, 'old');
      chmodSync(path, 0o644);
      await writeKubeconfig(path, 'b: 2\n');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe('b: 2\n');
    } finally {
      process.umask(old);
    }
  });
});
