// The facade shells call (core/api/plan.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { langFromEnv, load, newPlan, parse, save, toYaml, validate } from '../../../core/api/plan.js';

const work = mkdtempSync(join(tmpdir(), 'cp-installer-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('plan facade', () => {
  it('new → edit → save keeps the comments of the example', async () => {
    const { plan, yaml } = newPlan('standalone');
    const file = join(work, 'plan.yaml');
    await save(file, plan, yaml);
    expect(readFileSync(file, 'utf8')).toBe(yaml);
    const loaded = await load(file);
    const next = structuredClone(loaded.plan!);
    next.hosts![0]!.address = '192.168.0.12';
    const { yaml: saved } = await save(file, next, loaded.yaml);
    expect(saved).toContain('address: 192.168.0.12');
    expect(saved).toContain('# A release from installer-assets/catalog/');
    expect(parse(saved).plan).toEqual(next);
  });

  it('refuses to write a secret into YAML', () => {
    const { plan } = newPlan('standalone');
    const withSecret = { ...plan, auth: [{ ...plan.auth![0]!, password: 'hunter2' }] };
    expect(() => toYaml(withSecret as typeof plan)).toThrow(
      expect.objectContaining({ key: 'plan.secret.key' }),
    );
  });

  it('reports an unreadable file with a message key', async () => {
    await expect(load(join(work, 'missing.yaml'))).rejects.toMatchObject({ key: 'plan.file.unreadable' });
  });

  it('validates a plan object', () => {
    expect(validate(newPlan('edge').plan).valid).toBe(true);
    expect(validate({}).valid).toBe(false);
  });

  it('picks Korean from the environment', () => {
    expect(langFromEnv({ LANG: 'ko_KR.UTF-8' })).toBe('ko');
    expect(langFromEnv({ LC_ALL: 'en_US.UTF-8', LANG: 'ko_KR.UTF-8' })).toBe('en');
    expect(langFromEnv({})).toBe('en');
  });
});
