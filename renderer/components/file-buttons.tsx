// Opening and saving files in both shells: Electron shows native dialogs; browser mode reads a picked file
// locally and asks for the path to save to on the machine that runs the installer.
import { useId, useRef, useState } from 'react';
import { call } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';

export function OpenTextButton({ label, onText, testid, accept }: { label: string; onText(text: string, path?: string): void; testid: string; accept?: string }) {
  const shell = useStore((s) => s.info?.shell);
  const fail = useStore((s) => s.fail);
  const input = useRef<HTMLInputElement>(null);
  const click = async () => {
    if (shell === 'electron') {
      try {
        const r = await call('dialog.open', { title: label });
        if (!r.canceled && r.text !== undefined) onText(r.text, r.path);
      } catch (e) {
        fail(e);
      }
    } else input.current?.click();
  };
  return (
    <>
      <button type="button" onClick={() => void click()} data-testid={testid}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept={accept}
        data-testid={`${testid}-file`}
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) onText(await f.text());
          e.target.value = '';
        }}
      />
    </>
  );
}

/** A "save as" control: native dialog in Electron; a path field in browser mode. */
export function SavePathButton({ label, defaultPath, onPath, testid, busy }: { label: string; defaultPath: string; onPath(path: string): void; testid: string; busy?: boolean }) {
  const shell = useStore((s) => s.info?.shell);
  const fail = useStore((s) => s.fail);
  const [path, setPath] = useState(defaultPath);
  const id = useId();
  const m = useMsg();
  if (shell === 'electron') {
    return (
      <button
        type="button"
        disabled={busy}
        data-testid={testid}
        onClick={async () => {
          try {
            const r = await call('dialog.save', { title: label, defaultPath });
            if (!r.canceled && r.path) onPath(r.path);
          } catch (e) {
            fail(e);
          }
        }}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="path-save">
      <label htmlFor={id} className="sr-only">
        {m('ui.common.pathOnServer')}
      </label>
      <input id={id} value={path} onChange={(e) => setPath(e.target.value)} data-testid={`${testid}-path`} spellCheck={false} title={m('ui.common.pathOnServer')} />
      <button type="button" disabled={busy || !path.trim()} onClick={() => onPath(path.trim())} data-testid={testid}>
        {label}
      </button>
    </span>
  );
}
