// xterm.js 6's DOM renderer measures each character's width the first time a row shows it (WidthCache:
// set a span's text, read offsetWidth), once per font variant. While lines flood in, that read forces a
// layout of the rows just replaced, and the first bold glyph also has the browser find the bold face: the
// log-view bench's trace showed those first measurements as frames of 40–130 ms, the first bold TASK line
// among them, and more whenever a bold digit first scrolled by. This measures printable ASCII in all four
// variants while the page is idle (before lines arrive), a few per idle callback, so a flood only meets
// cached widths. Other characters (Korean, box drawing) are still measured when first seen.
//
// It reaches into xterm's internals (`_core._renderService._renderer.value._widthCache`), so it does
// nothing when they are not there (another xterm version, or the WebGL renderer, which has no such cache).

interface WidthCacheLike {
  get(c: string, bold: boolean, italic: boolean): number;
}

type Idle = (cb: (deadline: { timeRemaining(): number }) => void) => number;

/** The characters warmed: printable ASCII, each in regular, bold, italic and bold italic. */
export function warmupList(): Array<[string, boolean, boolean]> {
  const out: Array<[string, boolean, boolean]> = [];
  for (const [bold, italic] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const)
    for (let c = 0x20; c < 0x7f; c++) out.push([String.fromCharCode(c), bold, italic]);
  return out;
}

/** Starts the warm-up; returns what stops it (unmount). False-y work when xterm's cache is not found. */
export function warmWidthCache(
  term: object,
  idle: Idle = defaultIdle,
  cancel: (id: number) => void = defaultCancel,
): () => void {
  const cache = (
    term as { _core?: { _renderService?: { _renderer?: { value?: { _widthCache?: WidthCacheLike } } } } }
  )._core?._renderService?._renderer?.value?._widthCache;
  if (!cache || typeof cache.get !== 'function') return () => undefined;
  const todo = warmupList();
  let id = 0;
  const step = (deadline: { timeRemaining(): number }) => {
    // At least one per callback.
    do {
      const next = todo.shift();
      if (!next) return;
      cache.get(...next);
    } while (deadline.timeRemaining() > 2);
    id = idle(step);
  };
  id = idle(step);
  return () => cancel(id);
}

// No timeout: idle time only, after a frame is painted and its rows laid out, so a measurement lays out
// nothing but its own span. During a flood it waits (the first trace put a forced layout per second in busy
// frames when the idle callback had a timeout).
const defaultIdle: Idle = (cb) =>
  typeof requestIdleCallback === 'function'
    ? requestIdleCallback(cb)
    : (setTimeout(() => cb({ timeRemaining: () => 5 }), 50) as unknown as number);

const defaultCancel = (id: number) =>
  typeof cancelIdleCallback === 'function' ? cancelIdleCallback(id) : clearTimeout(id);
