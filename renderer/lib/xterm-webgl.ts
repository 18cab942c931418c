// The log view's terminal draws with WebGL when a GPU is there (@xterm/addon-webgl: rows become quads from a
// glyph atlas, instead of a DOM row of spans per line rebuilt on every frame of a flood), and with xterm's
// DOM renderer otherwise:
// - WebGL2 unavailable (no GPU and no SwiftShader, a blocklisted GPU): the addon throws while loading and
//   the terminal keeps its DOM renderer.
// - WebGL2 on a software rasteriser (SwiftShader, llvmpipe — a VM or a desktop without a GPU driver): the DOM
//   renderer too. Measured with the log-view bench's trace in headless Chromium, whose WebGL is SwiftShader:
//   a 100,000-line flood cost the page 35 s of main-thread time with WebGL against 10.5 s with the DOM
//   renderer (the GPU process, on the same CPU, was busy 58 s), so software WebGL is the slower path.
// - A context lost later (GPU reset, driver update, too many contexts): the addon is disposed and xterm goes
//   back to its DOM renderer by itself, the rows redrawn from the buffer, so nothing written is lost.
import { WebglAddon } from '@xterm/addon-webgl';
import type { Terminal } from '@xterm/xterm';

export type RendererKind = 'webgl' | 'dom';

interface AddonLike {
  onContextLoss(fn: () => void): { dispose(): void };
  dispose(): void;
}

/** A WebGL renderer string (UNMASKED_RENDERER_WEBGL) that names a CPU rasteriser rather than a GPU. */
export function isSoftwareGl(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i.test(renderer);
}

/** The renderer string of this page's WebGL2, or undefined when there is none. A throwaway context. */
export function webglRendererName(doc: Document = document): string | undefined {
  const canvas = doc.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

/**
 * Loads the WebGL renderer into an opened terminal; `report` hears which renderer draws, now and after a
 * context loss. Returns what undoes it (for the view's unmount). `make` is for tests.
 */
export function loadWebglRenderer(
  term: Pick<Terminal, 'loadAddon'>,
  report: (kind: RendererKind) => void,
  make: () => AddonLike = () => new WebglAddon(),
): () => void {
  let addon: AddonLike | undefined;
  try {
    addon = make();
    const a = addon;
    a.onContextLoss(() => {
      if (addon !== a) return;
      addon = undefined;
      a.dispose();
      report('dom');
    });
    term.loadAddon(a as unknown as WebglAddon);
  } catch (err) {
    // No WebGL2 here: the DOM renderer stays. Said once in the console for a support question.
    console.info(
      `log view: WebGL unavailable, drawing with the DOM renderer (${err instanceof Error ? err.message : String(err)})`,
    );
    try {
      addon?.dispose();
    } catch {
      // Half-activated: nothing more to undo.
    }
    addon = undefined;
    report('dom');
    return () => undefined;
  }
  report('webgl');
  return () => {
    const a = addon;
    addon = undefined;
    a?.dispose();
  };
}
