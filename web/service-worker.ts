/// <reference lib="webworker" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/**
 * The service worker (Workbox, injectManifest): the app shell is precached so every route opens
 * with no network; navigations fall back to the precached SPA page; media already in the media
 * cache is served with Range support (a safety net: the player plays blob URLs); failed journal
 * posts are queued and replayed by Background Sync, and also on the page's request ("replay", sent
 * on `online` and at start) where that API is missing. Media uploads are the admin page's own
 * queue (it keeps the files and puts each track once its file is stored), so they pass untouched.
 */
import { Queue } from 'workbox-background-sync';
import { clientsClaim } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { createPartialResponse } from 'workbox-range-requests';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string })[] };

// Media first, so a precache route never shadows the Range logic. The page fills the media cache
// itself (whole files, checked); here a cached file is served (sliced for a Range request) and
// anything else goes to the network untouched, never cached from a media element's 206.
registerRoute(
  ({ url, request }) => url.pathname.startsWith('/media/') && request.method === 'GET',
  async ({ request }) => {
    const cached = await caches.match(request.url, { cacheName: 'djamms-media' });
    if (!cached) return fetch(request);
    return request.headers.has('range') ? createPartialResponse(request, cached) : cached;
  },
);

// Registers for the `sync` event where Background Sync exists, and replays at start elsewhere.
const sideEffects = new Queue('djamms-side-effects', { maxRetentionTime: 7 * 24 * 60 });

/** Journal entries: network only, kept for replay when the network fails. */
registerRoute(
  ({ url, request }) =>
    request.method === 'POST' && /^\/api\/venues\/[^/]+\/journal$/.test(url.pathname),
  async ({ request }) => {
    const copy = request.clone();
    try {
      return await fetch(request);
    } catch (error) {
      await sideEffects.pushRequest({ request: copy });
      throw error;
    }
  },
  'POST',
);

precacheAndRoute(self.__WB_MANIFEST ?? []);
cleanupOutdatedCaches();

// Every other path without a file extension is the SPA: serve the precached shell, offline too
// ('/' itself is the prerendered home page, served by the precache route above).
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/shell.html'), {
    denylist: [/^\/api\//, /^\/media\//, /^\/sync\//, /^\/healthz/, /^\/metrics/],
  }),
);

// Anything else same-origin and GET (e.g. an icon not in the precache): network only.
registerRoute(({ url }) => url.pathname === '/healthz', new NetworkOnly());

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (data?.type === 'REPLAY') event.waitUntil(sideEffects.replayRequests().catch(() => undefined));
});

// The first install controls open pages at once (so a first visit already works offline); later
// versions wait for the page to ask (SKIP_WAITING), which the player does only between tracks.
self.addEventListener('install', () => {
  if (!self.registration.active) void self.skipWaiting();
});
clientsClaim();
