// The run-wide cancel: a signal that the pool's many connections listen to at once. Node 20 prints a
// MaxListenersExceededWarning on stderr past 10 listeners on one AbortSignal; the Node 24 these tests run on
// sets no limit on an AbortSignal at all, so the limit itself is what is checked.
import { getMaxListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runAbortController } from '../../../core/common/async.js';

describe('runAbortController', () => {
  it('has no listener limit on any Node, and aborting reaches all 64 listeners once', () => {
    const ac = runAbortController();
    expect(getMaxListeners(ac.signal)).toBe(0);
    let heard = 0;
    for (let i = 0; i < 64; i++) ac.signal.addEventListener('abort', () => heard++, { once: true });
    ac.abort();
    ac.abort();
    expect(heard).toBe(64);
  });
});
