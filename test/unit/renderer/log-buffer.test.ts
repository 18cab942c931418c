import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../core/api/types.js';
import { LogBuffer, formatForTerminal, stripAnsi, toPlainText } from '../../../renderer/lib/log-buffer.js';

const line = (seq: number, host = 'h1', stepId = 's1'): LogLine => ({ seq, host, stepId, stream: 'stdout', line: `line ${seq}` });

describe('LogBuffer', () => {
  it('keeps the newest lines up to its capacity, in order', () => {
    const b = new LogBuffer(3);
    b.append([1, 2, 3, 4, 5].map((s) => line(s)));
    expect(b.all().map((l) => l.seq)).toEqual([3, 4, 5]);
    expect(b.size).toBe(3);
    expect(b.lastSeq).toBe(5);
  });
  it('drops repeats and reports a gap for the caller to fetch', () => {
    const b = new LogBuffer(10);
    b.append([line(1), line(2)]);
    expect(b.append([line(2)]).added).toEqual([]);
    const r = b.append([line(5), line(6)]);
    expect(r.gap).toEqual({ from: 2, to: 5 });
    b.merge([line(3), line(4)]);
    expect(b.all().map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('filters by host and step and tells listeners about additions and resets', () => {
    const b = new LogBuffer(10);
    const seen: string[] = [];
    const off = b.subscribe((added, reset) => seen.push(reset ? 'reset' : added.map((l) => l.seq).join(',')));
    b.append([line(1, 'a', 'x'), line(2, 'b', 'x'), line(3, 'a', 'y')]);
    expect(b.filtered({ host: 'a' }).map((l) => l.seq)).toEqual([1, 3]);
    expect(b.filtered({ host: 'a', stepId: 'y' }).map((l) => l.seq)).toEqual([3]);
    expect([...b.hosts]).toEqual(['a', 'b']);
    b.clear();
    off();
    b.append([line(1)]);
    expect(seen).toEqual(['1,2,3', 'reset']);
  });
});

describe('terminal formatting', () => {
  it('colours stderr red unless the tool coloured it, and prefixes the host', () => {
    const err: LogLine = { seq: 1, stepId: 's', host: 'm1', stream: 'stderr', line: 'boom' };
    expect(formatForTerminal(err, true)).toBe('\x1b[36mm1\x1b[0m \x1b[90m|\x1b[0m \x1b[31mboom\x1b[0m');
    expect(formatForTerminal({ ...err, line: '\x1b[32mok\x1b[0m' }, false)).toBe('\x1b[32mok\x1b[0m\x1b[0m');
  });
  it('removes cursor movement and carriage returns but keeps colours', () => {
    const l: LogLine = { seq: 1, stepId: 's', stream: 'stdout', line: 'a\x1b[2K\r\x1b[1mb\x1b[0m' };
    expect(formatForTerminal(l, false)).toBe('a\x1b[1mb\x1b[0m\x1b[0m');
  });
  it('downloads plain text', () => {
    expect(stripAnsi('\x1b[31mred\x1b[0m')).toBe('red');
    expect(toPlainText([{ seq: 1, stepId: 'k', host: 'h', stream: 'stdout', line: '\x1b[1mx\x1b[0m' }])).toBe('[h] k: x\n');
  });
});
