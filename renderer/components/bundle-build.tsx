// "Build an offline bundle" under the bundle fields: the CLI's `bundle build` for the plan at hand, run by the
// engine on this machine (the connected one), from a mirror or the upstream sites. Per-artifact and total
// progress from its `bundle-build` events, Cancel, and the result (path, size, sha256) put into bundle.file.
import { useEffect, useRef, useState } from 'react';
import type { ApiEvent, BuildEvent, BundleBuildResult, Message } from '../../core/api/types.js';
import { api, call, errorMessage } from '../api.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { setSetting } from '../lib/plan-edit.js';
import { formatBytes } from '../../core/api/format.js';


export interface BuildProgress {
  count: number;
  finished: number;
  current?: string;
  done: number;
  total?: number;
  bytes: number;
  writing?: string;
  failed: { id: string; message: string }[];
}

const START: BuildProgress = { count: 0, finished: 0, done: 0, bytes: 0, failed: [] };

/** One build event folded into what the panel shows (pure, so the order of events is all that matters). */
export function foldBuildEvent(p: BuildProgress, e: BuildEvent): BuildProgress {
  switch (e.type) {
    case 'start':
      return { ...p, count: e.count };
    case 'artifact':
      return { ...p, current: e.id, done: 0, total: undefined };
    case 'progress':
      return { ...p, current: e.id, done: e.done, ...(e.total !== undefined ? { total: e.total } : {}) };
    case 'done':
      return { ...p, finished: p.finished + 1, bytes: p.bytes + e.size, done: e.size, total: e.size };
    case 'failed':
      return { ...p, finished: p.finished + 1, failed: [...p.failed, { id: e.id, message: e.message }] };
    case 'writing':
      return { ...p, writing: e.path };
  }
}

