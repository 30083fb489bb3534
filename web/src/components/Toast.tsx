// Toasts: toast('text', 'error') from anywhere; <Toaster/> renders them in a polite live region.
import { observable, useObservable } from '../lib/observable';
import { useT } from '../i18n';

export type ToastKind = 'info' | 'success' | 'error';
interface ToastItem {
  id: number;
  text: string;
  kind: ToastKind;
}

const toasts = observable<ToastItem[]>([]);
let next = 1;

export function toast(text: string, kind: ToastKind = 'info', ms = 5000): void {
  const id = next++;
  toasts.update((list) => [...list.slice(-4), { id, text, kind }]);
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  toasts.update((list) => list.filter((t) => t.id !== id));
}

export function Toaster() {
  const list = useObservable(toasts);
  const t = useT();
  return (
    <div className="toaster" role="status" aria-live="polite">
      {list.map((item) => (
        <div key={item.id} className={`toast toast-${item.kind}`} role={item.kind === 'error' ? 'alert' : undefined}>
          <span>{item.text}</span>
          <button type="button" className="btn btn-ghost btn-sm" aria-label={t('common.dismiss')} onClick={() => dismissToast(item.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
