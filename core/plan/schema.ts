// The install plan: what to install where. Every shell reads and writes it; it never holds a secret.
// Structure lives here (zod); rules that need the whole plan (formats, CIDR overlaps) live in validate.ts,
// a mode's own (roles it needs, …) in its profile (core/modes/<mode>/profile.ts), so each can name its
// field and say what to do in both languages.
import { z } from 'zod';

export const API_VERSION = 'cp-installer/v1';
export const PLAN_KIND = 'Plan';

/** What a plan's `mode:` may say; each has its descriptor in core/modes/<mode>/ (docs/adding-a-mode.md). */
export const MODES = ['standalone', 'edge', 'expand-edge', 'caas'] as const;
export const ROLES = ['control-plane', 'worker', 'etcd', 'edge', 'deployer', 'nfs', 'lb', 'jumpbox'] as const;
export const RUNTIMES = ['crio', 'containerd'] as const;
export const AUTH_METHODS = ['password', 'key', 'agent'] as const;
export const SUDO_MODES = ['none', 'nopasswd', 'password'] as const;

export const DEFAULT_POD_CIDR = '10.233.64.0/18';
export const DEFAULT_SERVICE_CIDR = '10.233.0.0/18';
export const DEFAULT_NFS_PATH = '/home/share/nfs';

export const Mode = z.enum(MODES);
export const Role = z.enum(ROLES);

export const JumpHost = z
  .object({
    address: z.string(),
    port: z.number().int().default(22),
    user: z.string().optional(),
    /** Auth profile used to log in to the jump host; the host's own profile when absent. */
    auth: z.string().optional(),
  })
  .strict();

export const AuthProfile = z
  .object({
    name: z.string(),
    method: z.enum(AUTH_METHODS),
    /** Login user; a host's own `user` wins. */
    user: z.string().optional(),
    /** Private key file, for method `key`. */
    keyPath: z.string().optional(),
    /** The key file is encrypted: the passphrase is asked for (or taken from the OS keychain). */
    passphrase: z.boolean().default(false),
    jumpHost: JumpHost.optional(),
    sudo: z.enum(SUDO_MODES).default('nopasswd'),
  })
  .strict();

