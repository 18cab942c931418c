import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportVars, importVars, parseShellVars } from '../../../core/plan/vars.js';
import { validatePlan } from '../../../core/plan/validate.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/vars/${name}`, import.meta.url), 'utf8');
const CLUSTER = fixture('cp-cluster-vars.sh');
const SINGLE = fixture('cp-cluster-vars-single.sh');
const EXTERNAL = fixture('cp-cluster-vars-external-etcd.sh');
const EDGE = fixture('cp-edge-vars.sh');
const noAgent = { env: {} };

describe('parseShellVars', () => {
  it('reads quotes, escapes, references and trailing comments', () => {
    const { values, issues } = parseShellVars(
      [
        '#!/bin/bash',
        'export A=plain',
        "B='single $A'",
        'export C="double $A ${A}-x \\"q\\""',
        'D=a\\ b   # comment',
        'export E=',
        'declare -x F=$UNSET',
      ].join('\n'),
    );
    expect(Object.fromEntries(values)).toEqual({
      A: 'plain',
      B: 'single $A',
      C: 'double plain plain-x "q"',
      D: 'a b',
      E: '',
      F: '',
    });
    expect(issues).toEqual([]);
  });

  it('never runs command substitution and says which line', () => {
    const { values, issues } = parseShellVars('export A=$(touch /tmp/owned)\nB=`id`\nC="x$(id)"\nD=a b\n');
    expect(values.size).toBe(0);
    expect(issues.map((i) => [i.key, i.params?.line])).toEqual([
      ['plan.vars.commandSubstitution', 1],
      ['plan.vars.commandSubstitution', 2],
      ['plan.vars.commandSubstitution', 3],
      // A second word is not command substitution: it has its own message (security #11).
      ['plan.vars.extraWord', 4],
    ]);
  });

  it('skips lines that are not assignments with a warning', () => {
    const { issues } = parseShellVars('if [ -z "$A" ]; then\nA=1\nfi\n');
    expect(issues.map((i) => [i.severity, i.key, i.line])).toEqual([
      ['warning', 'plan.vars.unparsed', 1],
      ['warning', 'plan.vars.unparsed', 3],
    ]);
  });
});

describe('importVars', () => {
  it('reads an HA cluster', () => {
    const { plan, issues } = importVars(CLUSTER, undefined, noAgent);
    expect(issues).toEqual([]);
    expect(plan.mode).toBe('standalone');
    expect(plan.hosts.map((h) => [h.name, h.address, h.privateAddress, h.roles.join()])).toEqual([
      ['cp-master-1', '203.0.113.10', '10.0.0.11', 'control-plane'],
      ['cp-master-2', '10.0.0.12', undefined, 'control-plane'],
      ['cp-master-3', '10.0.0.13', undefined, 'control-plane'],
      ['cp-worker-1', '10.0.0.21', undefined, 'worker'],
      ['cp-worker-2', '10.0.0.22', undefined, 'worker'],
      ['cp-worker-3', '10.0.0.23', undefined, 'worker'],
    ]);
    expect(plan.cluster).toMatchObject({
      loadBalancerDomain: 'api.cp.example.com',
      etcdType: 'stacked',
      kyverno: true,
    });
    expect(plan.network).toEqual({ metallbRange: '10.0.0.150-10.0.0.160', ingressIp: '10.0.0.161' });
    expect(plan.storage).toMatchObject({ type: 'nfs', nfs: { server: '10.0.0.31' } });
    expect(validatePlan(plan).errors).toEqual([]);
  });

  it('reads a one-node-each cluster with quoted values and a reference', () => {
    const { plan, issues } = importVars(SINGLE, undefined, noAgent);
    expect(issues).toEqual([]);
    expect(plan.hosts[0]).toMatchObject({ name: 'master', address: '192.168.100.10' });
    expect(plan.hosts[0]?.privateAddress).toBeUndefined();
    expect(plan.storage.nfs?.server).toBe('192.168.100.10');
    expect(plan.cluster.kyverno).toBe(false);
    expect(validatePlan(plan).errors).toEqual([]);
  });

  it('reads external etcd and rook-ceph', () => {
    const { plan } = importVars(EXTERNAL, undefined, noAgent);
    expect(plan.hosts.filter((h) => h.roles.includes('etcd')).map((h) => h.name)).toEqual([
      'etcd-1',
      'etcd-2',
      'etcd-3',
    ]);
    expect(plan.storage.type).toBe('rook-ceph');
    expect(plan.cluster.etcdType).toBe('external');
    expect(validatePlan(plan).errors).toEqual([]);
  });

  it('reads edge nodes into an expand-edge plan on a release whose KubeEdge fits', () => {
    const { plan, issues } = importVars(CLUSTER, EDGE, noAgent);
    expect(issues).toEqual([]);
    expect(plan.mode).toBe('expand-edge');
    expect(plan.release).toBe('k-paas-v1.6.2-kubeedge-1.23');
    expect(plan.edge).toEqual({ cloudcoreAddress: '203.0.113.20', cloudcorePrivateAddress: '10.0.0.170' });
    expect(plan.hosts.filter((h) => h.roles.includes('edge')).map((h) => [h.name, h.address])).toEqual([
      ['edge-1', '198.51.100.31'],
      ['edge-2', '198.51.100.32'],
    ]);
    expect(validatePlan(plan).errors).toEqual([]);
  });

  it('reads the older edge variable names too', () => {
    const older =
      'export CLOUDCORE_VIP=203.0.113.20\nexport CLOUDCORE_PRIVATE_VIP=10.0.0.170\nexport EDGE_NODE_CNT=1\nexport EDGE1_NODE_HOSTNAME=e1\nexport EDGE1_NODE_PRIVATE_IP=10.0.9.1\n';
    const { plan, issues } = importVars(CLUSTER, older, noAgent);
    expect(issues).toEqual([]);
    expect(plan.edge).toEqual({ cloudcoreAddress: '203.0.113.20', cloudcorePrivateAddress: '10.0.0.170' });
    expect(plan.hosts.at(-1)).toMatchObject({ name: 'e1', address: '10.0.9.1', roles: ['edge'] });
  });

  it('logs in as ubuntu with the agent when one runs, else ~/.ssh/id_rsa; flags override', () => {
    expect(importVars(SINGLE, undefined, { env: { SSH_AUTH_SOCK: '/tmp/agent.sock' } }).plan.auth).toEqual([
      expect.objectContaining({ name: 'default', method: 'agent', user: 'ubuntu' }),
    ]);
    expect(importVars(SINGLE, undefined, { env: {} }).plan.auth).toEqual([
      expect.objectContaining({ method: 'key', user: 'ubuntu', keyPath: '~/.ssh/id_rsa' }),
    ]);
    expect(
      importVars(SINGLE, undefined, { env: { SSH_AUTH_SOCK: '/x' }, keyPath: '/k', user: 'ops' }).plan.auth,
    ).toEqual([expect.objectContaining({ method: 'key', user: 'ops', keyPath: '/k' })]);
    expect(importVars(SINGLE, undefined, { env: {}, agent: true }).plan.auth[0]?.method).toBe('agent');
  });

  it('says which variables are missing or malformed', () => {
    const { issues } = importVars(
      'export KUBE_CONTROL_HOSTS=two\nexport KUBE_WORKER_HOSTS=1\nexport WORKER1_NODE_HOSTNAME=w\n',
      undefined,
      noAgent,
    );
    expect(issues.map((i) => [i.key, i.params?.name])).toEqual([
      ['plan.vars.count', 'KUBE_CONTROL_HOSTS'],
      ['plan.vars.missing', 'WORKER1_NODE_PRIVATE_IP'],
    ]);
  });

  it('names what it does not carry and keeps secrets out of the plan', () => {
    const { plan, issues } = importVars(
      `${SINGLE}\nexport CSP_TYPE=NHN\nexport NHN_PASSWORD='s3cret'\n`,
      undefined,
      noAgent,
    );
    expect(issues.map((i) => [i.severity, i.key, i.params?.name])).toEqual([
      ['warning', 'plan.vars.unsupported', 'CSP_TYPE'],
      ['warning', 'plan.vars.secret', 'NHN_PASSWORD'],
    ]);
    expect(JSON.stringify(plan)).not.toContain('s3cret');
  });
});

