// The install plan: what to install where. Every shell reads and writes it; it never holds a secret.
// Structure lives here (zod); rules that need the whole plan (formats, CIDR overlaps) live in validate.ts,
// a mode's own (roles it needs, …) in its profile (core/modes/<mode>/profile.ts), so each can name its
// field and say what to do in both languages.
import { z } from 'zod';

export const API_VERSION = 'cp-installer/v1';
export const PLAN_KIND = 'Plan';

/** What a plan's `mode:` may say; each has its descriptor in core/modes/<mode>/ (docs/adding-a-mode.md). */
export const MODES = ['standalone', 'edge', 'expand-edge', 'caas'] as const;
export const ROLES = ['control-plane', 'worker', 'etcd', 'edge', 'deployer', 'nfs', 'lb'] as const;
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
  })
  .strict();

export const Bundle = z.object({ path: z.string() }).strict();

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

export const Bosh = z
  .object({
    directorAddress: z.string(),
    caCertFile: z.string().optional(),
    client: z.string().default('admin'),
    environment: z.string().optional(),
  })
  .strict();

export const Paasta = z
  .object({
    cfApi: z.string(),
    uaaUrl: z.string(),
    systemDomain: z.string().optional(),
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
/** A plan as written in a file, before defaults are applied. */
export type PlanInput = z.input<typeof Plan>;

export function hostsWithRole(plan: Plan, role: Role): Host[] {
  return plan.hosts.filter((h) => h.roles.includes(role));
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

/** The deployer: the host with the `deployer` role, else the first control plane (as the platform's guide does). */
export function deployerHost(plan: Plan): Host | undefined {
  return hostsWithRole(plan, 'deployer')[0] ?? hostsWithRole(plan, 'control-plane')[0];
}