export const Host = z
  .object({
    /** Becomes the Kubernetes node name and the Ansible inventory name. */
    name: z.string(),
    /** What the installer connects to. */
    address: z.string(),
    /** What nodes use between them (Kubespray's `ip`/`access_ip`); `address` when absent. */
    privateAddress: z.string().optional(),
    port: z.number().int().default(22),
    user: z.string().optional(),
    auth: z.string().default('default'),
    roles: z.array(Role).default([]),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const Cluster = z
  .object({
    name: z.string().default('cp-cluster'),
    podCidr: z.string().default(DEFAULT_POD_CIDR),
    serviceCidr: z.string().default(DEFAULT_SERVICE_CIDR),
    runtime: z.enum(RUNTIMES).default('crio'),
    /** HA control plane: the API load balancer's VIP or domain (the scripts' LOADBALANCER_DOMAIN). */
    loadBalancerDomain: z.string().optional(),
    etcdType: z.enum(['stacked', 'external']).optional(),
    /** Kyverno with the platform's Pod Security Standards and namespace-isolation policies (INSTALL_KYVERNO). */
    kyverno: z.boolean().optional(),
  })
  .strict();

export const Network = z
  .object({
    /** MetalLB pool `primary`, as `first-last` (the scripts' METALLB_IP_RANGE). */
    metallbRange: z.string().optional(),
    /** ingress-nginx's LoadBalancer IP, outside the MetalLB range (the scripts' INGRESS_NGINX_IP). */
    ingressIp: z.string().optional(),
  })
  .strict();

export const Storage = z
  .object({
    type: z.enum(['nfs', 'rook-ceph']).default('nfs'),
    nfs: z
      .object({ server: z.string().optional(), path: z.string().default(DEFAULT_NFS_PATH) })
      .strict()
      .optional(),
  })
  .strict();

export const Portal = z
  .object({
    enabled: z.boolean().default(true),
    /** HOST_DOMAIN; `<ingress IP>.nip.io` when absent. */
    domain: z.string().optional(),
    /**
     * The platform's portal deployment archive on this machine (cp-portal-deployment-v<version>.tar.gz, a
     * download the guide's §3.1 links to); else the offline bundle's `portal/`. Without either, no portal is
     * installed and no portal URL is shown.
     */
    archive: z.string().optional(),
    tls: z
      .object({
        mode: z.enum(['auto', 'provided']).default('auto'),
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
      })
      .strict()
      .default({ mode: 'auto' }),
  })
  .strict();

export const Registry = z
  .object({
    address: z.string(),
    caFile: z.string().optional(),
    insecure: z.boolean().default(false),
    /** A site registry that needs a login for pushing: its user. The password is a secret (CP_REGISTRY_PASSWORD,
     *  a prompt or the keychain), never in the plan. */
    user: z.string().optional(),
  })
  .strict();

/**
 * Where a plan with only `bundle.file` has its bundle unpacked on this machine: beside the file, named for it
 * (`site.tar` → `site.unpacked`). The run unpacks it there before its first step (core/api/bundle.ts
 * ensureBundleUnpacked); a plain string function, so the dry run and the validator need no disk.
 */
export function derivedBundleDir(file: string): string {
  return `${file.replace(/\/+$/, '').replace(/(\.tar\.gz|\.tgz|\.tar)$/i, '')}.unpacked`;
}

export const Bundle = z
  .object({
    /**
     * The unpacked bundle on this machine (`cp-installer bundle unpack`): the tree, wheels and charts are read
     * here. Optional when `file` is given: then derivedBundleDir(file), unpacked by the run itself.
     */
    path: z.string().optional(),
    /**
     * The bundle file (`cp-installer bundle build`): uploaded to the deployer, which then serves its files repo
     * on FILES_REPO_PORT and, unless the plan names a site registry, runs a registry on LOCAL_REGISTRY_PORT
     * holding every image (core/install/offline/).
     */
    file: z.string().optional(),
    /**
     * The deployer's own registry (no site registry named) serves HTTPS with a CA made on the deployer, which
     * every node trusts (default); `false` keeps it plain HTTP, for a site that wants that.
     */
    registryTls: z.boolean().optional(),
  })
  .strict()
  // Every reader of the unpacked bundle keeps reading `path`; with neither given it is '' and the validator
  // says which field to fill (plan.bundle.fileOrPath).
  .transform((b) => ({ ...b, path: b.path ?? (b.file ? derivedBundleDir(b.file) : '') }));

export const Edge = z
  .object({
    /** Address edge nodes use to reach cloudcore (CLOUDCORE_PUBLIC_IP); the first control plane's when absent. */
    cloudcoreAddress: z.string().optional(),
    /** MetalLB address of the cloudcore service (CLOUDCORE_PRIVATE_IP). */
    cloudcorePrivateAddress: z.string().optional(),
    /** expand-edge on a cluster this installer did not make: its kubeconfig. */
    kubeconfig: z.string().optional(),
  })
  .strict();

/** IaaS whose manifests in the 2021 tree (v1.0.4 `bosh/`) deploy the BOSH middleware (HAProxy, MariaDB,
 *  private image repository); its azure/gcp/vsphere files still describe the older kubo-based CaaS. */
export const BOSH_IAAS = ['aws', 'openstack'] as const;

export const Bosh = z
  .object({
    /** The director's address (BOSH_ENVIRONMENT when no alias is given); the jump box reaches it on 25555. */
    directorAddress: z.string(),
    /** The director's CA certificate: a path on the jump box (BOSH_CA_CERT). */
    caCertFile: z.string().optional(),
    /** BOSH_CLIENT; its secret is asked for (or CP_BOSH_CLIENT_SECRET), never stored. */
    client: z.string().default('admin'),
    /** An alias made with `bosh alias-env` on the jump box, used instead of the address. */
    environment: z.string().optional(),
    /** director_name (deploy-<iaas>.sh's CONTAINER_BOSH2_NAME). */
    directorName: z.string().default('micro-bosh'),
    iaas: z.enum(BOSH_IAAS).default('aws'),
    deployment: z.string().default('paasta-container-platform'),
    /** The v1.0.4 tree's `bosh/` folder already on the jump box; else the bundle's is copied there. */
    treePath: z.string().optional(),
    /** `use-offline-releases.yml`: the release tarball from the jump box instead of its URL. */
    offlineReleases: z.boolean().default(false),
    /** `misc/first-time-deploy.yml` (update.max_in_flight 100%). */
    firstTimeDeploy: z.boolean().default(true),
    stemcell: z
      .object({ os: z.string().default('ubuntu-xenial'), version: z.string().default('621.94'), alias: z.string().default('xenial') })
      .strict()
      .default({ os: 'ubuntu-xenial', version: '621.94', alias: 'xenial' }),
    networks: z
      .object({ private: z.string().default('default'), privateNat: z.string().default('default'), public: z.string().default('vip') })
      .strict()
      .default({ private: 'default', privateNat: 'default', public: 'vip' }),
    vmTypes: z
      .object({ small: z.string().default('small'), containerSmall: z.string().default('small') })
      .strict()
      .default({ small: 'small', containerSmall: 'small' }),
    azs: z
      .object({ haproxy: z.array(z.string()).default(['z7']), mariadb: z.array(z.string()).default(['z5']), registry: z.array(z.string()).default(['z7']) })
      .strict()
      .default({ haproxy: ['z7'], mariadb: ['z5'], registry: ['z7'] }),
    /** HAProxy's static public IP on the public network (haproxy_public_url): nodes trust `<it>:5001`. */
    haproxyAddress: z.string().optional(),
    haproxyHttpPort: z.number().int().default(8080),
    mariadb: z
      .object({ port: z.number().int().default(13306), adminUser: z.string().default('cp-admin'), diskType: z.string().default('10GB') })
      .strict()
      .default({ port: 13306, adminUser: 'cp-admin', diskType: '10GB' }),
    registry: z
      .object({ port: z.number().int().default(5001), diskType: z.string().default('10GB') })
      .strict()
      .default({ port: 5001, diskType: '10GB' }),
  })
  .strict();

export const Paasta = z
  .object({
    cfApi: z.string(),
    uaaUrl: z.string(),
    systemDomain: z.string().optional(),
    /** `cf auth` user; its password is asked for (or CP_CF_ADMIN_PASSWORD). */
    cfAdminUser: z.string().default('admin'),
    /** `uaac token client get` client; its secret is asked for (or CP_UAA_ADMIN_CLIENT_SECRET). */
    uaaAdminClient: z.string().default('admin'),
    /** `cf api --skip-ssl-validation`, `uaac target --skip-ssl-validation` (the guide's self-signed setup). */
    skipSslValidation: z.boolean().default(false),
    brokerName: z.string().default('container-service-broker'),
    brokerUser: z.string().default('admin'),
    /** The worker whose NodePorts (30333, 31888, 30334, 32091) the broker, CF and UAA use; the first worker's. */
    workerAddress: z.string().optional(),
  })
  .strict();

export const Plan = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(PLAN_KIND),
    mode: Mode,
    release: z.string(),
    hosts: z.array(Host).default([]),
    auth: z.array(AuthProfile).default([]),
    cluster: Cluster.default(Cluster.parse({})),
    network: Network.default({}),
    storage: Storage.default(Storage.parse({})),
    portal: Portal.default(Portal.parse({})),
    registry: Registry.optional(),
    bundle: Bundle.optional(),
    edge: Edge.optional(),
    bosh: Bosh.optional(),
    paasta: Paasta.optional(),
  })
  .strict();

