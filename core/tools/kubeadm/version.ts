// Version arithmetic shared by the kubeadm, keadm and kubectl adapters: releases name versions with or
// without a leading `v` ("1.32.5", "v1.20.0"), and only major.minor decides which flags and APIs apply.
export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(version: string): Semver {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) throw new Error(`Not a version: ${JSON.stringify(version)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** Negative when a < b, 0 when equal, positive when a > b (major.minor only). */
export function compareMinor(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor;
}

export function atLeast(version: string, min: string): boolean {
  return compareMinor(version, min) >= 0;
}

/** "1.32.5" → "v1.32.5" */
export function withV(version: string): string {
  return version.startsWith('v') ? version : `v${version}`;
}

export function withoutV(version: string): string {
  return version.replace(/^v/, '');
}
