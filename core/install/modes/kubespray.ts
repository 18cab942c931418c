// Kubespray on the deployer: the inventory and group_vars written where a person would find them
// (inventory/<cluster>/ in the tree), then `ansible-playbook … cluster.yml` with live output through the
// adapter's parser (progress, the current task, and the failed task/host to show first).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import type { SecretBag } from '../../ssh/types.js';
import { inventoryDir, inventoryName, playbookCommand } from '../../tools/kubespray/commands.js';
import { groupVarChanges, keptHardening, PLATFORM_INVENTORY } from '../../tools/kubespray/group-vars.js';
import { APPLICATION_TEMPLATE_GLOB, clusterTemplates, planTemplateEdits, renderTemplate, scriptValues } from '../../tools/kubespray/placeholders.js';
import { homesOffTree, masterOneApplications } from '../../tools/kubespray/platform-reads.js';
import { clusterNodes, hostsWithRole } from '../../plan/schema.js';
import { likelyHome } from '../dry-home.js';
import { runDetached } from '../detached.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { beforeKubespray } from './cluster.js';
import { bundlePlatformTree, claimTree, DEPLOYER_KEY, kubesprayDir, ownTreeCommand, PLATFORM_TREE, workspace } from './deployer.js';
import { inventoryFiles, PlaybookWatch } from './kubespray-adapter.js';


export function filesHash(files: Array<[string, string]>): string {
  const h = createHash('sha256');
  for (const [path, text] of files) h.update(path).update('\0').update(text).update('\0');
  return h.digest('hex');
}

/**
 * What the playbook reads that the run wrote: the inventory (relative to its folder) and the platform's
 * templates as filled (relative to ~/cp-deployment). The playbook's done-marker holds it, so a resume after a
 * change that only reaches a filled template (Kyverno turned on, another NFS server, another master 1 name)
 * runs the playbook again instead of skipping it.
 */
export function playbookInputsHash(inventory: Array<[string, string]>, rendered: Array<[string, string]>): string {
  return filesHash([...inventory.map(([p, t]): [string, string] => [`inventory/${p}`, t]), ...rendered.map(([p, t]): [string, string] => [`~/${PLATFORM_TREE}/${p}`, t])]);
}

/**
 * The sudo password Ansible's become needs, when a node's profile says sudo asks for one. Given on the
 * command's stdin (--become-password-file=/dev/stdin): on no command line and in no file.
 */
export function becomePassword(plan: Plan, secrets: SecretBag, hosts: Host[]): string | undefined {
  for (const h of hosts) {
    const profile = plan.auth.find((a) => a.name === h.auth);
    if (profile?.sudo !== 'password') continue;
    const s = secrets.sudoPassword?.[profile.name] ?? secrets.password?.[profile.name];
    if (s && !s.isEmpty) return s.reveal();
  }
  return undefined;
}

/**
 * What deploy-cp-cluster.sh does to the tree before it runs the playbook: each `*.tmpl` its cluster.yml reads
 * copied over the file beside it with the placeholders filled from the plan (pure: placeholders.ts). A
 * placeholder without a value stops the step: the playbook would otherwise run with the literal text.
 */
async function renderPlatformTemplates(ctx: StepContext, d: string): Promise<Array<[string, string]>> {
  const subdir = ctx.release.kubespray.subdir;
  const candidates = [...clusterTemplates(subdir), APPLICATION_TEMPLATE_GLOB];
  const listed = await ctx.exec(d, `cd ${shq(PLATFORM_TREE)} && for f in ${candidates.map((c) => (c.includes('*') ? c : shq(c))).join(' ')}; do test -f "$f" && printf '%s\\n' "$f"; done; true`, {
    quiet: true,
    check: false,
    describe: `find the platform's templates in ~/${PLATFORM_TREE}`,
    dryRunResult: { stdout: candidates.join('\n') },
  });
  const values = scriptValues(ctx.plan);
  // A dry run reads the templates from a bundle on this machine, when the plan has one.
  const localRoot = ctx.dryRun ? localPlatformRoot(ctx) : undefined;
  const rendered: Array<[string, string]> = [];
  const names = localRoot
    ? candidates.flatMap((c) => (c.includes('*') ? globOne(localRoot, c) : existsSync(join(localRoot, c)) ? [c] : []))
    : listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const template of names) {
    const text = await ctx.exec(d, `cat ${shq(`${PLATFORM_TREE}/${template}`)}`, {
      quiet: true,
      describe: `read ${template}`,
      dryRunResult: { stdout: localRoot ? (readLocal(join(localRoot, template)) ?? '') : '' },
    });
    const r = renderTemplate(template, text.stdout, values);
    if (r.missing.length > 0 && !ctx.dryRun) {
      throw new StepError(msg('install.step-error', { message: `${template}: no value for ${r.missing.map((n) => `{${n}}`).join(', ')}` }), undefined, true);
    }
    ctx.log(`${r.target}: from ${template}${r.filled.length ? `, ${r.filled.map((n) => `{${n}} = ${JSON.stringify(values[n])}`).join(', ')}` : ''}`, { host: d });
    // What the plan decides there that the script does not fill (the NFS share's path).
    const edited = planTemplateEdits(r.target, r.text, ctx.plan);
    for (const change of edited.changes) ctx.log(change, { host: d });
    await ctx.upload(d, edited.text, `${PLATFORM_TREE}/${r.target}`, { mode: 0o644 });
    rendered.push([r.target, edited.text]);
  }
  return rendered;
}

