// The Done screen with what the portal step found: checked URLs as links with their status and certificate,
// an unreachable one as text with its reason, the CA and the hosts-file line, the guide's first-login steps;
// and for a run without the portal, no portal URL and no portal wording at all.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { RunOutputs } from '../../../core/api/types.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { DoneScreen } from '../../../renderer/screens/done.js';
import { useStore } from '../../../renderer/store/index.js';

function render(outputs: RunOutputs, lang: 'en' | 'ko' = 'en'): string {
  // Server rendering reads the store's initial state (useSyncExternalStore's server snapshot): set it there.
  Object.assign(useStore.getInitialState(), { runId: 'r1', outputs });
  return renderToStaticMarkup(createElement(I18nextProvider, { i18n: createI18n(lang) }, createElement(DoneScreen)));
}

const checked: RunOutputs = {
  kubeconfigPath: '/w/kubeconfig',
  endpoints: [
    { name: 'api-server', url: 'https://10.0.0.11:6443' },
    { name: 'portal', url: 'https://portal.d.nip.io', state: 'ok', status: 200, via: '10.0.0.200', certificate: { trusted: true, validTo: 'Dec  4 2036 GMT' }, caPath: '/w/portal-ca.crt' },
    { name: 'harbor', url: 'https://harbor.d.nip.io', state: 'unreachable', via: '10.0.0.200', reason: 'ECONNRESET: socket hang up' },
  ],
  portalHostsSnippet: '10.0.0.200 portal.d.nip.io harbor.d.nip.io',
};

describe('Done screen', () => {
  it('shows each checked portal URL with what was found, the CA, the hosts line and the first-login steps', () => {
    const html = render(checked);
    expect(html).toContain('<a href="https://portal.d.nip.io" target="_blank" rel="noopener noreferrer" data-testid="endpoint-portal">');
    expect(html).toContain('answered HTTP 200 through 10.0.0.200 · certificate valid until Dec  4 2036 GMT');
    // Not a link: it did not answer.
    expect(html).not.toContain('href="https://harbor.d.nip.io"');
    expect(html).toContain('not reachable through 10.0.0.200: ECONNRESET: socket hang up');
    expect(html).toContain('trust this CA in your browser (/w/portal-ca.crt)');
    expect(html).toContain('<pre class="hosts-line">10.0.0.200 portal.d.nip.io harbor.d.nip.io</pre>');
    expect(html).toContain('Switch to realm cp-realm');
    expect(render(checked, 'ko')).toContain('realm을 cp-realm으로 바꾸고');
  });

  it('a run without the portal: the API server only, no portal wording', () => {
    const html = render({ kubeconfigPath: '/w/kubeconfig', endpoints: [{ name: 'api-server', url: 'https://10.0.0.11:6443' }] });
    expect(html).toContain('https://10.0.0.11:6443');
    expect(html).not.toMatch(/portal/i);
  });
});
