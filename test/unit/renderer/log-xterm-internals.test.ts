import { describe, expect, it, vi } from 'vitest';
import { syncViewportOncePerSlice } from '../../../renderer/lib/xterm-viewport-sync.js';
import { isSoftwareGl, loadWebglRenderer } from '../../../renderer/lib/xterm-webgl.js';
import { warmWidthCache, warmupList } from '../../../renderer/lib/xterm-width-warmup.js';

/** A terminal shaped like xterm 6's viewport: its syncs are recorded; deferred work runs on `endOfSlice()`. */
function fakeTerminal() {
  const syncs: Array<{ ydisp: number | undefined; self: unknown }> = [];
  const later: Array<() => void> = [];
  const buffer = { ydisp: 0 };
  const viewport = {
    _sync(ydisp: number = buffer.ydisp) {
      syncs.push({ ydisp, self: this });
    },
  };
  const endOfSlice = () => {
    for (const fn of later.splice(0)) fn();
  };
  // xterm's listener: bufferService.onScroll(() => this._sync()), looked up on the instance at each call.
  const lineFed = () => viewport._sync();
  return {
    term: { _core: { _viewport: viewport } },
    viewport,
    buffer,
    syncs,
    endOfSlice,
    lineFed,
    defer: (fn: () => void) => void later.push(fn),
  };
}

describe('xterm viewport sync once per parse slice', () => {
  it('turns a flood of per-line syncs into one per slice, at the position the slice ended on', () => {
    const { term, viewport, buffer, syncs, endOfSlice, lineFed, defer } = fakeTerminal();
    expect(syncViewportOncePerSlice(term, defer)).toBe(true);
    for (let i = 1; i <= 1000; i++) {
      buffer.ydisp = i;
      lineFed();
    }
    expect(syncs).toEqual([]);
    endOfSlice();
    expect(syncs).toEqual([{ ydisp: 1000, self: viewport }]);
    buffer.ydisp = 1001;
    lineFed();
    lineFed();
    endOfSlice();
    expect(syncs.map((s) => s.ydisp)).toEqual([1000, 1001]);
    endOfSlice();
    expect(syncs).toHaveLength(2);
  });

  it('defers to a microtask by default: done before the next task (the next frame) starts', async () => {
    const { term, buffer, syncs, lineFed } = fakeTerminal();
    syncViewportOncePerSlice(term);
    buffer.ydisp = 7;
    lineFed();
    lineFed();
    expect(syncs).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(syncs.map((s) => s.ydisp)).toEqual([7]);
  });

  it('runs the syncs xterm asks for with a position at once, as before', () => {
    const { term, viewport, syncs, defer } = fakeTerminal();
    syncViewportOncePerSlice(term, defer);
    viewport._sync(42);
    expect(syncs).toEqual([{ ydisp: 42, self: viewport }]);
  });

  it('leaves a terminal without those internals alone', () => {
    expect(syncViewportOncePerSlice({})).toBe(false);
    expect(syncViewportOncePerSlice({ _core: { _viewport: {} } })).toBe(false);
  });
});

function fakeAddon() {
  const lost: Array<() => void> = [];
  return {
    disposed: 0,
    onContextLoss(fn: () => void) {
      lost.push(fn);
      return { dispose: () => undefined };
    },
    dispose() {
      this.disposed++;
    },
    loseContext: () => lost.forEach((fn) => fn()),
  };
}

describe('xterm WebGL renderer with the DOM renderer to fall back on', () => {
  it('draws with WebGL when the addon loads, and undoes it on unmount', () => {
    const addon = fakeAddon();
    const loaded: unknown[] = [];
    const kinds: string[] = [];
    const stop = loadWebglRenderer(
      { loadAddon: (a) => void loaded.push(a) },
      (k) => kinds.push(k),
      () => addon,
    );
    expect(loaded).toEqual([addon]);
    expect(kinds).toEqual(['webgl']);
    stop();
    expect(addon.disposed).toBe(1);
  });

  it('keeps the DOM renderer when WebGL2 is not there (the addon throws while loading)', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const addon = fakeAddon();
    const kinds: string[] = [];
    const stop = loadWebglRenderer(
      {
        loadAddon: () => {
          throw new Error('WebGL2 not supported');
        },
      },
      (k) => kinds.push(k),
      () => addon,
    );
    expect(kinds).toEqual(['dom']);
    expect(addon.disposed).toBe(1);
    expect(info.mock.calls[0]?.[0]).toContain('WebGL2 not supported');
    stop();
    expect(addon.disposed).toBe(1);
    info.mockRestore();
  });

  it('goes back to the DOM renderer when the context is lost, once', () => {
    const addon = fakeAddon();
    const kinds: string[] = [];
    const stop = loadWebglRenderer(
      { loadAddon: () => undefined },
      (k) => kinds.push(k),
      () => addon,
    );
    addon.loseContext();
    expect(kinds).toEqual(['webgl', 'dom']);
    expect(addon.disposed).toBe(1);
    addon.loseContext();
    stop();
    expect(addon.disposed).toBe(1);
    expect(kinds).toEqual(['webgl', 'dom']);
  });
});

describe('software WebGL (the DOM renderer is faster there)', () => {
  it('tells CPU rasterisers from GPUs by the renderer string', () => {
    for (const sw of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)',
      'Google SwiftShader',
    ])
      expect(isSoftwareGl(sw), sw).toBe(true);
    for (const hw of [
      'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      'AMD Radeon Pro 5500M OpenGL Engine',
      'Apple M2',
    ])
      expect(isSoftwareGl(hw), hw).toBe(false);
  });
});

describe('xterm width cache warm-up', () => {
  const termWith = (seen: string[]) => ({
    _core: {
      _renderService: {
        _renderer: {
          value: {
            _widthCache: {
              get: (c: string, b: boolean, i: boolean) => (
                seen.push(`${c}${b ? 'B' : ''}${i ? 'I' : ''}`),
                7
              ),
            },
          },
        },
      },
    },
  });

  it('measures printable ASCII in all four variants, a slice per idle callback, before lines need them', () => {
    const seen: string[] = [];
    const queued: Array<(d: { timeRemaining(): number }) => void> = [];
    warmWidthCache(termWith(seen), (cb) => queued.push(cb));
    expect(seen).toEqual([]);
    // A busy page: each idle callback has no time left, one character each.
    queued.shift()!({ timeRemaining: () => 0 });
    expect(seen).toEqual([' ']);
    // Then a callback that finds time left three times (it stops at 2 ms or less): one, and three more.
    let calls = 0;
    queued.shift()!({ timeRemaining: () => (++calls <= 3 ? 3 : 0) });
    expect(seen).toEqual([' ', '!', '"', '#', '$']);
    while (queued.length) queued.shift()!({ timeRemaining: () => 5 });
    expect(seen).toHaveLength(95 * 4);
    expect(new Set(seen).size).toBe(95 * 4);
    expect(seen).toContain('TB');
    expect(seen).toContain('~BI');
  });

  it('stops on unmount, and leaves a terminal without a width cache (WebGL, another xterm) alone', () => {
    const cancelled: number[] = [];
    const stop = warmWidthCache(
      termWith([]),
      () => 42,
      (id) => cancelled.push(id),
    );
    stop();
    expect(cancelled).toEqual([42]);
    expect(warmupList()).toHaveLength(380);
    const idle = vi.fn(() => 1);
    warmWidthCache({ _core: { _renderService: { _renderer: { value: {} } } } }, idle)();
    warmWidthCache({}, idle)();
    expect(idle).not.toHaveBeenCalled();
  });
});
