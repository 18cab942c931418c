// xterm.js 6 keeps its scrollbar in step with the buffer by syncing the viewport on every buffer scroll
// (Viewport: bufferService.onScroll → _sync), and a buffer scroll happens for every line fed once the
// screen is full. Each sync sets the scroll dimensions and position of the scrollable element, and each of
// those reveals the scrollbar and re-arms its hide timer (a clearTimeout and a setTimeout). A flood of
// 100,000 lines paid that 200,000 times: in the log-view bench's CPU profile, ~1.3 s of script per flood and
// most of xterm's parse time. Nobody sees the scrollbar between two parse slices, so this makes those syncs
// one per slice: a microtask after the task that fed the lines, with the buffer's position at that moment.
//
// Not once per frame on xterm's refresh callback: that runs right after the rows are rebuilt, and the
// scrollbar's update there forced a second layout of the fresh rows every frame (tried: the trace showed
// style and layout per frame ×3 and main-thread time ×2). A microtask after a parse slice meets a DOM that
// is not dirty, as the per-line syncs did. Syncs xterm asks for with a position (resize, buffer switch,
// queueSync) still run at once.
//
// It reaches into xterm's internals (`_core._viewport`), so it does nothing when they are not there
// (another xterm version): the terminal then works as before, only slower under a flood.

interface ViewportLike {
  _sync?: (ydisp?: number) => void;
}

/** Installs the coalescing on a terminal; true when xterm's viewport was found and wrapped. */
export function syncViewportOncePerSlice(
  term: object,
  later: (fn: () => void) => void = queueMicrotask,
): boolean {
  const vp = (term as { _core?: { _viewport?: ViewportLike } })._core?._viewport;
  const original = vp?._sync;
  if (!vp || typeof original !== 'function') return false;
  let queued = false;
  vp._sync = function coalesced(this: ViewportLike, ...args: [number?]) {
    // With a position: xterm's own queued or explicit sync; run it now, as before.
    if (args.length) return original.apply(this, args);
    if (queued) return;
    queued = true;
    later(() => {
      queued = false;
      // Without a position: the buffer's position once the slice is parsed.
      original.call(this);
    });
  };
  return true;
}
