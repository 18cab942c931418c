// The character set of every kind of plan string. A plan's text reaches command lines, config files,
// authorized_keys comments, known_hosts and keadm's `--labels`; quoting keeps it from running as a command,
// but not from meaning something else in those files (a newline is a new line, a comma a new label). So each
// field accepts only what its kind allows, and anything else is refused, never escaped. Pure, no Node
// modules (the renderer bundles it too).

/** C0 controls, DEL and the C1 controls, plus the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}

const CONTROL_NAMES: Record<number, string> = {
  0: 'NUL',
  9: 'tab',
  10: 'newline',
  13: 'carriage return',
  27: 'escape',
};

/** The first control character of a text, as a person can read it: `U+000A (newline)`; '-' when none. */
export function describeControl(text: string): string {
  for (const c of text) {
    if (!hasControl(c)) continue;
    const code = c.codePointAt(0)!;
    const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return CONTROL_NAMES[code] ? `${hex} (${CONTROL_NAMES[code]})` : hex;
  }
  return '-';
}

/** A DNS label as Kubernetes and Kubespray take it (RFC 1123): lowercase letters, digits, inner hyphens, ≤63. */
export function isDnsLabel(text: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text);
}

/**
 * A login name every POSIX system and useradd accept: the portable filename set, not starting with a
 * hyphen (which ssh, sudo and su would read as an option), at most 32 characters.
 */
export function isPosixUser(text: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/.test(text) && !/^[0-9]+$/.test(text);
}

/** A name of the plan's own (auth profile): letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function isPlanName(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(text);
}

/** A file path: absolute or under the home folder (`~/…`), printable (no control character), ≤4096. */
export function isPlanPath(text: string): boolean {
  if (text.length === 0 || text.length > 4096 || hasControl(text)) return false;
  return text.startsWith('/') || text === '~' || text.startsWith('~/');
}

/** A path on a host (NFS export): absolute only (`~` means nothing to the NFS server), and no whitespace:
 *  the path is the first field of an /etc/exports line, so a space would start a client list of its own
 *  (`/srv/nfs *(rw,no_root_squash)` exports to every host). */
export function isRemotePath(text: string): boolean {
  return isPlanPath(text) && text.startsWith('/') && !/\s/.test(text);
}

/** Kubernetes label name part (and annotation): ≤63, alphanumeric at both ends, `-`, `_`, `.` inside. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label key: `[prefix/]name`, the prefix a DNS subdomain (≤253). */
export function isLabelKey(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return LABEL_NAME.test(text);
  const prefix = text.slice(0, slash);
  const name = text.slice(slash + 1);
  return (
    prefix.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix) &&
    prefix.split('.').every((l) => l.length <= 63) &&
    LABEL_NAME.test(name)
  );
}

/** Kubernetes label value: empty, or ≤63 alphanumerics with `-`, `_`, `.` inside (so never `,` or `=`). */
export function isLabelValue(text: string): boolean {
  return text === '' || LABEL_NAME.test(text);
}
