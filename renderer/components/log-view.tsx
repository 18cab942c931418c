// The live log: xterm.js (a terminal renderer, so ANSI colours show and tens of thousands of lines stay
// smooth). Lines come from the store's bounded LogBuffer; new ones are written once per animation frame,
// and a filter change re-renders from the buffer. React re-renders only the toolbar, at most twice a second.
//
// A flood must not stall the page: xterm parses what it is given in slices of up to ~12 ms, and a frame
// that also lays out the screen then misses its 16.7 ms. So each frame hands xterm only what it can parse
// in WRITE_BUDGET_MS (the lines-per-ms rate is measured from xterm's own write callbacks), the rest waits
// for the next frame, and lines that would scroll out of the scrollback before being seen are dropped from
// the queue rather than parsed. The view may trail a burst by a moment; clicks and scrolling never wait.
//
// xterm's scrollbar is synced once per parse slice rather than once per line fed (renderer/lib/xterm-
// viewport-sync.ts: that sync re-armed a timer per line, most of xterm's parse time in a flood). The rows
// are drawn by WebGL on a GPU, by xterm's DOM renderer on a software rasteriser or without WebGL, and by
// the DOM renderer again after a lost context (renderer/lib/xterm-webgl.ts); data-renderer says which.
// data-queued counts the lines not yet written to the terminal (0: the view shows all it received).
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import type { LogLine } from '../../core/api/types.js';
import { useStore } from '../store/index.js';
import { useMsg } from '../i18n/index.js';
import { formatForTerminal, matches, toPlainText, type LogFilter } from '../lib/log-buffer.js';
import { downloadText } from '../lib/download.js';
import { localizeLine } from '../lib/log-lines.js';
import { mirrorStyleElements } from '../lib/csp-styles.js';
import { skipEmptySelectionRedraws } from '../lib/xterm-selection-redraw.js';
import { syncViewportOncePerSlice } from '../lib/xterm-viewport-sync.js';
import { warmWidthCache } from '../lib/xterm-width-warmup.js';
import { isSoftwareGl, loadWebglRenderer, webglRendererName } from '../lib/xterm-webgl.js';

const SCROLLBACK = 50_000;
/** xterm parse time allowed per frame, leaving the rest of the 16.7 ms for its rendering and for input. */
const WRITE_BUDGET_MS = 4;
/** Lines per write call: xterm can yield between calls, never inside one. */
const CHUNK_LINES = 100;

