// The offline bundle the happy-path install tests (the wizard's e2e and the CLI's) install from: the real
// K-PaaS v1.6.2 tree (../shared/upstream), so the product runs that tree's own playbooks/cluster.yml with its
// own roles/cp/* plays, its boilerplate (validate_inventory) and kubespray_defaults. What cannot run here is
// changed in the bundle's copy only, each change listed in TEST-STANDIN.md at the copy's root and here:
//
// - Kubespray's own node-level plays (facts.yml's bootstrap_os, etcd, kubelet, the control plane, kubeadm,
//   Calico, the Kubernetes apps, resolv.conf) need a real kernel, containerd and kubelet. One test-only play
//   stands in for them (real-tree-standin/, README there): it leaves what they leave that later plays and
//   steps read (/etc/kubernetes/admin.conf with real certificates, kubelet.conf, root's ~/.kube/config, and the
//   cluster the strict fake kubectl/helm on master 1 answer for).
// - The version gate (playbooks/ansible_version.yml) wants ansible-core 2.16.4 to 2.17; Debian 12 has 2.14 and
//   PyPI is not reachable here, so the installer's own virtualenv install cannot run. The minimum is lowered
//   to 2.14.0 (the installer reads it there too, and then uses Debian's ansible-playbook). Its netaddr and
//   Jinja checks stay.
// - LEFT_OUT below: cp/* plays whose work cannot happen on a test host; each becomes a play of one debug task
//   naming why, on the same hosts, so the log says it.
// - STANDIN_BINARIES: binaries the snapshot does not hold (its README); cp/istio and cp/opentofu copy them
//   to /usr/bin, which is an overlay of master 1's own (prepareRealTreeHost), as the real roles do.
// Nothing in the product knows about any of this: it sees a bundle with a cp-deployment/ tree.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { shq } from '../../../core/common/quote.js';
import type { TestHosts } from '../../hosts/harness.js';
import { TREE_V162 } from '../../unit/kubespray/upstream.js';
import { writeChart } from './fixture-bundle.js';

const STANDIN = fileURLToPath(new URL('./real-tree-standin/', import.meta.url));
const FAKE_K8S = fileURLToPath(new URL('./fakes/fake-k8s-tool', import.meta.url));
export const NFS_REPO = 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner';

/** The tree's roles/cp/* plays that cannot do their work on a test host, and why. */
export const LEFT_OUT: Record<string, string> = {
  'cp/nfs': "installs nfs-common with Ansible's apt module: the test hosts share this machine's packages and there is no network",
  'cp/podman': 'git-clones podman from GitHub and builds it: no network here',
  'cp/cve_cce/amd64': "runs the tree's security.bin (an opaque hardening binary) as root: it would change this machine's /etc",
};

/** Files the snapshot lacks that real cp/* plays copy: a stand-in that says what it is. */
export const STANDIN_BINARIES = ['applications/istio-1.24.3/bin/istioctl', 'applications/opentofu-1.9.0/tofu'];

/** The stand-in play's name, as in the run's log. */
export const STANDIN_PLAY = "Install Kubernetes nodes (test stand-in for Kubespray's node-level plays)";

type Play = Record<string, unknown> & { roles?: Array<{ role: string } | string>; import_playbook?: string; name?: string; hosts?: string };
const roleOf = (r: { role: string } | string) => (typeof r === 'string' ? r : r.role);
const cpRole = (p: Play) => (Array.isArray(p.roles) ? p.roles.map(roleOf).find((r) => r.startsWith('cp/')) : undefined);

export interface TreePlays {
  /** The real file's plays as the bundle's copy has them: kept, stood in or left out. */
  kept: string[];
  stoodIn: string[];
  leftOut: string[];
  /** The cp/* roles whose plays run as the tree has them. */
  realCp: string[];
}

/** The tree's playbooks/cluster.yml with Kubespray's node-level plays replaced by the stand-in, LEFT_OUT plays
 *  replaced by a debug task, everything else as it is. */
export function standInClusterYml(text: string): { yaml: string; plays: TreePlays } {
  const plays = parse(text) as Play[];
  const out: Play[] = [];
  const report: TreePlays = { kept: [], stoodIn: [], leftOut: [], realCp: [] };
  let stood = false;
  for (const p of plays) {
    const label = p.name ?? (cpRole(p) ? `(${cpRole(p)})` : p.import_playbook ?? '?');
    const cp = cpRole(p);
    if (p.import_playbook === 'boilerplate.yml') {
      out.push(p);
      report.kept.push(label);
    } else if (cp && LEFT_OUT[cp]) {
      out.push({ name: `Left out in this test bundle: ${cp}`, hosts: p.hosts, gather_facts: false, tasks: [{ name: `${cp} is left out`, 'ansible.builtin.debug': { msg: LEFT_OUT[cp] } }] });
      report.leftOut.push(label);
    } else if (cp) {
      out.push(p);
      report.kept.push(label);
      report.realCp.push(cp);
    } else {
      if (!stood) out.push({ name: 'Kubespray node-level plays (test stand-in)', import_playbook: 'test-standin-kubespray.yml' });
      stood = true;
      report.stoodIn.push(label);
    }
  }
  return { yaml: `---\n# TEST BUNDLE: see TEST-STANDIN.md at the tree's root.\n${stringify(out)}`, plays: report };
}

