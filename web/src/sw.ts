// The service worker: keeps the application's own files (its page and hashed bundles) so the
// field form opens on a phone without a network. It never stores an API answer: records stay
// on the server, and what waits to be sent lives in IndexedDB (outbox.ts), not here.
/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;
/** Filled in by build.mjs: the bundles of this build. */
declare const BUILD_ASSETS: string[];
declare const BUILD_TAG: string;

const CACHE = `diming-app-${BUILD_TAG}`;
const SHELL = ['/', ...BUILD_ASSETS];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('diming-app-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (event.request.mode === 'navigate' && url.pathname === '/') {
    // The page: the newest from the network when there is one, else the copy kept.
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put('/', copy)); }
          return response;
        })
        .catch(async () => (await caches.match('/')) ?? Response.error()),
    );
  } else if (url.pathname.startsWith('/app/assets/')) {
    // Bundles carry their content hash in the name: a kept one is the right one.
    event.respondWith(caches.match(event.request).then((kept) => kept ?? fetch(event.request)));
  }
});
