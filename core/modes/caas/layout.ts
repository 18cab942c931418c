// Where the CaaS run finds its inputs (the offline bundle on the installer's machine) and puts them (the jump
// box and the first control plane), as the 2021 guides lay them out.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostsWithRole, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { GUIDE_TREE } from '../../tools/bosh/middleware.js';

/** The installer's folder on the jump box (relative to the login's home): CF_HOME and uaac's HOME live here. */
export function jumpboxWorkspace(plan: Plan): string {
  return `.cp-installer/${plan.cluster.name}/caas`;
}

/** The v1.0.4 tree's `bosh/` on the jump box: the plan's, else the guide's place. */
export function jumpboxTree(plan: Plan): string {
  return plan.bosh?.treePath ?? GUIDE_TREE;
}

/** Where the guide (3.2) unpacks container-service-image-1.1.tar on the master. */
export const MASTER_CONTAINER_SERVICE = 'workspace/paasta-5.5/container-service';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The bundle's copy of the v1.0.4 tree's `bosh/` folder. */
export function bundleBoshTree(bundle: string): string | undefined {
  for (const p of [join(bundle, 'paas-ta-container-platform-deployment', 'bosh'), join(bundle, 'bosh')]) {
    if (existsSync(join(p, 'manifests'))) return p;
  }
  return undefined;
}

/** The bundle's container-service folder (container-service-image-1.1.tar unpacked: images, YAML, scripts). */
export function bundleContainerService(bundle: string): string | undefined {
  const p = join(bundle, 'container-service');
  return existsSync(join(p, 'service-script')) ? p : undefined;
}

/** The release tarball use-offline-releases.yml wants (`<name>-<version>.tgz`), from the bundle's release/. */
export function bundleRelease(bundle: string, file: string): string | undefined {
  for (const p of [join(bundle, 'release', 'service', file), join(bundle, 'release', file), join(bundle, file)]) if (existsSync(p)) return p;
  return undefined;
}

/** Stemcell tarballs in the bundle (`stemcells/*.tgz`). */
export function bundleStemcells(bundle: string): string[] {
  const dir = join(bundle, 'stemcells');
  return isDir(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort().map((f) => join(dir, f)) : [];
}

export function jumpboxHost(plan: Plan): Host | undefined {
  return hostsWithRole(plan, 'jumpbox')[0];
}

/** The worker whose NodePorts CF, UAA and the broker use (K8S_WORKER_NODE_IP). */
export function brokerWorker(plan: Plan): { address: string; host?: Host } {
  const worker = hostsWithRole(plan, 'worker')[0];
  if (plan.paasta?.workerAddress) {
    const host = plan.hosts.find((h) => h.address === plan.paasta!.workerAddress || h.privateAddress === plan.paasta!.workerAddress);
    return { address: plan.paasta.workerAddress, ...(host ? { host } : {}) };
  }
  return worker ? { address: worker.address, host: worker } : { address: '' };
}

export function masterAddress(host: Host): string {
  return innerAddress(host);
}

/** The container-service NodePorts (guide 3.3.2): api, broker, common-api, dashboard. */
export const CONTAINER_SERVICE_PORTS = { api: 30333, broker: 31888, commonApi: 30334, dashboard: 32091 } as const;

export const SERVICE_OFFERING = 'container-service';