/** Makes <bundle>/cp-deployment (the real tree, changed only as listed above) and <bundle>/charts. */
export function makeRealTreeBundle(bundle: string): { bundle: string; plays: TreePlays } {
  const tree = join(bundle, 'cp-deployment');
  cpSync(TREE_V162, tree, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', tree]);
  const ks = join(tree, 'standalone');

  const gate = join(ks, 'playbooks', 'ansible_version.yml');
  const gateText = readFileSync(gate, 'utf8');
  if (!/minimal_ansible_version: 2\.16\.4/.test(gateText)) throw new Error(`${gate}: the version gate is not the one this bundle lowers`);
  writeFileSync(gate, gateText.replace('minimal_ansible_version: 2.16.4', 'minimal_ansible_version: 2.14.0'));

  const clusterYml = join(ks, 'playbooks', 'cluster.yml');
  const { yaml, plays } = standInClusterYml(readFileSync(clusterYml, 'utf8'));
  writeFileSync(clusterYml, yaml);
  cpSync(join(STANDIN, 'kubespray-nodes.yml'), join(ks, 'playbooks', 'test-standin-kubespray.yml'));
  cpSync(join(STANDIN, 'roles', 'kubespray-node'), join(ks, 'roles', 'test-standin', 'kubespray-node'), { recursive: true });

  for (const rel of STANDIN_BINARIES) {
    const file = join(tree, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `#!/bin/sh\n# TEST BUNDLE stand-in: the tree snapshot does not hold ${rel}.\necho "${rel.split('/').pop()}: test stand-in, not the real binary" >&2\nexit 1\n`);
    chmodSync(file, 0o755);
  }

  writeFileSync(
    join(tree, 'TEST-STANDIN.md'),
    [
      '# Test bundle: the K-PaaS v1.6.2 tree, changed only here',
      '',
      '- `standalone/playbooks/ansible_version.yml`: minimal_ansible_version 2.16.4 -> 2.14.0 (Debian 12 has ansible-core 2.14; no PyPI here).',
      `- \`standalone/playbooks/cluster.yml\`: Kubespray's node-level plays (${plays.stoodIn.join('; ')}) replaced by \`test-standin-kubespray.yml\` (role \`test-standin/kubespray-node\`).`,
      ...Object.entries(LEFT_OUT).map(([role, why]) => `- \`${role}\` play left out: ${why}.`),
      ...STANDIN_BINARIES.map((b) => `- \`${b}\`: a stand-in script (the snapshot lacks the binary).`),
      `- Everything else as the tree has it; these plays run as they are: ${plays.realCp.join(', ')}.`,
      '',
    ].join('\n'),
  );
  writeChart(join(bundle, 'charts'), 'nfs-subdir-external-provisioner', '4.0.18');
  return { bundle, plays };
}

/**
 * Master 1 of a test made to take the real tree's plays: the strict fake kubectl/helm, a /root of its own
 * (Kubespray's kubernetes/client and the stand-in write root's kubeconfig there), a /usr/bin of its own (an
 * overlay: cp/istio and cp/opentofu copy their binaries there), and the NFS provisioner's chart repository
 * reachable as through a site's mirror unless `repoReachable` is false (then cp/storage's `helm repo add`
 * fails as it does without network).
 */
export async function prepareRealTreeHost(th: TestHosts, i: number, opts: { repoReachable?: boolean } = {}): Promise<void> {
  const h = th.hosts[i]!;
  for (const tool of ['kubectl', 'helm']) {
    const dest = join(h.dir, 'bin', tool);
    cpSync(FAKE_K8S, dest);
    chmodSync(dest, 0o755);
  }
  const root = join(h.dir, 'root');
  const usrBin = join(h.dir, 'usr-bin');
  mkdirSync(root, { recursive: true });
  mkdirSync(usrBin, { recursive: true });
  const r = await th.exec(
    i,
    [
      `mount --bind ${shq(root)} /root`,
      'touch /root/.cp-installer-test-host',
      `mount -t tmpfs tmpfs ${shq(usrBin)}`,
      `mkdir ${shq(`${usrBin}/upper`)} ${shq(`${usrBin}/work`)}`,
      `mount -t overlay overlay -o ${shq(`lowerdir=/usr/bin,upperdir=${usrBin}/upper,workdir=${usrBin}/work`)} /usr/bin`,
    ].join(' && '),
  );
  if (r.code !== 0) throw new Error(`test host ${i}: own /root and /usr/bin: ${r.stderr}`);
  writeChart(join(h.dir, 'lib', 'mirror'), 'nfs-subdir-external-provisioner', '4.0.18');
  mkdirSync(join(h.dir, 'lib', 'fake-tools'), { recursive: true });
  writeFileSync(join(h.dir, 'lib', 'fake-tools.log'), '');
  chmodSync(join(h.dir, 'lib', 'fake-tools.log'), 0o666);
  setRepoReachable(th, i, opts.repoReachable ?? true);
}

/** The site's mirror of the NFS provisioner's repository comes up (or goes away) for the fake helm. */
export function setRepoReachable(th: TestHosts, i: number, reachable: boolean): void {
  writeFileSync(join(th.hosts[i]!.dir, 'lib', 'fake-tools', 'reachable-repos.json'), JSON.stringify(reachable ? { [NFS_REPO]: '/var/lib/cp-installer/mirror' } : {}));
}

/** What the fakes on a host kept (objects applied, releases installed). */
export function fakeState(th: TestHosts, i: number): { objects: Record<string, unknown>; releases: Record<string, { chart: string; version: string; values: string[] }> } {
  return JSON.parse(readFileSync(join(th.hosts[i]!.dir, 'lib', 'fake-tools', 'objects.json'), 'utf8'));
}
