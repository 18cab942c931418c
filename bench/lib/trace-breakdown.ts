// Where a page's main-thread time goes while the log-view bench floods it: a Chrome performance trace
// (the DevTools timeline categories, through CDP) is summed per kind of work — script, style and layout,
// paint and compositing, garbage collection, other — by self time (a forced layout inside a script counts as
// layout, a GC inside a script as GC), and divided by the frames drawn. A JS sampling profile taken at the
// same time names the functions the script time is spent in. The GPU process's busy time is shown beside it,
// since a WebGL renderer moves drawing there (onto the CPU when the GPU is SwiftShader).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';

interface TraceEvent {
  ph: string;
  name: string;
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8',
  'blink.user_timing',
  'toplevel',
  'gpu',
  'viz',
];

export interface Tracer {
  stop(): Promise<TraceBreakdown>;
}

export interface TraceBreakdown {
  windowMs: number;
  /** Frames drawn in the window (filled in by the caller, which counts them in the page). */
  frames: number;
  /** Main-thread self time per kind of work, in ms over the window. */
  main: Record<Kind, number>;
  /** Main-thread tasks longer than 16.7 ms and 50 ms. */
  tasksOver16: number;
  tasksOver50: number;
  longestTaskMs: number;
  /** Busy time of the GPU process's main thread and the compositor (viz) thread, ms over the window. */
  gpuMs: number;
  /** Script self time by function (from the sampling profile), the top ones, ms over the window. */
  topFunctions: Array<{ fn: string; ms: number }>;
  /** The tasks longer than 16.7 ms, by what their time went to (self time per trace event name), summed over them. */
  longTaskParts: Array<{ name: string; ms: number }>;
}

type Kind = 'script' | 'style+layout' | 'paint+composite' | 'gc' | 'other';

function kindOf(name: string): Kind | undefined {
  if (/GC|Scavenge|Sweep|Mark(ing)?(Task|Compact)|Finalize/i.test(name)) return 'gc';
  if (
    /^(UpdateLayoutTree|Layout|RecalculateStyles|ScheduleStyleRecalculation|InvalidateLayout|LayoutInvalidationTracking|ParseAuthorStyleSheet|HitTest|IntersectionObserverController::computeIntersections)$/.test(
      name,
    )
  )
    return 'style+layout';
  if (
    /^(Paint|PrePaint|Layerize|UpdateLayer|UpdateLayerTree|PaintImage|CompositeLayers|Commit|ProxyMain::BeginMainFrame::commit|LocalFrameView::RunPrePaintLifecyclePhase|LocalFrameView::RunPaintLifecyclePhase|Canvas2DLayerBridge|WebGL.*|DrawingBuffer.*)/.test(
      name,
    )
  )
    return 'paint+composite';
  if (
    /^(FunctionCall|EvaluateScript|v8\.|V8\.|TimerFire|FireAnimationFrame|EventDispatch|RunMicrotasks|XHRReadyStateChange|FireIdleCallback|v8\.callFunction|v8\.run|ParseHTML)/.test(
      name,
    )
  )
    return 'script';
  return undefined;
}

export async function startTrace(page: Page): Promise<Tracer> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordContinuously' },
    transferMode: 'ReportEvents',
  });
  await cdp.send('Profiler.start');
  const t0 = await page.evaluate('performance.timeOrigin + performance.now()');
  return {
    async stop() {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
      const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await done;
      const t1 = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
      await cdp.detach();
      // BENCH_PROFILE_OUT=dir keeps the raw sampling profile (open it in DevTools' Performance panel).
      if (process.env.BENCH_PROFILE_OUT)
        writeFileSync(
          join(process.env.BENCH_PROFILE_OUT, `profile-${Date.now()}.cpuprofile`),
          JSON.stringify(profile),
        );
      return summarise(events, profile, Number(t1) - Number(t0));
    },
  };
}

interface Profile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

