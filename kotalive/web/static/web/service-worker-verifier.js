// Keeps the offline verifier (/v/offline) and its script and style available without a network: network first,
// the kept copy when offline. The key and revocation lists live in the page's localStorage, not here.
"use strict";
const CACHE = "kotalive-verifier-v1";
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const kept = url.origin === location.origin && event.request.method === "GET" &&
    (url.pathname === "/v/offline" || url.pathname.startsWith("/static/"));
  if (!kept) return;
  event.respondWith(
    fetch(event.request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy));
      return response;
    }).catch(() => caches.match(event.request, { ignoreSearch: false }).then((r) => r || Response.error()))
  );
});
