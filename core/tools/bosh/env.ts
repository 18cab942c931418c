// Secrets for a remote command travel on its standard input, never on its command line (`ps` on the host
// would show them) nor in a file: the command line only names the variables, a small shell prologue reads
// one line per variable from stdin and exports it, then the tool runs with them in its environment.
import { shq } from '../../common/quote.js';
import type { Secret } from '../../common/secret.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvCommand {
  /** The command line: plain values as `NAME=value` assignments, secrets read from stdin. */
  command: string;
  /** One line per secret, in the order the prologue reads them; hand it to exec's `stdin`. */
  stdin: string;
}

/**
 * `command` with `plain` variables set and `secrets` read from stdin first. A secret containing a newline
 * cannot be read as one line, so it is refused rather than cut.
 */
export function withEnv(
  command: string,
  plain: Record<string, string | undefined>,
  secrets: Record<string, Secret | undefined> = {},
  cwd?: string,
): EnvCommand {
  const parts: string[] = [];
  const lines: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (!secret) continue;
    if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${name}`);
    const value = secret.reveal();
    if (/[\r\n]/.test(value)) throw new Error(`${secret.label} contains a line break and cannot be passed on stdin`);
    parts.push(`IFS= read -r ${name} && export ${name}`);
    lines.push(value);
  }
  const assigns = Object.entries(plain)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${name}`);
      return `${name}=${shq(value)}`;
    });
  const run = (cwd ? `cd ${shq(cwd)} && ` : '') + [...assigns, command].join(' ');
  return { command: parts.length ? `${parts.join(' && ')} && ${run}` : run, stdin: lines.length ? `${lines.join('\n')}\n` : '' };
}
