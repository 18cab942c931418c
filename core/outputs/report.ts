// The install report: one self-contained HTML file (no script, no external resource) with the plan summary,
// versions, preflight results, step timings and outputs. Every value from the plan, the hosts or the run is
// escaped, so a hostile host name or log line shows as text and never becomes markup. It holds no secret:
// the plan has none, and only chosen plan fields are shown.
import type { Message } from '../common/messages.js';
import type { Release } from '../plan/catalog.js';
import type { Plan } from '../plan/schema.js';
import type { Endpoint } from './endpoints.js';
import { fillLabel, REPORT_LABELS, type ReportLabels, type ReportLang } from './report-labels.js';

// The shapes the report reads, declared here so outputs/ depends on nothing above it (install/ and
// preflight/ pass their own PreflightReport, RunOutputs and step statuses, which fit these).
export interface ReportCheck {
  status: string;
  title: Message;
  message: Message;
}

export interface ReportPreflight {
  ok: boolean;
  hosts: Array<{ name: string; error?: Message; checks: ReportCheck[] }>;
  cross: Array<ReportCheck & { hosts: string[] }>;
}

export interface ReportOutputs {
  kubeconfigPath?: string;
  endpoints?: Endpoint[];
  versions?: Record<string, string>;
}

export interface ReportStep {
  id: string;
  title: string | Message;
  host?: string;
  status: string;
  startedAt?: string;
  durationMs?: number;
}

