/* Service worker of the stop forms, served at /sw.js with VERSION and ASSETS set above this line
   (public/offline.py). Pages under /f/ come from the network when it answers, and from the cache
   when it does not; assets come from the cache of this version. A new release changes VERSION:
   the new worker caches the new assets, refreshes the forms already cached, drops old caches. */
/* global VERSION, ASSETS, TourneeOutbox */
importScripts(ASSETS.filter(function (url) { return url.indexOf("/outbox.js") >= 0; })[0]);

var CACHE = "tournee-" + VERSION;
var FORM_PAGE = /^\/f\/[^/]+(\/tablet)?\/?$/;
var SLOW_MS = 4000;  // past this, a cached form beats a saturated venue network
var SYNC_TAG = "tournee-outbox";

function isOurs(name) { return name.indexOf("tournee-") === 0; }

function carryForms(cache) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return isOurs(n) && n !== CACHE; })
      .map(function (name) {
        return caches.open(name).then(function (old) { return old.keys(); }).then(function (keys) {
          return Promise.all(keys.filter(function (request) {
            return FORM_PAGE.test(new URL(request.url).pathname);
          }).map(function (request) {
            return cache.add(request.url).catch(function () { /* stays with the old copy */ });
          }));
        });
      }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () { return carryForms(cache); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return isOurs(n) && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function cached(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || cache.match(request, { ignoreVary: true, ignoreSearch: true });
    });
  });
}

function formPage(event) {
  var request = event.request;
  var network = fetch(request);
  // Registered first, so it clones the answer before the page reads it; waitUntil keeps the
  // worker alive until the copy is saved, even when the cached copy answered first.
  event.waitUntil(network.then(function (response) {
    if (!response.ok || response.type !== "basic") return;
    var copy = response.clone();
    return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
  }).catch(function () { /* offline: nothing to save */ }));
  return new Promise(function (resolve, reject) {
    var done = false;
    function answer(response) { if (!done && response) { done = true; resolve(response); } }
    var timer = setTimeout(function () { cached(request).then(answer); }, SLOW_MS);
    network.then(function (response) { clearTimeout(timer); answer(response); }, function (error) {
      clearTimeout(timer);
      cached(request).then(function (hit) {
        if (hit) answer(hit); else if (!done) { done = true; reject(error); }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // submissions always go to the network
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && FORM_PAGE.test(url.pathname)) {
    event.respondWith(formPage(event));
  } else if (ASSETS.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(cached(request).then(function (hit) { return hit || fetch(request); }));
  }
});

// The page that installed this worker was loaded before it existed: it asks for its own copy.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "cache-page" && FORM_PAGE.test(new URL(data.url, self.location).pathname)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.add(data.url); })
      .catch(function () { /* offline right now: the next visit caches it */ }));
  }
});

function tellPages() {
  return self.clients.matchAll({ includeUncontrolled: true }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ type: "outbox" }); });
  });
}

// Background Sync: the browser wakes this worker when the connection returns, page open or not.
self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(TourneeOutbox.flush().then(function (left) {
    return tellPages().then(function () {
      if (left) throw new Error("still offline: the browser will try again");
    });
  }));
});
