// `cp-installer bundle manifest|build|verify|covers|unpack`: the offline bundle for an air-gapped site.
// Built on a connected machine, carried to the site as one file, checked there, unpacked into the folder
// the plan's `bundle.path` names. Exit codes: 0 fine, 1 the bundle is incomplete or damaged (or a fetch
// failed), 2 the input cannot be used (unknown release, no tree, unreadable plan or file).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ARCHES,
  buildBundle,
  bundleManifest,
  bundleSupports,
  coversPlan,
  findRelease,
  PlanSchema,
  readManifest,
  releaseNames,
  sourceUrl,
  treeArchiveUrl,
  treeFromArchive,
  treeFromBundle,
  treeFromDir,
  unpackBundle,
  verifyBundle,
  type Arch,
  type BuildEvent,
  type BundleManifest,
  type ManifestInputs,
  type Problem,
  type TreeReader,
} from '../../core/api/bundle.js';
import { uploadBundle, type ResumableEvent } from '../../core/api/bundle.js';
import { load, renderMessage, type Lang } from '../../core/api/plan.js';
import { langOption, pickLang } from './validate.js';
import { planToConnect } from '../plan-to-connect.js';
import { formatBytes } from '../../core/api/format.js';
import { runAbortController } from '../../core/common/async.js';

class Unusable extends Error {}

function say(lang: Lang, key: string, params?: Record<string, string | number>): string {
  return renderMessage(params ? { key, params } : { key }, lang);
}


/** A 20-column progress bar, `#####...............` for a quarter. */
function bar(frac: number): string {
  return '#'.repeat(Math.floor(frac * 20)).padEnd(20, '.');
}

interface Common {
  release?: string;
  plan?: string;
  arch?: string;
  lang?: string;
}

async function planFor(file: string | undefined, lang: Lang): Promise<{ plan?: ManifestInputs['plan']; release?: string }> {
  if (!file) return {};
  const loaded = await load(file).catch((e: { key?: string; params?: Record<string, string | number> }) => {
    throw new Unusable(e.key ? renderMessage({ key: e.key, ...(e.params ? { params: e.params } : {}) }, lang) : String(e));
  });
  const parsed = loaded.valid ? PlanSchema.safeParse(loaded.plan) : undefined;
  if (!parsed?.success) throw new Unusable(say(lang, 'bundle.cli.plan-invalid', { path: file }));
  if (!bundleSupports(parsed.data.mode, parsed.data)) throw new Unusable(say(lang, 'bundle.cli.caas'));
  return { plan: parsed.data, release: parsed.data.release };
}

function releaseFor(name: string | undefined, lang: Lang) {
  const r = name ? findRelease(name) : undefined;
  if (!r) throw new Unusable(say(lang, 'bundle.cli.unknown-release', { release: name ?? '(none)', known: releaseNames().join(', ') }));
  return r;
}

function arches(text: string | undefined): Arch[] {
  const list = (text ?? 'amd64').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) if (!(a in ARCHES)) throw new Unusable(`--arch ${a}: use ${Object.keys(ARCHES).join(' or ')}`);
  return list as Arch[];
}

async function treeFrom(opts: { tree?: string; online?: boolean; from?: string }, release: ReturnType<typeof releaseFor>, lang: Lang): Promise<TreeReader> {
  try {
    if (opts.tree) {
      const p = resolve(opts.tree);
      if (statSync(p).isDirectory()) return treeFromDir(p);
      return await treeFromArchive(readFileSync(p));
    }
    if (opts.online || opts.from) {
      const url = sourceUrl(treeArchiveUrl(release), opts.from);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return await treeFromArchive(Buffer.from(await res.arrayBuffer()));
    }
  } catch (e) {
    throw new Unusable(say(lang, 'bundle.cli.tree-unreadable', { path: opts.tree ?? opts.from ?? 'online', reason: (e as Error).message }));
  }
  throw new Unusable(say(lang, 'bundle.cli.no-tree', { git: release.kubespray.git, ref: release.kubespray.ref }));
}

