// How a command is wrapped before it goes to the remote shell. The wrapper prints a marker line with the
// process group id first, so a timeout or a cancel can end the whole group (`kill -- -PGID`) over a second
// channel, not only close the channel; under sudo the marker also proves sudo let the command start. Pure.
import { shq } from '../common/quote.js';

export interface Wrapped {
  command: string;
  /** First stdout line: `<marker> <pgid>`. */
  marker: string;
  /** sudo's prompt on stderr when it wants the password (only with a password). */
  prompt?: string;
}

/** Field 5 of /proc/$$/stat is the process group: exact under sudo too, where $$ need not lead a group. */
const REPORT_PGID = (marker: string) =>
  `read -r _cpi_1 _cpi_2 _cpi_3 _cpi_4 _cpi_pg _cpi_r </proc/$$/stat 2>/dev/null || _cpi_pg=$$; printf '%s %s\\n' ${shq(marker)} "\${_cpi_pg:-$$}"; unset _cpi_1 _cpi_2 _cpi_3 _cpi_4 _cpi_pg _cpi_r`;

/**
 * `sudo`: undefined = run as the login user; 'nopasswd' = `sudo -n` (fails at once rather than waiting for
 * a password); 'password' = `sudo -S` with a unique prompt, so the password is written to stdin only when
 * sudo asks for it and never reaches the command's own stdin.
 */
export function wrapCommand(command: string, token: string, sudo?: 'nopasswd' | 'password'): Wrapped {
  const marker = `__cpi_pgid_${token}__`;
  const inner = `${REPORT_PGID(marker)}\n${command}`;
  if (!sudo) return { command: `exec sh -c ${shq(inner)}`, marker };
  if (sudo === 'nopasswd') return { command: `exec sudo -n -- sh -c ${shq(inner)}`, marker };
  const prompt = `__cpi_sudo_${token}__:`;
  return { command: `exec sudo -S -p ${shq(prompt)} -- sh -c ${shq(inner)}`, marker, prompt };
}

/** Ends a process group (`kill -PGID` sends to the group): TERM, up to 2 s for it to go, then KILL. Exits 0 either way. */
export function killGroupCommand(pgid: number): string {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to kill process group ${pgid}`);
  // No `--`: dash's builtin kill rejects it, and `-TERM -PGID` means the group in every POSIX shell.
  const g = `-${pgid}`;
  return [
    `kill -TERM ${g} 2>/dev/null || exit 0`,
    'i=0',
    `while kill -0 ${g} 2>/dev/null && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL ${g} 2>/dev/null`,
    'exit 0',
  ].join('\n');
}
