// How the kubeadm, keadm and kubectl command lines spell versions: releases name them with or without a
// leading `v` ("1.32.5", "v1.20.0"). Comparing them is core/common/version.ts (only major.minor decides
// which flags and APIs apply: atLeastMinor / compareMinor).

/** "1.32.5" → "v1.32.5" */
export function withV(version: string): string {
  return version.startsWith('v') ? version : `v${version}`;
}

export function withoutV(version: string): string {
  return version.replace(/^v/, '');
}
