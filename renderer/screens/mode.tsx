// Mode: what to install. The modes, their text and whether the engine can run them come from the engine
// (app.info `modes`, from each mode's descriptor); modes it cannot run yet are shown as not available,
// with why and what to do instead — never as working.
import { useId } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { OpenTextButton } from '../components/file-buttons.js';

export function ModeScreen() {
  const info = useStore((s) => s.info);
  const plan = useStore((s) => s.plan);
  const chooseMode = useStore((s) => s.chooseMode);
  const setRelease = useStore((s) => s.setRelease);
  const loadYamlText = useStore((s) => s.loadYamlText);
  const loadPath = useStore((s) => s.loadPath);
  const m = useMsg();
  const releaseId = useId();
  return (
    <div>
      <h2 id="screen-title">{m('ui.mode.title')}</h2>
      <p className="lead">{m('ui.mode.lead')}</p>
      <div className="mode-cards" role="radiogroup" aria-label={m('ui.mode.title')}>
        {(info?.modes ?? []).map(({ name: mode, available: ok, icon, title, description, unavailable }) => {
          const selected = plan?.mode === mode;
          return (
            <button
              type="button"
              key={mode}
              role="radio"
              aria-checked={selected}
              aria-disabled={!ok}
              disabled={!ok}
              className={`mode-card ${selected ? 'selected' : ''} ${ok ? '' : 'unavailable'}`}
              onClick={() => ok && void chooseMode(mode)}
              data-testid={`mode-card-${mode}`}
              data-available={ok ? 'true' : 'false'}
            >
              <span className="mode-icon" aria-hidden="true">
                {icon}
              </span>
              <span className="mode-name">{m(title)}</span>
              <span className="mode-desc">{m(description)}</span>
              {!ok && <span className="tag muted-tag">{m('ui.mode.notAvailable')}</span>}
              {!ok && unavailable && <span className="mode-why" data-testid={`mode-why-${mode}`}>{m(unavailable)}</span>}
            </button>
          );
        })}
      </div>
      <div className="row-fields">
        <div className="field">
          <label htmlFor={releaseId}>{m('ui.mode.release')}</label>
          <select
            id={releaseId}
            value={plan?.release ?? info?.defaultRelease ?? ''}
            disabled={!plan}
            onChange={(e) => setRelease(e.target.value)}
            data-testid="release-select"
          >
            {(info?.releases ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {r.title} — Kubernetes {r.kubernetes}
                {r.kubeedge ? `, KubeEdge ${r.kubeedge}` : ''}
              </option>
            ))}
          </select>
          <div className="field-help">{m('ui.mode.releaseHelp')}</div>
        </div>
      </div>
      <div className="or-line">
        <span className="muted">{m('ui.mode.orOpen')}</span>
        <OpenTextButton
          label={m('ui.mode.openPlan')}
          accept=".yaml,.yml"
          testid="plan-open"
          onText={(text, path) => void (path ? loadPath(path) : loadYamlText(text))}
        />
      </div>
      <ParseIssues />
    </div>
  );
}

export function ParseIssues() {
  const issues = useStore((s) => s.parseIssues);
  const m = useMsg();
  if (!issues.length) return null;
  return (
    <ul className="issue-list" data-testid="parse-issues">
      {issues.map((i, n) => (
        <li key={n} className={i.severity}>
          {i.line ? `${m('ui.common.line', { line: i.line })}: ` : ''}
          {i.path ? <code>{i.path}</code> : null} {m(i)}
        </li>
      ))}
    </ul>
  );
}
