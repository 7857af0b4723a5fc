/* The controller's service worker (scope /controller/): keeps the app shell (the route page, its scripts
 * and styles) and the route sheet in the cache "raschet-controller-v1", so the route opens without signal.
 * Every GET of the controller's pages, of their static files and of the controller's API goes to the
 * network first and falls back to the cache when there is no network. POSTs (the sync) are never cached:
 * the page keeps unsent entries in IndexedDB and sends them when the phone is back online. */
"use strict";
var CACHE = "raschet-controller-v1";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("raschet-controller-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return url.pathname.indexOf("/controller/") === 0 || url.pathname.indexOf("/api/v1/controller/") === 0;
}

function offline() {
  var body = JSON.stringify({ errors: [{ code: "offline", subject: "network",
    message: "Нет связи, а сохранённой копии нет: откройте маршрут, когда появится связь." }] });
  return new Response(body, { status: 503, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

function networkFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && !response.redirected && request.url.indexOf("/sw.js") < 0) {
        return cache.match(request).then(function (old) {
          if (old || kept(new URL(request.url))) cache.put(request, response.clone());
          return response;
        });
      }
      return response;
    }).catch(function () {
      return cache.match(request).then(function (found) { return found || offline(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(request));
});
