// zustand for tests that render the renderer's screens with react-dom/server: a server render reads a store's
// server snapshot, which zustand takes from the state the store was made with; here the store answers it with its
// state as the test set it. Used as `vi.mock('zustand', async (orig) => (await import(…)).liveServerSnapshot(orig))`.
export async function liveServerSnapshot(importOriginal: <T>() => Promise<T>): Promise<Record<string, unknown>> {
  const z = await importOriginal<typeof import('zustand')>();
  const { createStore } = await import('zustand/vanilla');
  type Init = import('zustand/vanilla').StateCreator<unknown>;
  const make = (init: Init) => {
    const api = createStore<unknown>(init);
    const live = { ...api, getInitialState: () => api.getState() };
    return Object.assign((selector?: (s: unknown) => unknown) => z.useStore(live, selector ?? ((x: unknown) => x)), api);
  };
  return { ...z, create: (init?: Init) => (init ? make(init) : make) };
}
