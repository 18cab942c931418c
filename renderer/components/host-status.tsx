// A host's connection result, shown on its row (Hosts and Credentials screens).
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';

export function hostStatus(s: { connections: Record<string, { ok: boolean }>; testing: string[] }, name: string): 'testing' | 'ok' | 'error' | 'unknown' {
  if (s.testing.includes(name)) return 'testing';
  const r = s.connections[name];
  return r ? (r.ok ? 'ok' : 'error') : 'unknown';
}

export function HostStatus({ name, testid }: { name: string; testid: string }) {
  const status = useStore((s) => hostStatus(s, name));
  const result = useStore((s) => s.connections[name]);
  const m = useMsg();
  return (
    <div className={`host-status ${status}`} data-testid={testid} data-status={status} role="status">
      {status === 'testing' && <span className="spinner" aria-hidden="true" />}
      {status === 'testing' && m('ui.conn.testing')}
      {status === 'unknown' && <span className="muted">{m('ui.conn.untested')}</span>}
      {status === 'ok' && (
        <span>
          ✓ {m('ui.conn.ok')}
          {result?.hostname ? ` · ${result.hostname}` : ''}
          {result?.os ? ` · ${result.os}` : ''}
        </span>
      )}
      {status === 'error' && result?.error && (
        <span data-testid={`${testid}-error`} data-kind={result.error.kind}>
          {/* The unknown key and its fingerprint are shown once, in the box below the row (Credentials). */}
          {result.error.kind === 'host-key-unknown' ? `? ${m('ui.conn.hostKeyUnknown')}` : `✕ ${m(result.error)}`}
        </span>
      )}
    </div>
  );
}
