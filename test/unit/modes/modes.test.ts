// The mode descriptors: one registry line per mode, profiles that say what the lower layers ask, the
// wizard's mode list served by the API, and no mode-name comparisons left outside the descriptors.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreMessages } from '../../../core/api/messages.js';
import { modeInfos } from '../../../core/api/modes.js';
import { createInstallerService } from '../../../core/api/service.js';
import { bindEngine } from '../../../core/api/engine-bind.js';
import { DryRunIncomplete, dryRunPlan, installModes } from '../../../core/api/install.js';
import { MODE_DESCRIPTORS, descriptorOf } from '../../../core/modes/index.js';
import { modeMessages, PROFILES } from '../../../core/modes/profiles.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { MODES, Plan } from '../../../core/plan/schema.js';
import { validatePlan } from '../../../core/plan/validate.js';
import { StepError } from '../../../core/install/step.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const rel = join(dir, f);
    if (statSync(join(root, rel)).isDirectory()) return f === 'node_modules' ? [] : files(rel);
    return /\.tsx?$/.test(f) ? [rel] : [];
  });
}

const hosts = [
  { name: 'cp1', address: '10.0.0.10', roles: ['control-plane'] },
  { name: 'w1', address: '10.0.0.20', roles: ['worker'] },
  { name: 'e1', address: '10.0.0.30', roles: ['edge'] },
];
const planOf = (mode: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cp-installer/v1',
  kind: 'Plan',
  mode,
  release: 'k-paas-v1.6.2-kubeedge-1.23',
  hosts,
  auth: [{ name: 'default', method: 'agent' }],
  storage: { type: 'nfs', nfs: { server: '10.0.0.40' } },
  network: { ingressIp: '10.0.0.99', metallbRange: '10.0.0.100-10.0.0.110' },
  ...extra,
});

describe('mode registry', () => {
  it('has one descriptor and one profile per plan mode, under its own name', () => {
    expect(Object.keys(MODE_DESCRIPTORS)).toEqual([...MODES]);
    expect(Object.keys(PROFILES)).toEqual([...MODES]);
    for (const m of MODES) {
      expect(descriptorOf(m).name).toBe(m);
      expect(descriptorOf(m).profile).toBe(PROFILES[m]);
    }
  });

  it('offers every mode but the ones whose descriptor says "not yet" to apply; caas installs and the wizard sets it up', () => {
    expect(installModes()).toEqual(['standalone', 'edge', 'expand-edge', 'caas']);
    expect(PROFILES.caas.notYet).toBeUndefined();
    expect(modeInfos(installModes()).find((m) => m.name === 'caas')!.available).toBe(true);
  });

  it('a caas plan without a jump box is refused while its steps are built', () => {
    const plan = Plan.parse(planOf('caas'));
    expect(() => descriptorOf('caas').steps(plan, findRelease('k-paas-v1.6.2')!, { overrides: [] })).toThrow(StepError);
  });
});

