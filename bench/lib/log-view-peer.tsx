// The log-view bench's peer: the same flood (the same lines, batches and pacing as the renderer mock's
// window.__mockFlood) into a virtualised React list, @tanstack/react-virtual, the well-known way to show a
// long list in React: only the rows in sight are in the DOM. Kept like the product's view: the same
// scrollback (50,000 lines, oldest dropped), new lines applied once per animation frame, following the
// bottom, colours per line kind, a count in a toolbar refreshed twice a second (the click target).
// Bundled by the bench with esbuild; never part of the product.
import { useEffect, useReducer, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useVirtualizer } from '@tanstack/react-virtual';

const SCROLLBACK = 50_000;
const ROW = 14;

interface Row {
  host: string;
  text: string;
  kind: 'task' | 'changed' | 'ok';
}

const store = { rows: [] as Row[], received: 0, listeners: new Set<() => void>(), frame: 0 };

function notify(): void {
  if (store.frame) return;
  store.frame = requestAnimationFrame(() => {
    store.frame = 0;
    for (const fn of store.listeners) fn();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(window as unknown as { __peerFlood: unknown }).__peerFlood = async (opts: { lines: number; batch: number; intervalMs: number }) => {
  let seq = 0;
  const hosts = ['master-1', 'worker-1', 'worker-2', 'worker-3'];
  while (seq < opts.lines) {
    const batch: Row[] = [];
    for (let i = 0; i < opts.batch && seq < opts.lines; i++) {
      seq++;
      const host = hosts[seq % hosts.length]!;
      // The mock's lines without their ANSI colours: the kind carries the colour here.
      if (seq % 50 === 0) batch.push({ host, kind: 'task', text: `TASK [kubernetes/node : line ${seq}] ${'*'.repeat(40)}` });
      else if (seq % 7 === 0) batch.push({ host, kind: 'changed', text: `changed: [${host}] => (item=/etc/kubernetes/manifests/kube-apiserver.yaml)` });
      else batch.push({ host, kind: 'ok', text: `ok: [${host}] => {"changed": false, "seq": ${seq}}` });
    }
    store.rows.push(...batch);
    if (store.rows.length > SCROLLBACK) store.rows.splice(0, store.rows.length - SCROLLBACK);
    store.received = seq;
    notify();
    await sleep(opts.intervalMs);
  }
  return seq;
};

const COLOURS: Record<Row['kind'], string> = { task: '#ffffff', changed: '#e0c060', ok: '#70c070' };

function List() {
  const parent = useRef<HTMLDivElement>(null);
  const [, bump] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    store.listeners.add(bump);
    return () => void store.listeners.delete(bump);
  }, []);
  const count = store.rows.length;
  const v = useVirtualizer({ count, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 10 });
  useEffect(() => {
    if (count) v.scrollToIndex(count - 1, { align: 'end' });
  }, [count, store.received]);
  return (
    <div ref={parent} id="log" style={{ height: 'calc(100vh - 40px)', overflow: 'auto' }}>
      <div style={{ height: v.getTotalSize(), position: 'relative', width: '100%' }}>
        {v.getVirtualItems().map((item) => {
          const r = store.rows[item.index]!;
          return (
            <div key={item.key} style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: ROW, transform: `translateY(${item.start}px)`, whiteSpace: 'pre' }}>
              <span style={{ color: '#5fd7d7' }}>{r.host}</span> <span style={{ color: '#808080' }}>|</span> <span style={{ color: COLOURS[r.kind] }}>{r.text}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Toolbar() {
  const [n, setN] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setN(store.received), 500);
    return () => clearInterval(id);
  }, []);
  return (
    <div style={{ height: 40, display: 'flex', alignItems: 'center', gap: 8 }}>
      <span id="count" data-lines={n}>
        {n.toLocaleString()} lines
      </span>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <>
    <Toolbar />
    <List />
  </>,
);
