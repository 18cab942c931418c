import { describe, expect, it } from 'vitest';
import { findRelease } from '../../../core/plan/catalog.js';
import { escapeHtml, renderReport } from '../../../core/outputs/report.js';
import { endpoints } from '../../../core/outputs/endpoints.js';
import type { PreflightReport } from '../../../core/preflight/types.js';
import { singleMaster } from '../kubespray/plans.js';

const HOSTILE = '<img src=x onerror="alert(1)">';

describe('renderReport', () => {
  it('shows hostile host names, messages and URLs as text, never as markup', () => {
    const plan = singleMaster();
    plan.hosts[0]!.name = HOSTILE;
    plan.cluster.name = '</title><script>alert(2)</script>';
    const preflight: PreflightReport = {
      ok: false,
      startedAt: '2026-11-25T14:00:00Z',
      durationMs: 1200,
      cross: [],
      hosts: [
        {
          name: HOSTILE,
          address: '10.0.0.10',
          checks: [{ id: 'memory', status: 'fail', title: { key: 'check.memory' }, message: { key: 'x', params: { found: '<b>1 GB</b>' } } }],
        },
      ],
    };
    const html = renderReport({
      plan,
      release: findRelease('k-paas-v1.6.2'),
      run: { id: 'r1', mode: 'standalone', status: 'failed', startedAt: '2026-11-25T14:00:00Z' },
      preflight,
      steps: [{ id: 'kubespray', title: `Kubespray ${HOSTILE}`, status: 'failed', durationMs: 65_000, host: HOSTILE }],
      outputs: {
        endpoints: [
          { name: 'evil', url: 'javascript:alert(3)' },
          ...endpoints(singleMaster(), [
            { name: 'portal', url: 'https://portal.10.0.0.170.nip.io', state: 'ok', status: 200, via: '10.0.0.170', certificate: { trusted: true, subject: 'CN=*.10.0.0.170.nip.io', validTo: 'Jan  5 2027 GMT', fingerprint256: 'AB:CD' }, caPath: '/w/portal-ca.crt' },
            { name: 'harbor', url: 'https://harbor.10.0.0.170.nip.io', state: 'unreachable', via: '10.0.0.170', reason: `ECONNRESET ${HOSTILE}` },
          ]),
        ],
      },
      failure: { task: 'Join to cluster if needed', host: HOSTILE, message: 'stderr </pre><script>alert(4)</script>' },
    });
    expect(html).not.toMatch(/<script|<img|onerror="|href="javascript/i);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;');
    expect(html).toContain('javascript:alert(3)'); // shown as text
    expect(html).toContain('<a href="https://portal.10.0.0.170.nip.io">');
    // What the portal step found is shown with each URL: status, certificate, CA; the reason for one that did not answer.
    expect(html).toContain('HTTP 200 through 10.0.0.170; certificate CN=*.10.0.0.170.nip.io, valid until Jan  5 2027 GMT; CA to trust: <code>/w/portal-ca.crt</code>');
    expect(html).toContain(`not reachable through 10.0.0.170: ECONNRESET ${escapeHtml(HOSTILE)}`);
    expect(html).toContain('1 min 5 s');
    expect(html).toContain('1.32.5'); // Kubernetes of the release
    // self-contained: nothing loaded from elsewhere
    expect(html).not.toMatch(/<(link|script|img|iframe)\b|url\(/i);
  });

  it('holds no secret: auth profiles show only their name', () => {
    const plan = singleMaster();
    plan.auth[0]!.keyPath = '/home/me/.ssh/secret-key-path';
    const html = renderReport({ plan, run: { id: 'r2', mode: 'standalone', status: 'succeeded', startedAt: 'now' } });
    expect(html).not.toContain('secret-key-path');
    expect(html).toContain('master1');
  });
});

describe('the report in the reader\'s language', () => {
  it('has Korean headings, column names and facts for a Korean reader, English by default', () => {
    const plan = singleMaster();
    const input = {
      plan,
      release: findRelease('k-paas-v1.6.2'),
      run: { id: 'r3', mode: 'standalone', status: 'failed', startedAt: '2026-12-06T05:00:00Z', finishedAt: '2026-12-06T05:10:00Z' },
      steps: [{ id: 'kubespray', title: 'Kubespray', status: 'failed', durationMs: 1000 }],
      failure: { step: 'kubespray', message: 'boom' },
      generatedAt: '2026-12-06T05:11:00Z',
    };
    const ko = renderReport({ ...input, lang: 'ko' });
    expect(ko).toContain('<html lang="ko">');
    for (const word of ['실패한 곳', '계획', '단계', '버전', '클러스터 이름', '실행 <code>r3</code>, 모드 standalone', ', 종료 2026-12-06T05:10:00Z', 'cp-installer가 2026-12-06T05:11:00Z에 만듦'])
      expect(ko).toContain(word);
    expect(ko).not.toMatch(/What failed|<h2>Plan<|<h2>Steps<|Cluster name/);
    const en = renderReport(input);
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Run <code>r3</code>, mode standalone, started 2026-12-06T05:00:00Z, finished 2026-12-06T05:10:00Z.');
    expect(en).toMatch(/<h2>What failed<\/h2>/);
  });
});
