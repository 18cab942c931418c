// xterm.js writes its colours and cell sizes into <style> elements, which a strict Content-Security-Policy
// (`style-src 'self'`, no 'unsafe-inline') blocks. Constructed stylesheets are CSSOM, not inline styles, so
// mirroring those elements into adopted sheets keeps the policy strict and the terminal coloured.
//
// What is watched: the root's own children (xterm's element arriving), each style element (its text) and
// each element holding one (styles added or removed beside it). Not the whole subtree: xterm's DOM
// renderer replaces every visible row on each frame while lines scroll in, and a subtree observer has the
// browser build a mutation record for each of those changes, a flood's worth per second, to find none.

/** The observation targets for a root: itself (children only), each style (text) and each style's parent. */
export function watchTargets(root: ParentNode & Node, styles: Iterable<Element>): Array<[Node, MutationObserverInit]> {
  const out: Array<[Node, MutationObserverInit]> = [[root, { childList: true }]];
  const parents = new Set<Node>([root]);
  for (const el of styles) {
    out.push([el, { childList: true, characterData: true, subtree: true }]);
    const parent = el.parentNode;
    if (parent && !parents.has(parent)) {
      parents.add(parent);
      out.push([parent, { childList: true }]);
    }
  }
  return out;
}

export function mirrorStyleElements(root: HTMLElement, doc: Document = document): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const watched = new Set<Node>();
  const observer = new MutationObserver(() => sync());
  const sync = () => {
    let changed = false;
    const present = new Set(root.querySelectorAll('style'));
    // observe() again on a node already watched would only repeat itself: new targets only.
    for (const [node, init] of watchTargets(root, present)) {
      if (watched.has(node)) continue;
      watched.add(node);
      observer.observe(node, init);
    }
    for (const el of present) {
      let sheet = sheets.get(el);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(el, sheet);
        changed = true;
      }
      const text = el.textContent ?? '';
      if ((sheet as CSSStyleSheet & { __text?: string }).__text !== text) {
        sheet.replaceSync(text);
        (sheet as CSSStyleSheet & { __text?: string }).__text = text;
      }
    }
    for (const el of [...sheets.keys()]) {
      if (!present.has(el)) {
        sheets.delete(el);
        changed = true;
      }
    }
    if (changed) {
      const ours = new Set(sheets.values());
      const others = doc.adoptedStyleSheets.filter((s) => !allMirrored.has(s) || ours.has(s));
      for (const s of ours) if (!others.includes(s)) others.push(s);
      doc.adoptedStyleSheets = others;
      for (const s of ours) allMirrored.add(s);
    }
  };
  sync();
  return () => {
    observer.disconnect();
    const mine = new Set(sheets.values());
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => !mine.has(s));
    for (const s of mine) allMirrored.delete(s);
  };
}

const allMirrored = new Set<CSSStyleSheet>();
