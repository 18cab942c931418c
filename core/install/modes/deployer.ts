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
import { clusterNodes, innerAddress, type Host, type Plan } from '../../plan/schema.js';
import { deployerKeyStep, nodeKeysStep } from '../deployer-key.js';
import { safeName } from '../logs.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { ANSIBLE_VERSION_FILES, ansiblePython, compareVersions, gateModules, minimalAnsibleVersion, packTree, parseAnsibleVersion } from '../tree.js';
import { TREE_OWNER_FILE } from '../../tools/kubespray/platform-reads.js';

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

/** The file in ~/cp-deployment naming the cluster the installer placed and filled it for. */
export const TREE_OWNER = `${PLATFORM_TREE}/${TREE_OWNER_FILE}`;

/** What claimTreeCommand prints (then exits 3) when another cluster's playbook is using ~/cp-deployment. */
const BUSY_WITH = 'cp-installer-tree-busy: ';
/** What it prints when the tree was another cluster's (and is this one's from now on). */
const TAKEN_FROM = 'cp-installer-tree-was: ';

/**
 * Makes ~/cp-deployment on a host this cluster's. The platform's roles read their files from that one path and
 * a run fills the tree's templates in place, so the tree holds one cluster's values at a time; the owner file
 * says whose (its name, then its workspace). Each cluster's own state stays in its workspace and inventory
 * folder, and every run fills the templates again before its playbook (the inventory step), so a tree that was
 * another cluster's is taken over, named in the log — unless that cluster's playbook is running right now from
 * it (its lock in its workspace, held by a live process): then the step stops (exit 3, BUSY_WITH), as the
 * running play would read our values. A tree that is not the installer's (no owner file, no marker of ours:
 * the user's own clone) is moved aside into the workspace, never deleted.
 */
export function claimTreeCommand(plan: Plan, marker?: string): string {
  const ws = workspace(plan);
  const ours = marker ? ` && ! test -f ${shq(marker)}` : '';
  return [
    `if test -f ${shq(TREE_OWNER)}; then o=$(sed -n 1p ${shq(TREE_OWNER)}); w=$(sed -n 2p ${shq(TREE_OWNER)});`,
    `if test "$o" != ${shq(plan.cluster.name)}; then`,
    // Only a workspace the installer names (.cp-installer/<one plain folder>) is looked into.
    `case "$w" in .cp-installer/*/*|*..*) w=;; .cp-installer/?*) ;; *) w=;; esac;`,
    `l="$w/run/kubespray/lock"; p=$(cat "$l/pid" 2>/dev/null);`,
    `if test -n "$w" && test -n "$p" && test -d "/proc/$p" && test "$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f20)" = "$(cat "$l/start" 2>/dev/null)"; then printf '${BUSY_WITH}%s\\n' "$o"; exit 3; fi;`,
    `printf '${TAKEN_FROM}%s\\n' "$o"; fi;`,
    `elif test -e ${shq(PLATFORM_TREE)}${ours}; then ${shellJoin(['mkdir', '-p', ws])} && b=${shq(`${ws}/cp-deployment.before-cp-installer`)} && { ! test -e "$b" || b="$b.$(date +%s)"; } && ${shellJoin(['mv', PLATFORM_TREE])} "$b" && printf 'moved aside: %s\\n' "$b"; fi`,
  ].join(' ');
}

/** Writes the owner file (after claimTree, once the tree holds this cluster's files): its name, then its workspace. */
export function ownTreeCommand(plan: Plan): string {
  return `printf '%s\\n' ${shq(plan.cluster.name)} ${shq(workspace(plan))} > ${shq(TREE_OWNER)}`;
}

/** Runs claimTreeCommand on a host; another cluster's running playbook stops the step with that cluster named. */
export async function claimTree(ctx: StepContext, host: string, marker?: string): Promise<void> {
  const r = await ctx.exec(host, claimTreeCommand(ctx.plan, marker), {
    check: false,
    describe: `~/${PLATFORM_TREE} on ${host}: this cluster's (not while another cluster's playbook runs from it); a tree not placed by cp-installer moved aside`,
  });
  const line = (prefix: string) => r.stdout.split('\n').find((l) => l.startsWith(prefix))?.slice(prefix.length).trim();
  const busy = line(BUSY_WITH);
  if (busy !== undefined) {
    throw new StepError(msg('install.tree-busy', { host, other: busy, cluster: ctx.plan.cluster.name }), { host, message: `~/${PLATFORM_TREE} is in use by cluster ${busy}'s playbook` });
  }
  if (r.code !== 0) throw new StepError(msg('install.command-failed', { host, command: 'claim ~/cp-deployment', code: String(r.code) }), { host, message: r.stderr.trim() });
  const was = line(TAKEN_FROM);
  if (was !== undefined) {
    ctx.log(`~/${PLATFORM_TREE} on ${host} held cluster ${was}'s filled templates: it holds ${ctx.plan.cluster.name}'s from now on (a later run of ${was} fills them again before its playbook)`, { host });
  }
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
      // Ours only while the tree still names this cluster (another cluster's run would have been refused).
      const r = await ctx.exec(d, `cat ${shq(marker)} && test -f ${shq(`${ks}/cluster.yml`)} && test "$(sed -n 1p ${shq(TREE_OWNER)})" = ${shq(plan.cluster.name)}`, { check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === (await sourceId(ctx));
    },
    async run(ctx) {
      const src = treeSource(ctx);
      const id = await sourceId(ctx);
      const next = `${PLATFORM_TREE}.new`;
      await ctx.exec(d, shellJoin(['mkdir', '-p', ws]));
      // Before anything is unpacked: a tree another cluster's run filled stays as it is.
      await claimTree(ctx, d, marker);
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
      // claimTree moved a tree that is not the installer's aside; what is left is this cluster's earlier copy.
      await ctx.exec(
        d,
        [
          shellJoin(['rm', '-rf', PLATFORM_TREE]),
          shellJoin(['mv', next, PLATFORM_TREE]),
          ownTreeCommand(plan),
        ].join(' && '),
        { describe: `place the platform's tree at ~/${PLATFORM_TREE}${src.kind === 'git' ? ` (${src.url} ${src.ref})` : ''}, owned by cluster ${plan.cluster.name}` },
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
      const needModules = gateModules(declared.stdout);
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
          if (!found || compareVersions(found, required) < 0 || (below && compareVersions(found, below) >= 0)) continue;
          const python = ansiblePython(r.stdout);
          if (python && needModules.length) {
            const libs = await ctx.exec(d, `${shq(python)} -c ${shq(`import ${needModules.join(', ')}`)}`, { check: false, quiet: true });
            if (libs.code !== 0) {
              ctx.log(`${bin}: ${python} lacks ${needModules.join(', ')}, which the tree's version gate needs`, { host: d });
              continue;
            }
          }
          return bin;
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

