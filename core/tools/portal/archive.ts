// Checks a portal deployment archive before it is carried to master 1: the layout the v1.6 guide shows
// (§3.1: script/, images/, charts/, values_orig/ under cp-portal-deployment/), the scripts the guide runs,
// a chart for every component, and versions. Pure: it reads the archive's list of entries.
import { msg, type Message } from '../../common/messages.js';
import { PORTAL_COMPONENTS } from './components.js';

export const ARCHIVE_ROOT = 'cp-portal-deployment';
export const VARS_FILE = 'script/cp-portal-vars.sh';
export const DEPLOY_SCRIPT = 'script/deploy-cp-portal.sh';
export const UNINSTALL_SCRIPT = 'script/uninstall-cp-portal.sh';
export const CHAOS_VALUES = 'values_orig/chaos-mesh.yaml';
/** Folders the guide's tree shows that deploy-cp-portal.sh reads (script_mc/, istio_mc/ are the multi-cluster ones). */
export const REQUIRED_DIRS = ['script', 'images', 'charts', 'values_orig'] as const;
export const REQUIRED_FILES = [VARS_FILE, DEPLOY_SCRIPT, UNINSTALL_SCRIPT, CHAOS_VALUES] as const;

export interface ArchiveChart {
  chart: string;
  version: string;
  /** Path inside the archive, from its root folder. */
  path: string;
}

export interface ArchiveCheck {
  ok: boolean;
  /** From the file name (`cp-portal-deployment-v1.6.1.1.tar.gz` → `1.6.1.1`). */
  version?: string;
  charts: ArchiveChart[];
  errors: Message[];
  warnings: Message[];
}

/** `cp-portal-deployment-v1.6.1.1.tar.gz` → `1.6.1.1`. */
export function archiveVersion(fileName: string): string | undefined {
  const m = /^cp-portal-deployment-v(\d+(?:\.\d+){1,3})\.(?:tar\.gz|tgz)$/.exec(fileName);
  return m?.[1];
}

/** An entry's path below the archive's root folder (`./cp-portal-deployment/x` and `cp-portal-deployment/x` alike). */
function relative(entry: string): string | undefined {
  const p = entry.replace(/^\.\//, '');
  if (p === ARCHIVE_ROOT || p === `${ARCHIVE_ROOT}/`) return '';
  return p.startsWith(`${ARCHIVE_ROOT}/`) ? p.slice(ARCHIVE_ROOT.length + 1) : undefined;
}

/** `charts/harbor-1.17.1.tgz` → { chart: harbor, version: 1.17.1 }. */
export function chartOf(path: string): ArchiveChart | undefined {
  const m = /^charts\/([a-z0-9][a-z0-9-]*?)-v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)\.tgz$/.exec(path);
  return m ? { chart: m[1]!, version: m[2]!, path } : undefined;
}

/**
 * The archive's entries (paths as `tar -tzf` lists them) checked against what deploy-cp-portal.sh needs.
 * An entry outside `cp-portal-deployment/` or climbing out with `..` makes the archive unusable: it is
 * unpacked on master 1 in the guide's folder and must not write anywhere else.
 */
export function checkPortalArchive(fileName: string, entries: readonly string[]): ArchiveCheck {
  const errors: Message[] = [];
  const warnings: Message[] = [];
  const version = archiveVersion(fileName);
  if (!version) warnings.push(msg('cp-portal.archive.name', { file: fileName }));
  const files = new Set<string>();
  const dirs = new Set<string>();
  let outside: string | undefined;
  for (const e of entries) {
    if (e.split('/').includes('..') || e.startsWith('/')) {
      outside ??= e;
      continue;
    }
    const rel = relative(e);
    if (rel === undefined) {
      outside ??= e;
      continue;
    }
    if (rel === '') continue;
    if (rel.endsWith('/')) dirs.add(rel.slice(0, -1));
    else files.add(rel);
    const parts = rel.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  if (outside !== undefined) errors.push(msg('cp-portal.archive.outside', { file: fileName, entry: outside, root: ARCHIVE_ROOT }));
  for (const d of REQUIRED_DIRS) if (!dirs.has(d)) errors.push(msg('cp-portal.archive.missing', { file: fileName, path: `${ARCHIVE_ROOT}/${d}/` }));
  for (const f of REQUIRED_FILES) if (!files.has(f)) errors.push(msg('cp-portal.archive.missing', { file: fileName, path: `${ARCHIVE_ROOT}/${f}` }));
  const charts = [...files].map(chartOf).filter((c): c is ArchiveChart => !!c);
  for (const c of PORTAL_COMPONENTS) {
    const found = charts.filter((x) => x.chart === c.name);
    if (found.length === 0) {
      errors.push(msg('cp-portal.archive.chart', { file: fileName, chart: c.name, path: `${ARCHIVE_ROOT}/charts/${c.name}-<version>.tgz` }));
      continue;
    }
    if (c.chartVersion && !found.some((x) => x.version === c.chartVersion))
      warnings.push(msg('cp-portal.archive.chartVersion', { chart: c.name, found: found.map((x) => x.version).join(', '), expected: c.chartVersion }));
  }
  return { ok: errors.length === 0, version, charts, errors, warnings };
}
