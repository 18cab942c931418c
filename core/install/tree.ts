// Packs a local directory tree (the Kubespray tree or the pip wheels of an offline bundle) into one ustar
// archive in memory, so it travels as a single SFTP upload whose SHA-256 the remote side checks, and is
// unpacked there with the system's `tar`. File modes are kept: Kubespray ships executable scripts.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

interface Entry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  data?: Buffer;
  link?: string;
}

/** Files of a tree in a stable order (so the same tree always packs to the same bytes and checksum). */
export function listTree(root: string, skip: (rel: string) => boolean = (rel) => rel.split('/').includes('.git')): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const full = join(root, r);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.push({ path: r, type: 'symlink', mode: 0o777, link: readlinkSync(full) });
      else if (st.isDirectory()) {
        out.push({ path: r, type: 'dir', mode: st.mode & 0o7777 });
        walk(r);
      } else if (st.isFile()) out.push({ path: r, type: 'file', mode: st.mode & 0o7777, data: readFileSync(full) });
    }
  };
  walk('');
  return out;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: Entry): Buffer {
  const h = Buffer.alloc(512, 0);
  let name = e.type === 'dir' ? `${e.path}/` : e.path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits a long path at a slash into prefix (155) and name (100).
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`Path too long for tar: ${e.path}`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(e.type === 'file' ? (e.data?.length ?? 0) : 0, 12), 124, 'ascii');
  // A fixed mtime keeps the archive (and its checksum) a function of the content only.
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 'ascii');
  if (e.link) h.write(e.link, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export function packTree(root: string, skip?: (rel: string) => boolean): { tar: Buffer; files: number; sha256: string } {
  const entries = listTree(root, skip);
  const parts: Buffer[] = [];
  let files = 0;
  for (const e of entries) {
    parts.push(header(e));
    if (e.type === 'file' && e.data) {
      files++;
      parts.push(e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  const tar = Buffer.concat(parts);
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

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export const joinRemote = posix.join;
