// kubeadm command lines (run as root on the control plane). Built with shellJoin: every value is quoted.
import { shellJoin } from '../../common/quote.js';
import { KUBEADM_CONFIG_PATH } from './config.js';

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
