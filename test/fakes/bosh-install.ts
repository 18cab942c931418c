// Puts the fake bosh / cf / uaac into a test host's /usr/local/bin (its `bin/` folder) and seeds the
// "director", "Cloud Controller" and "UAA" they answer from, as state under /var/lib/cp-installer/fake-*/
// (its `lib/` folder): the jump box of a CaaS run. Tests only: the product never ships these.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export interface HostDirs {
  dir: string;
}

type Tool = 'bosh' | 'cf' | 'uaa';

function stateDir(host: HostDirs, tool: Tool): string {
  return join(host.dir, 'lib', `fake-${tool}`);
}

function write(host: HostDirs, tool: Tool, state: unknown): void {
  const d = stateDir(host, tool);
  mkdirSync(d, { recursive: true });
  // The CLIs run as the login user, the state dir is made by root here.
  chmodSync(d, 0o777);
  for (const f of ['calls.log', '.lock', 'fail-next.json']) rmSync(join(d, f), { force: true });
  writeFileSync(join(d, 'state.json'), JSON.stringify(state, null, 2), { mode: 0o666 });
  chmodSync(join(d, 'state.json'), 0o666);
}

export function installBoshFakes(host: HostDirs): void {
  const bin = join(host.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const f of ['bosh', 'cf', 'uaac', 'fakebosh.py']) {
    copyFileSync(join(HERE, f), join(bin, f));
    chmodSync(join(bin, f), 0o755);
  }
}

export function removeBoshFakes(host: HostDirs): void {
  for (const f of ['bosh', 'cf', 'uaac']) rmSync(join(host.dir, 'bin', f), { force: true });
}

export interface DirectorSeed {
  address: string;
  name: string;
  uuid: string;
  client: string;
  secret: string;
  /** PEM the CLI must be given (BOSH_CA_CERT); none: any. */
  ca?: string;
  stemcells: Array<{ name: string; os: string; version: string }>;
  cloudConfig: Record<string, unknown>;
}

export function seedDirector(host: HostDirs, d: DirectorSeed): void {
  write(host, 'bosh', {
    director: { address: d.address, name: d.name, uuid: d.uuid, client: d.client, secret_sha256: sha(d.secret), ...(d.ca ? { ca: d.ca } : {}) },
    stemcells: d.stemcells,
    cloud_config: d.cloudConfig,
    deployments: {},
    task: 4770,
  });
}

export function seedCf(host: HostDirs, c: { api: string; selfSigned: boolean; admin: string; password: string }): void {
  write(host, 'cf', { api: c.api, self_signed: c.selfSigned, admin: c.admin, admin_sha256: sha(c.password), brokers: {} });
}

export function seedUaa(host: HostDirs, u: { url: string; selfSigned: boolean; adminClients: Record<string, string> }): void {
  write(host, 'uaa', { url: u.url, self_signed: u.selfSigned, admin_clients: Object.fromEntries(Object.entries(u.adminClients).map(([k, v]) => [k, sha(v)])), clients: {} });
}

export function readFake<T = Record<string, unknown>>(host: HostDirs, tool: Tool): T {
  return JSON.parse(readFileSync(join(stateDir(host, tool), 'state.json'), 'utf8')) as T;
}

/** Every argv the fake was run with (one JSON array per line). */
export function fakeCalls(host: HostDirs, tool: Tool): string[][] {
  const p = join(stateDir(host, tool), 'calls.log');
  return existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
}

/** The next `bosh deploy` fails when it updates this instance group (once). */
export function failNextDeploy(host: HostDirs, group: string): void {
  writeFileSync(join(stateDir(host, 'bosh'), 'fail-next.json'), JSON.stringify({ group }), { mode: 0o666 });
}

export { sha as sha256 };
