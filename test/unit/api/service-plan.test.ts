// The plan commands through the service with the real engine bound: what the wizard's Mode, Hosts and
// Review screens rely on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstallerService } from '../../../core/api/service.js';
import type { PlanInput } from '../../../core/api/types.js';

const dir = mkdtempSync(join(tmpdir(), 'cpi-service-plan-'));
const service = createInstallerService({ workdir: dir, shell: 'browser', knownHostsFile: join(dir, 'known_hosts') });
afterAll(async () => {
  await service.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('service: plan commands on the real engine', () => {
  it('makes a new standalone plan that validates, and offers standalone among the modes', async () => {
    const { plan, yaml } = await service.invoke('plan.new', { mode: 'standalone' });
    expect(plan.mode).toBe('standalone');
    expect(yaml).toContain('standalone');
    const v = await service.invoke('plan.validate', { plan });
    expect(v.errors).toEqual([]);
    expect((await service.invoke('app.info', {})).modesAvailable).toContain('standalone');
  });

  it('names the field of a bad IP address so the wizard can show it beside the field', async () => {
    const { plan } = await service.invoke('plan.new', { mode: 'standalone' });
    const hosts = plan.hosts!.map((h, i) => (i === 0 ? { ...h, address: '10.0.0.300' } : h));
    const v = await service.invoke('plan.validate', { plan: { ...plan, hosts } });
    expect(v.valid).toBe(false);
    expect(v.errors.map((e) => e.path)).toContain('hosts[0].address');
  });

  it('saves, loads and parses YAML, keeping comments of the previous text', async () => {
    const { plan, yaml } = await service.invoke('plan.new', { mode: 'standalone' });
    const path = join(dir, 'plan.yaml');
    const previous = `# my notes\n${yaml}`;
    const saved = await service.invoke('plan.save', { path, plan: { ...plan, release: plan.release }, previousYaml: previous });
    expect(readFileSync(path, 'utf8')).toContain('# my notes');
    const loaded = await service.invoke('plan.load', { path });
    expect(loaded.plan?.mode).toBe('standalone');
    expect(loaded.yaml).toBe(saved.yaml);
    const parsed = await service.invoke('plan.parse', { yaml: 'apiVersion: [' });
    expect(parsed.plan).toBeUndefined();
    expect(parsed.issues[0]).toMatchObject({ severity: 'error' });
    expect(parsed.issues[0]?.line).toBeGreaterThan(0);
  });

  it('refuses a run of an invalid plan with a message, before any SSH', async () => {
    const e = await service.invoke('run.start', { plan: { mode: 'standalone' } as PlanInput }).catch((x: unknown) => x);
    expect(e).toMatchObject({ key: 'api.planInvalid' });
  });
});
