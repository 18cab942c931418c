// security #2: where browser mode may read and write by path (core/api/plan.ts allowedPath).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedPath, browserPathPolicy, expandHome, PlanError } from '../../../core/api/plan.js';
import { createInstallerService } from '../../../core/api/service.js';

describe('security #2: browser-mode path policy', () => {
  let dir: string;
  let work: string;
  let extra: string;
  let home: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpi-paths-'));
    work = join(dir, 'work');
    extra = join(dir, 'plans');
    home = join(dir, 'home');
    for (const d of [work, extra, home, join(home, '.kube')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(work, 'plan.yaml'), 'x');
    symlinkSync('/etc/passwd', join(work, 'passwd.yaml'));
    symlinkSync('/etc', join(work, 'etc'));
    symlinkSync(join(work, 'plan.yaml'), join(extra, 'inside-link.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const policy = () => browserPathPolicy(work, [extra], home);
  const refused = (path: string, use: 'read' | 'write' | 'merge') => {
    try {
      allowedPath(policy(), path, use);
      return false;
    } catch (e) {
      return e instanceof PlanError && e.key === 'plan.path.notAllowed';
    }
  };

  it('takes paths inside the work folder and the allowed folders; a relative path is inside the work folder', () => {
    expect(allowedPath(policy(), 'plan.yaml', 'read')).toBe(join(work, 'plan.yaml'));
    expect(allowedPath(policy(), join(work, 'new', 'deep', 'plan.yaml'), 'write')).toBe(join(work, 'new', 'deep', 'plan.yaml'));
    expect(allowedPath(policy(), join(extra, 'p.yaml'), 'write')).toBe(join(extra, 'p.yaml'));
    // A link that stays inside the allowed folders is fine to read.
    expect(allowedPath(policy(), join(extra, 'inside-link.yaml'), 'read')).toBe(join(work, 'plan.yaml'));
  });

  it('refuses anything outside, however it is spelled', () => {
    for (const p of ['/etc/shadow', '../etc/passwd', `${work}/../home/x`, '~/.ssh/id_ed25519', '~', '/', '', ' ', 'a\nb', 'a\0b']) {
      expect(refused(p, 'read'), p).toBe(true);
      expect(refused(p, 'write'), p).toBe(true);
    }
  });

  it('follows links before the check and never writes through one', () => {
    expect(refused('passwd.yaml', 'read')).toBe(true);
    expect(refused('etc/shadow', 'read')).toBe(true);
    expect(refused('etc/cron.d/x', 'write')).toBe(true);
    expect(refused(join(extra, 'inside-link.yaml'), 'write')).toBe(true);
  });

  it('lets the kubeconfig merge reach ~/.kube/config and nothing else of home', () => {
    expect(allowedPath(policy(), '~/.kube/config', 'merge')).toBe(join(home, '.kube', 'config'));
    expect(refused('~/.kube/config', 'write')).toBe(true);
    expect(refused('~/.bashrc', 'merge')).toBe(true);
  });

  it('is applied by the engine for the browser shell only; the desktop shell expands ~ and uses its dialogs’ paths', async () => {
    const browser = createInstallerService({ workdir: work, shell: 'browser' });
    await expect(browser.invoke('plan.load', { path: '/etc/hostname' })).rejects.toMatchObject({ key: 'plan.path.notAllowed' });
    await browser.dispose();
    const desktop = createInstallerService({ workdir: work, shell: 'electron' });
    await expect(desktop.invoke('plan.load', { path: '/etc/hostname' })).resolves.toMatchObject({ yaml: expect.any(String) });
    await desktop.dispose();
    expect(expandHome('~/x', '/h')).toBe('/h/x');
    expect(expandHome('a/~/x', '/h')).toBe('a/~/x');
  });
});
