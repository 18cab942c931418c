// The engine's view of the Kubespray adapter (core/tools/kubespray): the files it writes, the command line
// it runs, and a watcher that turns the parser's state into progress and the failure to show first.
import type { Release } from '../../plan/catalog.js';
import type { Plan } from '../../plan/schema.js';
import { renderGroupVars } from '../../tools/kubespray/group-vars.js';
import { renderInventory, usesLegacyGroups } from '../../tools/kubespray/inventory.js';
import { AnsibleOutputParser, estimateTasks, type AnsibleFailure } from '../../tools/kubespray/parser.js';

/** hosts.yaml and the group_vars files the plan changes (built on `base`, the platform's own files by path),
 *  relative to the inventory folder, in a stable order; `log` says what each change did. */
export function inventoryFiles(
  plan: Plan,
  release: Release,
  base: Record<string, string | undefined> = {},
): { files: Array<[string, string]>; log: string[] } {
  const gv = renderGroupVars(plan, release, base);
  const groupVars = Object.entries(gv.files).sort(([a], [b]) => a.localeCompare(b));
  return { files: [['hosts.yaml', renderInventory(plan, { legacyGroups: usesLegacyGroups(release) })], ...groupVars], log: gv.log };
}

/** Follows ansible-playbook's output line by line; progress is read from it when the UI should hear. */
export class PlaybookWatch {
  private readonly parser: AnsibleOutputParser;
  private ended = false;

  constructor(kubesprayVersion: string) {
    this.parser = new AnsibleOutputParser({ expectedTasks: estimateTasks(kubesprayVersion) });
  }

  line(text: string): void {
    this.parser.line(text);
  }

  progress(): { fraction: number; detail?: string; counts: Record<string, { ok: number; changed: number; failed: number; skipped: number }> } {
    const s = this.parser.snapshot();
    const counts: Record<string, { ok: number; changed: number; failed: number; skipped: number }> = {};
    for (const [host, c] of Object.entries(s.hosts)) counts[host] = { ok: c.ok, changed: c.changed, failed: c.failed + c.unreachable, skipped: c.skipped };
    const detail = [s.play, s.task].filter(Boolean).join(' › ') || undefined;
    return { fraction: s.progress, detail, counts };
  }

  /** The failure to show first (the failed task, host and message), once the output ended. */
  failure(): AnsibleFailure | undefined {
    if (!this.ended) this.parser.end();
    this.ended = true;
    return this.parser.snapshot().firstFailure;
  }
}