describe('exportVars', () => {
  it.each([
    ['cp-cluster-vars.sh', CLUSTER, undefined],
    ['cp-cluster-vars-single.sh', SINGLE, undefined],
    ['cp-cluster-vars-external-etcd.sh', EXTERNAL, undefined],
    ['cp-cluster-vars.sh + cp-edge-vars.sh', CLUSTER, EDGE],
  ])('%s: import → export → import gives the same plan', (_name, cluster, edge) => {
    const first = importVars(cluster, edge, noAgent).plan;
    const out = exportVars(first);
    expect(out.edgeVars !== undefined).toBe(edge !== undefined);
    const again = importVars(out.clusterVars, out.edgeVars, noAgent);
    expect(again.issues).toEqual([]);
    expect(again.plan).toEqual(first);
  });

  it.each([
    ['cp-cluster-vars.sh', CLUSTER, EDGE],
    ['cp-cluster-vars-single.sh', SINGLE, undefined],
    ['cp-cluster-vars-external-etcd.sh', EXTERNAL, undefined],
  ])('%s: export keeps every variable value of the file', (_name, cluster, edge) => {
    const out = exportVars(importVars(cluster, edge, noAgent).plan);
    for (const [source, written] of [
      [cluster, out.clusterVars],
      [edge, out.edgeVars],
    ] as const) {
      if (source === undefined) continue;
      const before = parseShellVars(source).values;
      const after = parseShellVars(written ?? '').values;
      for (const [name, value] of before) {
        if (value !== '') expect([name, after.get(name)]).toEqual([name, value]);
      }
    }
  });

  it('writes files a shell sources to the same values', () => {
    if (!existsSync('/bin/bash')) {
      console.log('skipped the bash check: /bin/bash is missing');
      return;
    }
    const { clusterVars } = exportVars(importVars(CLUSTER, undefined, noAgent).plan);
    const ours = Object.fromEntries(parseShellVars(clusterVars).values);
    const names = Object.keys(ours);
    const printed = execFileSync(
      '/bin/bash',
      ['-c', `${clusterVars}\nfor n in ${names.join(' ')}; do printf '%s=%s\\n' "$n" "\${!n}"; done`],
      {
        encoding: 'utf8',
      },
    );
    expect(
      Object.fromEntries(
        printed
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      ),
    ).toEqual(ours);
  });

  it('quotes a value that needs it', () => {
    const plan = importVars(SINGLE, undefined, noAgent).plan;
    plan.cluster.loadBalancerDomain = "odd value's";
    expect(exportVars(plan).clusterVars).toContain(`export LOADBALANCER_DOMAIN='odd value'\\''s'`);
  });
});
