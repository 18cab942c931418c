// The live log: xterm.js (a terminal renderer, so ANSI colours show and tens of thousands of lines stay
// smooth). Lines come from the store's bounded LogBuffer; new ones are written once per animation frame,
// and a filter change re-renders from the buffer. React re-renders only the toolbar, at most twice a second.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import type { LogLine } from '../../core/api/types.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { formatForTerminal, matches, toPlainText, type LogFilter } from '../lib/log-buffer.js';
import { downloadText } from '../lib/download.js';
import { mirrorStyleElements } from '../lib/csp-styles.js';

const SCROLLBACK = 50_000;

export function LogView({ stepTitle }: { stepTitle(id: string): string }) {
  const logs = useStore((s) => s.logs);
  const runId = useStore((s) => s.runId);
  const m = useMsg();
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const [filter, setFilter] = useState<LogFilter>({});
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<boolean | undefined>();
  // Start from what the buffer holds, so a view opened after the run shows its figures at once.
  const [stats, setStats] = useState(() => ({ size: logs.size, hosts: [...logs.hosts], steps: [...logs.steps], pending: 0 }));
  const state = useRef({ filter, follow, pending: [] as string[], held: 0, frame: 0 });
  state.current.filter = filter;
  state.current.follow = follow;

  // The terminal lives as long as the component.
  useEffect(() => {
    const t = new Terminal({
      scrollback: SCROLLBACK,
      disableStdin: true,
      convertEol: false,
      cursorStyle: 'bar',
      cursorInactiveStyle: 'none',
      fontFamily: '"DejaVu Sans Mono", "D2Coding", "NanumGothicCoding", "Noto Sans Mono CJK KR", Menlo, Consolas, monospace',
      fontSize: 12.5,
      lineHeight: 1.15,
      theme: { background: '#0f1720', foreground: '#d6dde6', selectionBackground: '#3b5b7a' },
    });
    const fit = new FitAddon();
    const s = new SearchAddon();
    t.loadAddon(fit);
    t.loadAddon(s);
    const unmirror = location.search.includes("nomirror") ? () => undefined : mirrorStyleElements(host.current!);
    t.open(host.current!);
    fit.fit();
    term.current = t;
    search.current = s;
    const ro = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // Hidden (zero size): nothing to fit.
      }
    });
    ro.observe(host.current!);
    return () => {
      ro.disconnect();
      unmirror();
      cancelAnimationFrame(state.current.frame);
      t.dispose();
      term.current = null;
    };
  }, []);

  // New lines: queue, write once per frame. A filter change or a reset rewrites from the buffer.
  useEffect(() => {
    const st = state.current;
    const flush = () => {
      st.frame = 0;
      const t = term.current;
      if (!t || !st.follow || !st.pending.length) return;
      const text = st.pending.join('');
      st.pending = [];
      st.held = 0;
      t.write(text);
    };
    const queue = (lines: LogLine[], showHost: boolean) => {
      for (const l of lines) if (matches(l, st.filter)) st.pending.push(formatForTerminal(l, showHost) + '\r\n');
      if (!st.follow) st.held = st.pending.length;
      else if (!st.frame) st.frame = requestAnimationFrame(flush);
    };
    const rewrite = () => {
      term.current?.reset();
      st.pending = [];
      queue(logs.all().slice(-SCROLLBACK), !st.filter.host);
    };
    rewrite();
    const unsubscribe = logs.subscribe((added, reset) => (reset ? rewrite() : queue(added, !st.filter.host)));
    return unsubscribe;
  }, [logs, filter, runId]);

  useEffect(() => {
    if (follow && state.current.pending.length && !state.current.frame) {
      const t = term.current;
      const text = state.current.pending.join('');
      state.current.pending = [];
      state.current.held = 0;
      t?.write(text, () => t.scrollToBottom());
    }
  }, [follow]);

  // The toolbar's figures, twice a second at most.
  useEffect(() => {
    const id = setInterval(() => {
      setStats((prev) => {
        const next = { size: logs.size, hosts: [...logs.hosts], steps: [...logs.steps], pending: state.current.held };
        return prev.size === next.size && prev.pending === next.pending && prev.hosts.length === next.hosts.length && prev.steps.length === next.steps.length ? prev : next;
      });
    }, 500);
    return () => clearInterval(id);
  }, [logs]);

  const find = (forward: boolean) => {
    if (!query) return;
    const opts = { caseSensitive: false, incremental: false };
    setFound(forward ? search.current?.findNext(query, opts) : search.current?.findPrevious(query, opts));
  };

  return (
    <section className="log-view" data-testid="log-view" data-lines={stats.size}>
      <div className="log-toolbar">
        <label className="sr-only" htmlFor="log-search">
          {m('ui.log.search')}
        </label>
        <input
          id="log-search"
          type="search"
          placeholder={m('ui.log.search')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setFound(undefined);
          }}
          onKeyDown={(e) => e.key === 'Enter' && find(!e.shiftKey)}
          data-testid="log-search"
          className={found === false ? 'not-found' : ''}
        />
        <button type="button" onClick={() => find(false)} aria-label={m('ui.log.prev')} data-testid="log-search-prev">
          ↑
        </button>
        <button type="button" onClick={() => find(true)} aria-label={m('ui.log.next')} data-testid="log-search-next">
          ↓
        </button>
        <label className="sr-only" htmlFor="log-host">
          {m('ui.log.host')}
        </label>
        <select id="log-host" value={filter.host ?? ''} onChange={(e) => setFilter({ ...filter, host: e.target.value || undefined })} data-testid="log-filter-host">
          <option value="">{m('ui.log.allHosts')}</option>
          {stats.hosts.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="log-step">
          {m('ui.log.step')}
        </label>
        <select id="log-step" value={filter.stepId ?? ''} onChange={(e) => setFilter({ ...filter, stepId: e.target.value || undefined })} data-testid="log-filter-step">
          <option value="">{m('ui.log.allSteps')}</option>
          {stats.steps.map((s) => (
            <option key={s} value={s}>
              {stepTitle(s)}
            </option>
          ))}
        </select>
        <button type="button" className={follow ? 'active' : ''} aria-pressed={follow} onClick={() => setFollow(!follow)} data-testid="log-follow">
          {follow ? m("ui.log.pause") : `▶ ${m("ui.log.follow")}`}
        </button>
        {!follow && stats.pending > 0 && (
          <span className="tag warn" data-testid="log-held">
            {m('ui.log.held', { count: stats.pending })}
          </span>
        )}
        <span className="spacer" />
        <span className="muted" data-testid="log-count">
          {m('ui.log.count', { count: stats.size.toLocaleString() })}
        </span>
        <button type="button" onClick={() => downloadText(`cp-installer-${runId ?? 'log'}.log`, toPlainText(logs.filtered(filter)))} data-testid="log-download">
          {m('ui.log.download')}
        </button>
      </div>
      <div className="log-term" ref={host} data-testid="log-terminal" />
    </section>
  );
}
