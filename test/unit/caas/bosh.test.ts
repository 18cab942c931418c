// The BOSH adapter against the real v1.0.4 tree (shared/upstream, read-only): the deploy it builds is
// deploy-<iaas>.sh's, every ((variable)) of the real manifest + ops files is given, and the director's
// secret never appears on a command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { boshDeploy, boshVms, deployArgv } from '../../../core/tools/bosh/commands.js';
import { withEnv } from '../../../core/tools/bosh/env.js';
import { manifestFile, middlewareDeploy, opsFiles, planVars, renderVarsFile, SECRET_VARS, treeVarsFile, PLAN_VARS_FILE } from '../../../core/tools/bosh/middleware.js';
import { describeBoshFailure, parseBoshOutput } from '../../../core/tools/bosh/parser.js';
import { checkVariables, variablesIn } from '../../../core/tools/bosh/variables.js';
import { middlewareAddresses, parseBoshVms, parseDirectorUuid } from '../../../core/tools/bosh/vms.js';
import type { PlanInput } from '../../../core/plan/schema.js';
import { caasPlan, TREE } from './fixtures.js';

const read = (rel: string) => readFileSync(join(TREE, rel), 'utf8');

const deploySh = (iaas: string) => read(`deploy-${iaas}.sh`);

function scriptArgs(iaas: string): { manifest: string; l: string[]; o: string[]; v: string[] } {
  const text = deploySh(iaas).replace(/\\\n/g, ' ');
  const line = text.split('\n').find((l) => /deploy --no-redact/.test(l))!;
  const words = line.trim().split(/\s+/);
  const after = words.slice(words.indexOf('--no-redact') + 1);
  const out = { manifest: after[0]!, l: [] as string[], o: [] as string[], v: [] as string[] };
  for (let i = 1; i < after.length; i += 2) {
    const flag = after[i] as '-l' | '-o' | '-v';
    out[flag.slice(1) as 'l' | 'o' | 'v'].push(after[i + 1]!.split('=')[0]!);
  }
  return out;
}

