// Packs a local directory tree (the Kubespray tree or the pip wheels of an offline bundle) into one ustar
// archive in memory, so it travels as a single SFTP upload whose SHA-256 the remote side checks, and is
// unpacked there with the system's `tar`. File modes and symlinks are kept: Kubespray ships executable
// scripts. The archive itself comes from the one tar writer (core/outputs/tar.ts).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tarBuffer, type TarEntry } from '../outputs/tar.js';

/** Files of a tree in a stable order (so the same tree always packs to the same bytes and checksum). */
export function listTree(root: string, skip: (rel: string) => boolean = (rel) => rel.split('/').includes('.git')): TarEntry[] {
  const out: TarEntry[] = [];
  // A fixed mtime keeps the archive (and its checksum) a function of the content only.
  const mtime = new Date(0);
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const full = join(root, r);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.push({ name: r, type: 'symlink', link: readlinkSync(full), mtime });
      else if (st.isDirectory()) {
        out.push({ name: r, type: 'dir', mode: st.mode & 0o7777, mtime });
        walk(r);
      } else if (st.isFile()) out.push({ name: r, type: 'file', mode: st.mode & 0o7777, data: readFileSync(full), mtime });
    }
  };
  walk('');
  return out;
}

export async function packTree(root: string, skip?: (rel: string) => boolean): Promise<{ tar: Buffer; files: number; sha256: string }> {
  const entries = listTree(root, skip);
  const tar = await tarBuffer(entries);
  const files = entries.filter((e) => e.type === 'file').length;
  return { tar, files, sha256: createHash('sha256').update(tar).digest('hex') };
}

/** Kubespray declares the Ansible it accepts (`minimal_ansible_version`) in its version-check playbook. */
export function minimalAnsibleVersion(text: string): string | undefined {
  return /^\s*minimal_ansible_version:\s*["']?([0-9][0-9.]*)/m.exec(text)?.[1];
}

export const ANSIBLE_VERSION_FILES = ['playbooks/ansible_version.yml', 'playbooks/boilerplate.yml', 'ansible_version.yml'];

/** `ansible-playbook --version` first line: `ansible-playbook [core 2.16.14]` (older: `ansible-playbook 2.9.27`). */
export function parseAnsibleVersion(output: string): string | undefined {
  return /ansible-playbook \[core ([0-9][0-9.]*)/.exec(output)?.[1] ?? /ansible-playbook ([0-9][0-9.]*)/.exec(output)?.[1];
}

/** The interpreter an Ansible runs on: `python version = 3.11.2 (main, …) [GCC 12.2.0] (/usr/bin/python3)`. */
export function ansiblePython(output: string): string | undefined {
  return /^\s*python version = .*\((\/[^()\s]+)\)\s*$/m.exec(output)?.[1];
}

/**
 * The Python modules the tree's own version gate needs on the deployer, read from that gate: Kubespray asserts
 * `'127.0.0.1' | ansible.utils.ipaddr`, which needs netaddr and the ansible.utils collection. An Ansible whose
 * version fits but whose Python lacks them would pass our check and fail the tree's first play.
 */
export function gateModules(declared: string): string[] {
  const modules: string[] = [];
  if (/ipaddr|netaddr/.test(declared)) modules.push('netaddr');
  if (/ansible\.utils\./.test(declared)) modules.push('ansible_collections.ansible.utils');
  return modules;
}

export { compareVersions } from '../common/version.js';