describe('nothing to do', () => {
  it('a dry run whose mode refuses the plan stops at the step `plan` and says why', async () => {
    const edge = Plan.parse(planOf('edge', { release: 'k-paas-v1.6.2' }));
    const e = await dryRunPlan(edge, { workdir: '/nonexistent' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DryRunIncomplete);
    expect(e).toMatchObject({ step: 'plan', reason: { key: 'edge.incompatible' }, records: [] });
  });
});

describe('mode messages', () => {
  it('every key in English and Korean, with the same placeholders, in the core catalogs the shells render', () => {
    const names = (t: string) => [...t.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]).sort();
    expect(Object.keys(modeMessages.ko).sort()).toEqual(Object.keys(modeMessages.en).sort());
    for (const [key, en] of Object.entries(modeMessages.en)) {
      expect(names(modeMessages.ko[key]!), key).toEqual(names(en));
      expect(modeMessages.ko[key], key).toMatch(/[가-힣]/);
      expect(coreMessages.en[key], key).toBe(en);
    }
  });

  it('every message key a mode folder uses exists in both languages', () => {
    const code = files('core/modes').map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    const used = [...code.matchAll(/msg\('([a-z][\w.-]+)'|planIssue\('(?:error|warning)', '[^']*', '([\w.-]+)'/g)].map((x) => x[1] ?? x[2]!);
    expect(used.length).toBeGreaterThan(20);
    for (const key of new Set(used)) {
      expect(coreMessages.en[key], key).toBeDefined();
      expect(coreMessages.ko[key], key).toBeDefined();
    }
  });
});

describe("each mode's plan rules", () => {
  const keys = (mode: string, extra?: Record<string, unknown>) => {
    const r = validatePlan(planOf(mode, extra));
    return { errors: r.errors.map((i) => i.key), warnings: r.warnings.map((i) => i.key) };
  };

  it('edge: exactly one control plane and an edge host; expand-edge: a control plane and an edge host', () => {
    expect(keys('edge').errors).toEqual([]);
    const twoCps = [...hosts, { name: 'cp2', address: '10.0.0.11', roles: ['control-plane'] }];
    expect(keys('edge', { hosts: twoCps }).errors).toContain('plan.edge.controlPlaneCount');
    expect(keys('expand-edge', { hosts: twoCps }).errors).toEqual([]);
    expect(keys('expand-edge', { hosts: hosts.slice(0, 2) }).errors).toEqual(['plan.edge.noEdgeHost']);
    expect(keys('expand-edge', { hosts: hosts.slice(1) }).errors).toEqual(['plan.expandEdge.noControlPlane']);
  });

  it('standalone ignores edge hosts with a warning; caas needs BOSH, PaaS-TA and a jump box', () => {
    const noEdge = hosts.slice(0, 2);
    expect(keys('standalone', { release: 'k-paas-v1.6.2', hosts }).warnings).toContain('plan.warn.edgeIgnored');
    const caas = keys('caas', { release: 'k-paas-v1.6.2', hosts: noEdge });
    expect(caas.errors).toEqual(expect.arrayContaining(['plan.caas.bosh', 'plan.caas.paasta', 'mode.caas.noJumpbox']));
  });
});

describe('the wizard reads modes from the API', () => {
  it('app.info serves every mode with its text, roles and Settings sections; expand-edge asks for no pod network, NFS or portal', async () => {
    const s = createInstallerService({ workdir: '/x', shell: 'browser', engine: { ...bindEngine({ workdir: '/nonexistent' }), install: undefined } });
    const info = await s.invoke('app.info', {});
    await s.dispose();
    expect(info.modes.map((m) => [m.name, m.available])).toEqual(MODES.map((m) => [m, false]));
    expect(modeInfos(['standalone', 'edge']).map((m) => m.available)).toEqual([true, true, false, false]);
    const byName = new Map(info.modes.map((m) => [m.name, m]));
    const expand = byName.get('expand-edge')!;
    expect(expand.sections).not.toEqual(expect.arrayContaining(['podNetwork']));
    for (const s of ['podNetwork', 'storage', 'portal'] as const) expect(expand.sections).not.toContain(s);
    expect(expand.sections).toEqual(expect.arrayContaining(['edge', 'edgeKubeconfig']));
    expect(expand.hostsHint?.key).toBe('mode.expand-edge.hostsHint');
    expect(byName.get('standalone')!.roles).not.toContain('edge');
    // The wizard sets caas up (its director and PaaS-TA sections): no "not available" reason any more.
    expect(byName.get('caas')!.unavailable).toBeUndefined();
    expect(byName.get('caas')!.sections).toEqual(expect.arrayContaining(['bosh', 'paasta']));
  });
});

describe('one place per mode', () => {
  it('no mode-name comparisons outside the descriptors and the schema', () => {
    const compare = /(===|!==)\s*'(standalone|edge|expand-edge|caas)'|'(standalone|edge|expand-edge|caas)'\s*(===|!==)|\[\s*'(standalone|edge|expand-edge|caas)'[^\]]*\]\.includes|KUBESPRAY_MODES|EDGE_MODES/;
    const offenders: string[] = [];
    for (const f of [...files('core'), ...files('cli'), ...files('electron'), ...files('renderer')]) {
      if (f.startsWith('core/modes/') || f === 'core/plan/schema.ts') continue;
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // A host's `edge` role is not a mode: `roles.includes('edge')`, `r === 'edge'` on roles.
          if (compare.test(line) && !/role|\br\b ===/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
