// Kubespray on the deployer: the inventory and group_vars written where a person would find them
// (inventory/<cluster>/ in the tree), then `ansible-playbook … cluster.yml` with live output through the
// adapter's parser (progress, the current task, and the failed task/host to show first).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { shellJoin, shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import type { SecretBag } from '../../ssh/types.js';
import { safeName } from '../logs.js';
import { StepError, type Step, type StepContext } from '../step.js';
import { clusterNodes, kubesprayDir, workspace } from './deployer.js';
import { inventoryFiles, playbookArgv, PlaybookWatch } from './kubespray-adapter.js';

export function inventoryDir(plan: Plan): string {
  return `inventory/${safeName(plan.cluster.name)}`;
}

export function filesHash(files: Array<[string, string]>): string {
  const h = createHash('sha256');
  for (const [path, text] of files) h.update(path).update('\0').update(text).update('\0');
  return h.digest('hex');
}

/**
 * Extra vars for hosts whose sudo needs a password: a per-host map, given to ansible-playbook on stdin
 * (`-e @/dev/stdin`), so the password is on no command line and in no file.
 */
export function becomeVars(plan: Plan, secrets: SecretBag, hosts: Host[]): Record<string, unknown> | undefined {
  const passwords: Record<string, string> = {};
  for (const h of hosts) {
    const profile = plan.auth.find((a) => a.name === h.auth);
    if (profile?.sudo !== 'password') continue;
    const s = secrets.sudoPassword?.[profile.name] ?? secrets.password?.[profile.name];
    if (s && !s.isEmpty) passwords[h.name] = s.reveal();
  }
  if (Object.keys(passwords).length === 0) return undefined;
  return { cp_become_passwords: passwords, ansible_become_password: "{{ cp_become_passwords[inventory_hostname] | default('') }}" };
}

export function kubesprayStep(plan: Plan, deployer: Host, needs: string[]): Step[] {
  const d = deployer.name;
  const ks = kubesprayDir(plan);
  const inv = inventoryDir(plan);
  const doneMarker = `${workspace(plan)}/kubespray.done`;

  const inventory: Step = {
    id: 'inventory',
    title: msg('step.inventory'),
    hosts: [d],
    needs,
    // Rewriting the same files is harmless, so there is nothing to check first.
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
      const bin = ctx.outputs.get<string>('ansiblePlaybook') ?? 'ansible-playbook';
      const become = becomeVars(ctx.plan, ctx.secrets, clusterNodes(ctx.plan));
      const { env, argv } = playbookArgv(ctx.plan, `${inv}/hosts.yaml`, { ansiblePlaybook: bin.startsWith('.') ? `../${bin.slice(ws(ctx).length + 1)}` : bin, stdinVars: !!become });
      const command = `cd ${shq(ks)} && ${Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(' ')} ${shellJoin(argv)}`;
      const watch = new PlaybookWatch(clusterNodes(ctx.plan).length);
      let last = 0;
      const result = await ctx.exec(d, command, {
        check: false,
        collect: false,
        stdin: become ? JSON.stringify(become) : undefined,
        onStdout: (line) => {
          const p = watch.push(line);
          const now = Date.now();
          if (p && (now - last > 250 || p.final)) {
            last = now;
            ctx.progress(p.fraction, p.detail, { counts: p.counts });
          }
        },
      });
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

  const ws = (ctx: StepContext) => workspace(ctx.plan);
  return [inventory, playbook];
}
