// Where the platform's own roles after Kubespray (cp-deployment v1.6.2 `standalone/roles/cp/*`, the plays at
// the end of its playbooks/cluster.yml) read the tree's files, by host. Read from the tree's tasks:
// - cp/ingress-nginx, cp/storage, cp/kyverno run on kube_control_plane[0] and hand `kubectl`/`helm` a path
//   `{{ home_dir_path.stdout }}/cp-deployment/applications/...`, where home_dir_path is `echo $HOME` of the
//   login user on master 1 (become: false): the files must be on master 1, in its login user's home.
// - cp/istio and cp/opentofu run on every control plane and `copy: src:` a binary from the Ansible controller
//   (the deployer) at `<that node's $HOME>/cp-deployment/...`: the deployer's tree must be found at each control
//   plane's home path, i.e. the homes must be the same path.
// - cp/cve_cce/amd64 copies `lookup('env','HOME')/cp-deployment/security.bin`: the deployer's own home.
// - cp/kube_config, cp/nfs, cp/podman, cp/csr read nothing of the tree; cp/controller only with CSP_TYPE set
//   (NHN Cloud), which the installer never sets.
// The platform's guide runs its script on master 1, so all of this holds there by itself; with a separate
// deployer the run must carry master 1's files over and check the homes.
import type { Plan } from '../../plan/schema.js';

/** Marks a ~/cp-deployment the installer placed (and filled) for one cluster: the cluster's name inside. */
export const TREE_OWNER_FILE = '.cp-installer-cluster';

/** The `applications/` folders (globs, relative to cp-deployment) the roles run on master 1 read there. */
export function masterOneApplications(plan: Plan): string[] {
  const out = ['applications/ingress-nginx-*'];
  if (plan.storage.type === 'nfs') out.push('applications/nfs-subdir-external-provisioner-*');
  if (plan.storage.type === 'rook-ceph') out.push('applications/rook-*');
  if (plan.cluster.kyverno) out.push('applications/kyverno-*');
  return out;
}

/** Control planes whose login home differs from the deployer's: cp/istio's and cp/opentofu's `copy` would look
 *  on the deployer under a home that is not where the tree is. `homes` maps host name to its login home. */
export function homesOffTree(deployerHome: string, homes: Array<{ host: string; home: string }>): Array<{ host: string; home: string }> {
  return homes.filter((h) => h.home !== deployerHome);
}
