// Preparing the deployer (the plan's `deployer` host, else master 1) the way the platform's guide does by
// hand, but idempotent and resumable: the Kubespray tree, an Ansible that fits it, and an SSH key that every
// node accepts. Paths on hosts are relative to the login user's home (where an SSH command starts), so no
// `$HOME` ever needs expanding inside a quoted word.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { safeName } from '../logs.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { ANSIBLE_VERSION_FILES, compareVersions, minimalAnsibleVersion, packTree, parseAnsibleVersion } from '../tree.js';

/** The installer's folder on the deployer, per cluster. */
export function workspace(plan: Plan): string {
  return `.cp-installer/${safeName(plan.cluster.name)}`;
}

export function kubesprayDir(plan: Plan): string {
  return `${workspace(plan)}/kubespray`;
}

export const DEPLOYER_KEY = '.ssh/id_cp_installer';

/** The Kubernetes nodes Kubespray installs (edge hosts join later through KubeEdge, never Kubespray). */
export function clusterNodes(plan: Plan): Host[] {
  return plan.hosts.filter(
    (h) => !h.roles.includes('edge') && (h.roles.includes('control-plane') || h.roles.includes('worker') || h.roles.includes('etcd')),
  );
}

/** Where the Kubespray tree is in an offline bundle: `<bundle>/kubespray/`, or the bundle itself. */
export function bundleTree(bundlePath: string): string | undefined {
  if (existsSync(join(bundlePath, 'kubespray', 'cluster.yml'))) return join(bundlePath, 'kubespray');
  if (existsSync(join(bundlePath, 'cluster.yml'))) return bundlePath;
  return undefined;
}

function treeSource(ctx: StepContext): { kind: 'bundle'; root: string } | { kind: 'git'; url: string; ref: string; subdir: string } {
  const bundle = ctx.plan.bundle?.path;
  if (bundle) {
    const root = bundleTree(bundle);
    if (!root) throw new StepError(msg('install.bundle-missing', { path: bundle }), undefined, true);
    return { kind: 'bundle', root };
  }
  const { git, ref, subdir } = ctx.release.kubespray;
  return { kind: 'git', url: git, ref, subdir };
}

