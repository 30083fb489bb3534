// Service worker: precaches the app shell, answers navigations with it (never /api, /uploads,
// /ws), caches uploads (ignoring `token` in the key), shows Web Push notifications, and
// focuses or opens the app when one is clicked.
/// <reference lib="webworker" />
declare const __SW_VERSION__: string;
declare const __SW_PRECACHE__: string[];
const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL = `agentim-shell-${__SW_VERSION__}`;
const UPLOADS = 'agentim-uploads-v1';

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(__SW_PRECACHE__)).then(async () => {
      // First install takes over at once; an update waits for the page's "Reload".
      const clients = await sw.clients.matchAll();
      if (!clients.length) await sw.skipWaiting();
    }),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('agentim-shell-') && key !== SHELL) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: string })?.type === 'skip-waiting') void sw.skipWaiting();
});

function isBypassed(url: URL): boolean {
  return url.pathname.startsWith('/api') || url.pathname.startsWith('/ws');
}

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin || isBypassed(url)) return;

  if (url.pathname.startsWith('/uploads/')) {
    // Cache-first on the URL without its token; the network answers on a miss.
    const keyUrl = new URL(url.href);
    keyUrl.searchParams.delete('token');
    const key = new Request(keyUrl.href);
    event.respondWith(
      (async () => {
        const cache = await caches.open(UPLOADS);
        const hit = await cache.match(key);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok && res.type === 'basic') void cache.put(key, res.clone());
        return res;
      })(),
    );
    return;
  }

  if (req.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          return await fetch(req);
        } catch {
          const cache = await caches.open(SHELL);
          return (await cache.match('/index.html')) ?? (await cache.match('/offline.html')) ?? Response.error();
        }
      })(),
    );
    return;
  }

  if (url.pathname.startsWith('/assets/') || __SW_PRECACHE__.includes(url.pathname)) {
    event.respondWith(
      (async () => {
        const cache = await caches.open(SHELL);
        const hit = await cache.match(req);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok && url.pathname.startsWith('/assets/')) void cache.put(req, res.clone());
        return res;
      })(),
    );
  }
});

interface PushPayload {
  title?: string;
  body?: string;
  url?: string;
  roomId?: string;
  tag?: string;
  icon?: string;
}

sw.addEventListener('push', (event) => {
  let data: PushPayload = {};
  try {
    data = event.data ? (event.data.json() as PushPayload) : {};
  } catch {
    data = { body: event.data?.text() ?? '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title.slice(0, 200) : 'AgentIM';
  const body = typeof data.body === 'string' ? data.body.slice(0, 500) : '';
  const url = typeof data.url === 'string' && data.url.startsWith('/') ? data.url : data.roomId ? `/room/${encodeURIComponent(data.roomId)}` : '/';
  event.waitUntil(
    sw.registration.showNotification(title, {
      body,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      tag: data.tag ?? (data.roomId ? `room-${data.roomId}` : undefined),
      data: { url },
    }),
  );
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = ((event.notification.data as { url?: string }) ?? {}).url ?? '/';
  event.waitUntil(
    (async () => {
      const all = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of all) {
        if ('focus' in client) {
          await (client as WindowClient).focus();
          client.postMessage({ type: 'navigate', url });
          return;
        }
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
