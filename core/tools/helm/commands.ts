// helm command lines (run as root on a control plane against its admin kubeconfig). Built with shellJoin:
// every value is quoted.
import { shellJoin } from '../../common/quote.js';

export interface HelmChartRef {
  release: string;
  chart: string;
  namespace: string;
  version: string;
}

/**
 * `helm upgrade --install`: converges to the same release when repeated. The chart from a file (the offline
 * bundle's .tgz) or by name from a repository; values files in order, later ones winning.
 */
export function helmUpgradeInstall(
  kubeconfig: string,
  r: HelmChartRef,
  valuesFiles: string | string[],
  from: { path: string } | { repo: string },
  timeout = '15m',
): string {
  const chart = 'path' in from ? [from.path] : [r.chart, '--repo', from.repo];
  return shellJoin([
    'helm', 'upgrade', '--install', r.release, ...chart,
    '--kubeconfig', kubeconfig,
    '--namespace', r.namespace, '--create-namespace',
    '--version', r.version,
    ...[valuesFiles].flat().flatMap((f) => ['--values', f]),
    '--wait', '--timeout', timeout,
  ]);
}

/** Exits 0 when the release is installed (a step's isDone). */
export function helmStatus(kubeconfig: string, release: string, namespace: string): string {
  return shellJoin(['helm', 'status', release, '--kubeconfig', kubeconfig, '--namespace', namespace]);
}
