import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../core/ssh/lines.js';
import { killGroupCommand, wrapCommand } from '../../../core/ssh/wrap.js';

// The wrapped command is run by the local /bin/sh here: the same POSIX shell text the host runs.
function sh(command: string): { stdout: string; pid: number } {
  const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
  return { stdout: r.stdout, pid: r.pid ?? 0 };
}

describe('command wrapper', () => {
  it('prints the marker with the process group first, then runs the command unchanged', () => {
    const w = wrapCommand('echo "a b"; echo $((1+2))', 'tok');
    const [first, ...rest] = sh(w.command).stdout.trim().split('\n');
    expect(first).toMatch(/^__cpi_pgid_tok__ \d+$/);
    expect(Number(first!.split(' ')[1])).toBeGreaterThan(1);
    expect(rest).toEqual(['a b', '3']);
  });

  it('keeps hostile text inert: quotes, $(...), backticks and newlines are only data', () => {
    const hostile = `'; touch /tmp/never-$$; echo '$(id)\`id\`\n"`;
    const w = wrapCommand(`printf '%s' ${"'" + hostile.replace(/'/g, `'\\''`) + "'"}`, 't');
    const out = sh(w.command).stdout;
    expect(out.slice(out.indexOf('\n') + 1)).toBe(hostile);
  });

  it('builds sudo forms: -n without a password, a unique -p prompt with one, never the password', () => {
    expect(wrapCommand('true', 'x', 'nopasswd').command).toMatch(/^exec sudo -n -- sh -c /);
    const w = wrapCommand('true', 'x', 'password');
    expect(w.prompt).toBe('__cpi_sudo_x__:');
    expect(w.command).toContain(`sudo -S -p ${w.prompt}`);
  });

  it('kills a group with TERM then KILL and refuses pgid 0, 1 or negatives', () => {
    expect(killGroupCommand(1234)).toContain('kill -TERM -1234');
    expect(killGroupCommand(1234)).toContain('kill -KILL -1234');
    for (const bad of [0, 1, -5, 1.5]) expect(() => killGroupCommand(bad)).toThrow();
  });
});

describe('line splitter', () => {
  it('splits across chunks, strips CR, keeps multi-byte characters whole and flushes the last line', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const text = Buffer.from('첫 줄\r\nsecond\nthi', 'utf8');
    for (let i = 0; i < text.length; i++) s.push(text.subarray(i, i + 1));
    expect(lines).toEqual(['첫 줄', 'second']);
    s.push(Buffer.from('rd'));
    s.end();
    expect(lines).toEqual(['첫 줄', 'second', 'third']);
  });
});
