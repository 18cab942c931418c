// Which addresses outside the site a plan's run will reach, and from which host: what a person on a site
// without internet must open in the firewall, mirror, or replace with the offline bundle. Pure: the steps a
// mode runs come in as ids (from the step list the runner would run), and "is this file in the bundle" as a
// function, so the rule is tested without a disk or a mode.
import { msg, type Message } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import type { Plan } from '../plan/schema.js';
import { calicoManifestSource } from '../tools/kubectl/cloud.js';

export interface EgressEntry {
  /** Host name (or host:port) that must answer, e.g. github.com. */
  host: string;
  /** The address as the run uses it (a URL, or the host when the tool picks paths itself). */
  url: string;
  /** What it is for, as a message (`egress.*`). */
  purpose: Message;
  /** The step that reaches it. */
  step: string;
  /** That step's title, when the caller knows the steps (the API fills it in). */
  stepTitle?: Message;
}

export interface EgressOptions {
  /** Whether a file exists (the bundle's charts). Absent: nothing is assumed bundled. */
  exists?: (path: string) => boolean;
}

function hostOf(url: string): string {
  const m = /^[a-z+]+:\/\/([^/:]+)/i.exec(url) ?? /^[^@]+@([^:]+):/.exec(url);
  return m?.[1] ?? url;
}

// Where Kubespray downloads from when neither a registry nor a bundle's files mirror is set (its defaults:
// roles/kubespray-defaults/defaults/main/download.yml).
const KUBESPRAY_FILES = ['dl.k8s.io', 'github.com', 'get.helm.sh', 'storage.googleapis.com'];
const KUBESPRAY_IMAGES = ['registry.k8s.io', 'quay.io', 'docker.io'];
const NFS_REPO = 'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/';
const ROOK_REPO = 'https://charts.rook.io/release';

/** The outside addresses, each once per (host, step), in the order the run reaches them. */
export function planEgress(plan: Plan, release: Release, stepIds: readonly string[], options: EgressOptions = {}): EgressEntry[] {
  const steps = new Set(stepIds);
  const exists = options.exists ?? (() => false);
  const bundle = plan.bundle?.path?.replace(/\/+$/, '');
  const out: EgressEntry[] = [];
  const add = (url: string, purpose: Message, step: string) => {
    const host = hostOf(url);
    if (!out.some((e) => e.host === host && e.step === step)) out.push({ host, url, purpose, step });
  };

  if (steps.has('deployer-tree') && !bundle) add(release.kubespray.git, msg('egress.kubespray-tree', { ref: release.kubespray.ref }), 'deployer-tree');
  // pip reaches PyPI only when the deployer's Ansible is too old; with a bundle it installs from the bundle's
  // wheels or stops, never reaching out.
  if (steps.has('deployer-ansible') && !bundle) {
    add('https://pypi.org/simple/', msg('egress.pip', { pip: release.ansible.pip }), 'deployer-ansible');
    add('https://files.pythonhosted.org/', msg('egress.pip', { pip: release.ansible.pip }), 'deployer-ansible');
  }
  if (steps.has('kubespray')) {
    if (!bundle) for (const h of KUBESPRAY_FILES) add(`https://${h}/`, msg('egress.kubespray-files'), 'kubespray');
    if (!plan.registry) for (const h of KUBESPRAY_IMAGES) add(`https://${h}/`, msg('egress.images'), 'kubespray');
  }
  if (steps.has('kubeadm-init') && !plan.registry) add('https://registry.k8s.io/', msg('egress.images'), 'kubeadm-init');
  if (steps.has('cni') && release.calico) {
    // With a bundle the manifest must be in it (the step stops otherwise), so only no bundle reaches out.
    if (!bundle) add(calicoManifestSource(release.calico), msg('egress.calico', { version: release.calico }), 'cni');
    if (!plan.registry) add('https://quay.io/', msg('egress.images'), 'cni');
  }
  if (steps.has('keadm-init') && !plan.registry) add('https://docker.io/kubeedge/', msg('egress.kubeedge-images'), 'keadm-init');
  if (steps.has('edge-join') && !plan.registry) add('https://docker.io/kubeedge/', msg('egress.kubeedge-images'), 'edge-join');
  if (steps.has('storage')) {
    const chart = plan.storage.type === 'nfs' ? { name: 'nfs-subdir-external-provisioner', repo: NFS_REPO, v: release.storage?.nfsProvisioner ?? '4.0.18' } : { name: 'rook-ceph', repo: ROOK_REPO, v: release.storage?.rookCeph ?? '' };
    const local = bundle ? `${bundle}/charts/${chart.name}-${chart.v.replace(/^v/, '')}.tgz` : undefined;
    if (!local || !exists(local)) add(chart.repo, msg('egress.chart', { chart: chart.name }), 'storage');
    if (!plan.registry) add(plan.storage.type === 'nfs' ? 'https://registry.k8s.io/' : 'https://quay.io/', msg('egress.images'), 'storage');
  }
  return out;
}

/** Plain-text lines for a terminal: `host  (step) purpose`. */
export function formatEgress(entries: EgressEntry[], render: (m: Message) => string): string {
  if (entries.length === 0) return '';
  const width = Math.max(...entries.map((e) => e.host.length));
  return entries.map((e) => `  ${e.host.padEnd(width)}  ${render(e.purpose)} [${e.step}]`).join('\n');
}

/**
 * What is wrong with an offline bundle folder, or undefined when it holds a tree where the deployer step
 * looks: the platform's tree as `bundle unpack` writes it (`<bundle>/cp-deployment/<subdir>/cluster.yml`), or a
 * bare Kubespray tree (`<bundle>/kubespray/cluster.yml`, or `cluster.yml` at its top).
 */
export function bundleProblem(path: string, isDir: (p: string) => boolean, exists: (p: string) => boolean, subdir?: string): Message | undefined {
  const root = path.replace(/\/+$/, '');
  if (!isDir(root)) return msg('bundle.not-a-folder', { path: root });
  const platform = subdir !== undefined && exists(`${root}/cp-deployment/${subdir}/cluster.yml`);
  if (!platform && !exists(`${root}/kubespray/cluster.yml`) && !exists(`${root}/cluster.yml`)) return msg('bundle.no-tree', { path: root });
  return undefined;
}
