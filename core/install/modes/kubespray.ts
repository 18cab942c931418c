// Kubespray on the deployer: the inventory and group_vars written where a person would find them
// (inventory/<cluster>/ in the tree), then `ansible-playbook … cluster.yml` with live output through the
// adapter's parser (progress, the current task, and the failed task/host to show first).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import type { SecretBag } from '../../ssh/types.js';
import { inventoryDir, inventoryName, playbookCommand } from '../../tools/kubespray/commands.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { clusterNodes, DEPLOYER_KEY, kubesprayDir, workspace } from './deployer.js';
import { inventoryFiles, PlaybookWatch } from './kubespray-adapter.js';


export function filesHash(files: Array<[string, string]>): string {
  const h = createHash('sha256');
  for (const [path, text] of files) h.update(path).update('\0').update(text).update('\0');
  return h.digest('hex');
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

export function kubesprayStep(plan: Plan, deployer: Host, needs: string[]): Step[] {
  const d = deployer.name;
  const ks = kubesprayDir(plan);
  const inv = inventoryDir(inventoryName(plan));
  const doneMarker = `${workspace(plan)}/kubespray.done`;

  const inventory: Step = {
    id: 'inventory',
    title: msg('step.inventory'),
    hosts: [d],
    needs,
    // Rewriting the same files is harmless: nothing to check first, and safe to retry.
    retry: { attempts: 3, delayMs: 1000 },
    async run(ctx) {
      const files = inventoryFiles(ctx.plan, ctx.release);
      const dirs = new Set(files.map(([p]) => `${ks}/${inv}/${p}`.replace(/\/[^/]+$/, '')));
      await ctx.exec(d, shellJoin(['mkdir', '-p', ...dirs]));
      for (const [path, text] of files) {
        await ctx.upload(d, text, `${ks}/${inv}/${path}`, { mode: 0o644 });
        // A copy next to the run, so the user can read what was sent without logging in.
        await ctx.writeLocal(join(ctx.runDir, 'inventory', path), text, 0o600);
      }
      ctx.outputs.set('inventoryHash', filesHash(files));
      ctx.outputs.set('inventoryPath', `${ks}/${inv}/hosts.yaml`);
    },
  };

  const playbook: Step = {
    id: 'kubespray',
    title: msg('step.kubespray'),
    hosts: [d],
    needs: ['inventory', 'deployer-ansible', 'known-hosts'],
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
      const result = await ctx.exec(d, command.line, {
        check: false,
        collect: false,
        stdin: become ? `${become}\n` : undefined,
        describe: command.line,
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

  return [inventory, playbook];
}
