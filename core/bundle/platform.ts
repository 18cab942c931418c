// What the platform's own roles (roles/cp/*) fetch or apply, read from the release's tree: the playbook names
// its roles, each role's tasks name the manifests they `kubectl apply` (their `image:` lines), the Helm
// charts they install (`helm repo add` + `--version`), the files they `wget`, and the files of the tree they
// unpack (keadm). A task's `when:` is evaluated for the plan (storage type, Kyverno, architecture); a
// condition on something the plan does not decide is reported, never guessed.
import { pyStr, truthy, UndefinedError, evaluate, type Scope, type Value } from './jinja.js';
import { parse as parseYaml } from 'yaml';
import { parseVarsYaml, type TreeReader } from './vars.js';

export interface PlatformChart {
  repo: string;
  chart: string;
  version: string;
  /** The values file the role passes (`-f`), whose `image.repository` names an image to carry. */
  values?: string;
  role: string;
}

export interface PlatformImage {
  ref: string;
  /** The tree file it was read from. */
  from: string;
}

export interface PlatformFile {
  url: string;
  role: string;
}

export interface PlatformScan {
  /** Files of the tree the roles apply or unpack, relative to the tree's root (`applications/…`, `edge/…`). */
  treeFiles: string[];
  images: PlatformImage[];
  charts: PlatformChart[];
  files: PlatformFile[];
  /** Values-file images without a tag (the chart's default tag decides): `{ repository, chart }`. */
  chartImages: { repository: string; chart: string; version: string; from: string }[];
  unresolved: { role: string; task: string; variable: string }[];
}

/**
 * The `role: cp/...` entries of a playbook, with the role-level `when:` if any, in the playbook's order. Read
 * as YAML, so the block style (`- role: cp/storage` on its own lines, as a tool that rewrites the file writes
 * it) counts as much as the tree's flow style; text that is not YAML is read line by line.
 */
export function playbookRoles(text: string): { role: string; when?: string }[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return playbookRolesByText(text);
  }
  const out: { role: string; when?: string }[] = [];
  const walk = (v: unknown, inRoles: boolean): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, inRoles));
    if (typeof v === 'string') {
      if (inRoles && v.startsWith('cp/')) out.push({ role: v });
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.role === 'string') {
      const when = Array.isArray(o.when) ? o.when.map((w) => `(${String(w)})`).join(' and ') : o.when === undefined || o.when === null ? undefined : String(o.when);
      if (o.role.startsWith('cp/')) out.push({ role: o.role, ...(when ? { when } : {}) });
      return;
    }
    for (const [k, x] of Object.entries(o)) walk(x, k === 'roles');
  };
  walk(doc, false);
  return out;
}

