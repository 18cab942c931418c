// Records the log-pipeline bench's input: real ansible-playbook output in the format the platform's
// Kubespray run prints, from a real run over real OpenSSH test hosts. The playbook is built from the
// v1.6.2 tree (/work/shared/upstream/cp-deployment-v1.6.2/standalone): the plays of playbooks/cluster.yml
// in order, each with the task names of its roles' task files (the names as written, braces included),
// run with the tree's callbacks (profile_tasks: the timestamp line after every task header). What each
// task does is cheap but real: most print a fact (`ok:` with a body, as Kubespray's debug and assert
// tasks do), some run a command on the host under sudo (`changed:`), some are skipped (`skipping:`), a few
// loop over items, and the recap closes it. Not Kubespray's real work (that cannot run here: ansible-core
// 2.14, no systemd), but its real output format, line for line, from a real Ansible run.
//   npx tsx bench/lib/record-kubespray.ts [OUT]   (default bench/fixtures/kubespray-v1.6.2.stdout; root)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startTestHosts } from '../../test/hosts/harness.js';

const TREE = '/work/shared/upstream/cp-deployment-v1.6.2/standalone';
const OUT = process.argv[2] ?? fileURLToPath(new URL('../fixtures/kubespray-v1.6.2.stdout', import.meta.url));
const MAX_TASKS_PER_PLAY = 8;

function taskFiles(role: string): string[] {
  const dir = join(TREE, 'roles', role, 'tasks');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(f)) out.push(p);
    }
  };
  walk(dir);
  // main.yml first, as the role runs it.
  return out.sort((a, b) => Number(b.endsWith('/main.yml')) - Number(a.endsWith('/main.yml')));
}

function namesIn(items: unknown): string[] {
  if (!Array.isArray(items)) return [];
  const out: string[] = [];
  for (const t of items as Array<Record<string, unknown>>) {
    if (!t || typeof t !== 'object') continue;
    if (Array.isArray(t.block)) out.push(...namesIn(t.block));
    else if (typeof t.name === 'string' && !('include_tasks' in t) && !('import_tasks' in t) && !('ansible.builtin.include_tasks' in t) && !('ansible.builtin.import_tasks' in t)) {
      out.push(t.name);
    }
  }
  return out;
}

function roleTasks(role: string): string[] {
  const names: string[] = [];
  for (const f of taskFiles(role)) {
    try {
      names.push(...namesIn(parse(readFileSync(f, 'utf8'))));
    } catch {
      /* a file the YAML parser refuses (templated keys): skipped */
    }
  }
  return names;
}

interface Play {
  name: string;
  roles: string[];
}

function plays(): Play[] {
  const doc = parse(readFileSync(join(TREE, 'playbooks', 'cluster.yml'), 'utf8')) as Array<Record<string, unknown>>;
  const out: Play[] = [];
  for (const p of doc) {
    const roles = (Array.isArray(p.roles) ? p.roles : []).map((r: unknown) => (typeof r === 'string' ? r : String((r as { role: string }).role)));
    if (roles.length) out.push({ name: String(p.name), roles: roles.filter((r: string) => r !== 'kubespray_defaults' && r !== 'kubespray-defaults') });
  }
  return out;
}

/** The playbook: every play's role task names, each given a cheap real action (the kinds rotate). */
function playbook(): string {
  const q = JSON.stringify;
  const lines: string[] = [];
  let n = 0;
  for (const p of plays()) {
    const names = p.roles.flatMap(roleTasks).slice(0, MAX_TASKS_PER_PLAY);
    if (!names.length) continue;
    lines.push(`- name: ${q(p.name)}`, '  hosts: all', '  gather_facts: false', '  become: true', '  tasks:');
    for (const name of names) {
      n++;
      // `!unsafe`: the names are printed as the tree writes them, braces and all.
      lines.push(`    - name: !unsafe ${q(`${p.roles[0]} : ${name}`)}`);
      const kind = n % 20;
      if (kind === 0) lines.push('      ansible.builtin.command: /bin/true');
      else if (kind === 5) lines.push('      ansible.builtin.debug:', '        msg: "{{ item }}"', '      loop: [containerd, runc, crictl]');
      else if (kind % 4 === 1) lines.push('      ansible.builtin.debug:', '        msg: skipped here', '      when: false');
      else if (kind % 4 === 2) lines.push('      ansible.builtin.assert:', '        that: [true]');
      else lines.push('      ansible.builtin.debug:', `        msg: ${q(`${name} on {{ inventory_hostname }}`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const th = await startTestHosts({ count: 4 });
const dir = mkdtempSync(join(tmpdir(), 'record-kubespray-'));
try {
  const inv = [
    'all:',
    '  vars:',
    `    ansible_user: ${JSON.stringify(th.user)}`,
    `    ansible_ssh_private_key_file: ${JSON.stringify(th.keyPath)}`,
    '    ansible_python_interpreter: /usr/bin/python3',
    `    ansible_ssh_common_args: ${JSON.stringify(`-o UserKnownHostsFile=${th.knownHostsFile}`)}`,
    '  hosts:',
    ...th.hosts.flatMap((h, i) => [`    ${i === 0 ? 'master1' : `worker${i}`}:`, `      ansible_host: ${h.address}`]),
  ].join('\n');
  writeFileSync(join(dir, 'hosts.yaml'), `${inv}\n`);
  writeFileSync(join(dir, 'cluster.yml'), playbook());
  const r = spawnSync('ansible-playbook', ['-i', join(dir, 'hosts.yaml'), join(dir, 'cluster.yml')], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      // The tree's ansible.cfg: the default stdout callback with profile_tasks (ara is not installed here).
      ANSIBLE_STDOUT_CALLBACK: 'default',
      ANSIBLE_CALLBACKS_ENABLED: 'profile_tasks',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_FORCE_COLOR: 'False',
      ANSIBLE_NOCOLOR: 'True',
      ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
    },
  });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, r.stdout);
  console.log(`recorded ${r.stdout.split('\n').length - 1} lines (exit ${r.status}) to ${OUT}`);
  if (r.status !== 0) console.log(r.stderr.slice(-2000));
} finally {
  await th.stop();
  rmSync(dir, { recursive: true, force: true });
}
