// The command lines cp-installer runs on the deployer for Kubespray. Built from argv arrays with shellJoin,
// so every path, host name and value is quoted; extra vars travel as one JSON document (`-e k=false` would
// be the string "false", which Ansible treats as true).
import { shellJoin, shq } from '../../common/quote.js';
import type { Plan } from '../../plan/schema.js';

export type KubesprayPlaybook = 'cluster.yml' | 'facts.yml' | 'scale.yml' | 'reset.yml' | 'remove-node.yml' | 'upgrade-cluster.yml';

/** A command ready for SshSession.exec: the line, plus its parts for display and dry runs. */
export interface ToolCommand {
  /** The complete shell line (cd + env + command). */
  line: string;
  cwd: string;
  env: Record<string, string>;
  argv: string[];
}

export interface AnsibleOptions {
  /** The Kubespray tree on the deployer (the folder with cluster.yml and ansible.cfg). */
  kubesprayDir: string;
  /** Inventory folder name under inventory/: inventoryName(plan). */
  cluster: string;
  /** Folder with the ansible-playbook to use (e.g. a virtualenv's bin/); PATH's when absent. */
  ansibleBinDir?: string;
  /** Check node host keys against known_hosts (the deployer's, where cp-installer appended them). Default true. */
  hostKeyChecking?: boolean;
  /** A known_hosts file other than the login user's own. */
  knownHostsFile?: string;
  /** SSH connection reuse between tasks; 0 turns it off so no master process outlives the run. Default 60. */
  controlPersistSeconds?: number;
  /** ANSI colours in the output (for a terminal view); the parser strips them either way. Default false. */
  color?: boolean;
}

export interface PlaybookOptions extends AnsibleOptions {
  playbook: KubesprayPlaybook;
  extraVars?: Record<string, unknown>;
  limit?: string[];
  /** Sudo password read from the command's standard input (--ask-become-pass falls back to stdin without a
   *  terminal); never a file, never the command line. (--become-password-file refuses a pipe.) */
  becomePasswordOnStdin?: boolean;
  tags?: string[];
  /** The key Ansible logs in to the nodes with (the one cp-installer gave the deployer). */
  privateKeyFile?: string;
}

/** A folder name for inventory/<name>/: the plan's cluster name with anything unsafe for a path replaced. */
export function inventoryName(plan: Plan): string {
  const name = plan.cluster.name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^\.+/, '');
  return name || 'cluster';
}

/** Relative to the Kubespray tree. */
export function inventoryDir(cluster: string): string {
  return `inventory/${cluster}`;
}

export function inventoryFile(cluster: string): string {
  return `${inventoryDir(cluster)}/hosts.yaml`;
}

function bin(options: AnsibleOptions, name: string): string {
  return options.ansibleBinDir ? `${options.ansibleBinDir.replace(/\/+$/, '')}/${name}` : name;
}

/** The environment every Ansible command gets. */
export function ansibleEnv(options: AnsibleOptions): Record<string, string> {
  const checking = options.hostKeyChecking ?? true;
  const persist = options.controlPersistSeconds ?? 60;
  const sshArgs = [
    persist > 0 ? `-o ControlMaster=auto -o ControlPersist=${persist}s` : '-o ControlMaster=no',
    '-o ServerAliveInterval=30',
    `-o StrictHostKeyChecking=${checking ? 'yes' : 'no'}`,
  ];
  // Ansible splits ANSIBLE_SSH_ARGS with shlex, so a path inside it is quoted the shell way.
  if (options.knownHostsFile) sshArgs.push(`-o UserKnownHostsFile=${shq(options.knownHostsFile)}`);
  return {
    // An inventory that fails to parse would otherwise be an empty inventory and a "successful" run.
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
    ANSIBLE_HOST_KEY_CHECKING: checking ? 'True' : 'False',
    ANSIBLE_SSH_ARGS: sshArgs.join(' '),
    ANSIBLE_FORCE_COLOR: options.color ? 'True' : 'False',
    ANSIBLE_NOCOLOR: options.color ? 'False' : 'True',
    // Live output: Python would otherwise buffer a pipe.
    PYTHONUNBUFFERED: '1',
  };
}

function build(options: AnsibleOptions, argv: string[]): ToolCommand {
  const env = ansibleEnv(options);
  const envWords = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const line = `cd ${shq(options.kubesprayDir)} && ${shellJoin(['env', ...envWords, ...argv])}`;
  return { line, cwd: options.kubesprayDir, env, argv };
}

/** `ansible-playbook -i inventory/<cluster>/hosts.yaml --become --become-user=root <playbook> ...` */
export function playbookCommand(options: PlaybookOptions): ToolCommand {
  const argv = [bin(options, 'ansible-playbook'), '-i', inventoryFile(options.cluster), '--become', '--become-user=root'];
  if (options.becomePasswordOnStdin) argv.push('--ask-become-pass');
  if (options.privateKeyFile) argv.push(`--private-key=${options.privateKeyFile}`);
  if (options.limit?.length) argv.push(`--limit=${options.limit.join(',')}`);
  if (options.tags?.length) argv.push(`--tags=${options.tags.join(',')}`);
  if (options.extraVars && Object.keys(options.extraVars).length > 0) argv.push('-e', JSON.stringify(options.extraVars));
  argv.push(options.playbook);
  return build(options, argv);
}

export function clusterCommand(options: AnsibleOptions & Partial<PlaybookOptions>): ToolCommand {
  return playbookCommand({ ...options, playbook: 'cluster.yml' });
}

/** `ansible-inventory -i … --graph`: proves the inventory parses and shows its groups. */
export function inventoryGraphCommand(options: AnsibleOptions): ToolCommand {
  return build(options, [bin(options, 'ansible-inventory'), '-i', inventoryFile(options.cluster), '--graph']);
}

export function ansibleVersionCommand(options: AnsibleOptions): ToolCommand {
  return build(options, [bin(options, 'ansible-playbook'), '--version']);
}
