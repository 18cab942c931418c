import { useEffect, useRef, type ReactNode } from 'react';

/** A dialog on the native <dialog> element: focus trap and Escape come with it. */
export function Modal({ title, children, onClose, testid, wide }: { title: string; children: ReactNode; onClose(): void; testid: string; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={`modal ${wide ? 'wide' : ''}`} onCancel={onClose} data-testid={testid} aria-label={title}>
      <h3>{title}</h3>
      {children}
    </dialog>
  );
}
