// One button action at a time: which one is running (so its button is disabled), and its error shown the
// way every screen shows one (the store's `fail`).
import { useState } from 'react';
import { useStore } from '../store/index.js';

export function useBusyAction(): { busy: string | undefined; act: (name: string, fn: () => Promise<void>) => Promise<void> } {
  const fail = useStore((s) => s.fail);
  const [busy, setBusy] = useState<string | undefined>();
  const act = async (name: string, fn: () => Promise<void>) => {
    setBusy(name);
    try {
      await fn();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, act };
}
