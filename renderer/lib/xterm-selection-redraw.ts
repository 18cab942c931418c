// xterm.js 6 (DOM renderer) redraws every visible row when the selection changes, and the terminal reports
// a selection change after every scroll, selection or not (CoreBrowserTerminal: onScroll → selection
// refresh → RenderService.handleSelectionChanged → DomRenderer.renderRows(0, rows - 1)). While lines
// flood in, the view scrolls on every frame, so every frame drew all rows twice: once for the new lines and
// once more for a selection that did not exist. This drops the redraw when there was no selection and
// still is none; any real selection, and its clearing, is passed through unchanged.
//
// It reaches into xterm's internals (`_core._renderService`), so it is written to do nothing when they are
// not there (another xterm version): the terminal then works as before, only slower under a flood.

type Point = [number, number] | undefined;
type Redraw = (start: Point, end: Point, columnSelectMode: boolean) => void;

interface RenderServiceLike {
  handleSelectionChanged?: Redraw;
}

/** Installs the filter on a terminal; true when xterm's render service was found and wrapped. */
export function skipEmptySelectionRedraws(term: object): boolean {
  const rs = (term as { _core?: { _renderService?: RenderServiceLike } })._core?._renderService;
  const original = rs?.handleSelectionChanged;
  if (!rs || typeof original !== 'function') return false;
  // The render service starts with no selection.
  let hadSelection = false;
  rs.handleSelectionChanged = function filtered(this: RenderServiceLike, start, end, columnSelectMode) {
    const has = start !== undefined || end !== undefined;
    if (!has && !hadSelection) return;
    hadSelection = has;
    original.call(this, start, end, columnSelectMode);
  };
  return true;
}
