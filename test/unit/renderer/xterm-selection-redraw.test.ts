import { describe, expect, it } from 'vitest';
import { skipEmptySelectionRedraws } from '../../../renderer/lib/xterm-selection-redraw.js';

type Call = [[number, number] | undefined, [number, number] | undefined, boolean];

/** A terminal shaped like xterm 6's: the render service's redraws are recorded. */
function fakeTerminal() {
  const calls: Call[] = [];
  const renderService = {
    self: undefined as unknown,
    handleSelectionChanged(start: Call[0], end: Call[1], col: boolean) {
      renderService.self = this;
      calls.push([start, end, col]);
    },
  };
  return { term: { _core: { _renderService: renderService } }, renderService, calls };
}

describe('xterm selection redraws', () => {
  it('drops the redraws that scrolling asks for when nothing is selected', () => {
    const { term, renderService, calls } = fakeTerminal();
    expect(skipEmptySelectionRedraws(term)).toBe(true);
    for (let i = 0; i < 100; i++) renderService.handleSelectionChanged(undefined, undefined, false);
    expect(calls).toEqual([]);
  });

  it('passes a selection, its changes and its clearing through, then drops empty ones again', () => {
    const { term, renderService, calls } = fakeTerminal();
    skipEmptySelectionRedraws(term);
    renderService.handleSelectionChanged([0, 3], undefined, false); // mouse down: start only
    renderService.handleSelectionChanged([0, 3], [10, 5], false);
    renderService.handleSelectionChanged([0, 3], [10, 5], false); // scrolled with a selection: redrawn
    renderService.handleSelectionChanged(undefined, undefined, false); // cleared: redrawn once
    renderService.handleSelectionChanged(undefined, undefined, false);
    expect(calls).toEqual([
      [[0, 3], undefined, false],
      [[0, 3], [10, 5], false],
      [[0, 3], [10, 5], false],
      [undefined, undefined, false],
    ]);
    expect(renderService.self).toBe(renderService);
  });

  it('leaves a terminal without those internals alone', () => {
    expect(skipEmptySelectionRedraws({})).toBe(false);
    expect(skipEmptySelectionRedraws({ _core: { _renderService: {} } })).toBe(false);
  });
});
