// What a mode is, as plain data the lower layers read: the roles it takes, the plan rules of its own, which
// preflight checks apply, what the wizard shows, what it hands over at the end. One per mode, in
// core/modes/<mode>/profile.ts, listed in core/modes/profiles.ts.
//
// Layering: core/plan (validation) and core/preflight (checks) read profiles, and they may import nothing
// above them. So a profile imports only core/common and *types* of core/plan — never a value, never the
// mode's steps (those are in core/modes/<mode>/index.ts, one layer up). eslint.config.js enforces it.
import type { Catalogs, Message } from '../common/messages.js';
import type { PlanIssue } from '../plan/issues.js';
import type { Mode, Plan, Role } from '../plan/schema.js';

/**
 * Parts of the wizard's Settings screen; a mode lists the ones that apply to it. podNetwork: pod and service
 * CIDRs; clusterLayout: the API load balancer and where etcd runs; loadBalancer: MetalLB's range and the
 * ingress IP; edge: cloudcore's addresses; edgeKubeconfig: the existing cluster's kubeconfig.
 */
export type SettingsSection =
  | 'podNetwork'
  | 'clusterLayout'
  | 'loadBalancer'
  | 'storage'
  | 'portal'
  | 'registry'
  | 'bundle'
  | 'edge'
  | 'edgeKubeconfig'
  | 'bosh'
  | 'paasta';

/** Which preflight checks apply, by what the mode does to the hosts. */
export interface PreflightProfile {
  /** The plan's cluster hosts become new Kubernetes nodes (false: the cluster exists; only edge work touches it). */
  newClusterNodes: boolean;
  /** Ansible (Kubespray) drives the cluster nodes from the deployer: python3 on them, the deployer checked. */
  ansible: boolean;
  /** The installer runs kubeadm itself on the control plane: kubeadm's own tools must be there. */
  kubeadm: boolean;
}

export interface WizardProfile {
  title: Message;
  description: Message;
  /** A glyph for the mode card. */
  icon: string;
  sections: SettingsSection[];
  /** Said above the Hosts table (e.g. "the control plane is the existing one"). */
  hostsHint?: Message;
}

export interface ModeProfile {
  name: Mode;
  /** How Kubernetes itself comes to be. */
  cluster: 'kubespray' | 'kubeadm' | 'existing';
  /**
   * KubeEdge runs: the release needs a KubeEdge version that fits its Kubernetes, edge hosts get the edge
   * checks (runtime, no kubelet, no edgecore, keadm present), the first control plane cloudcore's ports, and
   * edge hosts must reach cloudcore.
   */
  kubeedge: boolean;
  /**
   * Set while the engine cannot install the mode: the wizard's card shows `card` (why, and what to do
   * instead) and `apply` refuses the plan with `apply` before touching a host (exit 2); without `apply`, only
   * the wizard cannot offer it yet (the command line installs it).
   */
  notYet?: { card: Message; apply?: Message };
  /** BOSH middleware deployed from a jump box (the 2021 release's HAProxy, MariaDB and image repository). */
  bosh?: boolean;
  /** Roles a host may have in this mode (others are ignored with a warning). */
  roles: readonly Role[];
  /** This mode's own plan rules (the shared ones are in core/plan/validate.ts): issues with field paths. */
  rules(plan: Plan): PlanIssue[];
  preflight: PreflightProfile;
  wizard: WizardProfile;
  /** What a finished run hands over (the Done screen and the CLI show these). */
  outputs: ReadonlyArray<'kubeconfig' | 'endpoints' | 'report'>;
  /** This mode's own messages (wizard text, its plan rules), en and ko. */
  messages: Catalogs;
}

/** A plan issue of a mode's rules. */
export function planIssue(severity: PlanIssue['severity'], path: string, key: string, params?: PlanIssue['params']): PlanIssue {
  return params ? { severity, path, key, params } : { severity, path, key };
}

/** Hosts of a role, for rules (schema's helper is a value import the plan layer's cycle would not like). */
export function countRole(plan: Plan, role: Role): number {
  return plan.hosts.filter((h) => h.roles.includes(role)).length;
}