describe('bosh deploy of the middleware (v1.0.4 tree)', () => {
  for (const iaas of ['aws', 'openstack'] as const) {
    it(`builds deploy-${iaas}.sh's manifest, ops files and -v names`, () => {
      const plan = caasPlan({ bosh: { directorAddress: '10.0.1.6', iaas, haproxyAddress: '15.164.15.53' } } as Partial<PlanInput>);
      const spec = middlewareDeploy(plan, { treeDir: '/home/ubuntu/tree/bosh', directorUuid: 'uuid-1' });
      const script = scriptArgs(iaas);
      expect(spec.manifest).toBe(script.manifest);
      expect(spec.opsFiles).toEqual(script.o);
      expect(Object.keys(spec.vars).sort()).toEqual([...script.v].sort());
      expect(spec.deployment).toBe('paasta-container-platform');
      expect(script.l).toEqual([treeVarsFile(iaas)]);
    });
  }

  it('adds use-offline-releases.yml first, as the guide (2.6) does, and drops first-time-deploy on request', () => {
    const plan = caasPlan({ bosh: { directorAddress: '10.0.1.6', offlineReleases: true, firstTimeDeploy: false, haproxyAddress: '1.2.3.4' } } as Partial<PlanInput>);
    expect(opsFiles(plan.bosh!)).toEqual(['manifests/ops-files/use-offline-releases.yml', 'manifests/ops-files/paasta-container-service/network-aws.yml']);
  });

  it('gives every ((variable)) of the real manifest, vars and ops files (offline too); secrets by --vars-env only', () => {
    const plan = caasPlan({ bosh: { directorAddress: '10.0.1.6', offlineReleases: true, haproxyAddress: '15.164.15.53' } } as Partial<PlanInput>);
    const vars = renderVarsFile(read(treeVarsFile('aws')), planVars(plan, { apiServer: '10.0.0.11', jumpboxUser: 'ubuntu' }));
    const spec = middlewareDeploy(plan, { treeDir: TREE, directorUuid: 'u' });
    const check = checkVariables({
      manifest: read(manifestFile('aws')),
      opsFiles: spec.opsFiles.map((p) => ({ path: p, text: read(p) })),
      varsFiles: [{ path: PLAN_VARS_FILE, text: vars.text }],
      given: [...Object.keys(spec.vars), 'mariadb_admin_user_password', 'k8s_auth_bearer'],
    });
    expect(check.missing).toEqual([]);
    for (const k of SECRET_VARS) expect(vars.text).not.toMatch(new RegExp(`^${k}:`, 'm'));
    expect(vars.text).toContain('haproxy_public_url: 15.164.15.53');
    expect(vars.text).toContain('k8s_api_server_ip: 10.0.0.11');
    expect(vars.text).toContain('# INCEPTION OS USER NAME'); // the tree's comments are kept
    expect(vars.changes).toContain('mariadb_port: (kept)');
  });

  it('names a variable the sources leave out, with the file it is used in', () => {
    const check = checkVariables({
      manifest: read(manifestFile('aws')),
      opsFiles: [{ path: 'manifests/ops-files/use-offline-releases.yml', text: read('manifests/ops-files/use-offline-releases.yml') }],
      varsFiles: [{ path: 'v.yml', text: read(treeVarsFile('aws')).replace(/^inception_os_user_name:.*$/m, '') }],
      given: ['deployment_name'],
    });
    expect(check.missing).toEqual([{ name: 'inception_os_user_name', usedIn: 'manifests/ops-files/use-offline-releases.yml' }]);
  });

  it('counts a variables: section and a ((name.key)) reference', () => {
    expect(variablesIn('a: ((x.ca))\nb: ((!y))\nc: (( z ))')).toEqual(['x', 'y', 'z']);
    const check = checkVariables({ manifest: 'name: n\np: ((cert.ca))\nvariables:\n- name: cert\n  type: certificate\n', opsFiles: [], varsFiles: [], given: [] });
    expect(check.missing).toEqual([]);
    expect(check.generated).toEqual(['cert']);
  });

  it('keeps the client secret and secret vars off the command line, on stdin', () => {
    const secret = Secret.of('director-s3cret', 'bosh');
    const maria = Secret.of('maria-pa55', 'mariadb');
    const plan = caasPlan();
    const spec = middlewareDeploy(plan, { treeDir: '/t/bosh', directorUuid: 'uuid-1' });
    const c = boshDeploy({ environment: '10.0.1.6', client: 'admin', caCert: '/t/ca.pem', clientSecret: secret }, { ...spec, secretVars: { mariadb_admin_user_password: maria } });
    expect(c.command).not.toContain('director-s3cret');
    expect(c.command).not.toContain('maria-pa55');
    expect(c.stdin).toBe('director-s3cret\nmaria-pa55\n');
    expect(c.command).toBe(
      'IFS= read -r BOSH_CLIENT_SECRET && export BOSH_CLIENT_SECRET && IFS= read -r CP_BOSH_VAR_mariadb_admin_user_password && export CP_BOSH_VAR_mariadb_admin_user_password && ' +
        'cd /t/bosh && BOSH_ENVIRONMENT=10.0.1.6 BOSH_CLIENT=admin BOSH_CA_CERT=/t/ca.pem BOSH_NON_INTERACTIVE=true ' +
        'bosh -n -d paasta-container-platform deploy manifests/paasta-container-service-deployment-aws.yml -l manifests/cp-installer-vars.yml --vars-env CP_BOSH_VAR ' +
        '-o manifests/ops-files/paasta-container-service/network-aws.yml -o manifests/ops-files/misc/first-time-deploy.yml ' +
        '-v deployment_name=paasta-container-platform -v director_name=micro-bosh -v director_uuid=uuid-1',
    );
    expect(boshVms({ environment: 'micro-bosh', client: 'admin' }, 'paasta-container-platform').command).toBe(
      'BOSH_ENVIRONMENT=micro-bosh BOSH_CLIENT=admin BOSH_NON_INTERACTIVE=true bosh -d paasta-container-platform vms --json',
    );
    expect(deployArgv({ ...spec, fix: true })).toContain('--fix');
  });

  it('refuses a secret with a line break (it could not be read as one line)', () => {
    expect(() => withEnv('true', {}, { X: Secret.of('a\nb', 'x') })).toThrow(/line break/);
  });
});

