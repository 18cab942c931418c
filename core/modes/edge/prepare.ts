// Host preparation from the offline bundle, for both edge modes: what the platform's edge flow puts on hosts
// (roles/cp/edge: keadm from the tree, CRI-O from its tarball) and what a kubeadm control plane needs (the
// runtime, kubeadm/kubelet/kubectl with the kubelet unit, modules and sysctls), all from the unpacked bundle
// on this machine (plan.bundle.path) — no host downloads anything. Each item is checked before it is
// installed (core/tools/hostprep/script.ts), so a rerun changes nothing and a cut run resumes where it was.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 as sha256Of } from '../../bundle/archive.js';
import { MANIFEST_PATH } from '../../bundle/manifest.js';
import { msg } from '../../common/messages.js';
import { sha256File } from '../../common/sha256-file.js';
import type { Host, Plan } from '../../plan/schema.js';
import {
  archOf,
  HostPrepMissing,
  hostPrepPlan,
  type PrepArtifact,
  type PrepItem,
  type PrepRole,
} from '../../tools/hostprep/plan.js';
import {
  incomingPath,
  installCommand,
  modprobeCommand,
  parseStatus,
  serviceCommand,
  statusCommand,
  sysctlApplyCommand,
} from '../../tools/hostprep/script.js';
import type { Step, StepContext } from '../../install/step.js';
import { execExpect, fail } from './exec.js';
import { EDGE_JOIN_CONCURRENCY } from './state.js';

/** What the steps of one run share: the bundle's manifest and the sha256 of its files, read once. */
class BundleFiles {
  private manifest: Promise<PrepArtifact[]> | undefined;
  private sums = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  artifacts(): Promise<PrepArtifact[]> {
    this.manifest ??= readFile(join(this.dir, MANIFEST_PATH), 'utf8').then(
      (t) => (JSON.parse(t) as { artifacts: PrepArtifact[] }).artifacts,
    );
    return this.manifest;
  }

  /** The file's sha256, checked against the manifest's when it records one (a damaged unpack is caught here). */
  sha(item: Extract<PrepItem, { kind: 'binary' | 'archive' }>): Promise<string> {
    let p = this.sums.get(item.artifact);
    if (!p) {
      p = (async () => {
        const local = join(this.dir, item.artifact);
        if (!existsSync(local))
          fail(
            msg('edge.prepare-bundle-missing', { path: local }),
            { message: `${local}: no such file` },
            true,
          );
        const { sha256 } = await sha256File(local);
        if (item.sha256 && item.sha256 !== sha256) {
          fail(
            msg('edge.prepare-bundle-corrupt', { path: local, want: item.sha256, got: sha256 }),
            { message: `${local}: sha256 ${sha256}, manifest ${item.sha256}` },
            true,
          );
        }
        return sha256;
      })();
      this.sums.set(item.artifact, p);
    }
    return p;
  }
}

interface Planned {
  items: Array<{ item: PrepItem; sha: string }>;
}

