// Done: the kubeconfig (save as, copy path, merge into ~/.kube/config), the API server and the portal URLs the
// run installed and checked — each with what the check found (HTTP status and certificate, or why it did not
// answer), the CA to trust and a hosts-file line — the guide's next steps for the first login, then the
// report and the support bundle (components/handover.tsx, shared with the Install screen).
import { useState } from 'react';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { useBusyAction } from '../lib/use-busy-action.js';
import { SavePathButton } from '../components/file-buttons.js';
import { Handover } from '../components/handover.js';
import { FirstLogin } from '../components/first-login.js';
import { PortalUninstall } from '../components/portal-uninstall.js';
import { formatWhen } from '../components/resume-banner.js';

export function DoneScreen() {
  const runId = useStore((s) => s.runId);
  const outputs = useStore((s) => s.outputs);
  const notify = useStore((s) => s.notify);
  const lang = useStore((s) => s.lang);
  const m = useMsg();
  const [kubeconfig, setKubeconfig] = useState<{ path: string; context: string } | undefined>();
  const { busy, act } = useBusyAction();
  if (!runId) return <p className="muted">{m('ui.done.noRun')}</p>;
  const path = kubeconfig?.path ?? outputs?.kubeconfigPath;
  const portal = (outputs?.endpoints ?? []).filter((e) => e.state && !e.service);
  const caPath = portal.find((e) => e.caPath)?.caPath;

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      notify({ key: 'ui.done.copied', params: { text } });
    } catch {
      notify({ key: 'ui.done.copyFailed', params: { text } }, 'error');
    }
  };

  return (
    <div>
      <h2 id="screen-title">{m('ui.done.title')}</h2>
      <p className="lead" data-testid="done-message">
        {m(portal.length ? 'ui.done.lead' : 'ui.done.leadCluster')}
      </p>
      <section className="panel">
        <h3>kubeconfig</h3>
        <p>
          <code data-testid="kubeconfig-path">{path ?? '—'}</code>
          {kubeconfig && <span className="muted"> · {m('ui.done.context', { context: kubeconfig.context })}</span>}
        </p>
        <div className="toolbar">
          <SavePathButton
            label={m('ui.done.saveAs')}
            defaultPath="kubeconfig"
            testid="kubeconfig-save"
            busy={busy === 'save'}
            onPath={(p) => void act('save', async () => setKubeconfig(await call('outputs.kubeconfig', { runId, saveAs: p })))}
          />
          <button type="button" disabled={!path} onClick={() => path && void copy(path)} data-testid="kubeconfig-copy">
            {m('ui.done.copyPath')}
          </button>
          <button
            type="button"
            disabled={busy === 'merge'}
            onClick={() =>
              void act('merge', async () => {
                const r = await call('outputs.kubeconfig', { runId, mergeInto: '~/.kube/config' });
                setKubeconfig(r);
                notify({ key: 'ui.done.merged', params: { path: r.path, context: r.context } });
              })
            }
            data-testid="kubeconfig-merge"
          >
            {m('ui.done.merge')}
          </button>
        </div>
        <p className="muted">{m('ui.done.kubectlHint', { path: path ?? '<kubeconfig>' })}</p>
      </section>
      {outputs?.endpoints && outputs.endpoints.length > 0 && (
        <section className="panel">
          <h3>{m(portal.length ? 'ui.done.endpoints' : 'ui.done.endpointsCluster')}</h3>
          <ul className="endpoints">
            {outputs.endpoints.map((e) => (
              <li key={e.name} data-testid={`endpoint-row-${e.name}`} data-state={e.state ?? 'api'}>
                <span className="endpoint-name">{e.name}</span>
                <span className="endpoint-body">
                  {e.state === 'unreachable' ? (
                    <code data-testid={`endpoint-${e.name}`}>{e.url}</code>
                  ) : (
                    <a href={e.url} target="_blank" rel="noopener noreferrer" data-testid={`endpoint-${e.name}`}>
                      {e.url}
                    </a>
                  )}
                  {e.state === 'ok' && (
                    <span className="muted endpoint-check" data-testid={`endpoint-check-${e.name}`}>
                      {' · '}
                      {m('ui.done.endpointOk', { status: String(e.status ?? ''), via: e.via ?? '' })}
                      {e.certificate &&
                        ` · ${e.certificate.trusted ? m('ui.done.certTrusted', { until: e.certificate.validTo ?? '' }) : m('ui.done.certUntrusted', { problem: e.certificate.problem ?? '' })}`}
                    </span>
                  )}
                  {e.state === 'unreachable' && (
                    <span className="endpoint-check fail-text" data-testid={`endpoint-check-${e.name}`}>
                      {' · '}
                      {m('ui.done.endpointDown', { via: e.via ?? '', reason: e.reason ?? '' })}
                    </span>
                  )}
                </span>
              </li>
            ))}
          </ul>
          {caPath && (
            <p className="muted" data-testid="portal-ca">
              {m('ui.done.portalCa', { path: caPath })}{' '}
              <button type="button" onClick={() => void copy(caPath)} data-testid="portal-ca-copy">
                {m('ui.done.copyPath')}
              </button>
            </p>
          )}
          {outputs.portalHostsSnippet && (
            <div data-testid="portal-hosts">
              <p className="muted">{m('ui.done.hostsHint')}</p>
              <pre className="hosts-line">{outputs.portalHostsSnippet}</pre>
              <button type="button" onClick={() => void copy(outputs.portalHostsSnippet!)} data-testid="portal-hosts-copy">
                {m('ui.done.copyLine')}
              </button>
            </div>
          )}
          {portal.length > 0 && <FirstLogin runId={runId} />}
          {portal.some((e) => e.state === 'ok') && (
            <div data-testid="portal-next">
              <h4>{m('ui.done.nextTitle')}</h4>
              <ol>
                <li>{m('ui.done.next1')}</li>
                <li>{m('ui.done.next2')}</li>
                <li>{m('ui.done.next3')}</li>
              </ol>
            </div>
          )}
          {portal.length > 0 && <PortalUninstall runId={runId} />}
          {outputs.portalUninstalledAt && (
            <p className="muted" data-testid="portal-gone">
              {m('ui.done.portalGone', { when: formatWhen(outputs.portalUninstalledAt, lang) })}
            </p>
          )}
        </section>
      )}
      {outputs?.versions && (
        <section className="panel">
          <h3>{m('ui.done.versions')}</h3>
          <dl className="facts">
            {Object.entries(outputs.versions).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
      <Handover runId={runId} {...(outputs?.reportPath ? { reportPath: outputs.reportPath } : {})} />
    </div>
  );
}
