// A test host made ready for the portal step, shared by the uninstall test and the wizard's end-to-end run:
// the strict helm/kubectl fakes (test/fakes/portal-k8s) as /usr/local/bin tools with their state, the
// cluster's admin.conf, a second address on the host as the ingress IP (MetalLB would announce it), and
// the HTTPS stand-in for ingress-nginx there (test/fakes/portal-ingress.mjs) serving each Ingress.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestHosts } from '../../hosts/harness.js';

const FAKES = fileURLToPath(new URL('../../fakes', import.meta.url));

/** Why the portal's fakes cannot run here, or undefined. */
export function portalToolsMissing(): string | undefined {
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed (the fixture archive makes its certificate with it)';
  if (spawnSync('python3', ['-c', 'import yaml']).status !== 0) return 'python3 with PyYAML is not installed (the helm/kubectl fakes need it)';
  return undefined;
}

export interface FakePortalState {
  namespaces: string[];
  releases: Record<string, { status: string }>;
  secrets: Record<string, { data: Record<string, string> }>;
  ingresses: Array<{ metadata: { name: string; namespace: string } }>;
}

export interface PortalHost {
  ingressIp: string;
  /** The fakes' folder on this machine (state.json, calls.log). */
  lib: string;
  state(): FakePortalState;
  /** Every call the fakes got, as argv arrays (`["helm","install",…]`). */
  calls(): string[][];
  adminPassword(): string;
  stop(): void;
}

export async function preparePortalHost(hosts: TestHosts, i = 0, o: { ingressLast?: number } = {}): Promise<PortalHost> {
  const h = hosts.hosts[i]!;
  for (const tool of ['kubectl', 'helm']) {
    copyFileSync(join(FAKES, 'portal-k8s'), join(h.dir, 'bin', tool));
    chmodSync(join(h.dir, 'bin', tool), 0o755);
  }
  writeFileSync(
    join(h.dir, 'kube', 'admin.conf'),
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${h.address}:6443\n  name: cluster.local\ncontexts:\n- context:\n    cluster: cluster.local\n    user: kubernetes-admin\n  name: kubernetes-admin@cluster.local\ncurrent-context: kubernetes-admin@cluster.local\nusers:\n- name: kubernetes-admin\n  user:\n    token: fixture\n`,
    { mode: 0o600 },
  );
  const ingressIp = h.address.replace(/\.\d+$/, `.${o.ingressLast ?? 200}`);
  const dev = (await hosts.exec(i, `ip -o -4 addr show | awk '$4 ~ /^${h.address.replace(/\./g, '\\.')}\\// {print $2}'`)).stdout.trim();
  const added = await hosts.exec(i, `ip addr add ${ingressIp}/24 dev ${dev}`);
  if (added.code !== 0) throw new Error(`ip addr add: ${added.stderr}`);
  const lib = join(h.dir, 'lib', 'fake-portal');
  mkdirSync(lib, { recursive: true });
  writeFileSync(
    join(lib, 'state.json'),
    JSON.stringify({ namespaces: ['default', 'kube-system', 'kube-public', 'ingress-nginx'], storageClasses: ['cp-storageclass'], releases: {}, secrets: {}, ingresses: [], pods: [], ingressIp }),
  );
  const server: ChildProcess = spawn('nsenter', ['-t', String(h.sshdPid), '-m', '-u', '-n', '--', process.execPath, join(FAKES, 'portal-ingress.mjs'), '/var/lib/cp-installer/fake-portal/state.json', ingressIp], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the ingress stand-in did not start')), 15_000);
    server.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(t);
        resolve();
      }
    });
    server.once('exit', (c) => reject(new Error(`the ingress stand-in exited (${c})`)));
  });
  const state = () => JSON.parse(readFileSync(join(lib, 'state.json'), 'utf8')) as FakePortalState;
  return {
    ingressIp,
    lib,
    state,
    calls: () =>
      readFileSync(join(lib, 'calls.log'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    adminPassword: () => Buffer.from(state().secrets['cp-portal/cp-portal-secret']!.data.KEYCLOAK_ADMIN_PASSWORD!, 'base64').toString('utf8'),
    stop() {
      if (server.pid && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
    },
  };
}
