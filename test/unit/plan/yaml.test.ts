import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { MODES } from '../../../core/plan/schema.js';
import {
  compactPlan,
  loadPlanText,
  newPlanDocument,
  newPlanText,
  parsePath,
  planToYaml,
  savePlan,
} from '../../../core/plan/yaml.js';

const commentLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => (l.includes('#') ? l.slice(l.indexOf('#')).trim() : ''))
    .filter((l) => l !== '');

describe('loadPlanText', () => {
  it('gives YAML syntax errors with line and column', () => {
    const r = loadPlanText('apiVersion: cp-installer/v1\nkind: Plan\nhosts:\n  - name: a\n   address: b\n');
    expect(r.valid).toBe(false);
    expect(r.plan).toBeUndefined();
    expect(r.issues[0]).toMatchObject({ key: 'plan.yaml.syntax', line: 5 });
    expect(r.issues[0]?.column).toBeGreaterThan(0);
  });

  it('reports an empty file', () => {
    expect(loadPlanText('# nothing\n').issues[0]?.key).toBe('plan.yaml.empty');
  });

  it('puts validation issues on the line of their field', () => {
    const text = newPlanText('standalone').replace('address: 192.168.0.22', 'address: 192.168.0.300');
    const r = loadPlanText(text);
    const e = r.issues.find((i) => i.key === 'plan.ip.invalid');
    const expected = text.split('\n').findIndex((l) => l.includes('192.168.0.300')) + 1;
    expect(e).toMatchObject({ path: 'hosts[2].address', line: expected, column: 5 });
  });

  it('puts an unknown key on its own line', () => {
    const text = newPlanText('standalone').replace('  runtime: crio', '  runtim: crio');
    const r = loadPlanText(text);
    const e = r.issues.find((i) => i.key === 'plan.schema.unknownKey');
    expect(e?.path).toBe('cluster.runtim');
    expect(e?.line).toBe(text.split('\n').findIndex((l) => l.startsWith('  runtim:')) + 1);
  });

  it('parses field paths', () => {
    expect(parsePath('hosts[2].address')).toEqual(['hosts', 2, 'address']);
    expect(parsePath('auth[0].jumpHost.port')).toEqual(['auth', 0, 'jumpHost', 'port']);
    expect(parsePath('')).toEqual([]);
  });
});

describe('example plans', () => {
  it.each(MODES)('%s: valid, commented', (mode) => {
    const text = newPlanText(mode);
    const r = loadPlanText(text);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.plan?.mode).toBe(mode);
    expect(commentLines(text).length).toBeGreaterThan(2);
  });
});

describe('savePlan', () => {
  it('gives back the same text when nothing changed', () => {
    const text = newPlanText('standalone');
    const { plan, document } = loadPlanText(text);
    expect(savePlan(document, plan)).toBe(text);
  });

  it('keeps comments and key order while applying changes', () => {
    const text = newPlanText('standalone');
    const { plan, document } = loadPlanText(text);
    const next = structuredClone(plan!);
    next.hosts[1]!.address = '192.168.0.41';
    next.hosts.push({
      name: 'worker3',
      address: '192.168.0.23',
      port: 22,
      auth: 'default',
      roles: ['worker'],
      labels: {},
    });
    next.cluster.loadBalancerDomain = 'api.example.com';
    next.network.ingressIp = '192.168.0.170';
    const saved = savePlan(document, next);

    for (const c of commentLines(text)) expect(saved).toContain(c.replace(/\s+/g, ' ').split(' # ')[0]);
    expect(saved).toContain('address: 192.168.0.41');
    expect(saved).toContain('- name: worker3\n    address: 192.168.0.23\n    roles: [worker]\n');
    expect(saved).toContain('loadBalancerDomain: api.example.com');
    // Defaults the file left out stay out.
    expect(saved).not.toContain('port: 22');
    expect(saved).not.toContain('labels:');
    // Top-level key order is unchanged.
    const order = (t: string) =>
      t
        .split('\n')
        .filter((l) => /^[a-z]/i.test(l))
        .map((l) => l.split(':')[0]);
    expect(order(saved)).toEqual(order(text));
    expect(loadPlanText(saved).plan).toEqual(next);
  });

  it('removes a host by name and keeps the comments of the others', () => {
    const text = newPlanText('standalone');
    const { plan, document } = loadPlanText(text);
    const next = structuredClone(plan!);
    next.hosts = next.hosts.filter((h) => h.name !== 'worker1');
    const saved = savePlan(document, next);
    expect(saved).not.toContain('worker1');
    expect(saved).toContain('# For an HA control plane add master2 and master3');
    expect(loadPlanText(saved).plan).toEqual(next);
  });

  it('removes an optional field set to nothing', () => {
    const { plan, document } = loadPlanText(newPlanText('standalone'));
    const next = structuredClone(plan!);
    delete next.network.ingressIp;
    const saved = savePlan(document, next);
    expect(saved).not.toContain('ingressIp:');
    expect(saved).toContain(
      "# Free addresses in the hosts' subnet that MetalLB hands to LoadBalancer services.",
    );
  });

  it('writes into an empty document', () => {
    const { plan } = loadPlanText(newPlanText('edge'));
    const saved = savePlan(parseDocument(''), plan);
    expect(loadPlanText(saved).plan).toEqual(plan);
  });

  it('newPlanDocument gives the example as a Document', () => {
    expect(newPlanDocument('caas').get('mode')).toBe('caas');
  });
});

describe('planToYaml', () => {
  it('leaves out defaults and round-trips', () => {
    const { plan } = loadPlanText(newPlanText('standalone'));
    const compact = compactPlan(plan) as { hosts: Array<Record<string, unknown>> };
    expect(compact.hosts[0]).toEqual({ name: 'master1', address: '192.168.0.11', roles: ['control-plane'] });
    const text = planToYaml(plan, 'header line');
    expect(text.startsWith('# header line\n')).toBe(true);
    expect(text).toContain('roles: [control-plane]');
    expect(loadPlanText(text).plan).toEqual(plan);
  });
});
