// The inventory folder a run writes, made here the way the `inventory` step makes it on the deployer: the
// platform's inventory/mycluster/group_vars copied (a *.tmpl standing for its rendered file), the plan's
// changes applied in place to the files they touch, and hosts.yaml.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inventoryFiles } from '../../../core/install/modes/kubespray-adapter.js';
import type { Release } from '../../../core/plan/catalog.js';
import type { Plan } from '../../../core/plan/schema.js';
import { groupVarChanges, PLATFORM_INVENTORY } from '../../../core/tools/kubespray/group-vars.js';

function renameTemplates(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) renameTemplates(p);
    else if (name.endsWith('.tmpl')) renameSync(p, p.slice(0, -'.tmpl'.length));
  }
}

/** Writes `<tree>/<inventoryDir>` for the plan; `tree` is a writable copy of the release's Kubespray tree. */
export function writeRunInventory(plan: Plan, release: Release, tree: string, inventoryDir: string): { log: string[] } {
  const inv = join(tree, inventoryDir);
  const platform = join(tree, PLATFORM_INVENTORY);
  mkdirSync(inv, { recursive: true });
  if (existsSync(join(platform, 'group_vars'))) cpSync(join(platform, 'group_vars'), join(inv, 'group_vars'), { recursive: true });
  renameTemplates(inv);
  const base: Record<string, string | undefined> = {};
  for (const file of new Set(groupVarChanges(plan, release).map((c) => c.file))) {
    const tmpl = join(platform, `${file}.tmpl`);
    const own = join(inv, file);
    base[file] = existsSync(tmpl) ? readFileSync(tmpl, 'utf8') : existsSync(own) ? readFileSync(own, 'utf8') : undefined;
  }
  const { files, log } = inventoryFiles(plan, release, base);
  for (const [path, text] of files) {
    mkdirSync(dirname(join(inv, path)), { recursive: true });
    writeFileSync(join(inv, path), text);
  }
  return { log };
}