async function planFor(
  ctx: StepContext,
  files: BundleFiles,
  host: Host,
  role: PrepRole,
  runtime: Plan['cluster']['runtime'],
): Promise<Planned | undefined> {
  if (ctx.dryRun && !existsSync(join(files.dir, MANIFEST_PATH))) {
    ctx.log(
      `${host.name}: would install the ${role === 'edge' ? 'runtime and keadm' : role === 'cloud' ? 'runtime, kubeadm, kubelet, kubectl, keadm, modules and sysctls' : 'keadm'} from the bundle at ${files.dir} (not at hand for this dry run)`,
    );
    return undefined;
  }
  const manifestFile = join(files.dir, MANIFEST_PATH);
  if (!ctx.dryRun && !existsSync(manifestFile))
    fail(
      msg('edge.prepare-bundle-missing', { path: manifestFile }),
      { host: host.name, message: `${manifestFile}: no such file` },
      true,
    );
  const r = await ctx.exec(host.name, 'uname -m', {
    quiet: true,
    check: false,
    dryRunResult: { stdout: 'x86_64\n', code: 0 },
  });
  const arch = archOf(r.stdout);
  if (!arch)
    fail(
      msg('edge.prepare-arch', { host: host.name, machine: r.stdout.trim() || `exit ${r.code}` }),
      { host: host.name, message: `uname -m: ${r.stdout.trim()}` },
      true,
    );
  let items: PrepItem[];
  try {
    items = hostPrepPlan({ artifacts: await files.artifacts(), role, runtime, arch });
  } catch (e) {
    if (e instanceof HostPrepMissing)
      fail(
        msg('edge.prepare-missing', { host: host.name, missing: e.missing.join('; '), path: files.dir }),
        { host: host.name, message: e.message },
        true,
      );
    throw e;
  }
  const out: Planned['items'] = [];
  for (const item of items) {
    // A file's check compares the host's copy with what we would write; a service has no content to compare.
    const sha =
      item.kind === 'binary' || item.kind === 'archive'
        ? await files.sha(item)
        : sha256Of('content' in item ? item.content : '');
    out.push({ item, sha });
  }
  return { items: out };
}

async function status(ctx: StepContext, host: string, planned: Planned) {
  const r = await ctx.exec(host, statusCommand(planned.items), {
    sudo: true,
    quiet: true,
    check: false,
    describe: `check ${planned.items.length} item(s) of host preparation`,
    dryRunResult: { stdout: planned.items.map((p) => `todo ${p.item.id}`).join('\n'), code: 0 },
  });
  const s = parseStatus(r.stdout);
  const unknown = planned.items.filter((p) => !s.done.has(p.item.id) && !s.todo.has(p.item.id));
  if (unknown.length && !ctx.dryRun) {
    const message = ctx.redact(r.stderr.trim() || `exit ${r.code ?? r.signal}`);
    fail(msg('edge.prepare-check-failed', { host, message }), {
      host,
      task: 'host preparation check',
      message,
    });
  }
  return s;
}

// These commands print no success marker: their exit status decides (execExpect's other test).
const NO_MARKER = /(?!)/;

const UNIT_FILE = /^\/etc\/systemd\/system\/|\.service$|\.service\.d\//;