export function LogView({ stepTitle }: { stepTitle(id: string): string }) {
  const logs = useStore((s) => s.logs);
  const runId = useStore((s) => s.runId);
  const m = useMsg();
  const lang = useStore((s) => s.lang);
  // The latest translator for lines queued from the subscription (which outlives a render).
  const mRef = useRef(m);
  mRef.current = m;
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const [filter, setFilter] = useState<LogFilter>({});
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<boolean | undefined>();
  const [renderer, setRenderer] = useState<'webgl' | 'dom'>('dom');
  // Start from what the buffer holds, so a view opened after the run shows its figures at once.
  const [stats, setStats] = useState(() => ({
    size: logs.size,
    hosts: [...logs.hosts],
    steps: [...logs.steps],
    pending: 0,
    queued: 0,
  }));
  const state = useRef({
    filter,
    follow,
    pending: [] as string[],
    held: 0,
    frame: 0,
    /** Measured xterm parse rate (lines per ms), and whether a frame's writes are still being parsed. */
    rate: 50,
    writing: false,
    /** Lines handed to xterm and not yet parsed. */
    inFlight: 0,
    /** Schedules the next frame's write (set by the effect that owns the queue). */
    kick: () => undefined as void,
  });
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
      fontFamily:
        '"DejaVu Sans Mono", "D2Coding", "NanumGothicCoding", "Noto Sans Mono CJK KR", Menlo, Consolas, monospace',
      fontSize: 12.5,
      lineHeight: 1.15,
      theme: { background: '#0f1720', foreground: '#d6dde6', selectionBackground: '#3b5b7a' },
    });
    const fit = new FitAddon();
    const s = new SearchAddon();
    t.loadAddon(fit);
    t.loadAddon(s);
    const unmirror = location.search.includes('nomirror')
      ? () => undefined
      : mirrorStyleElements(host.current!);
    t.open(host.current!);
    skipEmptySelectionRedraws(t);
    const switches = new URLSearchParams(location.search);
    if (!switches.has('nosync')) syncViewportOncePerSlice(t);
    // A GPU draws the rows when there is one; the DOM renderer otherwise (software WebGL is slower than it),
    // and again on a lost context. `?webgl` asks for WebGL even on a software rasteriser (tests of the
    // fallback in headless Chromium, whose WebGL is SwiftShader).
    const gl = switches.has('webgl') ? 'forced' : webglRendererName();
    const stopWebgl =
      gl && !(gl !== 'forced' && isSoftwareGl(gl)) ? loadWebglRenderer(t, setRenderer) : () => undefined;
    // The DOM renderer's character widths, measured before a flood needs them.
    const stopWarmup = switches.has('nowarm') ? () => undefined : warmWidthCache(t);
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
      stopWarmup();
      stopWebgl();
      unmirror();
      cancelAnimationFrame(state.current.frame);
      t.dispose();
      term.current = null;
    };
  }, []);

  // New lines: queue, write once per frame. A filter change or a reset rewrites from the buffer.
  useEffect(() => {
    const st = state.current;
    const schedule = () => {
      if (!st.frame && st.follow && st.pending.length) st.frame = requestAnimationFrame(flush);
    };
    st.kick = schedule;
    const flush = () => {
      st.frame = 0;
      const t = term.current;
      // One frame's share at a time: the next is taken once xterm has parsed this one.
      if (!t || !st.follow || !st.pending.length || st.writing) return;
      // Older lines than the scrollback holds would scroll out unseen: not worth parsing.
      if (st.pending.length > SCROLLBACK) st.pending.splice(0, st.pending.length - SCROLLBACK);
      const n = Math.max(CHUNK_LINES, Math.min(st.pending.length, Math.round(st.rate * WRITE_BUDGET_MS)));
      const lines = st.pending.splice(0, n);
      st.held = 0;
      st.writing = true;
      st.inFlight = lines.length;
      // The rate is timed from when xterm starts on these lines (an empty write's callback runs as its
      // parser reaches it), not from this frame: the wait for xterm's parse task (this frame's render and
      // paint among it) made the rate look several times slower, the writes the 100-line minimum, and a
      // 100,000-line flood took 19 s of frames to show, each redrawing every row for 100 lines.
      let started = performance.now();
      t.write('', () => (started = performance.now()));
      for (let i = 0; i < lines.length; i += CHUNK_LINES) {
        const last = i + CHUNK_LINES >= lines.length;
        t.write(
          lines.slice(i, i + CHUNK_LINES).join(''),
          last ? () => done(lines.length, started) : undefined,
        );
      }
    };
    const done = (n: number, started: number) => {
      // The rate from what xterm just did (its parse time, yields between its slices included), smoothed
      // so one slow frame does not starve the next ones.
      const ms = Math.max(0.5, performance.now() - started);
      st.rate = Math.min(2000, Math.max(5, 0.7 * st.rate + 0.3 * (n / ms)));
      st.writing = false;
      st.inFlight = 0;
      schedule();
    };
    const queue = (lines: LogLine[], showHost: boolean) => {
      for (const l of lines)
        if (matches(l, st.filter))
          st.pending.push(formatForTerminal(localizeLine(l, mRef.current), showHost) + '\r\n');
      if (!st.follow) st.held = st.pending.length;
      else schedule();
    };
    const rewrite = () => {
      term.current?.reset();
      st.pending = [];
      st.writing = false;
      st.inFlight = 0;
      queue(logs.all().slice(-SCROLLBACK), !st.filter.host);
    };
    rewrite();
    const unsubscribe = logs.subscribe((added, reset) => (reset ? rewrite() : queue(added, !st.filter.host)));
    return unsubscribe;
  }, [logs, filter, runId, lang]);

  // Following again: back to the bottom, and what was held is written frame by frame like any flood.
  useEffect(() => {
    if (!follow) return;
    term.current?.scrollToBottom();
    state.current.kick();
  }, [follow]);

  // The toolbar's figures, twice a second at most.
  useEffect(() => {
    const id = setInterval(() => {
      setStats((prev) => {
        const next = {
          size: logs.size,
          hosts: [...logs.hosts],
          steps: [...logs.steps],
          pending: state.current.held,
          // Lines in the view's queue or being parsed: 0 once the terminal shows all it was given.
          queued: state.current.pending.length + state.current.inFlight,
        };
        return prev.size === next.size &&
          prev.pending === next.pending &&
          prev.queued === next.queued &&
          prev.hosts.length === next.hosts.length &&
          prev.steps.length === next.steps.length
          ? prev
          : next;
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
    <section
      className="log-view"
      data-testid="log-view"
      data-lines={stats.size}
      data-queued={stats.queued}
      data-renderer={renderer}
    >
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
        <button
          type="button"
          onClick={() => find(false)}
          aria-label={m('ui.log.prev')}
          data-testid="log-search-prev"
        >
          ↑
        </button>
        <button
          type="button"
          onClick={() => find(true)}
          aria-label={m('ui.log.next')}
          data-testid="log-search-next"
        >
          ↓
        </button>
        <label className="sr-only" htmlFor="log-host">
          {m('ui.log.host')}
        </label>
        <select
          id="log-host"
          value={filter.host ?? ''}
          onChange={(e) => setFilter({ ...filter, host: e.target.value || undefined })}
          data-testid="log-filter-host"
        >
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
        <select
          id="log-step"
          value={filter.stepId ?? ''}
          onChange={(e) => setFilter({ ...filter, stepId: e.target.value || undefined })}
          data-testid="log-filter-step"
        >
          <option value="">{m('ui.log.allSteps')}</option>
          {stats.steps.map((s) => (
            <option key={s} value={s}>
              {stepTitle(s)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className={follow ? 'active' : ''}
          aria-pressed={follow}
          onClick={() => setFollow(!follow)}
          data-testid="log-follow"
        >
          {follow ? m('ui.log.pause') : `▶ ${m('ui.log.follow')}`}
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
        <button
          type="button"
          onClick={() =>
            downloadText(`cp-installer-${runId ?? 'log'}.log`, toPlainText(logs.filtered(filter)))
          }
          data-testid="log-download"
        >
          {m('ui.log.download')}
        </button>
      </div>
      <div className="log-term" ref={host} data-testid="log-terminal" />
    </section>
  );
}