function summarise(events: TraceEvent[], profile: Profile, windowMs: number): TraceBreakdown {
  const threadNames = new Map<string, string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  // The page's main thread: the renderer main thread with the most task time (other tabs are closed).
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' && e.ph !== 'B' && e.ph !== 'E') continue;
    const k = `${e.pid}:${e.tid}`;
    (byThread.get(k) ?? byThread.set(k, []).get(k)!).push(e);
  }
  const taskTime = (evs: TraceEvent[]) =>
    evs
      .filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'))
      .reduce((s, e) => s + (e.dur ?? 0), 0);
  let mainKey = '';
  let best = -1;
  let gpuUs = 0;
  for (const [k, evs] of byThread) {
    const name = threadNames.get(k) ?? '';
    if (name === 'CrRendererMain') {
      const t = taskTime(evs);
      if (t > best) [best, mainKey] = [t, k];
    }
    if (name === 'CrGpuMain' || name === 'VizCompositorThread') gpuUs += taskTime(evs);
  }
  const main = { script: 0, 'style+layout': 0, 'paint+composite': 0, gc: 0, other: 0 } as Record<
    Kind,
    number
  >;
  const evs = (byThread.get(mainKey) ?? []).slice();
  // Complete events from B/E pairs, then self time by nesting (sorted by start, longer first).
  const slices: Array<{ name: string; ts: number; end: number }> = [];
  const open: TraceEvent[] = [];
  for (const e of evs.sort((a, b) => a.ts - b.ts)) {
    if (e.ph === 'X') slices.push({ name: e.name, ts: e.ts, end: e.ts + (e.dur ?? 0) });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) slices.push({ name: b.name, ts: b.ts, end: e.ts });
    }
  }
  slices.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const stack: Array<{ name: string; end: number; kind: Kind | undefined; child: number; ts: number }> = [];
  let tasksOver16 = 0;
  let tasksOver50 = 0;
  let longest = 0;
  // What the tasks that missed a frame were made of: self time per event name inside each top-level task.
  let parts: Array<{ name: string; ms: number }> = [];
  const longParts = new Map<string, number>();
  const close = (s: (typeof stack)[number]) => {
    const self = s.end - s.ts - s.child;
    // The innermost kind that is known on the way up.
    let kind = s.kind;
    for (let i = stack.length - 1; !kind && i >= 0; i--) kind = stack[i]!.kind;
    if (stack.length || kind) main[kind ?? 'other'] += Math.max(0, self) / 1000;
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.child += s.end - s.ts;
      parts.push({ name: s.name, ms: Math.max(0, self) / 1000 });
    } else {
      const d = (s.end - s.ts) / 1000;
      if (s.name.includes('RunTask') && d > 16.7) for (const p of parts) longParts.set(p.name, (longParts.get(p.name) ?? 0) + p.ms);
      parts = [];
      if (s.name.includes('RunTask')) {
        if (d > 16.7) tasksOver16++;
        if (d > 50) tasksOver50++;
        longest = Math.max(longest, d);
      }
    }
  };
  for (const s of slices) {
    while (stack.length && stack[stack.length - 1]!.end <= s.ts) close(stack.pop()!);
    stack.push({ name: s.name, end: s.end, kind: kindOf(s.name), child: 0, ts: s.ts });
  }
  while (stack.length) close(stack.pop()!);

  // Script self time per function from the samples.
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const fnMs = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = byNode.get(profile.samples[i]!);
    if (!cf || cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
    const file = cf.url.split('/').pop() ?? '';
    const key = `${cf.functionName || '(anonymous)'} ${file}:${cf.lineNumber + 1}`;
    fnMs.set(key, (fnMs.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000);
  }
  const topFunctions = [...fnMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([fn, ms]) => ({ fn, ms: Math.round(ms) }));
  for (const k of Object.keys(main) as Kind[]) main[k] = Math.round(main[k]);
  return {
    windowMs: Math.round(windowMs),
    frames: 0,
    main,
    tasksOver16,
    tasksOver50,
    longestTaskMs: Math.round(longest * 10) / 10,
    gpuMs: Math.round(gpuUs / 1000),
    topFunctions,
    longTaskParts: [...longParts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, ms]) => ({ name, ms: Math.round(ms) })),
  };
}

export function formatBreakdown(name: string, b: TraceBreakdown): string {
  const busy = Object.values(b.main).reduce((s, x) => s + x, 0);
  const per = (ms: number) => (b.frames ? (ms / b.frames).toFixed(2) : '?');
  return [
    `  trace ${name}: ${b.windowMs} ms window, ${b.frames} main-thread frames; main thread busy ${busy} ms (${per(busy)} ms per frame)`,
    `    per frame: ${(Object.keys(b.main) as Kind[]).map((k) => `${k} ${per(b.main[k])} ms`).join(', ')}`,
    `    tasks > 16.7 ms: ${b.tasksOver16}, > 50 ms: ${b.tasksOver50}, longest ${b.longestTaskMs} ms; GPU process + viz busy ${b.gpuMs} ms`,
    `    script by function (sampled, ms): ${b.topFunctions.map((f) => `${f.fn} ${f.ms}`).join('; ')}`,
    `    tasks > 16.7 ms made of (ms): ${b.longTaskParts.map((p) => `${p.name} ${p.ms}`).join('; ') || 'none'}`,
  ].join('\n');
}
