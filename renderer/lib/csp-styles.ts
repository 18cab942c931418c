// xterm.js writes its colours and cell sizes into <style> elements, which a strict Content-Security-Policy
// (`style-src 'self'`, no 'unsafe-inline') blocks. Constructed stylesheets are CSSOM, not inline styles, so
// mirroring those elements into adopted sheets keeps the policy strict and the terminal coloured.
export function mirrorStyleElements(root: HTMLElement, doc: Document = document): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = () => {
    let changed = false;
    const present = new Set(root.querySelectorAll('style'));
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
  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  sync();
  return () => {
    observer.disconnect();
    const mine = new Set(sheets.values());
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => !mine.has(s));
    for (const s of mine) allMirrored.delete(s);
  };
}

const allMirrored = new Set<CSSStyleSheet>();