async function prepareHost(ctx: StepContext, files: BundleFiles, host: Host, role: PrepRole): Promise<void> {
  const planned = await planFor(ctx, files, host, role, ctx.plan.cluster.runtime);
  if (!planned) return;
  const { todo, have } = await status(ctx, host.name, planned);
  const changed = new Set<string>();
  let n = 0;
  for (const { item, sha } of planned.items) {
    ctx.progress(n++ / planned.items.length, `${host.name}: ${item.id}`);
    // A service whose binary, config or unit changed in this run is redone even when it looks in place.
    const stale = item.kind === 'service' && item.after.some((id) => changed.has(id));
    if (!todo.has(item.id) && !stale) continue;
    switch (item.kind) {
      case 'binary':
      case 'archive': {
        // An upload an earlier attempt finished (the status saw it whole) is not sent again; one it cut
        // short goes on from the byte it reached. Streamed from disk: no file is held in memory.
        if (!have.has(sha)) {
          // Progress in whole percents: a large tarball moves in many packets, the view needs a few updates.
          let shown = -1;
          const at = (n - 1) / planned.items.length;
          await ctx.uploadFile(host.name, join(files.dir, item.artifact), incomingPath(sha), {
            sudo: true,
            mode: 0o600,
            describe: `${item.artifact} from the bundle (sha256 ${sha})`,
            onProgress: (sent, total) => {
              const pct = total ? Math.floor((sent / total) * 100) : 100;
              if (pct === shown) return;
              shown = pct;
              ctx.progress(at + pct / 100 / planned.items.length, `${host.name}: ${item.id} ${pct}%`);
            },
          });
        }
        await execExpect(
          ctx,
          host.name,
          installCommand(item, sha),
          NO_MARKER,
          `install ${item.id} from ${item.artifact}`,
        );
        break;
      }
      case 'file':
        await ctx.upload(host.name, item.content, item.dest, { sudo: true, mode: item.mode });
        break;
      case 'modules':
        await ctx.upload(host.name, item.content, item.file, { sudo: true, mode: 0o644 });
        await execExpect(ctx, host.name, modprobeCommand(item.modules), NO_MARKER);
        break;
      case 'sysctl':
        await ctx.upload(host.name, item.content, item.file, { sudo: true, mode: 0o644 });
        await execExpect(ctx, host.name, sysctlApplyCommand(item.file), NO_MARKER);
        break;
      case 'service': {
        const reload = [...changed].some((id) => {
          const p = planned.items.find((x) => x.item.id === id)?.item;
          return (p?.kind === 'file' && UNIT_FILE.test(p.dest)) || p?.kind === 'archive';
        });
        await execExpect(
          ctx,
          host.name,
          serviceCommand(item, { reload, changed: item.after.some((id) => changed.has(id)) }),
          NO_MARKER,
        );
        break;
      }
    }
    changed.add(item.id);
  }
  if (ctx.dryRun) return;
  // Proof, not hope: every item must now pass its check.
  const after = await status(ctx, host.name, planned);
  if (after.todo.size) {
    const left = [...after.todo].join(', ');
    fail(msg('edge.prepare-incomplete', { host: host.name, items: left }), {
      host: host.name,
      task: 'host preparation',
      message: `not in place after installing: ${left}`,
    });
  }
  ctx.progress(1, `${host.name}: ${changed.size ? `${changed.size} item(s) installed` : 'already prepared'}`);
  ctx.log(
    `${host.name}: host preparation ${changed.size ? `installed ${[...changed].join(', ')}` : 'found everything in place'}`,
  );
}

async function hostDone(ctx: StepContext, files: BundleFiles, host: Host, role: PrepRole): Promise<boolean> {
  // No manifest: run() says so by name.
  if (!existsSync(join(files.dir, MANIFEST_PATH))) return false;
  const planned = await planFor(ctx, files, host, role, ctx.plan.cluster.runtime);
  if (!planned) return false;
  return (await status(ctx, host.name, planned)).todo.size === 0;
}

/**
 * The host preparation steps of an edge run when the plan names an unpacked bundle (none otherwise: the
 * hosts are then expected to have the tools, which the tools step checks). `cloudRole` is `cloud` for a
 * control plane this run makes with kubeadm, `keadm` for an existing cluster's.
 */
export function prepareSteps(
  plan: Plan,
  cloud: Host,
  edges: Host[],
  cloudRole: 'cloud' | 'keadm',
  needs: string[],
): Step[] {
  if (!plan.bundle) return [];
  const files = new BundleFiles(plan.bundle.path);
  const edgeOnly = edges.filter((h) => h.name !== cloud.name);
  const steps: Step[] = [
    {
      id: 'prepare-cloud',
      title: msg(cloudRole === 'cloud' ? 'edge.step.prepare-cloud' : 'edge.step.prepare-keadm', {
        host: cloud.name,
      }),
      hosts: [cloud.name],
      needs,
      retry: { attempts: 2, delayMs: 1000 },
      isDone: (ctx) => hostDone(ctx, files, cloud, cloudRole),
      run: (ctx) => prepareHost(ctx, files, cloud, cloudRole),
    },
  ];
  if (edgeOnly.length) {
    steps.push({
      id: 'prepare-edge',
      title: msg('edge.step.prepare-edge'),
      hosts: edgeOnly.map((h) => h.name),
      needs,
      perHost: true,
      concurrency: EDGE_JOIN_CONCURRENCY,
      retry: { attempts: 2, delayMs: 1000 },
      isDone: (ctx) => hostDone(ctx, files, ctx.host!, 'edge'),
      run: (ctx) => prepareHost(ctx, files, ctx.host!, 'edge'),
    });
  }
  return steps;
}