export type Mode = z.infer<typeof Mode>;
export type Role = z.infer<typeof Role>;
export type JumpHost = z.infer<typeof JumpHost>;
export type AuthProfile = z.infer<typeof AuthProfile>;
export type Host = z.infer<typeof Host>;
export type Cluster = z.infer<typeof Cluster>;
export type Plan = z.infer<typeof Plan>;
export type Bosh = z.infer<typeof Bosh>;
export type Paasta = z.infer<typeof Paasta>;
/** A plan as written in a file, before defaults are applied. */
export type PlanInput = z.input<typeof Plan>;

export function hostsWithRole(plan: Plan, role: Role): Host[] {
  return plan.hosts.filter((h) => h.roles.includes(role));
}

/** The Kubernetes nodes: control planes, workers and etcd hosts (never an edge host, the jump box or the NFS one). */
export function clusterNodes(plan: Plan): Host[] {
  return plan.hosts.filter((h) => !h.roles.includes('edge') && h.roles.some((r) => r === 'control-plane' || r === 'worker' || r === 'etcd'));
}

/** Where etcd runs: the etcd hosts when the plan names any (or uses an external etcd), else the control planes. */
export function etcdHosts(plan: Plan): Host[] {
  const named = hostsWithRole(plan, 'etcd');
  return plan.cluster.etcdType === 'external' || named.length ? named : hostsWithRole(plan, 'control-plane');
}

