/* The device's outbox, shared by the stop form and its service worker. A submission waits in
   IndexedDB until the server acknowledges it; its client_id makes every resend safe, so a send
   whose answer was lost is simply sent again and the server answers with the same receipt. */
(function (scope) {
  "use strict";
  var DB_NAME = "tournee", STORE = "outbox";
  var TIMEOUT_MS = 20000, KEEP_SENT_MS = 3 * 24 * 3600 * 1000;
  var opening = null, flushing = null, again = false;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = scope.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
      opening.catch(function () { opening = null; });
    }
    return opening;
  }

  // Runs `work(store)` in one transaction; resolves once it is committed to disk.
  function transaction(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function put(entry) { return transaction("readwrite", function (s) { return s.put(entry); }); }
  function remove(id) { return transaction("readwrite", function (s) { return s.delete(id); }); }
  function get(id) { return transaction("readonly", function (s) { return s.get(id); }); }

  function all() {
    return transaction("readonly", function (s) { return s.getAll(); }).then(function (list) {
      return list.sort(function (a, b) { return a.created - b.created; });
    });
  }

  function messages(body) {
    var out = [];
    if (body && body.errors) {
      Object.keys(body.errors).forEach(function (key) { out = out.concat(body.errors[key]); });
    }
    if (!out.length && body && body.error) out.push(body.error);
    return out.join(" ");
  }

  // One attempt. "sent" and "refused" are final; "retry" means try again later, and `wait`
  // that the others should wait too.
  function send(entry) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin", signal: controller && controller.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-Tournee-Channel": "form" },
      body: JSON.stringify(entry.payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok && body.reference) return { state: "sent", reference: body.reference };
        // Too many posts from this network, or the service away for a moment (503 while its
        // database restarts, 502/504 from a proxy whose app is down): like no network, the
        // entry stays queued and the next ones wait with it.
        if ([429, 502, 503, 504].indexOf(response.status) >= 0) {
          return { state: "retry", wait: true };
        }
        if (response.status >= 500 || response.ok) return { state: "retry" };
        return { state: "refused", status: response.status, message: messages(body),
                 errors: body && body.errors };
      });
    }, function () { return { state: "retry", wait: true }; })  // offline, or no answer in time
      .then(function (outcome) { if (timer) clearTimeout(timer); return outcome; });
  }

  function record(entry, outcome) {
    if (outcome.state === "sent") {
      // Once acknowledged, keep only what the receipt list shows: no contact details linger.
      return put({ id: entry.id, stop: entry.stop, state: "sent", reference: outcome.reference,
                   organisation: entry.payload.organisation, created: entry.created,
                   sent: Date.now() });
    }
    if (outcome.state === "refused") {
      entry.state = "refused"; entry.status = outcome.status; entry.message = outcome.message;
      entry.errors = outcome.errors;
      return put(entry);
    }
    return Promise.resolve();
  }

  function prune(list) {
    var old = Date.now() - KEEP_SENT_MS;
    return Promise.all(list.filter(function (e) { return e.state === "sent" && e.sent < old; })
      .map(function (e) { return remove(e.id); }));
  }

  // Sends every waiting entry, oldest first, one at a time, until the network says to wait.
  // Resolves with the number still waiting.
  function flushOnce() {
    return all().then(function (list) {
      var waiting = list.filter(function (e) { return e.state === "queued"; });
      var left = waiting.length, stopped = false;
      var chain = prune(list);
      waiting.forEach(function (entry) {
        chain = chain.then(function () {
          if (stopped) return;
          return send(entry).then(function (outcome) {
            if (outcome.state !== "retry") left -= 1;
            stopped = Boolean(outcome.wait);
            return record(entry, outcome);
          });
        });
      });
      return chain.then(function () { return left; });
    });
  }

  function flush() {
    if (flushing) { again = true; return flushing; }
    flushing = flushOnce().then(function (left) {
      flushing = null;
      if (again) { again = false; return flush(); }
      return left;
    }, function (error) { flushing = null; throw error; });
    return flushing;
  }

  scope.TourneeOutbox = { put: put, get: get, remove: remove, all: all, flush: flush };
})(self);
