// The run's results on the installer's machine: the kubeconfig (fetched from master 1, the server rewritten
// to the address users reach, names after the cluster, mode 0600) and the HTML report.
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import type { Host, Plan } from '../../plan/schema.js';
import { endpointsFor, kubeconfigFor, reportHtml } from './outputs-adapter.js';
import type { OutputValue, Step } from '../step.js';
import { ADMIN_CONF } from './cluster.js';
import { safeName } from '../logs.js';

/** Where the cluster's kubeconfig is kept between runs: `<workdir>/clusters/<name>/kubeconfig`. */
export function kubeconfigPath(workdir: string, plan: Plan): string {
  return join(workdir, 'clusters', safeName(plan.cluster.name), 'kubeconfig');
}

export function outputSteps(plan: Plan, master: Host, needs: string[]): Step[] {
  const m = master.name;
  const kubeconfig: Step = {
    id: 'kubeconfig',
    title: msg('step.kubeconfig'),
    hosts: [m],
    needs,
    retry: { attempts: 3, delayMs: 2000 },
    async run(ctx) {
      const admin = await ctx.download(m, ADMIN_CONF, { sudo: true });
      const path = kubeconfigPath(ctx.workdir, ctx.plan);
      const { text, server, context } = ctx.dryRun
        ? { text: `# ${ADMIN_CONF} from ${m}, server and names rewritten for ${ctx.plan.cluster.name}\n`, server: '', context: ctx.plan.cluster.name }
        : kubeconfigFor(ctx.plan, admin.toString('utf8'));
      await ctx.writeLocal(path, text, 0o600);
      ctx.outputs.set('kubeconfigPath', path);
      ctx.outputs.set('kubeContext', context);
      ctx.outputs.set('endpoints', ctx.dryRun ? [{ name: 'kubernetes-api', url: server }] : (endpointsFor(ctx.plan, ctx.outputs.get<never>('portalEndpoints') ?? []) as unknown as OutputValue));
      ctx.outputs.set('versions', {
        kubernetes: ctx.release.kubernetes,
        kubespray: ctx.release.kubespray.version,
        ...(ctx.release.calico ? { calico: ctx.release.calico } : {}),
        ...(ctx.release.metallb ? { metallb: ctx.release.metallb } : {}),
      });
    },
  };

  const report: Step = {
    id: 'report',
    title: msg('step.report'),
    hosts: [],
    needs: ['kubeconfig'],
    async run(ctx) {
      const path = join(ctx.runDir, 'report.html');
      await ctx.writeLocal(path, reportHtml(ctx), 0o600);
      ctx.outputs.set('reportPath', path);
    },
  };
  return [kubeconfig, report];
}
