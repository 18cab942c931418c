// The one quoting function for every shell command that carries user input (host names, paths, users,
// tokens). POSIX single quotes make every byte literal; an embedded quote closes, escapes and reopens.
export function shq(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('A shell argument cannot contain a NUL byte');
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Joins a command line from an argv, quoting each word. */
export function shellJoin(argv: ReadonlyArray<string | number>): string {
  return argv.map(shq).join(' ');
}
