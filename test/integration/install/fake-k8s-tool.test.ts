// The fake kubectl/helm of the install tests refuses what the real tools refuse, so a green run means the
// real tools would have accepted the same calls: run here on this machine (FAKE_TOOLS_ROOT) with a tiny cluster.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChart } from './fixture-bundle.js';

const FAKE = fileURLToPath(new URL('./fakes/fake-k8s-tool', import.meta.url));
const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!python)('strict fake kubectl and helm', () => {
  let root: string;
  const conf = () => join(root, 'etc/kubernetes/admin.conf');
  const run = (tool: 'kubectl' | 'helm', ...args: string[]) => {
    const r = spawnSync(join(root, 'bin', tool), args, { encoding: 'utf8', env: { ...process.env, FAKE_TOOLS_ROOT: root }, cwd: root });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const k = (...args: string[]) => run('kubectl', '--kubeconfig', conf(), ...args);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cp-fake-k8s-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'etc/kubernetes'), { recursive: true });
    for (const t of ['kubectl', 'helm']) symlinkSync(FAKE, join(root, 'bin', t));
    writeFileSync(conf(), 'apiVersion: v1\n');
    writeFileSync(join(root, 'etc/kubernetes/fixture-cluster.json'), JSON.stringify({ nodes: ['m1'], controlPlanes: ['m1'], kubeVersion: 'v1.32.5' }));
    writeFileSync(
      join(root, 'ingress.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ingress-nginx}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\nspec: {type: LoadBalancer}\n',
    );
    writeFileSync(join(root, 'orphan.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nowhere}\n');
    writeChart(join(root, 'charts'), 'nfs-subdir-external-provisioner', '4.0.18');
    writeFileSync(join(root, 'values.yaml'), 'nfs: {server: 10.0.0.9}\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('kubectl: patching a Service nobody created is NotFound; after the manifest is applied it is patched and kept', () => {
    const patch = () => k('-n', 'ingress-nginx', 'patch', 'svc', 'ingress-nginx-controller', '-p', '{"spec":{"loadBalancerIP":"10.0.0.120"}}');
    expect(patch()).toMatchObject({ code: 1, err: expect.stringContaining('namespaces "ingress-nginx" not found') });
    expect(k('apply', '-f', join(root, 'ingress.yaml')).code).toBe(0);
    expect(patch()).toMatchObject({ code: 0 });
    expect(k('-n', 'ingress-nginx', 'get', 'svc', 'ingress-nginx-controller', '-o', 'jsonpath={.spec.loadBalancerIP}').out).toBe('10.0.0.120');
    expect(k('-n', 'ingress-nginx', 'patch', 'svc', 'other', '-p', '{}')).toMatchObject({ code: 1, err: expect.stringContaining('services "other" not found') });
  });

  it('kubectl: an unknown flag, a missing file, a missing namespace, an unknown deployment are refused', () => {
    expect(k('get', 'nodes', '--bogus')).toMatchObject({ code: 1, err: expect.stringContaining('unknown flag: --bogus') });
    expect(k('apply', '-f', join(root, 'nope.yaml'))).toMatchObject({ code: 1, err: expect.stringContaining('does not exist') });
    expect(k('apply', '-f', join(root, 'orphan.yaml'))).toMatchObject({ code: 1, err: expect.stringContaining('namespaces "nowhere" not found') });
    expect(k('-n', 'kube-system', 'rollout', 'status', 'deployment/none')).toMatchObject({ code: 1, err: expect.stringContaining('not found') });
    // No --kubeconfig, no KUBECONFIG, no ~/.kube/config: the real kubectl falls back to localhost:8080.
    expect(spawnSync(join(root, 'bin', 'kubectl'), ['get', 'nodes'], { encoding: 'utf8', env: { ...process.env, FAKE_TOOLS_ROOT: root, HOME: root, KUBECONFIG: '' } }).stderr).toContain('localhost:8080 was refused');
    expect(run('kubectl', 'get', 'nodes', '--kubeconfig', join(root, 'none.conf'))).toMatchObject({ code: 1, err: expect.stringContaining('no such file') });
  });

  it('helm: a chart from a repository (no network) or one that is not there is refused; a chart archive is installed', () => {
    const base = ['upgrade', '--install', 'nfs', '--kubeconfig', conf(), '--namespace', 'default', '--version', '4.0.18', '--values', join(root, 'values.yaml')];
    expect(run('helm', ...base.slice(0, 3), 'nfs-subdir-external-provisioner', '--repo', 'https://example.invalid/', ...base.slice(3))).toMatchObject({
      code: 1,
      err: expect.stringContaining('is not a valid chart repository or cannot be reached'),
    });
    expect(run('helm', ...base.slice(0, 3), join(root, 'charts', 'missing.tgz'), ...base.slice(3))).toMatchObject({ code: 1, err: expect.stringContaining('not found') });
    const chart = join(root, 'charts', 'nfs-subdir-external-provisioner-4.0.18.tgz');
    expect(run('helm', ...base.slice(0, 3), chart, ...base.slice(3, 7), '--version', '9.9.9')).toMatchObject({ code: 1, err: expect.stringContaining('version "9.9.9" not found') });
    expect(run('helm', 'status', 'nfs', '--kubeconfig', conf(), '--namespace', 'default').code).toBe(1);
    expect(run('helm', ...base.slice(0, 3), chart, ...base.slice(3)).code).toBe(0);
    expect(run('helm', 'status', 'nfs', '--kubeconfig', conf(), '--namespace', 'default').code).toBe(0);
    expect(run('helm', ...base.slice(0, 3), chart, '--kubeconfig', conf(), '--namespace', 'nfs', '--values', join(root, 'values.yaml'))).toMatchObject({
      code: 1,
      err: expect.stringContaining('namespaces "nfs" not found'),
    });
    expect(run('helm', 'upgrade', '--install', 'x', chart, '--kubeconfig', conf(), '--wat')).toMatchObject({ code: 1, err: expect.stringContaining('unknown flag: --wat') });
  });
});