function playbookRolesByText(text: string): { role: string; when?: string }[] {
  const out: { role: string; when?: string }[] = [];
  for (const m of text.matchAll(/\{\s*role:\s*([\w/.-]+)\s*(?:,\s*when:\s*(.+?)\s*)?\}/g)) {
    const role = m[1] as string;
    if (!role.startsWith('cp/')) continue;
    const when = m[2] && /^(["']).*\1$/.test(m[2]) ? m[2].slice(1, -1) : m[2];
    out.push({ role, ...(when ? { when } : {}) });
  }
  return out;
}

const SCALAR_MODULES = ['shell', 'command', 'ansible.builtin.shell', 'ansible.builtin.command'];

function taskText(task: Record<string, Value>): string {
  for (const k of SCALAR_MODULES) {
    const v = task[k];
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof (v as Record<string, Value>).cmd === 'string') return (v as Record<string, string>).cmd as string;
  }
  return '';
}

function whenHolds(when: Value, scope: Scope): boolean {
  const list = Array.isArray(when) ? when : when === undefined ? [] : [when];
  return list.every((w) => (typeof w === 'boolean' ? w : truthy(evaluate(pyStr(w), scope))));
}

/** `image: x` lines (and the rook operator's `ROOK_CSI_*_IMAGE` settings) of a manifest, commented lines skipped. */
export function manifestImages(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const m = /^\s*-?\s*image:\s*["']?([^\s"'#]+)["']?\s*(?:#.*)?$/.exec(line) ?? /^\s*ROOK_[A-Z_]*IMAGE:\s*["']?([^\s"'#]+)["']?/.exec(line);
    if (m?.[1] && /[:@]/.test(m[1]) && !m[1].includes('{{')) out.push(m[1]);
  }
  return [...new Set(out)];
}

function normPath(p: string): string {
  return p.replace(/\/+/g, '/').replace(/\/$/, '');
}

/** The tree paths (and charts, downloads) one task's shell text names. */
function scanTask(text: string, role: string, out: PlatformScan): { values?: string } {
  const paths: string[] = [];
  const cd = /\bcd\s+[^\n]*?cp-deployment\/(\S+)/.exec(text)?.[1];
  for (const m of text.matchAll(/cp-deployment\/([^\s'"]+)/g)) if (m[1] !== cd) paths.push(m[1] as string);
  // After a `cd` into the tree, the files named relative to it (`kubectl apply -f crds.yaml`, `tar zxvf keadm.tar.gz`).
  if (cd) for (const m of text.matchAll(/(?:-f|-xf|zxvf|xvf|-xzf)\s+([\w.\-/]+\.(?:ya?ml|tar\.gz|tgz))/g)) paths.push(`${cd}/${m[1]}`);
  let values: string | undefined;
  for (const p of paths) {
    const clean = normPath(p);
    if (/\bhelm\s+install\b/.test(text) && /-f\s+[^\n]*?cp-deployment\//.test(text) && clean.endsWith('values.yaml')) values = clean;
    if (!out.treeFiles.includes(clean)) out.treeFiles.push(clean);
  }
  const repos = new Map<string, string>();
  for (const m of text.matchAll(/helm\s+repo\s+add\s+(\S+)\s+(\S+)/g)) repos.set(m[1] as string, m[2] as string);
  for (const m of text.matchAll(/helm\s+install\s+\S+\s+(\S+)\/(\S+)[^\n]*?--version\s+(\S+)/g)) {
    const repo = repos.get(m[1] as string);
    if (repo) out.charts.push({ repo, chart: m[2] as string, version: m[3] as string, role, ...(values ? { values } : {}) });
  }
  for (const m of text.matchAll(/\b(?:wget|curl\s+(?:-\S+\s+)*)\s*(https?:\/\/\S+)/g)) out.files.push({ url: m[1] as string, role });
  return values ? { values } : {};
}

/**
 * Scans the roles a playbook runs for what they take from the tree and from outside, for the plan's facts
 * (`facts`: the variables the roles' conditions read, e.g. storage_type_reg.stdout, install_kyverno,
 * ansible_architecture).
 */
export function scanPlaybook(tree: TreeReader, playbook: string, facts: Record<string, Value>, roleFilter: (role: string) => boolean = () => true): PlatformScan {
  const out: PlatformScan = { treeFiles: [], images: [], charts: [], files: [], chartImages: [], unresolved: [] };
  const text = tree.read(playbook);
  if (text === undefined) throw new Error(`the tree has no ${playbook}`);
  const seen = new Set<string>();
  for (const { role, when } of playbookRoles(text)) {
    if (!roleFilter(role)) continue;
    // The role's own defaults sit below the facts the plan decides.
    const defaults = parseVarsYaml(tree.read(`roles/${role}/defaults/main.yml`) ?? '');
    const scope: Scope = {
      has: (n) => n in facts || n in defaults,
      get: (n) => {
        if (n in facts) return facts[n];
        if (n in defaults) return defaults[n];
        throw new UndefinedError(n);
      },
    };
    try {
      if (when && !whenHolds(when, scope)) continue;
    } catch (e) {
      if (e instanceof UndefinedError) {
        out.unresolved.push({ role, task: '(role)', variable: e.variable });
        continue;
      }
      throw e;
    }
    const key = `${role}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tasksText = tree.read(`roles/${role}/tasks/main.yml`);
    if (tasksText === undefined) continue;
    const tasks = parseTasks(tasksText);
    for (const task of tasks) {
      const name = pyStr(task.name ?? '');
      try {
        if (!whenHolds(task.when, scope)) continue;
      } catch (e) {
        if (e instanceof UndefinedError) {
          if (!out.unresolved.some((u) => u.role === role && u.variable === e.variable)) out.unresolved.push({ role, task: name, variable: e.variable });
          continue;
        }
        throw e;
      }
      scanTask(taskText(task), role, out);
    }
  }
  return out;
}

function parseTasks(text: string): Record<string, Value>[] {
  const doc = parseVarsYaml(`tasks:\n${text.replace(/^---\s*$/m, '').replace(/^/gm, '  ')}`);
  const list = doc.tasks;
  return Array.isArray(list) ? (list as Record<string, Value>[]) : [];
}

/** The images of the manifests a scan found (files, or every YAML under a folder), by the tree's reader. */
export function scanImages(tree: TreeReader, scan: PlatformScan, treePrefix = ''): void {
  const files: string[] = [];
  for (const p of scan.treeFiles) {
    const rel = `${treePrefix}${p}`;
    if (/\.ya?ml$/.test(p) && tree.read(rel) !== undefined) files.push(p);
    else for (const f of tree.list(rel).sort()) if (/\.ya?ml$/.test(f)) files.push(`${p}/${f}`);
  }
  for (const f of files) {
    const text = tree.read(`${treePrefix}${f}`) ?? '';
    const chart = scan.charts.find((c) => c.values === f);
    if (chart) {
      const values = parseVarsYaml(text);
      const image = values.image as Record<string, Value> | undefined;
      if (image && typeof image.repository === 'string') {
        if (image.tag) scan.images.push({ ref: `${image.repository}:${pyStr(image.tag)}`, from: f });
        else scan.chartImages.push({ repository: image.repository, chart: chart.chart, version: chart.version, from: f });
      }
      continue;
    }
    for (const ref of manifestImages(text)) if (!scan.images.some((i) => i.ref === ref)) scan.images.push({ ref, from: f });
  }
}

/** `name` → `docker.io/library/name`, `org/name` → `docker.io/org/name`; a registry host is kept. */
export function normalizeImage(ref: string): string {
  const first = ref.split('/')[0] as string;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}