export function deployerSteps(plan: Plan, deployer: Host, needs: string[]): Step[] {
  const d = deployer.name;
  const ws = workspace(plan);
  const ks = kubesprayDir(plan);
  const marker = `${ws}/kubespray.source`;
  const nodes = clusterNodes(plan);

  // The tree's identity: the archive's checksum for a bundle, URL and ref for git.
  let packed: Awaited<ReturnType<typeof packTree>> | undefined;
  const sourceId = async (ctx: StepContext): Promise<string> => {
    const src = treeSource(ctx);
    if (src.kind === 'git') return `git ${src.url} ${src.ref} ${src.subdir}`;
    packed ??= await packTree(src.root);
    return `bundle sha256:${packed.sha256}`;
  };

  const tree: Step = {
    id: 'deployer-tree',
    title: msg('step.deployer-tree'),
    hosts: [d],
    needs,
    retry: { attempts: 2, delayMs: 2000 },
    async isDone(ctx) {
      const r = await ctx.exec(d, `cat ${shq(marker)} && test -f ${shq(`${ks}/cluster.yml`)}`, { check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === (await sourceId(ctx));
    },
    async run(ctx) {
      const src = treeSource(ctx);
      const id = await sourceId(ctx);
      await ctx.exec(d, shellJoin(['mkdir', '-p', ws]));
      if (src.kind === 'bundle' && packed) {
        const tar = `${ws}/kubespray.tar`;
        const next = `${ks}.new`;
        await ctx.upload(d, packed.tar, tar, { mode: 0o600, describe: `Kubespray tree from ${src.root}: ${packed.files} files, sha256 ${packed.sha256}` });
        await ctx.exec(
          d,
          [
            shellJoin(['rm', '-rf', next]),
            shellJoin(['mkdir', '-p', next]),
            shellJoin(['tar', '-xf', tar, '-C', next]),
            shellJoin(['rm', '-rf', ks]),
            shellJoin(['mv', next, ks]),
            shellJoin(['rm', '-f', tar]),
          ].join(' && '),
        );
      } else if (src.kind === 'git') {
        const clone = `${ws}/src`;
        await ctx.exec(
          d,
          [
            shellJoin(['rm', '-rf', `${clone}.new`]),
            shellJoin(['git', 'clone', '--depth', '1', '--branch', src.ref, src.url, `${clone}.new`]),
            shellJoin(['rm', '-rf', clone, ks]),
            shellJoin(['mv', `${clone}.new`, clone]),
            shellJoin(['ln', '-s', src.subdir ? `src/${src.subdir}` : 'src', ks]),
          ].join(' && '),
        );
      }
      await ctx.exec(d, `printf '%s\\n' ${shq(id)} > ${shq(marker)}`);
    },
  };

  const ansible: Step = {
    id: 'deployer-ansible',
    title: msg('step.deployer-ansible'),
    hosts: [d],
    needs: ['deployer-tree'],
    // A pip install cut short by the network is safe to start again.
    retry: { attempts: 2, delayMs: 2000 },
    async run(ctx) {
      const declared = await ctx.exec(
        d,
        `cat ${ANSIBLE_VERSION_FILES.map((f) => shq(`${ks}/${f}`)).join(' ')} 2>/dev/null; true`,
        { quiet: true, describe: `read minimal_ansible_version from ${ks}` },
      );
      const required = minimalAnsibleVersion(declared.stdout) ?? ctx.release.ansible.minCore;
      const venvBin = `${ws}/venv/bin/ansible-playbook`;
      const find = async (): Promise<string | undefined> => {
        for (const bin of ['ansible-playbook', venvBin]) {
          const r = await ctx.exec(d, `${shq(bin)} --version`, {
            check: false,
            quiet: true,
            dryRunResult: { stdout: `ansible-playbook [core ${required}]` },
          });
          const found = r.code === 0 ? parseAnsibleVersion(r.stdout) : undefined;
          ctx.log(`${bin}: ${found ?? 'not found'} (need >= ${required})`, { host: d });
          if (found && compareVersions(found, required) >= 0) return bin;
        }
        return undefined;
      };
      let bin = await find();
      if (!bin) {
        const bundle = ctx.plan.bundle?.path;
        const requirements = `${ks}/requirements.txt`;
        const wheelsLocal = bundle ? join(bundle, 'wheels') : undefined;
        const pipArgs: string[] = [];
        if (wheelsLocal && existsSync(wheelsLocal)) {
          const wheels = await packTree(wheelsLocal);
          await ctx.upload(d, wheels.tar, `${ws}/wheels.tar`, { mode: 0o600, describe: `pip wheels: ${wheels.files} files` });
          await ctx.exec(d, [shellJoin(['mkdir', '-p', `${ws}/wheels`]), shellJoin(['tar', '-xf', `${ws}/wheels.tar`, '-C', `${ws}/wheels`])].join(' && '));
          pipArgs.push('--no-index', '--find-links', `${ws}/wheels`);
        } else if (bundle) {
          throw new StepError(msg('install.ansible-too-old', { host: d, found: 'none', required }), undefined, true);
        }
        await ctx.exec(
          d,
          [
            shellJoin(['python3', '-m', 'venv', `${ws}/venv`]),
            `{ test -f ${shq(requirements)} && ${shellJoin([`${ws}/venv/bin/pip`, 'install', ...pipArgs, '-r', requirements])} || ${shellJoin([`${ws}/venv/bin/pip`, 'install', ...pipArgs, ctx.release.ansible.pip])}; }`,
          ].join(' && '),
          { timeoutMs: 30 * 60_000 },
        );
        bin = await find();
        if (!bin) throw new StepError(msg('install.ansible-too-old', { host: d, found: 'none', required }), undefined, true);
      }
      // The playbook runs after a `cd` into the tree, so a virtualenv's bin/ is given as an absolute path.
      if (bin === venvBin) {
        const home = await ctx.exec(d, 'pwd', { quiet: true, dryRunResult: { stdout: '/home/user\n' } });
        ctx.outputs.set('ansibleBinDir', `${home.stdout.trim()}/${ws}/venv/bin`);
      } else ctx.outputs.set('ansibleBinDir', null);
    },
  };

  const key: Step = {
    id: 'deployer-key',
    title: msg('step.deployer-key'),
    hosts: [d],
    needs: ['deployer-tree'],
    // Generates the key only when missing, so running it again is harmless and always yields the public key.
    async run(ctx) {
      const r = await ctx.exec(
        d,
        [
          'mkdir -p .ssh',
          'chmod 700 .ssh',
          `{ test -f ${shq(DEPLOYER_KEY)} || ${shellJoin(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `cp-installer@${plan.cluster.name}`, '-f', DEPLOYER_KEY])}; }`,
          'pwd',
          `cat ${shq(`${DEPLOYER_KEY}.pub`)}`,
        ].join(' && '),
        { dryRunResult: { stdout: '/home/user\nssh-ed25519 AAAA...(generated on the deployer) cp-installer\n' } },
      );
      const out = r.stdout.trim().split('\n');
      const pub = out.pop() ?? '';
      ctx.outputs.set('deployerHome', out.pop() ?? '.');
      if (!pub.startsWith('ssh-')) throw new StepError(msg('install.step-error', { message: `no public key in ${DEPLOYER_KEY}.pub` }));
      ctx.outputs.set('deployerPublicKey', pub);
    },
  };

  const authorize = (pub: string) =>
    [
      'mkdir -p .ssh',
      'chmod 700 .ssh',
      'touch .ssh/authorized_keys',
      'chmod 600 .ssh/authorized_keys',
      // Appends only when the exact line is missing: never rewrites what the user has there.
      `{ grep -qxF ${shq(pub)} .ssh/authorized_keys || printf '%s\\n' ${shq(pub)} >> .ssh/authorized_keys; }`,
    ].join(' && ');

  const nodeKeys: Step = {
    id: 'node-keys',
    title: msg('step.node-keys'),
    hosts: nodes.map((h) => h.name),
    needs: ['deployer-key'],
    perHost: true,
    retry: { attempts: 3, delayMs: 1000 },
    async isDone(ctx) {
      const pub = ctx.outputs.require<string>('deployerPublicKey');
      const r = await ctx.exec(ctx.host!.name, `grep -qxF ${shq(pub)} .ssh/authorized_keys`, { check: false, quiet: true });
      return r.code === 0;
    },
    async run(ctx) {
      await ctx.exec(ctx.host!.name, authorize(ctx.outputs.require<string>('deployerPublicKey')));
    },
  };

  const knownHosts: Step = {
    id: 'known-hosts',
    title: msg('step.known-hosts'),
    hosts: [d],
    needs: ['node-keys'],
    retry: { attempts: 3, delayMs: 2000 },
    async run(ctx) {
      const seen = new Set<string>();
      const lines = ['mkdir -p .ssh', 'chmod 700 .ssh', 'touch .ssh/known_hosts'];
      for (const h of nodes) {
        for (const address of new Set([innerAddress(h), h.address])) {
          const entry = h.port === 22 ? address : `[${address}]:${h.port}`;
          if (seen.has(entry)) continue;
          seen.add(entry);
          // Appends the host's keys only when known_hosts has none for it; never overwrites the file.
          lines.push(
            `{ ssh-keygen -F ${shq(entry)} -f .ssh/known_hosts >/dev/null 2>&1 || ${shellJoin(['ssh-keyscan', '-T', '10', '-p', h.port, address])} >> .ssh/known_hosts 2>/dev/null; }`,
            `ssh-keygen -F ${shq(entry)} -f .ssh/known_hosts >/dev/null`,
          );
        }
      }
      await ctx.exec(d, lines.join(' && '));
    },
  };

  return [tree, ansible, key, nodeKeys, knownHosts];
}