export function runsEtcd(plan: Plan, host: Host): boolean {
  return etcdHosts(plan).some((h) => h.name === host.name);
}

/** The address nodes use between them. */
export function innerAddress(host: Host): string {
  return host.privateAddress ?? host.address;
}

/** The auth profile a host uses, with the host's own user folded in. */
export function authFor(plan: Plan, host: Host): AuthProfile | undefined {
  return plan.auth.find((a) => a.name === host.auth);
}

export function loginUser(plan: Plan, host: Host): string {
  return host.user ?? authFor(plan, host)?.user ?? 'ubuntu';
}

/** Where the deployer serves the bundle's files (Kubespray's files_repo, `http://<deployer>:8080`). */
export const FILES_REPO_PORT = 8080;
/** Where the deployer's own registry listens when the plan names no site registry. */
export const LOCAL_REGISTRY_PORT = 5000;

/** The registry the nodes pull every image from on a site without internet. */
export interface OfflineRegistry {
  address: string;
  /** Plain HTTP (the deployer's registry with bundle.registryTls false, or a site registry marked insecure). */
  insecure: boolean;
  caFile?: string;
  /** The site registry's login for pushing (its password is the registryPassword secret). */
  user?: string;
  /** The deployer's own registry, started by the installer from the bundle (else the plan's site registry);
   *  unless insecure, its CA is made on the deployer (registry-cert) and pushed to every node. */
  local: boolean;
}

/** Whether the nodes get a CA for the registry: the site registry's caFile, or the deployer's own CA. */
export function registryHasCa(r: OfflineRegistry): boolean {
  return !r.insecure && (r.local || !!r.caFile);
}

/** The plan's site registry; else, when the plan carries a bundle file to serve, the deployer's own registry. */
export function offlineRegistry(plan: Plan): OfflineRegistry | undefined {
  if (plan.registry) return { address: plan.registry.address, insecure: plan.registry.insecure, ...(plan.registry.caFile ? { caFile: plan.registry.caFile } : {}), ...(plan.registry.user ? { user: plan.registry.user } : {}), local: false };
  const d = plan.bundle?.file ? deployerHost(plan) : undefined;
  return d ? { address: `${innerAddress(d)}:${LOCAL_REGISTRY_PORT}`, insecure: plan.bundle?.registryTls === false, local: true } : undefined;
}

/** The deployer: the host with the `deployer` role, else the first control plane (as the platform's guide does). */
export function deployerHost(plan: Plan): Host | undefined {
  return hostsWithRole(plan, 'deployer')[0] ?? hostsWithRole(plan, 'control-plane')[0];
}
