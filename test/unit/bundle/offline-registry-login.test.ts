// A site registry that needs a login (core/install/offline/, core/tools/registry/services.ts): skopeo is given
// an auth.json path, never the credentials; the folder for it is private; the password is a secret the plan
// asks for only when it names registry.user.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceSecretsNeeded } from '../../../core/plan/secrets.js';
import { authDirCommand, authJson, loadImageCommand, remoteDigestCommand } from '../../../core/tools/registry/services.js';

const PASSWORD = 'Pa55-w0rd:with"quote';

describe('offline: a site registry login', () => {
  it('auth.json holds the login as containers-auth.json(5) does; the commands name only its path', () => {
    const text = authJson('harbor.site:443', 'pusher', PASSWORD);
    const parsed = JSON.parse(text) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(parsed.auths['harbor.site:443']!.auth, 'base64').toString()).toBe(`pusher:${PASSWORD}`);
    const tls = { insecure: false, authFile: '/dev/shm/cp-installer-auth.x/auth.json' };
    const load = loadImageCommand('/s/skopeo', '/b/p.oci.tar', 'harbor.site:443/k8s/pause:3.10', tls, '/t');
    const inspect = remoteDigestCommand('/s/skopeo', 'harbor.site:443/k8s/pause:3.10', tls);
    expect(load).toContain("--dest-authfile /dev/shm/cp-installer-auth.x/auth.json");
    expect(inspect).toContain("--authfile /dev/shm/cp-installer-auth.x/auth.json");
    for (const c of [load, inspect]) {
      expect(c).not.toContain('creds');
      expect(c).not.toContain('pusher');
    }
    expect(loadImageCommand('/s/skopeo', '/b/p.oci.tar', 'r:5000/k8s/pause:3.10', { insecure: true }, '/t')).not.toContain('authfile');
  });

  it('the folder is made 0700 on a tmpfs where one is writable, and an earlier one of ours is removed first', () => {
    const base = mkdtempSync(join(tmpdir(), 'cp-auth-unit-'));
    try {
      const run = () => spawnSync('sh', ['-c', authDirCommand()], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: base, HOME: base } });
      const first = run();
      expect(first.status, first.stderr).toBe(0);
      const dir = first.stdout.trim();
      expect(dir.startsWith(`${base}/cp-installer-auth.`)).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      // A run killed before its clean-up left its folder: the next one removes it.
      const second = run().stdout.trim();
      expect(second).not.toBe(dir);
      expect(() => statSync(dir)).toThrow();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('the password is asked for only when the plan names registry.user', () => {
    expect(serviceSecretsNeeded({})).toEqual([]);
    expect(serviceSecretsNeeded({ registry: { user: 'pusher' } })).toEqual(['registryPassword']);
    expect(serviceSecretsNeeded({ registry: {} })).toEqual([]);
    expect(serviceSecretsNeeded({ bosh: {}, paasta: {} })).not.toContain('registryPassword');
    expect(serviceSecretsNeeded({ bosh: {}, paasta: {}, registry: { user: 'u' } })).toContain('registryPassword');
  });
});
