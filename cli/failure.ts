// How a command that failed ends: the message in words in the person's language (never a raw key, never a
// stack trace) and the documented exit code — 2 when the input cannot be used (a plan or vars file that is
// unreadable, invalid or too big), 1 for anything else that went wrong.
import { renderMessage } from '../core/api/install.js';
import { detectLang, type Lang, type Message } from '../core/api/messages.js';

export const EXIT_FAILED = 1;
export const EXIT_UNUSABLE = 2;

/** Keys that mean "what you gave me cannot be used", by prefix. */
const UNUSABLE = ['api.planInvalid', 'plan.', 'api.badArgs'];

function keyed(e: unknown): (Message & { message?: string }) | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const k = e as { key?: unknown; params?: unknown; nested?: unknown; message?: unknown };
  if (typeof k.key !== 'string') return undefined;
  const params: Record<string, string | number> = {};
  if (k.params && typeof k.params === 'object') {
    for (const [name, v] of Object.entries(k.params)) if (typeof v === 'string' || typeof v === 'number') params[name] = v;
  }
  return {
    key: k.key,
    params,
    ...(k.nested && typeof k.nested === 'object' ? { nested: k.nested as Record<string, Message> } : {}),
  };
}

/** The text of any thrown value: a keyed error rendered from the catalogs, else its message (no stack). */
export function failureText(e: unknown, lang: Lang = detectLang()): string {
  const m = keyed(e);
  if (m) return renderMessage(m, lang);
  return e instanceof Error ? e.message : String(e);
}

export function failureExitCode(e: unknown): number {
  const m = keyed(e);
  return m && UNUSABLE.some((p) => m.key === p || (p.endsWith('.') && m.key.startsWith(p))) ? EXIT_UNUSABLE : EXIT_FAILED;
}

/** Prints the failure on stderr and returns the exit code. */
export function reportFailure(e: unknown, err: { write(s: string): unknown } = process.stderr, lang: Lang = detectLang()): number {
  err.write(`${failureText(e, lang)}\n`);
  return failureExitCode(e);
}