function summary(m: BundleManifest, lang: Lang): string {
  const n = (k: string) => m.artifacts.filter((a) => a.kind === k).length;
  return say(lang, 'bundle.cli.summary', {
    count: m.artifacts.length,
    release: m.release,
    mode: m.mode,
    runtime: m.runtime,
    arch: m.arch.join('+'),
    files: n('file'),
    images: n('image'),
    charts: n('chart'),
    other: n('wheels') + n('tree-file'),
  });
}

/** A command's exit code; input it cannot use (an `Unusable`) is said on stderr and exits 2. */
async function exitTwoWhenUnusable(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof Unusable)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
}

export async function manifestCommand(opts: Common & { tree?: string; online?: boolean; from?: string; json?: boolean }): Promise<number> {
  const lang = pickLang(opts.lang);
  return exitTwoWhenUnusable(async () => {
    const fromPlan = await planFor(opts.plan, lang);
    const release = releaseFor(opts.release ?? fromPlan.release, lang);
    const tree = await treeFrom(opts, release, lang);
    const m = bundleManifest({ release, tree, ...(fromPlan.plan ? { plan: fromPlan.plan } : {}), arch: arches(opts.arch) });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
      return 0;
    }
    const out: string[] = [summary(m, lang)];
    const width = Math.max(...m.artifacts.map((a) => a.kind.length));
    for (const a of m.artifacts) {
      const sum = a.sha256 ? `sha256:${a.sha256}` : a.digest ?? '';
      const what =
        a.kind === 'chart'
          ? `${a.chart?.name} ${a.chart?.version} ${a.source}`
          : a.kind === 'wheels'
            ? (a.requirements ?? []).join(' ')
            : a.kind === 'tree-file'
              ? a.path
              : a.kind === 'image' && a.chart
                ? `${a.source}:<the default tag of chart ${a.chart.name} ${a.chart.version}>`
                : a.source;
      out.push(`${a.kind.padEnd(width)}  ${what}${sum ? `  ${sum}` : ''}`);
    }
    for (const n of m.notes) out.push(say(lang, 'bundle.cli.note', { role: `${n.role}: ${n.task}`, variable: n.variable }));
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  });
}

