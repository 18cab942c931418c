// Issue 16: on the way from a plan file to the first connection the plan was validated three times (the
// load, the API's gate, the SSH layer's targets). A plan the validator passed in this process, unchanged
// since, is now taken as it is by the later gates; anything else (changed in place, a copy, a look-alike,
// a plan passed against a release lookup of the caller's own) is validated again, so the rule "nothing
// connects for a plan that does not validate" holds for every shell.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';

const calls = vi.hoisted(() => ({ validatePlan: 0 }));
vi.mock('../../../core/plan/validate.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../core/plan/validate.js')>();
  return {
    ...real,
    validatePlan: (...args: Parameters<typeof real.validatePlan>) => {
      calls.validatePlan++;
      return real.validatePlan(...args);
    },
  };
});

const { load } = await import('../../../core/api/plan.js');
const { checkedPlan } = await import('../../../core/api/plan-gate.js');
const { toPlan } = await import('../../../core/api/preflight.js');
const { findRelease } = await import('../../../core/plan/catalog.js');
const { passedValidation, validatePlan } = await import('../../../core/plan/validate.js');
const { targetsFromPlan } = await import('../../../core/ssh/targets.js');

const dir = mkdtempSync(join(tmpdir(), 'cpi-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  calls.validatePlan = 0;
});

function input(hosts = 50, release = 'k-paas-v1.6.2') {
  return {
    apiVersion: 'cp-installer/v1',
    kind: 'Plan',
    mode: 'standalone',
    release,
    auth: [{ name: 'default', method: 'key', user: 'ubuntu', keyPath: '/keys/id_ed25519', sudo: 'nopasswd' }],
    hosts: Array.from({ length: hosts }, (_, i) => ({ name: `node${i}`, address: `10.1.0.${10 + i}`, roles: i === 0 ? ['control-plane'] : ['worker'] })),
    storage: { type: 'nfs', nfs: { server: '10.1.0.10', path: '/home/share/nfs' } },
    portal: { domain: 'portal.example.com' },
  };
}

describe('a plan is validated once on its way to the hosts', () => {
  it('file → load → toPlan → API gate → SSH targets: one validation, the same object all the way', async () => {
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, stringify(input()));
    const loaded = await load(file);
    expect(loaded.valid).toBe(true);
    const plan = toPlan(loaded.plan!);
    expect(plan).toBe(loaded.plan);
    expect(checkedPlan(plan)).toBe(plan);
    expect(targetsFromPlan(plan)).toHaveLength(50);
    expect(calls.validatePlan).toBe(1);
  });

  it('changed in place after it passed, it is validated again and refused before any target exists', () => {
    const { plan } = validatePlan(input());
    expect(passedValidation(plan)).toBe(true);
    plan!.hosts[3]!.address = '10.250.0.014'; // inet_aton reads this as 10.250.0.12: another machine
    expect(passedValidation(plan)).toBe(false);
    expect(() => checkedPlan(plan)).toThrow(expect.objectContaining({ key: 'api.planInvalid' }));
    expect(() => targetsFromPlan(plan!)).toThrow(expect.objectContaining({ kind: 'plan-invalid' }));
    expect(calls.validatePlan).toBe(3);
  });

  it('a copy or a look-alike object is not taken as validated (it is validated again)', () => {
    const { plan } = validatePlan(input(3));
    const copy = structuredClone(plan!);
    expect(passedValidation(copy)).toBe(false);
    expect(passedValidation(JSON.parse(JSON.stringify(plan)))).toBe(false);
    calls.validatePlan = 0;
    const gated = checkedPlan(copy);
    expect(gated).not.toBe(copy);
    expect(gated).toEqual(plan);
    expect(calls.validatePlan).toBe(1);
  });

  it('a plan passed against a release lookup of the caller’s own is not trusted by the gates', () => {
    const real = findRelease('k-paas-v1.6.2')!;
    const { valid, plan } = validatePlan(input(3, 'k-paas-v9.9.9'), { findRelease: () => real });
    expect(valid).toBe(true);
    expect(passedValidation(plan)).toBe(false);
    expect(() => checkedPlan(plan)).toThrow(expect.objectContaining({ key: 'api.planInvalid' }));
    expect(() => targetsFromPlan(plan!)).toThrow(expect.objectContaining({ kind: 'plan-invalid' }));
  });

  it('a plan with errors gets no mark, whatever object holds it', () => {
    const { valid, plan } = validatePlan({ ...input(3), hosts: [...input(3).hosts, { name: 'node0', address: '10.1.0.99', roles: ['worker'] }] });
    expect(valid).toBe(false);
    expect(plan && passedValidation(plan)).toBeFalsy();
    expect(passedValidation(null)).toBe(false);
    expect(passedValidation('plan')).toBe(false);
  });
});
