// The platform's roles install a Helm chart from its repository on the internet (cp/storage:
// `helm repo add nfs-subdir-external-provisioner https://kubernetes-sigs.github.io/…` then
// `helm install … nfs-subdir-external-provisioner/nfs-subdir-external-provisioner -f …/values.yaml --version 4.0.18`),
// inside the playbook. On a site without internet that `helm repo add` is the run's failure, 2 minutes into the
// playbook. The offline run gives the role the bundle's chart archive instead: placed in the tree beside the
// role's values (`applications/<chart>-<version>/`, which also travels to master 1 with the rest of it), and
// the task edited to install that file — the same `helm install`, the same values and version, no repository.
// Pure: the task file's text in, the edited text and the archives it now reads out.

export interface ChartFromBundle {
  chart: string;
  version: string;
  /** The repository the role named (for the log). */
  repo: string;
  /** Where the archive must be, relative to ~/cp-deployment. */
  file: string;
}

export interface ChartsEdit {
  text: string;
  charts: ChartFromBundle[];
  /** `helm install` lines of a repository chart left as they are (no values path into the tree to anchor on). */
  left: string[];
}

/** The chart's archive name, as `helm package` and the bundle's charts/ name it. */
export function chartArchive(chart: string, version: string): string {
  return `${chart}-${version.replace(/^v/, '')}.tgz`;
}

/** Where the archive goes in the tree: the application folder of that chart and version. */
export function chartTreeFile(chart: string, version: string): string {
  return `applications/${chart}-${version.replace(/^v/, '')}/${chartArchive(chart, version)}`;
}

const REPO_ADD = /^([ \t]*)helm[ \t]+repo[ \t]+add[ \t]+(\S+)[ \t]+(\S+)[^\n]*$/gm;
const INSTALL = /^([ \t]*helm[ \t]+(?:install|upgrade[ \t]+--install)[ \t]+\S+[ \t]+)(\S+)\/(\S+)([^\n]*)$/gm;

/**
 * Every `helm install <release> <alias>/<chart> … --version <v>` whose alias a `helm repo add` of the same text
 * names, and whose `-f` values file is in the tree (`…cp-deployment/applications/…`), made to install
 * `<that prefix>cp-deployment/applications/<chart>-<v>/<chart>-<v>.tgz`; the `helm repo add` line becomes a
 * comment once no install reads that repository. Idempotent: edited text has nothing left to match.
 */
export function bundledChartsEdit(text: string): ChartsEdit {
  const repos = new Map<string, string>();
  for (const m of text.matchAll(REPO_ADD)) repos.set(m[2] as string, m[3] as string);
  const charts: ChartFromBundle[] = [];
  const left: string[] = [];
  const stillUsed = new Set<string>();
  const rewritten = new Set<string>();
  let out = text.replace(INSTALL, (line, head: string, alias: string, chart: string, rest: string) => {
    const repo = repos.get(alias);
    if (!repo) return line;
    const version = /--version[ \t=]+["']?([^\s"']+)/.exec(rest)?.[1];
    // The values path's start, a Jinja expression with its spaces included (`{{ home_dir_path.stdout }}/`).
    const prefix = /(?:-f|--values)[ \t=]+["']?((?:\{\{[^}]*\}\}|[^\s"'])*?)cp-deployment\/applications\//.exec(rest)?.[1];
    if (!version || prefix === undefined) {
      stillUsed.add(alias);
      left.push(line.trim());
      return line;
    }
    const file = chartTreeFile(chart, version);
    charts.push({ chart, version, repo, file });
    rewritten.add(alias);
    return `${head}${prefix}cp-deployment/${file}${rest}`;
  });
  out = out.replace(REPO_ADD, (line, lead: string, alias: string, repo: string) =>
    !rewritten.has(alias) || stillUsed.has(alias) ? line : `${lead}# cp-installer (offline): the chart comes from the bundle, not ${repo}`,
  );
  return { text: out, charts, left };
}
