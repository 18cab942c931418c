import { describe, expect, it } from 'vitest';
import { watchTargets } from '../../../renderer/lib/csp-styles.js';

/** Just enough of a DOM tree for the targets: names and parents. */
const node = (name: string, parentNode: Node | null = null) => ({ nodeName: name, parentNode }) as unknown as Element;

describe('csp-styles: what the mirror watches', () => {
  it("watches the root's children, each style's text and each style's parent, never a row", () => {
    const root = node('DIV');
    const screen = node('DIV', root);
    const theme = node('STYLE', screen);
    const dims = node('STYLE', screen);
    const targets = watchTargets(root, [theme, dims]);
    expect(targets).toEqual([
      [root, { childList: true }],
      [theme, { childList: true, characterData: true, subtree: true }],
      [screen, { childList: true }],
      [dims, { childList: true, characterData: true, subtree: true }],
    ]);
    // Only the style elements are watched below their own level: row churn elsewhere makes no record.
    expect(targets.filter(([, init]) => init.subtree).map(([n]) => n)).toEqual([theme, dims]);
  });

  it('watches only the root before the terminal opens', () => {
    const root = node('DIV');
    expect(watchTargets(root, [])).toEqual([[root, { childList: true }]]);
  });
});
