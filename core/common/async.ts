// The waiting helpers every layer uses: one concurrency limiter, one cancellable sleep, and the run-wide
// cancel that every host's connection and command listen to.
import { setMaxListeners } from 'node:events';

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Waits `ms`; resolves early (never rejects) when `signal` aborts, so a cancelled wait ends at once. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The cancel of a whole run: one signal that every host's connect, command and wait listens to at once (the
 * pool's 32 and more). Node 20 warns of a listener leak past 10 on one EventTarget (Node 24 sets no limit on
 * an AbortSignal); here that many is the design, and each listener is removed when its operation ends.
 */
export function runAbortController(): AbortController {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  return ac;
}
