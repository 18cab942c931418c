// The platform's fork names a dozen images by `registry.k-paas.org/...` outright in Kubespray's download
// defaults, and kubeadm's `imageRepository` in two templates, so Kubespray's offline settings
// (`registry_host`, `kube_image_repo`, …) never reach them. On a site with its own registry each of these is
// set again in the inventory (shown in the run's log and the dry run), and the two templates are made to
// read a variable instead of the literal (a small in-place edit of the tree, like the platform's own `sed`).
// Pure: data and command lines; test/unit/bundle/offline.test.ts checks the list against the real tree.
import { shellJoin, shq } from '../../common/quote.js';

/** The fork's own registry, hard-coded in its tree. */
export const FORK_REGISTRY = 'registry.k-paas.org';

/** The `*_image_repo` keys the fork's roles/kubespray_defaults/defaults/main/download.yml sets to the fork's registry. */
export const FORK_IMAGE_REPOS: Readonly<Record<string, string>> = {
  kube_proxy_image_repo: 'k8s/kube-proxy',
  calico_node_image_repo: 'calico/node',
  calico_cni_image_repo: 'calico/cni',
  calico_policy_image_repo: 'calico/kube-controllers',
  pod_infra_image_repo: 'k8s/pause',
  nginx_image_repo: 'library/nginx',
  coredns_image_repo: 'coredns/coredns',
  nodelocaldns_image_repo: 'k8s/k8s-dns-node-cache',
  dnsautoscaler_image_repo: 'k8s/cluster-proportional-autoscaler',
  metrics_server_image_repo: 'k8s/metrics-server',
  metallb_speaker_image_repo: 'metallb/speaker',
  metallb_controller_image_repo: 'metallb/controller',
};

/** The variable the edited templates read for kubeadm's imageRepository (the fork's value when unset). */
export const KUBEADM_REPO_VAR = 'cp_kubeadm_image_repo';
/** The path under the fork's registry its templates give kubeadm. */
export const KUBEADM_REPO_PATH = 'k8s';

/** The templates (under the Kubespray tree) that hard-code kubeadm's imageRepository. */
export const KUBEADM_REPO_TEMPLATES = [
  'roles/kubernetes/control-plane/templates/kubeadm-config.v1beta4.yaml.j2',
  'roles/download/templates/kubeadm-images.yaml.j2',
];

export interface ImageRepoOverride {
  key: string;
  value: string;
  why: string;
}

/** Each hard-coded repository again, in the site registry (images there keep their path, without the host). */
export function forkImageOverrides(): ImageRepoOverride[] {
  const why = (was: string) => `plan: offline, the fork hard-codes ${was}; its image is loaded into the site registry under the same path`;
  return [
    ...Object.entries(FORK_IMAGE_REPOS).map(([key, path]) => ({ key, value: `{{ registry_host }}/${path}`, why: why(`${FORK_REGISTRY}/${path}`) })),
    { key: KUBEADM_REPO_VAR, value: `{{ registry_host }}/${KUBEADM_REPO_PATH}`, why: `${why(`kubeadm's imageRepository ${FORK_REGISTRY}/${KUBEADM_REPO_PATH}`)} (its templates read this variable)` },
  ];
}

/** What replaces the literal in the templates: the variable, falling back to the fork's own value. */
export const KUBEADM_REPO_EXPRESSION = `{{ ${KUBEADM_REPO_VAR} | default('${FORK_REGISTRY}/${KUBEADM_REPO_PATH}') }}`;

/** The same edit as text (for tests and the dry run's local tree): every `imageRepository: <fork>/k8s` line. */
export function patchKubeadmRepo(text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(new RegExp(`^(\\s*imageRepository:\\s*)${FORK_REGISTRY.replace(/\./g, '\\.')}/${KUBEADM_REPO_PATH}\\s*$`, 'gm'), (_m, lead: string) => {
    count++;
    return `${lead}${KUBEADM_REPO_EXPRESSION}`;
  });
  return { text: out, count };
}

/**
 * The edit on the deployer, in the Kubespray tree `dir`: idempotent (an edited line no longer matches), and
 * it prints each template with how many literal lines are left (0 once edited) so the step can check.
 */
export function patchKubeadmRepoCommand(dir: string): string {
  const sed = `s#^\\([[:space:]]*imageRepository:[[:space:]]*\\)${FORK_REGISTRY.replace(/\./g, '\\.')}/${KUBEADM_REPO_PATH}[[:space:]]*$#\\1${KUBEADM_REPO_EXPRESSION}#`;
  return [
    `cd ${shq(dir)}`,
    `for f in ${KUBEADM_REPO_TEMPLATES.map(shq).join(' ')}; do if test -f "$f"; then ${shellJoin(['sed', '-i', sed])} "$f" && printf '%s %s\\n' "$f" "$(grep -c ${shq(`imageRepository:[[:space:]]*${FORK_REGISTRY}`)} "$f")"; fi; done`,
  ].join(' && ');
}