export function BundleBuild() {
  const plan = useStore((s) => s.plan);
  const edit = useStore((s) => s.edit);
  const m = useMsg();
  const [source, setSource] = useState<'mirror' | 'online'>('mirror');
  const [mirror, setMirror] = useState('');
  const [imagesFrom, setImagesFrom] = useState('');
  const [noImages, setNoImages] = useState(false);
  const [noWheels, setNoWheels] = useState(false);
  const [output, setOutput] = useState('');
  const [buildId, setBuildId] = useState<string | undefined>();
  const [progress, setProgress] = useState<BuildProgress>(START);
  const [result, setResult] = useState<BundleBuildResult | undefined>();
  const [error, setError] = useState<Message | undefined>();
  const idRef = useRef<string | undefined>(undefined);

  useEffect(
    () =>
      api().on((e: ApiEvent) => {
        if (e.type === 'bundle-build' && e.buildId === idRef.current) setProgress((p) => foldBuildEvent(p, e.event));
      }),
    [],
  );

  if (!plan) return null;
  const running = buildId !== undefined;
  const canStart = !running && output.trim() !== '' && (source === 'online' || mirror.trim() !== '');

  const start = async () => {
    const id = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    idRef.current = id;
    setBuildId(id);
    setProgress(START);
    setResult(undefined);
    setError(undefined);
    const without = [...(noImages ? (['image'] as const) : []), ...(noWheels ? (['wheels'] as const) : [])];
    try {
      const r = await call('bundle.build', {
        buildId: id,
        plan,
        output: output.trim(),
        ...(source === 'mirror' ? { mirror: mirror.trim() } : {}),
        ...(imagesFrom.trim() ? { imagesFrom: imagesFrom.trim() } : {}),
        ...(without.length ? { without: [...without] } : {}),
      });
      setResult(r);
      if (r.ok && r.file) edit((p) => setSetting(p, 'bundle', 'file', r.file));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      idRef.current = undefined;
      setBuildId(undefined);
    }
  };

  const total = progress.count ? Math.min(1, progress.finished / progress.count) : 0;
  const item = progress.total ? Math.min(1, progress.done / progress.total) : undefined;
  const pct = (v: number) => Math.round(v * 100);
  return (
    <details className="bundle-build" data-testid="bundle-build" open={running || !!result || undefined}>
      <summary>{m('ui.bundle.build.title')}</summary>
      <p className="muted">{m('ui.bundle.build.explain')}</p>
      <div className="grid-2">
        <div className="field">
          <label>{m('ui.bundle.build.source')}</label>
          <label className="check">
            <input type="radio" name="bundle-source" checked={source === 'mirror'} onChange={() => setSource('mirror')} disabled={running} data-testid="bundle-build-source-mirror" />
            {m('ui.bundle.build.fromMirror')}
          </label>
          <label className="check">
            <input type="radio" name="bundle-source" checked={source === 'online'} onChange={() => setSource('online')} disabled={running} data-testid="bundle-build-source-online" />
            {m('ui.bundle.build.online')}
          </label>
        </div>
        {source === 'mirror' && (
          <div className="field">
            <label htmlFor="bundle-build-mirror">{m('ui.bundle.build.mirror')}</label>
            <input id="bundle-build-mirror" value={mirror} onChange={(e) => setMirror(e.target.value)} placeholder="http://mirror.example:8080" disabled={running} data-testid="bundle-build-mirror" spellCheck={false} autoComplete="off" />
            <div className="field-help">{m('ui.bundle.build.mirror.help')}</div>
          </div>
        )}
        <div className="field">
          <label htmlFor="bundle-build-images">{m('ui.bundle.build.imagesFrom')}</label>
          <input id="bundle-build-images" value={imagesFrom} onChange={(e) => setImagesFrom(e.target.value)} placeholder={m('ui.set.optional')} disabled={running || noImages} data-testid="bundle-build-images" spellCheck={false} autoComplete="off" />
          <div className="field-help">{m('ui.bundle.build.imagesFrom.help')}</div>
        </div>
        <div className="field">
          <label htmlFor="bundle-build-output">{m('ui.bundle.build.output')}</label>
          <input id="bundle-build-output" value={output} onChange={(e) => setOutput(e.target.value)} placeholder="~/cp-bundle.tar" disabled={running} data-testid="bundle-build-output" spellCheck={false} autoComplete="off" />
          <div className="field-help">{m('ui.bundle.build.output.help')}</div>
        </div>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={noImages} onChange={(e) => setNoImages(e.target.checked)} disabled={running} data-testid="bundle-build-no-images" />
            {m('ui.bundle.build.noImages')}
          </label>
          <label className="check">
            <input type="checkbox" checked={noWheels} onChange={(e) => setNoWheels(e.target.checked)} disabled={running} data-testid="bundle-build-no-wheels" />
            {m('ui.bundle.build.noWheels')}
          </label>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void start()} disabled={!canStart} data-testid="bundle-build-start">
          {m('ui.bundle.build.start')}
        </button>
        {running && (
          <button type="button" onClick={() => void call('bundle.cancel', { buildId: buildId! })} data-testid="bundle-build-cancel">
            {m('ui.bundle.build.cancel')}
          </button>
        )}
      </div>
      {(running || progress.count > 0) && (
        <div className="bundle-build-progress" data-testid="bundle-build-progress">
          <div>
            {m('ui.bundle.build.total', { finished: progress.finished, count: progress.count || '…', size: formatBytes(progress.bytes) })}
            <progress className="bar" max={100} value={pct(total)} data-testid="bundle-build-total" aria-label={`${pct(total)}%`} />
          </div>
          {progress.current && !progress.writing && (
            <div className="muted" data-testid="bundle-build-item">
              {progress.current} — {formatBytes(progress.done)}
              {progress.total ? ` / ${formatBytes(progress.total)}` : ''}
              {item !== undefined && <progress className="bar" max={100} value={pct(item)} data-testid="bundle-build-item-bar" aria-label={`${pct(item)}%`} />}
            </div>
          )}
          {progress.writing && running && <div className="muted">{m('ui.bundle.build.writing', { path: progress.writing })}</div>}
        </div>
      )}
      {result?.ok && (
        <div className="field-issue ok" data-testid="bundle-build-result" role="status">
          {m('ui.bundle.build.done', { file: result.file ?? '', size: formatBytes(result.size ?? 0), sha256: result.sha256 ?? '', count: result.artifacts ?? 0 })}
        </div>
      )}
      {result && !result.ok && (
        <div className="field-issue error" data-testid="bundle-build-failed" role="alert">
          {m('ui.bundle.build.failed', { count: result.failed.length })}
          <ul>
            {result.failed.map((f) => (
              <li key={f.id}>
                <code>{f.id}</code>: {f.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <div className="field-issue error" data-testid="bundle-build-error" role="alert">
          {m(error)}
        </div>
      )}
    </details>
  );
}