function readLocal(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The platform's tree in the plan's bundle on this machine (for a dry run, which touches no host). */
function localPlatformRoot(ctx: StepContext): string | undefined {
  const bundle = ctx.plan.bundle?.path;
  return bundle ? bundlePlatformTree(bundle, ctx.release.kubespray.subdir) : undefined;
}

function localPlatformInventory(ctx: StepContext): string | undefined {
  const root = localPlatformRoot(ctx);
  return root ? join(root, ctx.release.kubespray.subdir, PLATFORM_INVENTORY) : undefined;
}

/** `dir/name-*\/file` matched in one folder level (the applications' versioned folders). */
function globOne(root: string, pattern: string): string[] {
  const [dir = '', entry = '', ...rest] = pattern.split('/');
  const prefix = entry.replace(/\*$/, '');
  const base = join(root, dir);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((n) => n.startsWith(prefix))
    .map((n) => [dir, n, ...rest].join('/'))
    .filter((p) => existsSync(join(root, p)));
}

export function kubesprayStep(plan: Plan, deployer: Host, needs: string[]): Step[] {
  const d = deployer.name;
  const ks = kubesprayDir(plan);
  const inv = inventoryDir(inventoryName(plan));
  const doneMarker = `${workspace(plan)}/kubespray.done`;
  const files = platformFilesStep(plan, deployer, ['inventory']);

  const inventory: Step = {
    id: 'inventory',
    title: msg('step.inventory'),
    hosts: [d],
    needs,
    // Rewriting the same files is harmless: nothing to check first, and safe to retry.
    retry: { attempts: 3, delayMs: 1000 },
    async run(ctx) {
      // The platform's inventory first (its group_vars, a *.tmpl standing for its rendered file, as
      // deploy-cp-cluster.sh copies them), then only the keys the plan decides, changed in place.
      const own = `${inv}/group_vars`;
      if (inv !== PLATFORM_INVENTORY) {
        await ctx.exec(
          d,
          [
            `cd ${shq(ks)}`,
            shellJoin(['mkdir', '-p', inv]),
            shellJoin(['rm', '-rf', own]),
            `{ if test -d ${shq(`${PLATFORM_INVENTORY}/group_vars`)}; then ${shellJoin(['cp', '-R', `${PLATFORM_INVENTORY}/group_vars`, own])}; else ${shellJoin(['mkdir', '-p', own])}; fi; }`,
            `find ${shq(own)} -name '*.tmpl' -exec sh -c 'mv "$1" "\${1%.tmpl}"' sh {} ';'`,
          ].join(' && '),
          { describe: `copy the platform's ${PLATFORM_INVENTORY}/group_vars to ${inv}/group_vars` },
        );
      }
      const base: Record<string, string | undefined> = {};
      // A dry run reads the platform's files from a bundle on this machine, when the plan has one.
      const local = ctx.dryRun ? localPlatformInventory(ctx) : undefined;
      for (const file of new Set(groupVarChanges(ctx.plan, ctx.release).map((c) => c.file))) {
        if (local) {
          base[file] = readLocal(join(local, `${file}.tmpl`)) ?? readLocal(join(local, file));
          continue;
        }
        const r = await ctx.exec(
          d,
          `cd ${shq(ks)} && { cat ${shq(`${PLATFORM_INVENTORY}/${file}.tmpl`)} 2>/dev/null || cat ${shq(`${inv}/${file}`)} 2>/dev/null || true; }`,
          { quiet: true, check: false, describe: `read the platform's ${file}`, dryRunResult: { stdout: '' } },
        );
        base[file] = r.stdout;
      }
      // The templates are filled in the one shared tree: not while another cluster's playbook runs from it.
      await claimTree(ctx, d, `${workspace(ctx.plan)}/cp-deployment.source`);
      const rendered = await renderPlatformTemplates(ctx, d);
      await ctx.exec(d, ownTreeCommand(ctx.plan));
      const { files, log } = inventoryFiles(ctx.plan, ctx.release, base);
      // Each change the plan makes to the platform's settings, one line each (also in a dry run).
      for (const line of [...log, ...keptHardening(base)]) ctx.log(line, { host: d });
      const dirs = new Set(files.map(([p]) => `${ks}/${inv}/${p}`.replace(/\/[^/]+$/, '')));
      await ctx.exec(d, shellJoin(['mkdir', '-p', ...dirs]));
      for (const [path, text] of files) {
        await ctx.upload(d, text, `${ks}/${inv}/${path}`, { mode: 0o644 });
        // A copy next to the run, so the user can read what was sent without logging in.
        await ctx.writeLocal(join(ctx.runDir, 'inventory', path), text, 0o600);
      }
      ctx.outputs.set('inventoryHash', playbookInputsHash(files, rendered));
      ctx.outputs.set('inventoryPath', `${ks}/${inv}/hosts.yaml`);
    },
  };

  const playbook: Step = {
    id: 'kubespray',
    title: msg('step.kubespray'),
    hosts: [d],
    needs: ['inventory', 'deployer-ansible', 'known-hosts', ...(files ? [files.id] : []), ...beforeKubespray(plan)],
    // Not retried by the runner: a failed task fails again until someone fixes its cause, then resumes.
    async isDone(ctx) {
      const r = await ctx.exec(d, `cat ${shq(doneMarker)}`, { check: false, quiet: true });
      return r.code === 0 && r.stdout.trim() === ctx.outputs.get('inventoryHash');
    },
    async run(ctx: StepContext) {
      const become = becomePassword(ctx.plan, ctx.secrets, clusterNodes(ctx.plan));
      // Ansible logs in to the nodes with the key cp-installer gave the deployer, not a default key of the user's.
      const home = ctx.outputs.get<string>('deployerHome') ?? '.';
      const command = playbookCommand({
        kubesprayDir: ks,
        cluster: inventoryName(ctx.plan),
        playbook: 'cluster.yml',
        ansibleBinDir: ctx.outputs.get<string>('ansibleBinDir') ?? undefined,
        becomePasswordOnStdin: !!become,
        privateKeyFile: `${home}/${DEPLOYER_KEY}`,
        controlPersistSeconds: typeof ctx.options.controlPersistSeconds === 'number' ? ctx.options.controlPersistSeconds : undefined,
      });
      const watch = new PlaybookWatch(ctx.release.kubespray.version);
      let last = 0;
      const report = () => {
        const p = watch.progress();
        ctx.progress(p.fraction, p.detail, { counts: p.counts });
      };
      // Detached on the deployer (core/install/detached.ts): a killed installer or a lost link leaves it
      // running, and the next attempt follows it (same inventory) or stops it; two never run together.
      const result = await runDetached(ctx, {
        host: d,
        dir: `${workspace(ctx.plan)}/run/kubespray`,
        command: command.line,
        tag: ctx.outputs.require<string>('inventoryHash'),
        ...(become ? { stdinLine: become } : {}),
        describe: command.line,
        timeoutMs: Number(ctx.options.playbookTimeoutSec ?? 6 * 3600) * 1000,
        whenRunning: ctx.options.runningPlaybook === 'stop' ? 'stop' : 'wait',
        onStdout: (line) => {
          watch.line(line);
          const now = Date.now();
          if (now - last > 250) {
            last = now;
            report();
          }
        },
      });
      report();
      if (ctx.dryRun) return;
      if (result.code !== 0) {
        const f = watch.failure();
        if (f) {
          throw new StepError(msg('install.playbook-failed', { task: f.task ?? '', host: f.host ?? '', message: ctx.redact(f.message) }), {
            task: f.task,
            host: f.host,
            message: ctx.redact(f.message),
          });
        }
        throw new StepError(msg('install.playbook-exit', { code: String(result.code ?? result.signal) }), { host: d, message: `exit ${result.code ?? result.signal}` });
      }
      await ctx.exec(d, `printf '%s\\n' ${shq(ctx.outputs.require<string>('inventoryHash'))} > ${shq(doneMarker)}`);
    },
  };

  return files ? [inventory, files, playbook] : [inventory, playbook];
}

/**
 * Where the platform's roles after Kubespray read the tree when the deployer is not master 1
 * (tools/kubespray/platform-reads.ts): master 1 gets the `applications/` folders its roles hand kubectl and
 * helm, filled as on the deployer, at ~/cp-deployment; and every control plane must log in with the deployer's
 * home, where cp/istio and cp/opentofu look for their binaries. None of this is needed when the deployer is the
 * only control plane (the platform's own layout), so the step is left out then.
 */
function platformFilesStep(plan: Plan, deployer: Host, needs: string[]): Step | undefined {
  const d = deployer.name;
  const masters = hostsWithRole(plan, 'control-plane').filter((h) => !h.roles.includes('edge'));
  const m = masters[0];
  if (!m || masters.every((h) => h.name === d)) return undefined;
  const ws = workspace(plan);
  return {
    id: 'platform-files',
    title: msg('step.platform-files'),
    hosts: [...new Set([d, ...masters.map((h) => h.name)])],
    needs,
    // A copy and an unpack: safe to repeat.
    retry: { attempts: 2, delayMs: 2000 },
    async run(ctx) {
      const home = async (h: Host) =>
        (await ctx.exec(h.name, 'pwd', { quiet: true, describe: `${h.name}: the login user's home`, dryRunResult: { stdout: `${likelyHome(ctx.plan, h)}\n` } })).stdout.trim();
      const deployerHome = await home(deployer);
      const homes: Array<{ host: string; home: string }> = [];
      for (const h of masters) if (h.name !== d) homes.push({ host: h.name, home: await home(h) });
      const off = homesOffTree(deployerHome, homes);
      if (off.length > 0) {
        throw new StepError(
          msg('install.node-home-differs', { hosts: off.map((o) => `${o.host} (${o.home})`).join(', '), deployer: d, home: deployerHome }),
          { host: off[0]!.host, message: `home ${off[0]!.home}, the deployer's ${deployerHome}` },
          true,
        );
      }
      ctx.log(`control planes log in with the deployer's home ${deployerHome}: cp/istio and cp/opentofu find the tree there`, { host: d });
      if (m.name === d) return;

      const tar = `${ws}/platform-files.tar`;
      const globs = masterOneApplications(ctx.plan);
      // Relative to ~/cp-deployment, so the workspace's tar is ../<ws>/…; a glob matching nothing is left out.
      const listed = await ctx.exec(
        d,
        `cd ${shq(PLATFORM_TREE)} && for f in ${globs.join(' ')}; do test -e "$f" && printf '%s\\n' "$f"; done | tee /dev/stderr | tar -cf ${shq(`../${tar}`)} -T -`,
        { describe: `pack ${globs.join(' ')} of ~/${PLATFORM_TREE} on ${d}`, dryRunResult: { stderr: globs.join('\n') } },
      );
      const found = listed.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      for (const g of globs) {
        const re = new RegExp(`^${g.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
        if (!found.some((f) => re.test(f))) ctx.log(`${g}: not in the tree on ${d}; the role that reads it fails the same way on master 1`, { host: d });
      }
      const data = await ctx.download(d, tar);
      await claimTree(ctx, m.name);
      await ctx.exec(m.name, shellJoin(['mkdir', '-p', ws, PLATFORM_TREE]));
      await ctx.upload(m.name, data, tar, { mode: 0o600, describe: `${found.join(', ')} from ${d}` });
      await ctx.exec(
        m.name,
        [
          shellJoin(['tar', '-xf', tar, '-C', PLATFORM_TREE]),
          shellJoin(['rm', '-f', tar]),
          ownTreeCommand(ctx.plan),
        ].join(' && '),
        { describe: `~/${PLATFORM_TREE}/${found.join(', ~/${PLATFORM_TREE}/')} on ${m.name}, as on ${d}` },
      );
      await ctx.exec(d, shellJoin(['rm', '-f', tar]));
    },
  };
}
