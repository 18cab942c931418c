// Preparing the deployer (the plan's `deployer` host, else master 1) the way the platform's guide does by
// hand, but idempotent and resumable: the Kubespray tree, an Ansible that fits it, and an SSH key that every
// node accepts. Paths on hosts are relative to the login user's home (where an SSH command starts), so no
// `$HOME` ever needs expanding inside a quoted word.
import { likelyHome } from '../dry-home.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import { findRelease } from '../../plan/catalog.js';
import { innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { deployerKeyStep, nodeKeysStep } from '../deployer-key.js';
import { safeName } from '../logs.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { ANSIBLE_VERSION_FILES, compareVersions, minimalAnsibleVersion, packTree, parseAnsibleVersion } from '../tree.js';

/** The installer's folder on the deployer, per cluster. */
export function workspace(plan: Plan): string {
  return `.cp-installer/${safeName(plan.cluster.name)}`;
}

/** Where the platform's tree goes on the deployer: `~/cp-deployment`, the path its roles read their manifests
 *  from (`$HOME/cp-deployment/applications/...`) and its guide assumes. The installer's own state stays beside
 *  it in workspace(plan). */
export const PLATFORM_TREE = 'cp-deployment';

/** The Kubespray tree inside it (the release's subdir, `standalone` for K-PaaS). */
export function kubesprayDir(plan: Plan): string {
  const subdir = findRelease(plan.release)?.kubespray.subdir ?? 'standalone';
  return subdir ? `${PLATFORM_TREE}/${subdir}` : PLATFORM_TREE;
}

export { DEPLOYER_KEY } from '../deployer-key.js';

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

/** The platform's whole tree in an offline bundle (`<bundle>/cp-deployment/<subdir>/cluster.yml`), if it is there. */
export function bundlePlatformTree(bundlePath: string, subdir: string): string | undefined {
  const root = join(bundlePath, PLATFORM_TREE);
  return existsSync(join(root, subdir, 'cluster.yml')) ? root : undefined;
}

type TreeSource =
  | {
      kind: 'bundle';
      root: string;
      /** where it goes under ~/cp-deployment ('' for the whole tree) */
      into: string;
      /** A bare Kubespray bundle's `applications/` (the platform's manifests), placed at ~/cp-deployment/applications. */
      applications?: string;
    }
  | { kind: 'git'; url: string; ref: string; subdir: string };

function treeSource(ctx: StepContext): TreeSource {
  const bundle = ctx.plan.bundle?.path;
  const subdir = ctx.release.kubespray.subdir;
  if (bundle) {
    const platform = bundlePlatformTree(bundle, subdir);
    if (platform) return { kind: 'bundle', root: platform, into: '' };
    const root = bundleTree(bundle);
    if (!root) throw new StepError(msg('install.bundle-missing', { path: bundle }), undefined, true);
    // A bare Kubespray tree stands in for the platform's <subdir>; the bundle's applications/ beside it.
    const applications = join(bundle, 'applications');
    return { kind: 'bundle', root, into: subdir, ...(existsSync(applications) ? { applications } : {}) };
  }
  const { git, ref } = ctx.release.kubespray;
  return { kind: 'git', url: git, ref, subdir };
}

export function deployerSteps(plan: Plan, deployer: Host, needs: string[]): Step[] {
  const d = deployer.name;
  const ws = workspace(plan);
  const ks = kubesprayDir(plan);
  const marker = `${ws}/cp-deployment.source`;
  const nodes = clusterNodes(plan);

  // The tree's identity: the archive's checksum for a bundle, URL and ref for git.
  let packed: Awaited<ReturnType<typeof packTree>> | undefined;
  let packedApps: Awaited<ReturnType<typeof packTree>> | undefined;
  const sourceId = async (ctx: StepContext): Promise<string> => {
    const src = treeSource(ctx);
    if (src.kind === 'git') return `git ${src.url} ${src.ref} ${src.subdir}`;
    packed ??= await packTree(src.root);
    if (src.applications) packedApps ??= await packTree(src.applications);
    return `bundle sha256:${packed.sha256}${packedApps ? ` applications sha256:${packedApps.sha256}` : ''}`;
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
      const next = `${PLATFORM_TREE}.new`;
      await ctx.exec(d, shellJoin(['mkdir', '-p', ws]));
      if (src.kind === 'bundle' && packed) {
        const tar = `${ws}/cp-deployment.tar`;
        const dest = src.into ? `${next}/${src.into}` : next;
        await ctx.upload(d, packed.tar, tar, { mode: 0o600, describe: `tree from ${src.root}: ${packed.files} files, sha256 ${packed.sha256}` });
        await ctx.exec(
          d,
          [
            shellJoin(['rm', '-rf', next]),
            shellJoin(['mkdir', '-p', dest]),
            shellJoin(['tar', '-xf', tar, '-C', dest]),
            shellJoin(['rm', '-f', tar]),
            // The run fills the tree's templates in place, as the platform's script does: a read-only copy would refuse.
            shellJoin(['chmod', '-R', 'u+w', next]),
          ].join(' && '),
        );
        if (packedApps) {
          const appsTar = `${ws}/applications.tar`;
          await ctx.upload(d, packedApps.tar, appsTar, { mode: 0o600, describe: `applications from ${src.applications}: ${packedApps.files} files` });
          await ctx.exec(d, [shellJoin(['mkdir', '-p', `${next}/applications`]), shellJoin(['tar', '-xf', appsTar, '-C', `${next}/applications`]), shellJoin(['rm', '-f', appsTar]), shellJoin(['chmod', '-R', 'u+w', `${next}/applications`])].join(' && '));
        }
      } else if (src.kind === 'git') {
        await ctx.exec(d, [shellJoin(['rm', '-rf', next]), shellJoin(['git', 'clone', '--depth', '1', '--branch', src.ref, src.url, next])].join(' && '));
      }
      // A ~/cp-deployment that is not the installer's (no marker: the user's own clone) is kept aside, never deleted.
      await ctx.exec(
        d,
        [
          `{ if test -e ${shq(PLATFORM_TREE)} && ! test -f ${shq(marker)}; then ${shellJoin(['mv', PLATFORM_TREE, `${ws}/cp-deployment.before-cp-installer`])}; fi; }`,
          shellJoin(['rm', '-rf', PLATFORM_TREE]),
          shellJoin(['mv', next, PLATFORM_TREE]),
        ].join(' && '),
        { describe: `place the platform's tree at ~/${PLATFORM_TREE}${src.kind === 'git' ? ` (${src.url} ${src.ref})` : ''}` },
      );
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
      // The 2021 tree (Kubespray 2.14) also caps it: `maximal_ansible_version: 2.10.0` (its first play asserts it).
      const below = /maximal_ansible_version:\s*["']?([0-9][0-9.]*)/.exec(declared.stdout)?.[1];
      const venvBin = `${ws}/venv/bin/ansible-playbook`;
      const find = async (): Promise<string | undefined> => {
        for (const bin of ['ansible-playbook', venvBin]) {
          const r = await ctx.exec(d, `${shq(bin)} --version`, {
            check: false,
            quiet: true,
            dryRunResult: { stdout: `ansible-playbook [core ${required}]` },
          });
          const found = r.code === 0 ? parseAnsibleVersion(r.stdout) : undefined;
          ctx.log(`${bin}: ${found ?? 'not found'} (need >= ${required}${below ? `, < ${below}` : ''})`, { host: d });
          if (found && compareVersions(found, required) >= 0 && (!below || compareVersions(found, below) < 0)) return bin;
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
        // Ubuntu 24.04 ships python3 without venv/ensurepip (the platform's script installs python3-venv there).
        await ctx.exec(
          d,
          `python3 -c 'import venv, ensurepip' 2>/dev/null || { ${shellJoin(['apt-get', 'update'])} && ${shellJoin(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'python3-venv', 'python3-pip'])}; }`,
          { sudo: true, timeoutMs: 10 * 60_000, describe: 'python3-venv and python3-pip on the deployer, where missing' },
        );
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
        const home = await ctx.exec(d, 'pwd', { quiet: true, dryRunResult: { stdout: `${likelyHome(plan, deployer)}\n` } });
        ctx.outputs.set('ansibleBinDir', `${home.stdout.trim()}/${ws}/venv/bin`);
      } else ctx.outputs.set('ansibleBinDir', null);
    },
  };

  // The key and authorized_keys: deployer-key.ts (one verified key line, never plan text or a stale .pub).
  const key = deployerKeyStep(plan, deployer, ['deployer-tree']);
  const nodeKeys = nodeKeysStep(nodes, ['deployer-key']);

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

