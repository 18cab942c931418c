// The edge mode's own cloud side: kubeadm on the single control plane from a generated config, then Calico
// (a bare kubeadm cluster has no pod network).
import { existsSync, readFileSync } from 'node:fs';
import { msg } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import type { Host, Plan } from '../../plan/schema.js';
import { ADMIN_KUBECONFIG, adminConfPresentCommand, kubeadmInit } from '../../tools/kubeadm/commands.js';
import { KUBEADM_CONFIG_PATH, KubeadmConfigError, kubeadmConfigFromPlan, renderKubeadmConfig } from '../../tools/kubeadm/config.js';
import { KubeadmParser } from '../../tools/kubeadm/parser.js';
import { applyCommand, calicoManifestSource, daemonSetExistsCommand } from '../../tools/kubectl/cloud.js';
import type { Step } from '../../install/step.js';
import { execExpect, fail } from './exec.js';
import { HOST_STATE_DIR } from './state.js';

/** The kubeadm configuration for the plan; a plan it cannot express is a permanent StepError. */
export function kubeadmConfigText(plan: Plan, release: Release, cloud: Host): string {
  try {
    return renderKubeadmConfig(kubeadmConfigFromPlan(plan, release, cloud));
  } catch (e) {
    if (e instanceof KubeadmConfigError) fail(e.error, undefined, true);
    throw e;
  }
}

export function kubeadmConfigStep(plan: Plan, release: Release, cloud: Host, needs: string[]): Step {
  return {
    id: 'kubeadm-config',
    title: msg('edge.step.kubeadm-config'),
    hosts: [cloud.name],
    needs,
    async run(ctx) {
      await ctx.upload(cloud.name, kubeadmConfigText(plan, release, cloud), KUBEADM_CONFIG_PATH, { sudo: true, mode: 0o600 });
    },
  };
}

export function kubeadmInitStep(cloud: Host, needs: string[]): Step {
  return {
    id: 'kubeadm-init',
    title: msg('edge.step.kubeadm-init'),
    hosts: [cloud.name],
    needs,
    async isDone(ctx) {
      const r = await ctx.exec(cloud.name, adminConfPresentCommand(), { sudo: true, check: false, quiet: true });
      return r.stdout.includes('present');
    },
    async run(ctx) {
      // Quiet: the bootstrap token is printed twice; the parser registers it as a secret before we log a line.
      const parser = new KubeadmParser((token) => ctx.addSecret(token));
      const r = await ctx.exec(cloud.name, kubeadmInit(), {
        sudo: true,
        check: false,
        quiet: true,
        onStdout: (l) => {
          const p = parser.push(l);
          ctx.log(l, { host: cloud.name, stream: 'stdout' });
          if (p) ctx.progress(p.fraction, p.detail);
        },
        onStderr: (l) => {
          parser.push(l);
          ctx.log(l, { host: cloud.name, stream: 'stderr' });
        },
      });
      if (ctx.dryRun) return;
      const result = parser.result(r.code);
      if (!result.succeeded) {
        const message = ctx.redact(result.preflightErrors.length ? result.preflightErrors.join('; ') : (result.error ?? `exit ${r.code}`));
        fail(msg('edge.kubeadm-failed', { host: cloud.name, phase: result.failedPhase ?? '?', message }), {
          host: cloud.name,
          task: `kubeadm init${result.failedPhase ? ` (${result.failedPhase})` : ''}`,
          message,
        });
      }
    },
  };
}

export function cniStep(plan: Plan, release: Release, cloud: Host, needs: string[]): Step {
  const kubeconfig = ADMIN_KUBECONFIG;
  return {
    id: 'cni',
    title: msg('edge.step.cni'),
    hosts: [cloud.name],
    needs,
    retry: { attempts: 3, delayMs: 3000 },
    async isDone(ctx) {
      const r = await ctx.exec(cloud.name, daemonSetExistsCommand(kubeconfig, 'calico-node', 'kube-system'), { sudo: true, check: false, quiet: true });
      return r.stdout.includes('calico-node');
    },
    async run(ctx) {
      const version = release.calico ?? '3.29.3';
      let source = calicoManifestSource(version);
      if (plan.bundle) {
        const local = calicoManifestSource(version, plan.bundle.path);
        if (!ctx.dryRun && !existsSync(local)) fail(msg('edge.bundle-file-missing', { path: local }), undefined, true);
        source = `${HOST_STATE_DIR}/edge/calico.yaml`;
        await ctx.upload(cloud.name, ctx.dryRun && !existsSync(local) ? '' : readFileSync(local), source, {
          sudo: true,
          mode: 0o644,
          describe: `Calico v${version} manifest from the bundle`,
        });
      }
      if (!plan.bundle) {
        // Without a bundle the cloud host fetches the manifest itself: that download is what fails on a site
        // with no route out, and the user must learn which address it was, not only kubectl's last line.
        const r = await ctx.exec(cloud.name, applyCommand(kubeconfig, source), { sudo: true, check: false });
        if (ctx.dryRun || / (created|configured|unchanged)$/m.test(r.stdout) || r.code === 0) return;
        const message = ctx.redact((r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n') || `exit ${r.code ?? r.signal}`);
        fail(msg('edge.download-failed', { host: cloud.name, url: source, message }), { host: cloud.name, task: `kubectl apply -f ${source}`, message });
      }
      await execExpect(ctx, cloud.name, applyCommand(kubeconfig, source), / (created|configured|unchanged)$/m);
    },
  };
}
