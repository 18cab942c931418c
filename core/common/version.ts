// The one version comparison (semver underneath). Tools print versions loosely: a leading `v`, a missing
// minor or patch, distro and build suffixes (`5.15.0-91-generic`, `v1.30.7-kubeedge-v1.20.0`, `2.16.14`).
// Those suffixes are ignored; a pre-release tag (`-rc.1`, `-beta.0`, `-alpha`, `rc1`) is kept, so a
// release candidate sorts before its release everywhere. Text with no version in it reads as 0.0.0.
import semver from 'semver';

const PRERELEASE = /^v?(\d+(?:\.\d+){0,2})-?((?:rc|alpha|beta)\.?\d*)(?![a-z])/i;

export function parseVersion(text: string): semver.SemVer {
  const t = text.trim();
  const pre = PRERELEASE.exec(t);
  if (pre) {
    const base = semver.coerce(pre[1]!)!;
    const tag = pre[2]!.toLowerCase().replace(/^([a-z]+)\.?(\d*)$/, (_, word: string, n: string) => (n ? `${word}.${n}` : word));
    const parsed = semver.parse(`${base.version}-${tag}`);
    if (parsed) return parsed;
  }
  return semver.coerce(t) ?? new semver.SemVer('0.0.0');
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(parseVersion(a), parseVersion(b));
}

export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

/** Compares major.minor only (which flags and APIs apply is decided per minor release). */
export function compareMinor(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor;
}

export function atLeastMinor(version: string, min: string): boolean {
  return compareMinor(version, min) >= 0;
}
