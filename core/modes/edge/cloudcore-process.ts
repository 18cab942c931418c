// cloudcore as keadm before 1.11 runs it (the 2021 release's edge guide 2.4, 2.6; any release whose KubeEdge is
// older than 1.11, the kubeadm edge's too): keadm downloads KubeEdge and starts cloudcore as a process on the
// master (`pkill cloudcore; nohup /usr/local/bin/cloudcore …` is how the guide restarts it), not as a pod. So
// "cloudcore is up" is its two ports answering on the address edge nodes dial: cloudHub's websocket (10000)
// and the certificate service a join asks first (10002). The command and the reading of its output are the
// KubeEdge adapter's (tools/kubeedge).
import { sleep } from '../../common/async.js';
import { msg } from '../../common/messages.js';
import type { Release } from '../../plan/catalog.js';
import { innerAddress, type Plan } from '../../plan/schema.js';
import type { Step, StepContext } from '../../install/step.js';
import { keadmGeneration, keadmInit } from '../../tools/kubeedge/commands.js';
import { probeDown, tcpProbeScript, type ProbeTarget } from '../caas/probe.js';
import { keadmInitStep, runKeadmInit, type CloudcoreOptions } from './cloud.js';
import { fail } from './exec.js';
import { advertiseAddresses, type EdgeRunState } from './state.js';

/** The ports a join needs first: the certificate service, then cloudHub. */
export function cloudcoreTargets(address: string): ProbeTarget[] {
  return [
    { name: 'cloudhub', host: address, port: 10000 },
    { name: 'certificates', host: address, port: 10002 },
  ];
}

export function cloudcoreProcessStep(plan: Plan, release: Release, state: EdgeRunState, needs: string[], waitMs = 60_000): Step {
  const cloud = state.cloud;
  const advertise = advertiseAddresses(plan, cloud);
  const targets = cloudcoreTargets(advertise[0]!);
  const down = async (ctx: StepContext) => {
    const r = await ctx.exec(cloud.name, tcpProbeScript(targets, 3), { quiet: true, check: false, dryRunResult: { stdout: 'ok cloudhub\nok certificates' } });
    return probeDown(targets, r.stdout);
  };
  return {
    id: 'keadm-init',
    title: msg('edge.step.keadm-init'),
    hosts: [cloud.name],
    needs,
    async isDone(ctx) {
      return (await down(ctx)).length === 0;
    },
    async run(ctx) {
      const command = keadmInit({
        kubeedgeVersion: release.kubeedge?.version ?? '',
        advertiseAddresses: advertise,
        kubeconfig: state.kubeconfig(),
        master: `https://${innerAddress(cloud)}:6443`,
      });
      await runKeadmInit(ctx, cloud.name, command);
      if (ctx.dryRun) return;
      // keadm returns once it has started the process; the ports open a moment later.
      const deadline = Date.now() + waitMs;
      for (;;) {
        const closed = await down(ctx);
        if (closed.length === 0) {
          ctx.log(`cloudcore answering on ${targets.map((t) => `${t.host}:${t.port}`).join(', ')}; edge nodes dial ${advertise[0]}:10000`);
          ctx.progress(1, 'cloudcore running');
          return;
        }
        if (Date.now() > deadline || ctx.signal.aborted)
          fail(msg('mode.edgeBosh.cloudcoreDown', { host: cloud.name, endpoints: closed.map((t) => `${t.host}:${t.port}`).join(', ') }), {
            host: cloud.name,
            task: 'keadm init',
            message: `cloudcore not answering on ${closed.map((t) => `${t.host}:${t.port}`).join(', ')}`,
          });
        await sleep(1000, ctx.signal);
      }
    },
  };
}

/**
 * The keadm-init step for the release's KubeEdge: from 1.11 keadm installs cloudcore as a pod (wait for it);
 * before, it starts cloudcore as a process (wait for its ports).
 */
export function cloudcoreStep(plan: Plan, release: Release, state: EdgeRunState, o: CloudcoreOptions, needs: string[]): Step {
  return keadmGeneration(release.kubeedge?.version ?? '') === 'legacy' ? cloudcoreProcessStep(plan, release, state, needs) : keadmInitStep(plan, release, state, o, needs);
}