/** One line that redraws itself on a terminal; whole lines elsewhere (logs, CI). */
function progressPrinter(lang: Lang): { event: (e: BuildEvent) => void; end: () => void } {
  const tty = !!process.stderr.isTTY;
  let current = '';
  let index = 0;
  let count = 0;
  let lastDraw = 0;
  const at = () => (count ? `[${index}/${count}]` : '[tree]');
  const draw = (text: string, force = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const cols = process.stderr.columns || 100;
    process.stderr.write(`\r\x1b[K${text.slice(0, cols - 1)}`);
  };
  const line = (text: string) => {
    if (tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${text}\n`);
  };
  return {
    event(e) {
      switch (e.type) {
        case 'start':
          count = e.count;
          break;
        case 'artifact':
          index = e.index;
          current = e.id;
          draw(`${at()} ${current}`, true);
          break;
        case 'progress': {
          const pct = e.total ? ` ${Math.floor((e.done / e.total) * 100)}%` : '';
          const shown = e.total ? `${bar(e.done / e.total)} ` : '';
          draw(`${at()} ${shown}${formatBytes(e.done)}${e.total ? `/${formatBytes(e.total)}` : ''}${pct}${e.resumedFrom ? ` (resumed at ${formatBytes(e.resumedFrom)})` : ''} ${e.id}`);
          break;
        }
        case 'done':
          line(e.reused ? say(lang, 'bundle.cli.reused', { id: e.id }) : `${at()} ok ${formatBytes(e.size)} sha256:${e.sha256.slice(0, 16)}… ${e.id}`);
          break;
        case 'failed':
          line(say(lang, 'bundle.cli.failed', { id: e.id, message: e.message }));
          break;
        case 'writing':
          draw(`writing ${e.path}`);
          break;
      }
    },
    end() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

export async function buildCommand(
  opts: Common & { online?: boolean; from?: string; out: string; imagesFrom?: string; insecureRegistry?: boolean; without?: string; work?: string },
): Promise<number> {
  const lang = pickLang(opts.lang);
  return exitTwoWhenUnusable(async () => {
    const fromPlan = await planFor(opts.plan, lang);
    const release = releaseFor(opts.release ?? fromPlan.release, lang);
    if (!opts.online && !opts.from) throw new Unusable(say(lang, 'bundle.cli.source-needed'));
    const arch = arches(opts.arch);
    const out = resolve(opts.out);
    const printer = progressPrinter(lang);
    process.stderr.write(`${say(lang, 'bundle.cli.building', { out, source: opts.from ?? 'online', count: '…' })}\n`);
    const ctrl = runAbortController();
    const onSigint = () => ctrl.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    const without = (opts.without ?? '').split(',').map((s) => s.trim()).filter(Boolean) as ('wheels' | 'image' | 'chart' | 'file')[];
    const result = await buildBundle({
      release,
      ...(fromPlan.plan ? { plan: fromPlan.plan } : {}),
      arch,
      ...(opts.from ? { mirror: opts.from } : {}),
      ...(opts.imagesFrom ? { imageMirror: opts.imagesFrom } : {}),
      ...(opts.insecureRegistry ? { insecureRegistry: true } : {}),
      ...(without.length ? { without } : {}),
      out,
      ...(opts.work ? { work: resolve(opts.work) } : {}),
      onEvent: printer.event,
      signal: ctrl.signal,
    }).finally(() => process.removeListener('SIGINT', onSigint));
    printer.end();
    if (!result.ok) {
      process.stderr.write(`${say(lang, 'bundle.cli.build-failed', { count: result.failed.length, work: resolve(opts.work ?? `${out}.work`) })}\n`);
      return 1;
    }
    process.stdout.write(`${say(lang, 'bundle.cli.built', { out, size: formatBytes(result.size ?? 0), sha: result.manifestSha256 ?? '' })}\n`);
    return 0;
  });
}

function problemLine(p: Problem, lang: Lang): string {
  return say(lang, `bundle.cli.problem.${p.problem}`, {
    artifact: p.artifact ?? '',
    path: p.path,
    expected: p.expected ?? '',
    actual: p.actual ?? '',
    detail: p.detail ?? '',
  });
}

export async function verifyCommand(file: string, opts: { json?: boolean; lang?: string }): Promise<number> {
  const lang = pickLang(opts.lang);
  if (!existsSync(file) || !statSync(file).isFile()) {
    process.stderr.write(`${file}: not a file\n`);
    return 2;
  }
  const r = await verifyBundle(file);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: r.ok, manifestSha256: r.manifestSha256, problems: r.problems }, null, 2)}\n`);
    return r.ok ? 0 : 1;
  }
  if (r.ok) {
    process.stdout.write(`${say(lang, 'bundle.cli.verify-ok', { file, count: r.manifest?.artifacts.length ?? 0, sha: r.manifestSha256 ?? '' })}\n`);
    return 0;
  }
  process.stdout.write(`${say(lang, 'bundle.cli.verify-bad', { file, count: r.problems.length })}\n`);
  for (const p of r.problems) process.stdout.write(`  ${problemLine(p, lang)}\n`);
  return 1;
}

