// The edge modes with the bundle file in the plan: the standalone run's offline steps (upload, unpack, the
// registry, image load, the runtimes pointed at it) wired into both edge descriptors, served from the cloud
// host, and kubeadm and keadm given that registry. A dry run (no host, no bundle at hand) shows the order and
// every address.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { edgeMode } from '../../../core/modes/edge/index.js';
import { expandEdgeMode } from '../../../core/modes/expand-edge/index.js';
import { findRelease } from '../../../core/plan/catalog.js';
import type { PlanInput } from '../../../core/plan/schema.js';
import { kubeadmConfigFromPlan, renderKubeadmConfig } from '../../../core/tools/kubeadm/config.js';
import { dryRunEdge, edgePlan } from './plans.js';

async function dry(mode: typeof edgeMode, over: Partial<PlanInput>) {
  const plan = edgePlan(over, 2);
  return { ...(await dryRunEdge(mode, plan)), plan };
}

const BUNDLE = { bundle: { path: '/nonexistent/bundle', file: '/nonexistent/site.tar' } };
const SERVE = ['bundle-upload', 'bundle-unpack', 'files-repo', 'registry', 'image-load', 'node-registries'];

describe('edge modes served from the deployer\'s registry', () => {
  it('edge: the offline steps run on the cloud host, the runtimes of every host are pointed at it after their preparation, and the cloud work waits for the images', async () => {
    const { result, infos } = await dry(edgeMode, BUNDLE);
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    const byId = new Map(infos.map((s) => [s.id, s]));
    for (const id of SERVE) expect(byId.has(id), id).toBe(true);
    // No Kubespray tree in an edge run: nothing to edit.
    expect(byId.has('offline-tree')).toBe(false);
    expect(byId.get('bundle-upload')!.hosts).toEqual(['cp1']);
    expect(byId.get('registry')!.hosts).toEqual(['cp1']);
    expect(byId.get('node-registries')!.hosts).toEqual(['cp1', 'edge-1', 'edge-2']);
    expect(byId.get('node-registries')!.needs).toEqual(expect.arrayContaining(['prepare-cloud', 'prepare-edge']));
    expect(byId.get('edge-tools')!.needs).toEqual(expect.arrayContaining(['prepare-cloud', 'prepare-edge', 'image-load', 'node-registries']));
    // kubeadm-init and everything after it come after edge-tools: the images are there before any pull.
    expect(byId.get('kubeadm-config')!.needs).toEqual(['edge-tools']);

    const records = result.dryRun!;
    // Every runtime: a hosts.toml/registries.conf.d entry per upstream registry to http://10.0.0.10:5000.
    const nodeFiles = records.filter((r) => r.step === 'node-registries' && r.kind === 'upload').map((r) => (r.kind === 'upload' ? `${r.host} ${r.path}` : ''));
    expect(nodeFiles).toEqual(expect.arrayContaining(['edge-1 /etc/containers/registries.conf.d/10-docker.io.conf', 'cp1 /etc/containers/registries.conf.d/10-registry.k8s.io.conf']));
    // The first host's copy carries the text (the dry-run listing names the others as the same content).
    const dropIn = records.find((r) => r.step === 'node-registries' && r.kind === 'upload' && r.host === 'cp1' && r.path.endsWith('10-docker.io.conf'));
    expect(dropIn && dropIn.kind === 'upload' ? dropIn.content : '').toContain('location = "10.0.0.10:5000"');
    // keadm init and join take the registry: kubeedge's images under /kubeedge, the broker under /library.
    const commands = records.flatMap((r) => (r.kind === 'exec' ? [`${r.host} ${r.command}`] : []));
    const init = commands.find((c) => c.includes('keadm init'))!;
    expect(init).toContain('--image-repository 10.0.0.10:5000/kubeedge');
    expect(init).toContain('--set mosquitto.image.repository=10.0.0.10:5000/library/eclipse-mosquitto');
    expect(commands.find((c) => c.startsWith('edge-1 ') && c.includes('keadm join'))).toContain('--image-repository 10.0.0.10:5000/kubeedge');
    // Nothing outside the site in any command.
    expect(JSON.stringify(records)).not.toMatch(/raw\.githubusercontent\.com|registry-1\.docker\.io\/v2|dl\.k8s\.io/);
  });

  it('kubeadm pulls its images from that registry: imageRepository, and CoreDNS under its upstream path', () => {
    const plan = edgePlan(BUNDLE, 1);
    const text = renderKubeadmConfig(kubeadmConfigFromPlan(plan, findRelease(plan.release)!, plan.hosts[0]!));
    const cluster = text.split('---\n').map((d) => parse(d) as Record<string, unknown>).find((d) => d.kind === 'ClusterConfiguration')!;
    expect(cluster.imageRepository).toBe('10.0.0.10:5000');
    // kubeadm names CoreDNS <repo>/coredns:<tag> under a repository of its own; loaded as coredns/coredns.
    expect(cluster.dns).toEqual({ imageRepository: '10.0.0.10:5000/coredns' });
  });

  it('expand-edge: served from the existing control plane, its runtime and the edge hosts\' pointed there', async () => {
    const { result, infos } = await dry(expandEdgeMode, { mode: 'expand-edge', ...BUNDLE });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    const byId = new Map(infos.map((s) => [s.id, s]));
    for (const id of SERVE) expect(byId.has(id), id).toBe(true);
    expect(byId.get('registry')!.hosts).toEqual(['cp1']);
    expect(byId.get('node-registries')!.hosts).toEqual(['cp1', 'edge-1', 'edge-2']);
    expect(byId.get('edge-tools')!.needs).toEqual(expect.arrayContaining(['image-load', 'node-registries']));
  });

  it('a site registry of the plan: no upload or registry of ours, the runtimes pointed at it; the bundle folder alone: no registry at all', async () => {
    const site = await dry(edgeMode, { registry: { address: 'harbor.site:443', insecure: false } });
    const ids = site.infos.map((s) => s.id);
    expect(ids).toContain('node-registries');
    expect(ids).not.toContain('bundle-upload');
    expect(ids).not.toContain('registry');
    const commands = site.result.dryRun!.flatMap((r) => (r.kind === 'exec' ? [r.command] : []));
    expect(commands.find((c) => c.includes('keadm init'))).toContain('--image-repository harbor.site:443/kubeedge');

    const folder = await dry(edgeMode, { bundle: { path: '/nonexistent/bundle' } });
    expect(folder.infos.map((s) => s.id)).not.toContain('node-registries');
  });
});
