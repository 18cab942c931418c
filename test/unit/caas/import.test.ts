// `cp-installer import cp-cluster-vars.sh --bosh-vars paasta-container-service-vars-<iaas>.yml`: the 2021
// tree's real BOSH vars file read into the plan's `bosh` section, its secrets left out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { boshFromVarsFile } from '../../../core/plan/bosh-vars.js';
import { TREE } from './fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const awsVars = join(TREE, 'manifests/paasta-container-service-vars-aws.yml');

describe('import of the 2021 BOSH vars file', () => {
  it('reads stemcell, networks, VM types, AZs, MariaDB and registry settings; never a secret', () => {
    const { bosh, issues } = boshFromVarsFile(readFileSync(awsVars, 'utf8'));
    expect(bosh).toEqual({
      stemcell: { os: 'ubuntu-xenial', version: '621.94', alias: 'xenial' },
      networks: { private: 'default', privateNat: 'default', public: 'vip' },
      vmTypes: { small: 'small', containerSmall: 'small' },
      azs: { haproxy: ['z7'], mariadb: ['z5'], registry: ['z7'] },
      haproxyHttpPort: 8080,
      mariadb: { port: 13306, adminUser: 'cp-admin', diskType: '10GB' },
      registry: { port: 5001, diskType: '10GB' },
      directorAddress: '10.0.1.6',
    });
    expect(JSON.stringify(bosh)).not.toMatch(/Paasta!2021|eft2zkfaerzyt8g6eonj/);
    expect(issues.map((i) => `${i.path}: ${i.key}`)).toEqual([
      'bosh.directorAddress: plan.import.boshDirector',
      'bosh.haproxyAddress: plan.import.boshHaproxy',
      'bosh: plan.import.boshSecret',
      'bosh: plan.import.boshSecret',
      'bosh: plan.import.boshSecret',
    ]);
  });

  it('cp-installer import --bosh-vars writes a caas plan whose gaps validate names', { timeout: 60_000 }, () => {
    const out = join(mkdtempSync(join(tmpdir(), 'caas-import-')), 'plan.yaml');
    const r = spawnSync('npx', ['tsx', 'cli/main.ts', 'import', 'test/fixtures/vars/cp-cluster-vars.sh', '--bosh-vars', awsVars, '-o', out, '--release', 'paasta-v1.0'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C' },
    });
    expect(r.status, r.stderr).toBe(1);
    const plan = parse(readFileSync(out, 'utf8')) as { mode: string; bosh: Record<string, unknown> };
    expect(plan.mode).toBe('caas');
    expect(plan.bosh.directorAddress).toBe('10.0.1.6');
    expect(readFileSync(out, 'utf8')).not.toMatch(/Paasta!2021|eft2zkfaerzyt8g6eonj/);
    expect(r.stderr).toMatch(/mariadb_admin_user_password was not imported: it is a secret/);
    expect(r.stderr).toMatch(/paasta: CaaS mode registers a service broker/);
    expect(r.stderr).toMatch(/hosts: CaaS runs bosh, cf and uaac on a jump box/);
  });
});
