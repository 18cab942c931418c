// A labelled input with its one-line explanation and the validation messages whose path is this field.
import { useId, useState, type ReactNode } from 'react';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import type { PlanIssue } from '../../core/api/types.js';

const EMPTY: PlanIssue[] = [];

export function useIssues(path: string): PlanIssue[] {
  const v = useStore((s) => s.validation);
  if (!v) return EMPTY;
  const found = [...v.errors, ...v.warnings].filter((i) => i.path === path);
  return found.length ? found : EMPTY;
}

/** The messages for one field path, each with `data-testid="error-<path>"`. */
export function FieldIssues({ path }: { path: string }) {
  const issues = useIssues(path);
  const m = useMsg();
  if (!issues.length) return null;
  return (
    <>
      {issues.map((i, n) => (
        <div
          key={n}
          className={`field-issue ${i.severity}`}
          data-testid={i.severity === 'error' ? `error-${path}` : `warning-${path}`}
          role={i.severity === 'error' ? 'alert' : undefined}
        >
          {m(i)}
        </div>
      ))}
    </>
  );
}

interface TextFieldProps {
  label: string;
  path: string;
  value: string | number | undefined;
  onChange(v: string): void;
  help?: string;
  placeholder?: string;
  type?: 'text' | 'password' | 'number';
  testid?: string;
  autoComplete?: string;
  /** A field that just appeared empty (e.g. the jump host after ticking it) says nothing until it is left. */
  quietUntilBlur?: boolean;
}

export function TextField({ label, path, value, onChange, help, placeholder, type = 'text', testid, autoComplete, quietUntilBlur }: TextFieldProps) {
  const id = useId();
  const [touched, setTouched] = useState(!quietUntilBlur || (value !== undefined && value !== ''));
  const all = useIssues(path);
  const issues = touched ? all : EMPTY;
  return (
    <div className={`field ${issues.some((i) => i.severity === 'error') ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => setTouched(true)}
        data-testid={testid ?? `setting-${path}`}
        aria-invalid={issues.some((i) => i.severity === 'error') || undefined}
        autoComplete={autoComplete ?? 'off'}
        spellCheck={false}
      />
      {help && <div className="field-help">{help}</div>}
      {touched && <FieldIssues path={path} />}
    </div>
  );
}

interface SelectFieldProps {
  label: string;
  path: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange(v: string): void;
  help?: string;
  testid?: string;
}

export function SelectField({ label, path, value, options, onChange, help, testid }: SelectFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testid ?? `setting-${path}`}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help && <div className="field-help">{help}</div>}
      <FieldIssues path={path} />
    </div>
  );
}

export function CheckField({ label, checked, onChange, help, testid }: { label: string; checked: boolean; onChange(v: boolean): void; help?: string; testid: string }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testid} />
      <label htmlFor={id}>{label}</label>
      {help && <div className="field-help">{help}</div>}
    </div>
  );
}

export function Section({ title, children, intro }: { title: string; intro?: string; children: ReactNode }) {
  return (
    <section className="panel">
      <h3>{title}</h3>
      {intro && <p className="muted">{intro}</p>}
      <div className="panel-body">{children}</div>
    </section>
  );
}
