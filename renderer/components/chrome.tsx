// The frame around every screen: header with the language switch, the left step rail, back/next.
import { useTranslation } from 'react-i18next';
import { useStore } from '../store/index.js';
import { STEPS, blockerFor, canVisit, type StepId } from '../store/wizard.js';
import { useMsg } from '../i18n/index.js';
import type { Lang } from '../../core/api/types.js';

export function Header() {
  const lang = useStore((s) => s.lang);
  const setLang = useStore((s) => s.setLang);
  const info = useStore((s) => s.info);
  const { i18n } = useTranslation();
  const m = useMsg();
  const choose = (l: Lang) => {
    setLang(l);
    void i18n.changeLanguage(l);
  };
  return (
    <header className="app-header">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ◆
        </span>
        <span className="brand-name">{m('ui.app.title')}</span>
        {info && <span className="version">v{info.version}</span>}
      </div>
      <div className="lang-switch" role="group" aria-label={m('ui.app.language')}>
        {(['ko', 'en'] as const).map((l) => (
          <button key={l} type="button" className={lang === l ? 'active' : ''} aria-pressed={lang === l} onClick={() => choose(l)} data-testid={`lang-${l}`}>
            {l === 'ko' ? '한국어' : 'English'}
          </button>
        ))}
      </div>
    </header>
  );
}

export function StepRail() {
  const state = useStore();
  const m = useMsg();
  const current = STEPS.indexOf(state.step);
  return (
    <nav className="step-rail" aria-label={m('ui.app.steps')}>
      <ol>
        {STEPS.map((id, i) => {
          const reachable = canVisit(state, id);
          const done = i < current && !blockerFor(state, id);
          return (
            <li key={id}>
              <button
                type="button"
                className={`rail-item ${id === state.step ? 'current' : ''} ${done ? 'done' : ''}`}
                disabled={!reachable}
                aria-current={id === state.step ? 'step' : undefined}
                onClick={() => state.goTo(id)}
                data-testid={`nav-${id}`}
              >
                <span className="rail-num">{done ? '✓' : i + 1}</span>
                <span className="rail-label">{m(`ui.step.${id}`)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function Footer({ step }: { step: StepId }) {
  // The whole state: blockerFor builds a new message object each call, which a selector must not return.
  const state = useStore();
  const { back, next } = state;
  const blocker = blockerFor(state, step);
  const m = useMsg();
  const i = STEPS.indexOf(step);
  return (
    <footer className="wizard-footer">
      <button type="button" onClick={back} disabled={i === 0} data-testid="back">
        ← {m('ui.nav.back')}
      </button>
      <div className="footer-why" data-testid="next-blocked-reason">
        {blocker ? m(blocker) : ''}
      </div>
      {i < STEPS.length - 1 && (
        <button type="button" className="primary" onClick={next} aria-disabled={!!blocker} data-blocked={blocker ? 'true' : 'false'} data-testid="next">
          {m('ui.nav.next')} →
        </button>
      )}
    </footer>
  );
}