export async function coversCommand(file: string, planFile: string, opts: { arch?: string; json?: boolean; lang?: string }): Promise<number> {
  const lang = pickLang(opts.lang);
  return exitTwoWhenUnusable(async () => {
    const { plan } = await planFor(planFile, lang);
    const head = await readManifest(file);
    if (!head.manifest) {
      process.stdout.write(`${say(lang, 'bundle.cli.verify-bad', { file, count: head.problems.length })}\n`);
      for (const p of head.problems) process.stdout.write(`  ${problemLine(p, lang)}\n`);
      return 1;
    }
    const release = releaseFor((plan as { release?: string } | undefined)?.release, lang);
    const tree = await treeFromBundle(file);
    const arch = opts.arch ? arches(opts.arch) : (head.manifest.arch as Arch[]);
    const needed = bundleManifest({ release, tree: tree ?? { read: () => undefined, list: () => [] }, ...(plan ? { plan } : {}), arch });
    const missing = tree ? coversPlan(head.manifest, needed, tree.files) : needed.artifacts.map((a) => ({ id: a.id, kind: a.kind, name: a.source, reason: 'absent' as const }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ covers: missing.length === 0, missing }, null, 2)}\n`);
      return missing.length ? 1 : 0;
    }
    if (missing.length === 0) {
      process.stdout.write(`${say(lang, 'bundle.cli.covers-ok', { file, plan: planFile, count: needed.artifacts.length })}\n`);
      return 0;
    }
    if (missing.some((m) => m.reason === 'other-release')) process.stdout.write(`${say(lang, 'bundle.cli.other-release', { bundle: head.manifest.release, plan: release.name })}\n`);
    process.stdout.write(`${say(lang, 'bundle.cli.covers-missing', { file, plan: planFile, count: missing.length })}\n`);
    for (const m of missing) process.stdout.write(`${say(lang, 'bundle.cli.missing-line', { kind: m.kind, name: m.name })}\n`);
    return 1;
  });
}

export async function unpackCommand(file: string, dir: string, opts: { lang?: string }): Promise<number> {
  const lang = pickLang(opts.lang);
  const target = resolve(dir);
  const r = await unpackBundle(file, target);
  if (!r.ok) {
    process.stdout.write(`${say(lang, 'bundle.cli.verify-bad', { file, count: r.problems.length })}\n`);
    for (const p of r.problems) process.stdout.write(`  ${problemLine(p, lang)}\n`);
    return 1;
  }
  process.stdout.write(`${say(lang, 'bundle.cli.unpacked', { dir: target })}\n`);
  return 0;
}

export interface UploadCliOptions {
  plan: string;
  to?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  json?: boolean;
  lang?: string;
}

function uploadLine(e: ResumableEvent, lang: Lang): string | undefined {
  const ko = lang === 'ko';
  switch (e.type) {
    case 'resume':
      return ko ? `이어 올리기: ${formatBytes(e.from)}가 이미 있고 검사를 통과했습니다. 나머지 ${formatBytes(e.total - e.from)}를 보냅니다.` : `Resuming: ${formatBytes(e.from)} already there and checked; sending the other ${formatBytes(e.total - e.from)}.`;
    case 'restart':
      return ko ? `처음부터 다시 올립니다: ${e.message}` : `Starting over: ${e.message}`;
    case 'verifying':
      return ko ? '호스트에서 sha256을 확인하는 중…' : 'Checking the sha256 on the host…';
    default:
      return undefined;
  }
}

/** `bundle upload FILE --plan P [--to DIR]`: to the plan's deployer, resumable, checked there. */
export async function uploadCommand(file: string, opts: UploadCliOptions): Promise<number> {
  const lang = pickLang(opts.lang);
  const ko = lang === 'ko';
  if (!existsSync(file) || !statSync(file).isFile()) {
    process.stderr.write(ko ? `${file}: 파일이 아닙니다\n` : `${file}: not a file\n`);
    return 2;
  }
  const ready = await planToConnect(opts.plan, lang);
  if ('exit' in ready) return ready.exit;
  const { plan, secrets } = ready;
  const tty = !!process.stderr.isTTY && !opts.json;
  const ac = runAbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const onEvent = (e: ResumableEvent) => {
    if (e.type === 'progress') {
      if (!tty) return;
      const frac = e.total ? e.done / e.total : 1;
      process.stderr.write(`\r\x1b[K${bar(frac)} ${formatBytes(e.done)}/${formatBytes(e.total)} ${Math.floor(frac * 100)}% ${formatBytes(e.rate)}/s`);
      return;
    }
    const line = uploadLine(e, lang);
    if (line) process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
  };
  try {
    const r = await uploadBundle(plan, resolve(file), {
      secrets,
      signal: ac.signal,
      onEvent,
      ...(opts.to ? { to: opts.to } : {}),
      ...(opts.knownHosts ? { knownHostsFile: opts.knownHosts } : {}),
      ...(opts.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      process.stdout.write(
        ko
          ? `${r.host}:${r.path}에 올렸습니다: ${formatBytes(r.size)}, 이번에 보낸 양 ${formatBytes(r.sent)}${r.resumedFrom ? ` (${formatBytes(r.resumedFrom)}부터 이어서)` : ''}, 호스트의 sha256 ${r.sha256} 일치\n`
          : `Uploaded to ${r.host}:${r.path}: ${formatBytes(r.size)}, ${formatBytes(r.sent)} sent this time${r.resumedFrom ? ` (resumed at ${formatBytes(r.resumedFrom)})` : ''}; the host's sha256 ${r.sha256} matches\n`,
      );
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    const m = (e as { toMessage?: () => { key: string; params: Record<string, string> } }).toMessage?.();
    process.stderr.write(`${m ? renderMessage(m, lang) : (e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function register(program: Command): void {
  const bundle = program.command('bundle').description('The offline bundle for a site without internet: list, build, verify, check against a plan, unpack');
  const common = (c: Command) =>
    c
      .option('--release <name>', 'catalog release (default: the plan\'s)')
      .option('--plan <file>', 'plan whose run the bundle is for (default: a standalone run with CRI-O and NFS)')
      .option('--arch <list>', 'architectures, comma-separated: amd64,arm64', 'amd64')
      .addOption(langOption());
  common(bundle.command('manifest').description('List every artifact a run of the plan needs, read from the release\'s tree'))
    .option('--tree <dir|tar.gz>', 'the release\'s tree (a checkout of cp-deployment, or its archive)')
    .option('--online', 'fetch the tree from its upstream site')
    .option('--from <mirror>', 'fetch the tree from a mirror (<mirror>/<host>/<path>)')
    .option('--json', 'machine-readable output')
    .action(async (opts: Common & { tree?: string; online?: boolean; from?: string; json?: boolean }) => {
      process.exitCode = await manifestCommand(opts);
    });
  common(bundle.command('build').description('Fetch every artifact (resumable, each checked against its sha256) into one bundle file'))
    .option('--online', 'fetch from the upstream sites')
    .option('--from <mirror>', 'fetch files from a mirror (<mirror>/<host>/<path>)')
    .option('--images-from <host:port>', 'registry holding the images under their upstream repository paths')
    .option('--insecure-registry', 'the image source speaks plain HTTP or has an untrusted certificate')
    .option('--without <kinds>', 'leave out artifact kinds (e.g. wheels); `bundle covers` names them missing')
    .option('--work <dir>', 'staging folder (default <out>.work; kept after a failure so a rerun resumes)')
    .requiredOption('-o, --out <file>', 'the bundle file to write')
    .action(async (opts: Common & { online?: boolean; from?: string; out: string; imagesFrom?: string; insecureRegistry?: boolean; without?: string; work?: string }) => {
      process.exitCode = await buildCommand(opts);
    });
  bundle
    .command('verify')
    .description('Check every file of a bundle against its manifest and the manifest against its checksum')
    .argument('<file>', 'the bundle file')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (file: string, opts: { json?: boolean; lang?: string }) => {
      process.exitCode = await verifyCommand(file, opts);
    });
  bundle
    .command('covers')
    .description('Whether a bundle holds every artifact a plan\'s run needs, or the list of what is missing')
    .argument('<file>', 'the bundle file')
    .argument('<plan>', 'the plan')
    .option('--arch <list>', 'architectures to check (default: the bundle\'s)')
    .option('--json', 'machine-readable output')
    .addOption(langOption())
    .action(async (file: string, planFile: string, opts: { arch?: string; json?: boolean; lang?: string }) => {
      process.exitCode = await coversCommand(file, planFile, opts);
    });
  bundle
    .command('unpack')
    .description('Check and unpack a bundle into the folder a plan\'s bundle.path names')
    .argument('<file>', 'the bundle file')
    .argument('<dir>', 'where to unpack')
    .addOption(langOption())
    .action(async (file: string, dir: string, opts: { lang?: string }) => {
      process.exitCode = await unpackCommand(file, dir, opts);
    });
  bundle
    .command('upload')
    .description('Upload a bundle to the plan\'s deployer: resumes where a broken upload stopped, checked by sha256 on the host')
    .argument('<file>', 'the bundle file')
    .requiredOption('--plan <file>', 'the plan whose deployer receives it (validated first: nothing connects for a plan with errors)')
    .option('--to <dir>', 'folder on the deployer (default ~/cp-installer-bundles)')
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', 'add an unknown host key to known_hosts (a changed key is always refused)')
    .option('--json', 'machine-readable result')
    .addOption(langOption())
    .action(async (file: string, opts: UploadCliOptions) => {
      process.exitCode = await uploadCommand(file, opts);
    });
}
