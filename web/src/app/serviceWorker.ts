// Registers /sw.js and reports when a new version waits, for the update banner.
import { observable } from '../lib/observable';

export const updateReady = observable<ServiceWorker | null>(null);

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') return;
  window.addEventListener('load', async () => {
    try {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      const watch = (worker: ServiceWorker | null) => {
        worker?.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) updateReady.set(worker);
        });
      };
      if (reg.waiting && navigator.serviceWorker.controller) updateReady.set(reg.waiting);
      reg.addEventListener('updatefound', () => watch(reg.installing));
      let reloading = false;
      navigator.serviceWorker.addEventListener('controllerchange', () => {
        if (reloading || !updateReady.get()) return;
        reloading = true;
        location.reload();
      });
      navigator.serviceWorker.addEventListener('message', (ev) => {
        const data = ev.data as { type?: string; url?: string } | null;
        if (data?.type === 'navigate' && typeof data.url === 'string' && data.url.startsWith('/')) {
          history.pushState(null, '', data.url);
          dispatchEvent(new PopStateEvent('popstate'));
        }
      });
      setInterval(() => void reg.update().catch(() => undefined), 60 * 60 * 1000);
    } catch {
      /* no service worker: the app still works online */
    }
  });
}

export function applyUpdate(): void {
  const worker = updateReady.get();
  if (worker) worker.postMessage({ type: 'skip-waiting' });
  else location.reload();
}
