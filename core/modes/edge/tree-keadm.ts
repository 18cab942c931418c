// keadm from the platform's own tree, as the 2021 edge guide (2.3) installs it: `cp
// paas-ta-container-platform-deployment/edge/keadm /usr/bin/keadm` on the master and on every edge node. The
// tree is the one the run already has (the offline bundle's), so the hosts get the release's keadm (KubeEdge
// 1.6.1 for v1.0.4) and never a download. It goes to /usr/local/bin (keadm's own KubeEdgeUsrBinPath, before
// /usr/bin in PATH and in sudo's secure_path), only where it is missing or differs, and must then run.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { msg } from '../../common/messages.js';
import { sha256File } from '../../common/sha256-file.js';
import { shq } from '../../common/quote.js';
import type { Host, Plan } from '../../plan/schema.js';
import type { Step } from '../../install/step.js';
import { fail } from './exec.js';
import { EDGE_JOIN_CONCURRENCY } from './state.js';

/** Where the hosts get it. */
export const TREE_KEADM_DEST = '/usr/local/bin/keadm';

/** The tree's keadm, relative to the tree's root. */
export const TREE_KEADM = 'edge/keadm';

/**
 * The bundle's copies of the tree, in the order the run reads them: the platform tree the deployer unpacks
 * (`cp-deployment/`), the tree under the name the 2021 guides use, a bundle that is the tree itself.
 */
export function treeKeadmCandidates(bundle: string): string[] {
  return ['cp-deployment', 'paas-ta-container-platform-deployment', ''].map((d) => join(bundle, d, TREE_KEADM));
}

/** The tree's keadm in the bundle, if there is one (a file, not an empty placeholder). */
export function treeKeadm(bundle: string): string | undefined {
  return treeKeadmCandidates(bundle).find((p) => existsSync(p) && statSync(p).isFile() && statSync(p).size > 0);
}

/** The hex sha256 `sha256sum` printed for the file, if it printed one. */
export function parseSha256sum(stdout: string): string | undefined {
  return /^([0-9a-f]{64})\s/m.exec(stdout)?.[1];
}

/** Installs the tree's keadm on the cloud host and the edge hosts (step `edge-keadm`). */
export function treeKeadmStep(plan: Plan, cloud: Host, edges: Host[], needs: string[]): Step {
  let local: Promise<{ path: string; sha256: string }> | undefined;
  const source = (host: string) => {
    const bundle = plan.bundle?.path;
    const path = bundle ? treeKeadm(bundle) : undefined;
    if (!path) {
      const where = bundle ? join(bundle, 'paas-ta-container-platform-deployment', TREE_KEADM) : `<bundle.path>/paas-ta-container-platform-deployment/${TREE_KEADM}`;
      fail(msg('edge.tree-keadm-missing', { host, path: where }), { host, message: `the tree has no ${TREE_KEADM}` }, true);
    }
    return (local ??= sha256File(path).then((f) => ({ path, sha256: f.sha256 })));
  };
  return {
    id: 'edge-keadm',
    title: msg('edge.step.tree-keadm'),
    hosts: [cloud.name, ...edges.map((h) => h.name).filter((n) => n !== cloud.name)],
    needs,
    perHost: true,
    concurrency: EDGE_JOIN_CONCURRENCY,
    retry: { attempts: 2, delayMs: 1000 },
    async run(ctx) {
      const host = ctx.host!.name;
      const { path, sha256 } = await source(host);
      const have = await ctx.exec(host, `sha256sum ${shq(TREE_KEADM_DEST)} 2>/dev/null || true`, { check: false, quiet: true, dryRunResult: { stdout: '' } });
      if (parseSha256sum(have.stdout) === sha256) ctx.log(`${TREE_KEADM_DEST} is the tree's keadm already (sha256 ${sha256})`, { host });
      else
        await ctx.uploadFile(host, path, TREE_KEADM_DEST, {
          sudo: true,
          mode: 0o755,
          describe: `the tree's ${TREE_KEADM} (sha256 ${sha256}) to ${TREE_KEADM_DEST}`,
        });
      // The later steps run `keadm` by name with sudo: the check runs the one they will.
      const v = await ctx.exec(host, 'keadm version', { sudo: true, check: false, dryRunResult: { stdout: 'version: version.Info{}' } });
      if (ctx.dryRun) return;
      if (v.code !== 0) {
        const message = ctx.redact((v.stderr.trim() || v.stdout.trim() || `exit ${v.code}`).split('\n')[0]!);
        fail(msg('edge.tree-keadm-broken', { host, path: TREE_KEADM_DEST, message }), { host, task: 'keadm version', message }, true);
      }
      ctx.log(`keadm on ${host}: ${v.stdout.trim()}`, { host });
    },
  };
}