describe('bosh task output', () => {
  const ok = [
    "Using environment '10.0.1.6' as client 'admin'",
    'Task 4773',
    '',
    'Task 4773 | 06:55:22 | Preparing deployment: Preparing deployment',
    'Task 4773 | 06:55:23 | Preparing deployment: Preparing deployment (00:00:01)',
    'Task 4773 | 06:58:39 | Creating missing vms: mariadb/ecb93167-1111 (0)',
    'Task 4773 | 07:05:04 | Creating missing vms: mariadb/ecb93167-1111 (0) (00:03:34)',
    'Task 4773 | 07:06:12 | Updating instance mariadb: mariadb/ecb93167-1111 (0) (canary)',
    'Task 4773 | 07:09:02 | Updating instance mariadb: mariadb/ecb93167-1111 (0) (canary) (00:02:50)',
    '',
    'Task 4773 Started  Tue Jul  2 06:55:22 UTC 2019',
    'Task 4773 Finished Tue Jul  2 07:09:02 UTC 2019',
    'Task 4773 Duration 00:13:40',
    'Task 4773 done',
    '',
    'Succeeded',
  ].join('\n');

  it('reads stages, items and durations into events', () => {
    const { state, events } = parseBoshOutput(ok);
    expect(state.task).toBe(4773);
    expect(state.succeeded).toBe(true);
    expect(state.started).toBe(3);
    expect(state.finished).toBe(3);
    expect(events[0]).toEqual({ kind: 'task', task: 4773 });
    expect(events).toContainEqual({
      kind: 'stage', task: 4773, time: '07:09:02', stage: 'Updating instance mariadb', item: 'mariadb/ecb93167-1111 (0) (canary)', done: true, duration: '00:02:50',
    });
  });

  it('tells a failed task by number, stage and item first', () => {
    const failed = [
      'Task 497',
      'Task 497 | 06:10:01 | Updating instance haproxy: haproxy/cbd5d103 (0) (canary)',
      'Task 497 | 06:13:22 | Updating instance haproxy: haproxy/cbd5d103 (0) (canary) (00:03:21)',
      "                     L Error: Action Failed get_task: Task 1b2c result: 1 of 1 pre-start scripts failed. Failed Jobs: haproxy.",
      "Task 497 | 06:13:22 | Error: Action Failed get_task: Task 1b2c result: 1 of 1 pre-start scripts failed. Failed Jobs: haproxy.",
      '',
      'Task 497 error',
      '',
      'Updating deployment:',
      "  Expected task '497' to succeed but state is 'error'",
      '',
      'Exit code 1',
    ].join('\n');
    const { state, events } = parseBoshOutput(failed);
    expect(events.at(-1)).toEqual({ kind: 'task-failed', task: 497, state: 'error' });
    expect(describeBoshFailure(state)).toBe(
      'Task 497, Updating instance haproxy: haproxy/cbd5d103 (0) (canary): Action Failed get_task: Task 1b2c result: 1 of 1 pre-start scripts failed. Failed Jobs: haproxy.',
    );
  });
});

describe('bosh vms --json', () => {
  // The guide's 2.7 table as the CLI prints it with --json (an instance's addresses one per line).
  const json = JSON.stringify({
    Tables: [{
      Content: 'vms',
      Header: { instance: 'Instance', process_state: 'Process State', az: 'AZ', ips: 'IPs', vm_cid: 'VM CID', vm_type: 'VM Type', active: 'Active' },
      Rows: [
        { instance: 'haproxy/cbd5d103-765d-47e0-ac5b-233a21108c77', process_state: 'running', az: 'z7', ips: '10.0.0.122\n15.164.15.53', vm_cid: 'i-0f49', vm_type: 'small', active: 'true' },
        { instance: 'mariadb/448be54d-f2ff-4fc9-8bf1-621eda8e2577', process_state: 'running', az: 'z5', ips: '10.0.161.121', vm_cid: 'i-09b2', vm_type: 'small', active: 'true' },
        { instance: 'private-image-repository/561550fb-95de-4c12-95bf-94ac5fde53cc', process_state: 'running', az: 'z7', ips: '10.0.0.123', vm_cid: 'i-02ff', vm_type: 'small', active: 'true' },
      ],
      Notes: [],
    }],
    Blocks: null,
    Lines: ["Using environment '10.0.1.6' as client 'admin'", 'Task 2983. Done', 'Succeeded'],
  });

  it('gives HAProxy (public and private), MariaDB and the registry', () => {
    expect(middlewareAddresses(parseBoshVms(json), '15.164.15.53')).toEqual({
      haproxy: '15.164.15.53', haproxyPrivate: '10.0.0.122', mariadb: '10.0.161.121', registry: '10.0.0.123',
    });
    expect(middlewareAddresses(parseBoshVms(json)).haproxy).toBe('15.164.15.53');
  });

  it('names an instance that is missing, not running, or without the planned public address', () => {
    const vms = parseBoshVms(json);
    expect(() => middlewareAddresses(vms.filter((v) => v.group !== 'mariadb'))).toThrow(/no mariadb instance/);
    expect(() => middlewareAddresses(vms.map((v) => (v.group === 'haproxy' ? { ...v, processState: 'failing' } : v)))).toThrow(/haproxy\/cbd5d103.* is failing/);
    expect(() => middlewareAddresses(vms, '1.2.3.4')).toThrow(/does not have the public address 1\.2\.3\.4/);
  });

  it('reads the director uuid where deploy-<iaas>.sh does (/Tables/0/Rows/0/uuid)', () => {
    expect(parseDirectorUuid(JSON.stringify({ Tables: [{ Rows: [{ name: 'micro-bosh', uuid: 'a1b2', version: '271.2.0' }] }] }))).toBe('a1b2');
    expect(() => parseDirectorUuid('{}')).toThrow(/no uuid/);
  });
});
