// Kubespray's variables as Ansible would see them for the download role, read from the release's tree:
// the role defaults, the inventory's group_vars, the role vars (which beat the inventory), then what the plan
// decides (runtime, Kubernetes version, architecture) as extra vars. Values stay templates until a name is
// asked for (Ansible templates lazily too), so a variable the plan never reaches can use any Jinja it likes.
import { isScalar, parseDocument, visit } from 'yaml';
import { renderTemplate, UndefinedError, type Scope, type Value } from './jinja.js';

/** Reads files of a tree by their path relative to its root; `list` gives a folder's file names. */
export interface TreeReader {
  read(rel: string): string | undefined;
  list(rel: string): string[];
}

/**
 * YAML as Ansible's PyYAML reads it, except that a plain float keeps the text it was written with:
 * `flannel_version: 0.22.0` is a string anyway, but `pause: 3.10` must stay `3.10`, not `3.1`.
 */
export function parseVarsYaml(text: string): Record<string, Value> {
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  visit(doc, {
    Scalar(_k, node) {
      if (typeof node.value === 'number' && !Number.isInteger(node.value) && isScalar(node) && node.source) node.value = node.source;
    },
  });
  const js = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  return js && typeof js === 'object' && !Array.isArray(js) ? (js as Record<string, Value>) : {};
}

/** The `*.yml`/`*.yaml` files of a folder, in the order Ansible loads them (by name). */
function yamlFiles(tree: TreeReader, dir: string): string[] {
  return tree
    .list(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** The layers, lowest precedence first, that the download role sees for a node in k8s_cluster. */
export function kubesprayVarFiles(tree: TreeReader, inventory = 'inventory/mycluster'): string[] {
  const defaults = 'roles/kubespray_defaults/defaults/main';
  const vars = 'roles/kubespray_defaults/vars/main';
  const single = (p: string) => (tree.read(p) !== undefined ? [p] : []);
  // Kubespray before 2.16 (the 2021 release's 2.14.2): roles/kubespray-defaults/defaults/main.yaml, the
  // download role's own defaults (downloads and checksums), group_vars/k8s-cluster.
  return [
    ...single('roles/kubespray-defaults/defaults/main.yaml'),
    ...single('roles/download/defaults/main.yml'),
    ...single('roles/kubespray_defaults/defaults/main.yml'),
    ...yamlFiles(tree, defaults),
    ...yamlFiles(tree, `${inventory}/group_vars/all`),
    ...yamlFiles(tree, `${inventory}/group_vars/k8s-cluster`),
    ...yamlFiles(tree, `${inventory}/group_vars/k8s_cluster`),
    ...single('roles/kubespray_defaults/vars/main.yml'),
    ...yamlFiles(tree, vars),
  ];
}

export class VarScope implements Scope {
  private readonly raw = new Map<string, Value>();
  private readonly done = new Map<string, Value>();
  private readonly busy = new Set<string>();

  constructor(layers: Record<string, Value>[]) {
    for (const layer of layers) for (const [k, v] of Object.entries(layer)) this.raw.set(k, v);
  }

  static fromTree(tree: TreeReader, extra: Record<string, Value>, inventory?: string): VarScope {
    const layers = kubesprayVarFiles(tree, inventory).map((f) => parseVarsYaml(tree.read(f) ?? ''));
    return new VarScope([...layers, extra]);
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  /** The raw (untemplated) value, e.g. the `downloads` mapping whose entries are templated one by one. */
  rawValue(name: string): Value {
    if (!this.raw.has(name)) throw new UndefinedError(name);
    return this.raw.get(name);
  }

  get(name: string): Value {
    if (this.done.has(name)) return this.done.get(name);
    if (!this.raw.has(name)) throw new UndefinedError(name);
    if (this.busy.has(name)) throw new Error(`the variable ${name} refers to itself`);
    this.busy.add(name);
    try {
      const v = this.raw.get(name);
      const out = typeof v === 'string' && /\{\{|\{%/.test(v) ? renderTemplate(v, this) : v;
      this.done.set(name, out);
      return out;
    } finally {
      this.busy.delete(name);
    }
  }

  /** Renders a value read from inside a variable (a field of one `downloads` entry). */
  render(v: Value): Value {
    if (typeof v === 'string') {
      const out = /\{\{|\{%/.test(v) ? renderTemplate(v, this) : v;
      // Ansible turns a rendered "True"/"False" back into a boolean.
      if (out === 'True' || out === 'true') return true;
      if (out === 'False' || out === 'false') return false;
      return typeof out === 'string' ? out.trim() === out ? out : out.trim() : out;
    }
    return v;
  }
}
