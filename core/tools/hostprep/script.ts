// The shell lines host preparation runs (pure; every word through shq/shellJoin). Each item has a check that
// says whether it is in place (the file's sha256, the archive's marker, the module, the sysctl's value, the
// unit enabled/active) and an install that puts it there: a rerun checks, finds everything done and changes
// nothing; a run cut half-way resumes at the first item not done.
import { shellJoin, shq } from '../../common/quote.js';
import { HOSTPREP_DIR, type PrepItem } from './plan.js';

/** Where an upload of the bundle's file lands on the host, by its sha256 (a resumed run finds it there). */
export function incomingPath(sha256: string, base = HOSTPREP_DIR): string {
  return `${base}/incoming/${sha256}`;
}

/** Marks an extracted archive: holds the archive's sha256. */
export function markerPath(id: string, base = HOSTPREP_DIR): string {
  return `${base}/${id}.installed`;
}

function sumOk(sha256: string, path: string): string {
  // sha256sum -c reads "<sum>  <path>" lines; --status says it by the exit code only.
  return `printf '%s  %s\\n' ${shq(sha256)} ${shq(path)} | sha256sum -c --status 2>/dev/null`;
}

/**
 * A module is there when the kernel lists it as loaded, has it built in (no /sys/module entry then, unless
 * it has parameters), or shows what it provides (overlay's file system, br_netfilter's bridge sysctls).
 */
export function moduleLoaded(module: string): string {
  const evidence: Record<string, string> = {
    overlay: 'grep -qw overlay /proc/filesystems',
    br_netfilter: '[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]',
  };
  const name = module.replace(/-/g, '_');
  const builtin = `grep -qs ${shq(`/${module}.ko`)} "/lib/modules/$(uname -r)/modules.builtin"`;
  return `{ [ -d ${shq(`/sys/module/${name}`)} ] || ${builtin}${evidence[name] ? ` || ${evidence[name]}` : ''}; }`;
}

/**
 * The check of one item: a shell condition, true when the item is in place. `sha` is the sha256 of its
 * bundle file or content; `base` the installer's folder on the host (tests give another).
 */
export function itemCheck(item: PrepItem, sha: string, base = HOSTPREP_DIR): string {
  switch (item.kind) {
    case 'binary':
      return `{ [ -x ${shq(item.dest)} ] && ${sumOk(sha, item.dest)}; }`;
    case 'archive':
      return `{ [ -e ${shq(item.check)} ] && [ "$(cat ${shq(markerPath(item.id, base))} 2>/dev/null)" = ${shq(sha)} ]; }`;
    case 'file':
      return `{ ${sumOk(sha, item.dest)}; }`;
    case 'modules':
      return `{ ${sumOk(sha, item.file)} && ${item.modules.map(moduleLoaded).join(' && ')}; }`;
    case 'sysctl':
      return `{ ${sumOk(sha, item.file)} && ${Object.entries(item.values)
        .map(([k, v]) => `[ "$(sysctl -n ${shq(k)} 2>/dev/null)" = ${shq(v)} ]`)
        .join(' && ')}; }`;
    case 'service':
      return `{ [ "$(systemctl is-enabled ${shq(item.unit)} 2>/dev/null)" = enabled ]${item.start ? ` && [ "$(systemctl is-active ${shq(item.unit)} 2>/dev/null)" = active ]` : ''}; }`;
  }
}

/**
 * One command that prints `done <id>` or `todo <id>` for every item, and `have <sha256>` for each upload an
 * earlier attempt already finished (it is not sent again): one round trip for the whole host.
 */
export function statusCommand(items: Array<{ item: PrepItem; sha: string }>, base = HOSTPREP_DIR): string {
  return items
    .map(({ item, sha }) => {
      const line = `if ${itemCheck(item, sha, base)}; then echo ${shq(`done ${item.id}`)}; else echo ${shq(`todo ${item.id}`)}; fi`;
      if (item.kind !== 'binary' && item.kind !== 'archive') return line;
      return `${line}\nif ${sumOk(sha, incomingPath(sha, base))}; then echo ${shq(`have ${sha}`)}; fi`;
    })
    .join('\n');
}

