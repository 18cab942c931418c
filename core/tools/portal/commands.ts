// The portal's command lines on master 1 (run as root against the cluster's admin kubeconfig, like the other
// steps). Every value through shq/shellJoin. Pure.
import { shellJoin, shq } from '../../common/quote.js';
import { ADMIN_PASSWORD_KEY, ADMIN_USER_KEY, PORTAL_NAMESPACE, PORTAL_SECRET } from './components.js';
import { ARCHIVE_ROOT, DEPLOY_SCRIPT, UNINSTALL_SCRIPT } from './archive.js';

/** Where the guide unpacks the archive (§3.1), below the login user's home. */
export const PORTAL_WORKSPACE = 'workspace/container-platform';
/** Beside the unpacked tree: the archive's checksum once it is unpacked (resume does not unpack again). */
export const UNPACKED_MARK = '.cp-installer-unpacked';
/** The helm wrapper's folder inside the unpacked tree, put first on deploy-cp-portal.sh's PATH. */
export const WRAPPER_DIR = '.cp-installer-bin';

export function portalRoot(workspace: string): string {
  return `${workspace}/${ARCHIVE_ROOT}`;
}

/** Unpacks the uploaded archive next to it (the guide's `tar -xvf`) and marks it with its checksum. */
export function unpackCommand(workspace: string, archive: string, sha256: string): string {
  return [
    shellJoin(['cd', workspace]),
    shellJoin(['rm', '-rf', ARCHIVE_ROOT]),
    shellJoin(['tar', '-xzf', archive, '--no-same-owner', '--no-overwrite-dir']),
    shellJoin(['test', '-f', `${ARCHIVE_ROOT}/${DEPLOY_SCRIPT}`]),
    `printf '%s\\n' ${shq(sha256)} > ${shq(`${ARCHIVE_ROOT}/${UNPACKED_MARK}`)}`,
  ].join(' && ');
}

/** Prints the checksum the unpacked tree came from (empty when it was never unpacked). */
export function unpackedMarkCommand(workspace: string): string {
  return `cat ${shq(`${workspace}/${ARCHIVE_ROOT}/${UNPACKED_MARK}`)} 2>/dev/null || true`;
}

/** helm's options that take a value (helm 3.x `install`), so the wrapper finds the release name. */
const HELM_VALUE_FLAGS = [
  '-f', '--values', '-n', '--namespace', '--set', '--set-string', '--set-file', '--set-json', '--set-literal',
  '--version', '--timeout', '--kubeconfig', '--kube-context', '--kube-apiserver', '--kube-token', '--repo',
  '--description', '--post-renderer', '--post-renderer-args', '--ca-file', '--cert-file', '--key-file',
  '--username', '--password', '-o', '--output', '--registry-config', '--repository-config', '--repository-cache',
  '--labels', '--name-template', '--burst-limit', '--qps',
];

/**
 * A `helm` put first on deploy-cp-portal.sh's PATH. `helm install R` of a release already deployed in its
 * namespace is kept (said, exit 0) instead of failing with "cannot re-use a name"; a release left failed or
 * pending by an earlier attempt is uninstalled and installed again; everything else goes to the real helm
 * unchanged. So the vendor's script, rerun after a failure half-way, continues where it stopped.
 */
export function helmWrapper(realHelm: string): string {
  return `#!/bin/bash
# cp-installer: resume wrapper for deploy-cp-portal.sh (see the installer's core/tools/portal/commands.ts).
REAL=${shq(realHelm)}
if [ "$1" != install ]; then exec "$REAL" "$@"; fi
release= ns=default kc=() i=2
while [ $i -le $# ]; do
  a=\${!i}
  case "$a" in
    --generate-name|-g) exec "$REAL" "$@" ;;
    -n|--namespace) i=$((i+1)); ns=\${!i} ;;
    --namespace=*) ns=\${a#--namespace=} ;;
    --kubeconfig|--kube-context) i=$((i+1)); kc+=("$a" "\${!i}") ;;
    --kubeconfig=*|--kube-context=*) kc+=("$a") ;;
    ${HELM_VALUE_FLAGS.filter((f) => !['-n', '--namespace', '--kubeconfig', '--kube-context'].includes(f)).join('|')}) i=$((i+1)) ;;
    -*) ;;
    *) [ -z "$release" ] && release=$a ;;
  esac
  i=$((i+1))
done
[ -n "$release" ] || exec "$REAL" "$@"
status=$("$REAL" status "$release" -n "$ns" "\${kc[@]}" -o json 2>/dev/null | sed -n 's/.*"status":"\\([a-z-]*\\)".*/\\1/p' | head -n 1)
case "$status" in
  deployed) echo "cp-installer: helm release $release in $ns is already deployed: kept, not reinstalled"; exit 0 ;;
  "") ;;
  *) echo "cp-installer: helm release $release in $ns is $status: uninstalled, installing again"
     "$REAL" uninstall "$release" -n "$ns" "\${kc[@]}" --wait || exit 1 ;;
esac
echo "cp-installer: helm install $release (namespace $ns)"
exec "$REAL" "$@"
`;
}

/** The real helm's path on master 1 (for the wrapper to call). */
export function whichHelmCommand(): string {
  return 'command -v helm';
}

/**
 * deploy-cp-portal.sh as the guide runs it (`chmod +x` then `./deploy-cp-portal.sh` from script/), with the
 * cluster's admin kubeconfig and the resume wrapper first on PATH.
 */
export function deployCommand(root: string, kubeconfig: string): string {
  return [
    shellJoin(['cd', `${root}/script`]),
    shellJoin(['chmod', '+x', DEPLOY_SCRIPT.replace('script/', ''), `../${WRAPPER_DIR}/helm`]),
    // PATH wants an absolute folder: the script changes directory as it goes.
    `env PATH="$(cd ${shq(`../${WRAPPER_DIR}`)} && pwd)":"$PATH" KUBECONFIG=${shq(kubeconfig)} ./deploy-cp-portal.sh`,
  ].join(' && ');
}

/** The archive's uninstall script; it asks `y/n` (the guide answers y). */
export function uninstallCommand(root: string, kubeconfig: string): string {
  return [
    shellJoin(['cd', `${root}/script`]),
    shellJoin(['chmod', '+x', UNINSTALL_SCRIPT.replace('script/', '')]),
    `printf 'y\\n' | env KUBECONFIG=${shq(kubeconfig)} ./uninstall-cp-portal.sh`,
  ].join(' && ');
}

export function helmListCommand(kubeconfig: string): string {
  return shellJoin(['helm', 'list', '--all-namespaces', '--all', '--output', 'json', '--kubeconfig', kubeconfig]);
}

export function ingressListCommand(kubeconfig: string): string {
  return shellJoin(['kubectl', 'get', 'ingress', '--all-namespaces', '--output', 'json', '--kubeconfig', kubeconfig]);
}

/** One key of cp-portal-secret, base64 as the API keeps it (decoded by the installer, never on a command line). */
export function adminSecretCommand(kubeconfig: string, key: typeof ADMIN_USER_KEY | typeof ADMIN_PASSWORD_KEY): string {
  return shellJoin(['kubectl', 'get', 'secret', PORTAL_SECRET, '--namespace', PORTAL_NAMESPACE, '--output', `jsonpath={.data.${key}}`, '--kubeconfig', kubeconfig]);
}

/** Checks a StorageClass exists (the script's K8S_STORAGECLASS). */
export function storageClassCommand(kubeconfig: string, name: string): string {
  return shellJoin(['kubectl', 'get', 'storageclass', name, '--output', 'name', '--kubeconfig', kubeconfig]);
}
