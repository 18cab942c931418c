// Host ranges as people write them in inventories: `10.0.0.[10-20]`, `node-[01-03]`, `[1,3,5-7]`.
// Pure, so the Hosts screen's paste box and its tests share one definition.

export const MAX_EXPANSION = 1024;

export class RangeError_ extends Error {
  constructor(
    readonly key: 'range.bad' | 'range.tooMany' | 'range.mismatch',
    readonly params: Record<string, string | number>,
  ) {
    super(key);
  }
}

const BRACKET = /\[([^\]]*)\]/g;

/** The values one bracket stands for; zero padding of the first bound (`01-10`) is kept. */
export function expandBracket(body: string): string[] {
  const out: string[] = [];
  for (const part of body.split(',')) {
    const p = part.trim();
    const m = /^(\d+)\s*-\s*(\d+)$/.exec(p);
    if (m) {
      const [, a = '', b = ''] = m;
      const from = Number(a);
      const to = Number(b);
      if (to < from) throw new RangeError_('range.bad', { range: body });
      if (to - from + 1 > MAX_EXPANSION) throw new RangeError_('range.tooMany', { max: MAX_EXPANSION });
      const width = a.length > 1 && a.startsWith('0') ? a.length : 0;
      for (let i = from; i <= to; i++) out.push(width ? String(i).padStart(width, '0') : String(i));
    } else if (/^[\w.-]+$/.test(p)) {
      out.push(p);
    } else {
      throw new RangeError_('range.bad', { range: body });
    }
  }
  return out;
}

/** Expands every bracket in `pattern` (cartesian product, left to right). No bracket: the pattern itself. */
export function expandRange(pattern: string): string[] {
  const parts: string[][] = [];
  let last = 0;
  for (const m of pattern.matchAll(BRACKET)) {
    parts.push([pattern.slice(last, m.index)]);
    parts.push(expandBracket(m[1] ?? ''));
    last = m.index + m[0].length;
  }
  parts.push([pattern.slice(last)]);
  if (/[[\]]/.test(pattern.slice(last)) || parts.some((p) => p.some((s) => /[[\]]/.test(s)))) {
    throw new RangeError_('range.bad', { range: pattern });
  }
  let acc = [''];
  for (const options of parts) {
    if (acc.length * options.length > MAX_EXPANSION) throw new RangeError_('range.tooMany', { max: MAX_EXPANSION });
    acc = acc.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return acc;
}

export function hasRange(s: string): boolean {
  return /\[[^\]]+\]/.test(s);
}

/**
 * Expands several columns of one row together: `worker-[1-3] 10.0.0.[11-13]` gives three rows.
 * Columns without a range repeat; columns with ranges must expand to the same count.
 */
export function expandTogether(columns: string[]): string[][] {
  const expanded = columns.map((c) => (hasRange(c) ? expandRange(c) : null));
  const counts = new Set(expanded.filter((e): e is string[] => e !== null).map((e) => e.length));
  if (counts.size > 1) throw new RangeError_('range.mismatch', { counts: [...counts].join(', ') });
  const n = counts.size ? [...counts][0]! : 1;
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) rows.push(columns.map((c, j) => expanded[j]?.[i] ?? c));
  return rows;
}
