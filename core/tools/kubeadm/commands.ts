// kubeadm command lines (run as root on the control plane). Built with shellJoin: every value is quoted.
import { shellJoin } from '../../common/quote.js';
import { CRI_SOCKETS, KUBEADM_CONFIG_PATH, type Runtime } from './config.js';

/** kubeadm's admin kubeconfig: what kubectl and `keadm --kube-config` use on the control plane. */
export const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

/** Prints `present` when kubeadm init already ran (its admin kubeconfig is there). */
export function adminConfPresentCommand(): string {
  return `test -s ${shellJoin([ADMIN_KUBECONFIG])} && echo present`;
}

export interface InitOptions {
  configPath?: string;
  /** Check names kubeadm should only warn about (e.g. NumCPU on a small lab box); never "all" silently. */
  ignorePreflightErrors?: string[];
  uploadCerts?: boolean;
}

export function kubeadmInit(options: InitOptions = {}): string {
  const argv = ['kubeadm', 'init', '--config', options.configPath ?? KUBEADM_CONFIG_PATH];
  if (options.uploadCerts) argv.push('--upload-certs');
  if (options.ignorePreflightErrors?.length) {
    argv.push(`--ignore-preflight-errors=${options.ignorePreflightErrors.join(',')}`);
  }
  return shellJoin(argv);
}

/** Prints `kubeadm join <endpoint> --token … --discovery-token-ca-cert-hash sha256:…` (a fresh token). */
export function kubeadmTokenCreate(options: { ttl?: string } = {}): string {
  const argv = ['kubeadm', 'token', 'create', '--print-join-command'];
  if (options.ttl) argv.push('--ttl', options.ttl);
  return shellJoin(argv);
}

export function kubeadmReset(runtime: Runtime): string {
  return shellJoin(['kubeadm', 'reset', '--force', '--cri-socket', CRI_SOCKETS[runtime]]);
}
