// The portal's first login on Done: the Keycloak administrator the run read from cp-portal-secret, handed
// over once by the engine (`portal.firstLogin`). The password lives in this component's state only — never
// the store (it is persisted), a notice, the console or a file — and stays masked until the person asks to
// see it. On the desktop with a keyring the engine keeps it in the OS keychain, and it can be shown again
// from there; in browser mode it is shown this once and kept nowhere, and the panel says so plainly.
import { useEffect, useState } from 'react';
import type { PortalFirstLogin } from '../../core/api/types.js';
import { call } from '../api.js';
import { useMsg } from '../i18n/index.js';
import { useBusyAction } from '../lib/use-busy-action.js';
import { useStore } from '../store/index.js';

/** One request per run, shared by a component mounted twice in a row (React's strict mode): the engine
 * answers the hand-over once, so a second request would find nothing. Forgotten as soon as it is answered. */
const asked = new Map<string, Promise<PortalFirstLogin>>();
function askOnce(runId: string): Promise<PortalFirstLogin> {
  let p = asked.get(runId);
  if (!p) {
    p = call('portal.firstLogin', { runId });
    asked.set(runId, p);
    const drop = () => void asked.delete(runId);
    p.then(drop, drop);
  }
  return p;
}

const MASK = '•'.repeat(12);

export interface FirstLoginViewProps {
  login: PortalFirstLogin | undefined;
  shown: boolean;
  /** browser mode: said plainly that nothing keeps it. */
  browser: boolean;
  busy?: boolean;
  onShow(): void;
  onCopy(what: 'user' | 'password'): void;
  onFromKeychain(): void;
}

/** What the panel shows for an answer (pure, so it is tested without a browser). */
export function FirstLoginView({ login, shown, browser, busy, onShow, onCopy, onFromKeychain }: FirstLoginViewProps) {
  const m = useMsg();
  if (!login) return <p className="muted" data-testid="first-login-loading">{m('ui.login.loading')}</p>;
  if (login.user && login.password)
    return (
      <>
        <dl className="facts first-login-facts">
          <div>
            <dt>{m('ui.login.realm')}</dt>
            <dd>
              <code data-testid="first-login-realm">{login.realm}</code>
            </dd>
          </div>
          <div>
            <dt>{m('ui.login.user')}</dt>
            <dd>
              <code data-testid="first-login-user">{login.user}</code>{' '}
              <button type="button" className="small" onClick={() => onCopy('user')} data-testid="first-login-copy-user">
                {m('ui.login.copy')}
              </button>
            </dd>
          </div>
          <div>
            <dt>{m('ui.login.password')}</dt>
            <dd>
              <code data-testid="first-login-password" data-shown={shown ? 'true' : 'false'}>
                {shown ? login.password.text : MASK}
              </code>{' '}
              <button type="button" className="small" onClick={onShow} data-testid="first-login-show">
                {m(shown ? 'ui.login.hide' : 'ui.login.show')}
              </button>{' '}
              <button type="button" className="small" onClick={() => onCopy('password')} data-testid="first-login-copy">
                {m('ui.login.copy')}
              </button>
            </dd>
          </div>
        </dl>
        <p className={login.kept === 'keychain' ? 'muted' : 'warn-text'} data-testid="first-login-kept" data-kept={login.kept}>
          {login.kept === 'keychain'
            ? m(login.fromKeychain ? 'ui.login.fromKeychain' : 'ui.login.keptKeychain')
            : browser
              ? m('ui.login.notKeptBrowser')
              : m('ui.login.notKept', { why: login.whyNotKept ? m(login.whyNotKept) : '' })}
        </p>
      </>
    );
  if (login.user && login.kept === 'keychain')
    return (
      <p data-testid="first-login-in-keychain">
        {m('ui.login.inKeychain', { user: login.user })}{' '}
        <button type="button" disabled={busy} onClick={onFromKeychain} data-testid="first-login-from-keychain">
          {m('ui.login.showFromKeychain')}
        </button>
      </p>
    );
  return (
    <p className="muted" data-testid="first-login-gone">
      {m('ui.login.gone')}
    </p>
  );
}

export function FirstLogin({ runId }: { runId: string }) {
  const m = useMsg();
  const notify = useStore((s) => s.notify);
  const browser = useStore((s) => s.info?.shell === 'browser');
  const [login, setLogin] = useState<PortalFirstLogin | undefined>();
  const [shown, setShown] = useState(false);
  const { busy, act } = useBusyAction();

  useEffect(() => {
    let live = true;
    setLogin(undefined);
    setShown(false);
    void act('ask', async () => {
      const answer = await askOnce(runId);
      if (live) setLogin(answer);
    });
    return () => {
      live = false;
    };
    // Asked again only for another run (act is a new function each render).
  }, [runId]);

  const copy = async (what: 'user' | 'password') => {
    const text = what === 'user' ? login?.user : login?.password?.text;
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      // The notice names what was copied, never the text itself.
      notify({ key: what === 'user' ? 'ui.login.copiedUser' : 'ui.login.copiedPassword' });
    } catch {
      notify({ key: 'ui.login.copyFailed' }, 'error');
    }
  };

  return (
    <div className="first-login" data-testid="first-login">
      <h4>{m('ui.login.title')}</h4>
      <FirstLoginView
        login={login}
        shown={shown}
        browser={browser}
        busy={busy === 'keychain'}
        onShow={() => setShown((s) => !s)}
        onCopy={(w) => void copy(w)}
        onFromKeychain={() => void act('keychain', async () => setLogin(await call('portal.firstLogin', { runId, fromKeychain: true })))}
      />
    </div>
  );
}