export interface ReportInput {
  plan: Plan;
  release?: Release;
  run: { id: string; mode: string; status: string; startedAt: string; finishedAt?: string };
  preflight?: ReportPreflight;
  steps?: ReportStep[];
  outputs?: ReportOutputs;
  /** What to show first when the run failed (already redacted). */
  failure?: { step?: string; task?: string; host?: string; message: string };
  /** Renders a message in the reader's language; shows the key with its parameters when absent. */
  translate?: (m: Message) => string;
  /** The language of the report's own headings (the messages are rendered by translate). */
  lang?: ReportLang;
  generatedAt?: string;
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

function defaultTranslate(m: Message): string {
  const params = m.params ? Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(', ') : '';
  return params ? `${m.key} (${params})` : m.key;
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function badge(status: string): string {
  const cls = /^(pass|done|succeeded|ok)$/.test(status) ? 'ok' : /^(warn|skipped|pending|running)$/.test(status) ? 'warn' : 'bad';
  return `<span class="badge ${cls}">${e(status)}</span>`;
}

function safeUrl(url: string): string {
  // Only web addresses become links; anything else stays text.
  return /^https?:\/\//i.test(url) ? `<a href="${e(url)}">${e(url)}</a>` : e(url);
}

function planSection(plan: Plan, l: ReportLabels): string {
  const c = plan.cluster;
  const facts: Array<[string, string | undefined]> = [
    [l.mode, plan.mode],
    [l.release, plan.release],
    [l.clusterName, c.name],
    [l.runtime, c.runtime],
    [l.podCidr, c.podCidr],
    [l.serviceCidr, c.serviceCidr],
    [l.apiLb, c.loadBalancerDomain],
    ['etcd', c.etcdType],
    [l.metallb, plan.network.metallbRange],
    [l.ingressIp, plan.network.ingressIp],
    [l.storage, plan.storage.type + (plan.storage.nfs?.server ? ` (${plan.storage.nfs.server}:${plan.storage.nfs.path})` : '')],
    [l.portal, plan.portal.enabled ? (plan.portal.domain ?? l.portalOn) : l.portalOff],
    [l.registry, plan.registry?.address],
    [l.bundle, plan.bundle?.path],
  ];
  const dl = facts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`)
    .join('\n');
  const hosts = table(
    [l.host, l.address, l.privateAddress, l.roles, l.user, l.auth],
    plan.hosts.map((h) => [e(h.name), e(`${h.address}${h.port !== 22 ? `:${h.port}` : ''}`), e(h.privateAddress ?? ''), e(h.roles.join(', ')), e(h.user ?? ''), e(h.auth)]),
  );
  return `<section><h2>${e(l.plan)}</h2><dl>\n${dl}\n</dl>\n<h3>${e(l.hosts)}</h3>\n${hosts}</section>`;
}

function versionsSection(release: Release | undefined, outputs: ReportOutputs | undefined, l: ReportLabels): string {
  const rows: string[][] = [];
  if (release) {
    rows.push(['Kubernetes', release.kubernetes], ['Kubespray', release.kubespray.version]);
    for (const [name, v] of Object.entries(release.runtimes)) if (v) rows.push([name, v]);
    for (const [name, v] of [['Calico', release.calico], ['MetalLB', release.metallb], ['ingress-nginx', release.ingressNginx], ['Helm', release.helm]] as const) {
      if (v) rows.push([name, v]);
    }
  }
  for (const [name, v] of Object.entries(outputs?.versions ?? {})) rows.push([name, v]);
  if (rows.length === 0) return '';
  return `<section><h2>${e(l.versions)}</h2>${table([l.component, l.version], rows.map((r) => r.map(e)))}</section>`;
}

function preflightSection(report: ReportPreflight | undefined, t: (m: Message) => string, l: ReportLabels): string {
  if (!report) return '';
  const rows: string[][] = [];
  for (const host of report.hosts) {
    if (host.error) rows.push([e(host.name), badge('fail'), e(l.connection), e(t(host.error))]);
    for (const c of host.checks) rows.push([e(host.name), badge(c.status), e(t(c.title)), e(t(c.message))]);
  }
  for (const c of report.cross) rows.push([e(c.hosts.join(', ')), badge(c.status), e(t(c.title)), e(t(c.message))]);
  return `<section><h2>${e(l.preflight)} ${badge(report.ok ? 'pass' : 'fail')}</h2>${table([l.host, l.result, l.check, l.found], rows)}</section>`;
}

function stepsSection(steps: ReportStep[] | undefined, t: (m: Message) => string, l: ReportLabels): string {
  if (!steps?.length) return '';
  const rows = steps.map((s) => [
    e(typeof s.title === 'string' ? s.title : t(s.title)),
    e(s.host ?? ''),
    badge(s.status),
    e(s.startedAt ?? ''),
    e(duration(s.durationMs)),
  ]);
  return `<section><h2>${e(l.steps)}</h2>${table([l.step, l.host, l.status, l.started, l.took], rows)}</section>`;
}

/** What the check of a portal URL found: status and certificate, or why it did not answer; the CA to trust. */
function endpointState(p: Endpoint, l: ReportLabels): string {
  if (!p.state) return '';
  const via = e(p.via ?? '');
  if (p.state === 'unreachable') return `${badge('failed')} ${fillLabel(e(l.unreachable), { via, reason: e(p.reason ?? '') })}`;
  const c = p.certificate;
  const parts = [fillLabel(e(l.reachable), { status: e(String(p.status ?? '')), via })];
  if (c) parts.push(c.trusted ? fillLabel(e(l.certOk), { subject: e(c.subject ?? ''), until: e(c.validTo ?? '') }) : fillLabel(e(l.certBad), { problem: e(c.problem ?? '') }));
  if (p.caPath) parts.push(fillLabel(e(l.caToTrust), { path: `<code>${e(p.caPath)}</code>` }));
  const fp = c?.fingerprint256 ? `<br><code>SHA-256 ${e(c.fingerprint256)}</code>` : '';
  return `${badge(c && !c.trusted ? 'warn' : 'succeeded')} ${parts.join('; ')}${fp}`;
}

function outputsSection(outputs: ReportOutputs | undefined, l: ReportLabels): string {
  if (!outputs) return '';
  const parts: string[] = [];
  if (outputs.kubeconfigPath) parts.push(`<p>kubeconfig: <code>${e(outputs.kubeconfigPath)}</code></p>`);
  if (outputs.endpoints?.length) {
    parts.push(table([l.endpoint, 'URL', l.checked], outputs.endpoints.map((p) => [e(p.name), safeUrl(p.url), endpointState(p, l)])));
  }
  return parts.length ? `<section><h2>${e(l.outputs)}</h2>${parts.join('\n')}</section>` : '';
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d232a;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d8dee4}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef1f4;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#57606a}dd{margin:0}
code,pre{font:12px ui-monospace,monospace}pre{white-space:pre-wrap;background:#f6f8fa;padding:.6rem}
.badge{padding:0 .4rem;border-radius:.6rem;font-size:12px}.ok{background:#dafbe1}.warn{background:#fff8c5}.bad{background:#ffebe9}`;

export function renderReport(input: ReportInput): string {
  const t = input.translate ?? defaultTranslate;
  const lang = input.lang ?? 'en';
  const l = REPORT_LABELS[lang];
  const { run } = input;
  const failure = input.failure
    ? `<section><h2>${e(l.failed)}</h2><dl>${[
        [l.step, input.failure.step],
        [l.task, input.failure.task],
        [l.host, input.failure.host],
      ]
        .filter(([, v]) => v)
        .map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`)
        .join('')}</dl><pre>${e(input.failure.message)}</pre></section>`
    : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(`${l.title} — ${input.plan.cluster.name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(input.plan.cluster.name)} ${badge(run.status)}</h1>
<p>${fillLabel(e(l.runLine), { id: `<code>${e(run.id)}</code>`, mode: e(run.mode), started: e(run.startedAt) })}${run.finishedAt ? fillLabel(e(l.finishedAt), { finished: e(run.finishedAt) }) : ''}.</p>
${failure}
${outputsSection(input.outputs, l)}
${planSection(input.plan, l)}
${versionsSection(input.release, input.outputs, l)}
${preflightSection(input.preflight, t, l)}
${stepsSection(input.steps, t, l)}
<footer><p>${input.generatedAt ? fillLabel(e(l.generatedAt), { at: e(input.generatedAt) }) : e(l.generated)}.</p></footer>
</body>
</html>
`;
}
