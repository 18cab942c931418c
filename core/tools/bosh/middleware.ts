// The 2021 release's BOSH middleware (HAProxy, MariaDB, private image repository) as deploy-<iaas>.sh deploys
// it from the v1.0.4 tree's `bosh/`: which manifest, vars file and ops files, and the vars file the plan
// fills. The tree's own vars file is kept as the base (its comments and every key the plan does not decide);
// the keys the plan decides are set in place and marked, and the secrets are removed from it: they reach the
// CLI through --vars-env from stdin, since a vars file given with -l would win over them. Pure.
import { parseDocument } from 'yaml';
import type { Bosh, Plan } from '../../plan/schema.js';
import type { DeploySpec } from './commands.js';

/** Where the guide puts the tree on the jump box (`~/workspace/paasta-5.5/deployment/…/bosh`). */
export const GUIDE_TREE = 'workspace/paasta-5.5/deployment/paas-ta-container-platform-deployment/bosh';
/** Where use-offline-releases.yml looks for the release: `/home/<user>/workspace/paasta-5.5.1/release/service/`. */
export const OFFLINE_RELEASE_DIR = 'workspace/paasta-5.5.1/release/service';
/** The vars file the installer writes beside the tree's own. */
export const PLAN_VARS_FILE = 'manifests/cp-installer-vars.yml';

export function manifestFile(iaas: Bosh['iaas']): string {
  return `manifests/paasta-container-service-deployment-${iaas}.yml`;
}

export function treeVarsFile(iaas: Bosh['iaas']): string {
  return `manifests/paasta-container-service-vars-${iaas}.yml`;
}

/** The ops files in the order deploy-<iaas>.sh (and the guide's offline variant) gives them. */
export function opsFiles(bosh: Bosh): string[] {
  return [
    ...(bosh.offlineReleases ? ['manifests/ops-files/use-offline-releases.yml'] : []),
    `manifests/ops-files/paasta-container-service/network-${bosh.iaas}.yml`,
    ...(bosh.firstTimeDeploy ? ['manifests/ops-files/misc/first-time-deploy.yml'] : []),
  ];
}

/** Keys of the tree's vars file that hold secrets: never written, given through --vars-env. */
export const SECRET_VARS = ['mariadb_admin_user_password', 'k8s_auth_bearer', 'credhub_admin_client_secret'] as const;
export type SecretVar = (typeof SECRET_VARS)[number];

export interface MiddlewareInputs {
  /** The Kubernetes API server the portal database is seeded with (k8s_api_server_ip). */
  apiServer: string;
  /** The jump box's login user (inception_os_user_name: use-offline-releases.yml reads /home/<it>/…). */
  jumpboxUser: string;
}

/** The values the plan decides, by the tree's variable names. */
export function planVars(plan: Plan, inputs: MiddlewareInputs): Record<string, string | number | string[]> {
  const b = plan.bosh!;
  return {
    inception_os_user_name: inputs.jumpboxUser,
    stemcell_os: b.stemcell.os,
    stemcell_version: b.stemcell.version,
    stemcell_alias: b.stemcell.alias,
    vm_type_small: b.vmTypes.small,
    vm_type_container_small: b.vmTypes.containerSmall,
    service_private_nat_networks_name: b.networks.privateNat,
    service_private_networks_name: b.networks.private,
    service_public_networks_name: b.networks.public,
    haproxy_public_url: b.haproxyAddress ?? '',
    k8s_api_server_ip: inputs.apiServer,
    haproxy_http_port: b.haproxyHttpPort,
    haproxy_azs: b.azs.haproxy,
    mariadb_port: String(b.mariadb.port),
    mariadb_azs: b.azs.mariadb,
    mariadb_persistent_disk_type: b.mariadb.diskType,
    mariadb_admin_user_id: b.mariadb.adminUser,
    private_image_repository_azs: b.azs.registry,
    private_image_repository_port: b.registry.port,
    private_image_repository_persistent_disk_type: b.registry.diskType,
  };
}

export interface RenderedVars {
  text: string;
  /** `key: old → new` or `key: (kept)` for each key the plan decides; `key: removed (secret)`. */
  changes: string[];
}

/** The tree's vars file with the plan's values set in place and the secrets taken out. */
export function renderVarsFile(treeVars: string, values: Record<string, string | number | string[]>): RenderedVars {
  const doc = parseDocument(treeVars);
  const changes: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const old = doc.get(key) as unknown;
    const oldJs = old && typeof old === 'object' && 'toJSON' in old ? (old as { toJSON(): unknown }).toJSON() : old;
    if (JSON.stringify(oldJs) === JSON.stringify(value)) {
      changes.push(`${key}: (kept)`);
      continue;
    }
    const node = doc.createNode(value);
    if (Array.isArray(value)) (node as { flow?: boolean }).flow = true;
    doc.set(key, node);
    const pair = doc.contents && 'items' in doc.contents ? (doc.contents.items as Array<{ key: { value?: unknown }; value: { comment?: string } | null }>).find((p) => p.key.value === key) : undefined;
    if (pair?.value) pair.value.comment = ' cp-installer: from the plan';
    changes.push(`${key}: ${JSON.stringify(oldJs)} → ${JSON.stringify(value)}`);
  }
  for (const key of SECRET_VARS) {
    if (doc.has(key)) {
      doc.delete(key);
      changes.push(`${key}: removed (secret, given on stdin)`);
    }
  }
  return { text: doc.toString({ lineWidth: 0 }), changes };
}

export interface DeployInputs {
  /** The tree's `bosh/` folder on the jump box. */
  treeDir: string;
  directorUuid: string;
}

/** The deploy as deploy-<iaas>.sh runs it, with the installer's vars file after the tree's. */
export function middlewareDeploy(plan: Plan, d: DeployInputs): Omit<DeploySpec, 'secretVars'> {
  const b = plan.bosh!;
  return {
    deployment: b.deployment,
    manifest: manifestFile(b.iaas),
    varsFiles: [PLAN_VARS_FILE],
    opsFiles: opsFiles(b),
    vars: { deployment_name: b.deployment, director_name: b.directorName, director_uuid: d.directorUuid },
    noRedact: false,
    cwd: d.treeDir,
  };
}
