// How a root command is shown for a person to copy into a terminal: `sudo printf … > /etc/x` would open
// /etc/x as the person, not as root, and `sudo if …` is no command at all. Pure.

function singleQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `printf … > /etc/x` → `printf … | sudo tee /etc/x >/dev/null`; compound commands → `sudo sh -c '…'`. */
export function asSudoLine(command: string): string {
  const redirect = /^(?<lhs>[^;&|<>]+?)\s+(?<op>>>?)\s+(?<target>'[^']*'|[^\s;&|<>']+)$/.exec(command);
  if (redirect?.groups && !/^\s*(if|for|while|case|\{)\b/.test(command)) {
    const { lhs, op, target } = redirect.groups as { lhs: string; op: string; target: string };
    return `${lhs} | sudo tee ${op === '>>' ? '-a ' : ''}${target} >/dev/null`;
  }
  if (/[;&|<>]|^\s*(if|for|while|case)\b/.test(command)) return `sudo sh -c ${singleQuote(command)}`;
  return `sudo ${command}`;
}
