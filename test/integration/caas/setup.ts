// What the CaaS tests on test hosts set up alike (test/integration/caas/*.test.ts, test/e2e/caas.test.ts): the
// jump box with the strict fake bosh, cf and uaac and the director, Cloud Controller and UAA they answer from;
// the offline bundle with the REAL v1.0.4 tree and the container service's stand-in scripts; the master's
// strict fake kubectl over a seeded cluster of the release's Kubernetes (the admin token is made there).
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRelease } from '../../../core/plan/catalog.js';
import { installBoshFakes, seedCf, seedDirector, seedUaa, sha256, type DirectorSeed } from '../../fakes/bosh-install.js';
import { installFakes, seedExistingCluster } from '../../fakes/install.js';
import { writeContainerService } from './container-service.js';

export const UPSTREAM = '/work/shared/upstream/paas-ta-container-platform-deployment-v1.0.4';
export const DIRECTOR_CA = '-----BEGIN CERTIFICATE-----\nMIIBfakeDirectorCA\n-----END CERTIFICATE-----\n';
/** Where the jump box keeps the director's CA (bosh.caCertFile), under the login's home. */
export const CA_FILE = 'director.crt';
export const DIRECTOR = { address: '10.250.77.6', name: 'micro-bosh', uuid: '0d3c1f2e-fake-director', client: 'admin' } as const;
export const PAASTA = { cfApi: 'https://api.sys.test.nip.io', uaaUrl: 'https://uaa.sys.test.nip.io', systemDomain: 'sys.test.nip.io' } as const;

/** The secrets a caas run takes (the wizard's six; the bearer token is made by the run). */
export interface CaasSecrets {
  boshClientSecret: string;
  mariadbPassword: string;
  cfAdminPassword: string;
  uaaAdminClientSecret: string;
  brokerPassword: string;
  caasClientSecret: string;
}

/**
 * The director's cloud-config: the plan's default networks, VM and disk types, AZs. `privateRange` /
 * `publicRange` (a /24) decide the addresses the fake director gives the VMs (its `default` network hands out
 * .101, .102, … in order: HAProxy's private address, MariaDB, the registry).
 */
export function cloudConfig(o: { privateRange?: string; publicRange?: string } = {}): Record<string, unknown> {
  const priv = o.privateRange ?? '10.250.78.0/24';
  return {
    azs: [{ name: 'z5' }, { name: 'z7' }],
    vm_types: [{ name: 'small' }],
    disk_types: [{ name: '10GB', disk_size: 10240 }],
    networks: [
      { name: 'default', type: 'manual', subnets: [{ range: priv, gateway: priv.replace(/\.0\/24$/, '.1'), azs: ['z5', 'z7'] }] },
      { name: 'vip', type: 'vip', subnets: [{ range: o.publicRange ?? '10.250.77.0/24' }] },
    ],
  };
}

/** The director seed of a ready site: the plan's stemcell and a cloud-config with its networks. */
export function directorSeed(secret: string, over: Partial<DirectorSeed> = {}): DirectorSeed {
  return {
    ...DIRECTOR,
    secret,
    ca: DIRECTOR_CA,
    stemcells: [{ name: 'bosh-aws-xen-hvm-ubuntu-xenial-go_agent', os: 'ubuntu-xenial', version: '621.94' }],
    cloudConfig: cloudConfig(),
    ...over,
  };
}

export interface JumpHost {
  dir: string;
}

/** The fake CLIs in the jump box's /usr/local/bin and the director's CA in the login's home. */
export function installJumpbox(jump: JumpHost): void {
  installBoshFakes(jump);
  writeFileSync(join(jump.dir, 'home', CA_FILE), DIRECTOR_CA, { mode: 0o644 });
}

/** A ready site, from scratch: the director (its state reset), CF with its admin, UAA with its admin client. */
export function seedSite(jump: JumpHost, s: Pick<CaasSecrets, 'boshClientSecret' | 'cfAdminPassword' | 'uaaAdminClientSecret'>, over: { director?: Partial<DirectorSeed>; cfPassword?: string } = {}): void {
  seedDirector(jump, directorSeed(s.boshClientSecret, over.director));
  seedCf(jump, { api: PAASTA.cfApi, selfSigned: true, admin: 'admin', password: over.cfPassword ?? s.cfAdminPassword });
  seedUaa(jump, { url: PAASTA.uaaUrl, selfSigned: true, adminClients: { admin: s.uaaAdminClientSecret } });
}

/** The bundle's BOSH part: the real v1.0.4 tree (bosh/) and the container-service stand-in whose broker wants this password. */
export function writeCaasBundle(bundle: string, brokerPassword: string): string {
  mkdirSync(bundle, { recursive: true });
  const tree = join(bundle, 'paas-ta-container-platform-deployment');
  if (!existsSync(tree)) symlinkSync(UPSTREAM, tree);
  writeContainerService(bundle, sha256(brokerPassword));
  return bundle;
}

export interface MasterHost {
  dir: string;
  name: string;
  address: string;
}

/** The master's strict fake kubectl over a Kubespray-made cluster of the release (the admin token is made there). */
export function seedMasterCluster(master: MasterHost, roles: string[] = ['control-plane', 'worker']): void {
  const release = findRelease('paasta-v1.0')!;
  installFakes(master, { kubernetes: release.kubernetes, kubeedge: release.kubeedge?.version ?? '1.4.0' });
  seedExistingCluster(master, release.kubernetes, [{ name: master.name, ip: master.address, roles }]);
}