export function parseStatus(stdout: string): { done: Set<string>; todo: Set<string>; have: Set<string> } {
  const done = new Set<string>();
  const todo = new Set<string>();
  const have = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^(done|todo|have) (\S+)$/.exec(line.trim());
    if (m) (m[1] === 'done' ? done : m[1] === 'todo' ? todo : have).add(m[2]!);
  }
  return { done, todo, have };
}

function parentOf(path: string): string {
  return path.replace(/\/[^/]*$/, '') || '/';
}

/**
 * Installs a binary or archive item from its upload (`incomingPath(sha)`), checked against the sha256 again on
 * the host first (the upload is only trusted once it is whole). Ends with the marker, then drops the upload.
 */
export function installCommand(
  item: Extract<PrepItem, { kind: 'binary' | 'archive' }>,
  sha: string,
  base = HOSTPREP_DIR,
): string {
  const src = incomingPath(sha, base);
  const verify = `${sumOk(sha, src)} || { echo ${shq(`${item.artifact}: the upload does not match sha256 ${sha}`)} >&2; exit 1; }`;
  const lines = ['set -e', verify];
  if (item.kind === 'binary') {
    lines.push(shellJoin(['install', '-D', '-m', '0755', src, item.dest]));
  } else {
    lines.push(
      shellJoin(['mkdir', '-p', item.into]),
      shellJoin(['tar', '-xzf', src, '-C', item.into, '--no-same-owner']),
    );
    if (item.install) {
      // The one regular file of that name anywhere in the archive (the platform's tarball has it at the top).
      lines.push(
        `f=$(find ${shq(item.into)} -type f -name ${shq(item.install.member)} | head -n 1)`,
        `[ -n "$f" ] || { echo ${shq(`${item.artifact} holds no ${item.install.member}`)} >&2; exit 1; }`,
        `install -D -m 0755 "$f" ${shq(item.install.dest)}`,
        shellJoin(['rm', '-rf', item.into]),
      );
    }
    if (item.run) {
      const script = `${item.into}/${item.run}`;
      lines.push(
        `[ -f ${shq(script)} ] || { echo ${shq(`${item.artifact} holds no ${item.run}`)} >&2; exit 1; }`,
        `(cd ${shq(parentOf(script))} && ./${shq(item.run.replace(/^.*\//, ''))})`,
        shellJoin(['rm', '-rf', item.into]),
      );
    }
    lines.push(
      `[ -e ${shq(item.check)} ] || { echo ${shq(`${item.check} is not there after unpacking ${item.artifact}`)} >&2; exit 1; }`,
    );
    lines.push(
      shellJoin(['mkdir', '-p', parentOf(markerPath(item.id, base))]),
      `printf '%s\\n' ${shq(sha)} > ${shq(markerPath(item.id, base))}`,
    );
  }
  lines.push(shellJoin(['rm', '-f', src]));
  return lines.join('\n');
}

/** Loads the modules now (the modules-load.d file loads them at boot). */
export function modprobeCommand(modules: string[]): string {
  return modules.map((m) => shellJoin(['modprobe', m])).join(' && ');
}

/** Applies only our file: `sysctl --system` would also replay every other file of the host. */
export function sysctlApplyCommand(file: string): string {
  return shellJoin(['sysctl', '-p', file]);
}

/**
 * Enables a unit and, when it runs, starts it — or restarts it when something it runs from changed while it
 * was running. A daemon-reload first when a unit file changed in this run.
 */
export function serviceCommand(
  item: Extract<PrepItem, { kind: 'service' }>,
  o: { reload: boolean; changed: boolean },
): string {
  const lines: string[] = [];
  if (o.reload) lines.push('systemctl daemon-reload');
  lines.push(shellJoin(['systemctl', 'enable', item.unit]));
  if (item.start) {
    const restart = shellJoin(['systemctl', 'restart', item.unit]);
    const start = shellJoin(['systemctl', 'start', item.unit]);
    lines.push(
      o.changed
        ? `if [ "$(systemctl is-active ${shq(item.unit)} 2>/dev/null)" = active ]; then ${restart}; else ${start}; fi`
        : start,
    );
  }
  return lines.join(' && ');
}
