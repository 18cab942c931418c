// The edge modes on a site without internet (issue 13): the very steps the standalone run uses
// (core/install/offline/steps.ts) serve the bundle from the deployer — upload, unpack, its registry, every
// image loaded, every runtime pointed there — and kubeadm (imageRepository) and keadm (--image-repository)
// are given that registry. The deployer is the cloud host: the one host every edge node reaches anyway
// (cloudcore), the first to need the images (kubeadm init, cloudcore), and, for expand-edge, the existing
// cluster's host the installer holds SSH to; the edge profiles offer no role of its own for it.
import type { Step } from '../../install/step.js';
import { offlineGate, offlineSteps } from '../../install/offline/steps.js';
import { deployerHost, type Host, type Plan } from '../../plan/schema.js';

export interface EdgeOffline {
  steps: Step[];
  /** What the cloud work must wait for: the images loaded and every runtime pointed at the registry. */
  gate: string[];
}

/**
 * The offline steps of an edge run: none without a site registry (the plan's, or the deployer's when the plan
 * carries the bundle file). The runtimes are pointed at the registry once host preparation has put them in
 * place (`after`), so a CRI-O already running reloads them.
 */
export function edgeOfflineSteps(plan: Plan, cloud: Host, edges: Host[], after: string[]): EdgeOffline {
  const deployer = deployerHost(plan) ?? cloud;
  const nodes = [cloud, ...edges.filter((h) => h.name !== cloud.name)];
  const steps = offlineSteps(plan, deployer, [], [], { nodes, tree: false }).map((s) =>
    s.id === 'node-registries' && after.length ? { ...s, needs: [...new Set([...s.needs, ...after])] } : s,
  );
  const ids = new Set(steps.map((s) => s.id));
  return { steps, gate: offlineGate(plan).filter((id) => ids.has(id)) };
}
