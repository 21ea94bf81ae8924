/* SLA Portal's service worker. Served at /sw.js (portal/webapp.py), which puts SLA_CONFIG before
   this text: the shell's asset addresses, the offline page, the ticket list of the API and the
   address pattern of a ticket page.

   - The shell (styles, scripts, icon, offline page) is cached at installation.
   - Pages are fetched from the network first; a ticket page, the ticket list and the filing form
     are kept as they are read, so they can be read (and the outbox used) offline. Any other page
     offline shows the offline page.
   - "warm" (sent by offline.js after sign-in) fetches the person's ten most recent tickets and
     keeps their pages; "clear" (sent on the sign-in page, that is after signing out) forgets every
     kept page, so the next person on the device reads nothing of the last one's.
   - A push is shown as a notification; a tap opens its address. */
"use strict";

var CONFIG = self.SLA_CONFIG;
var SHELL_CACHE = "slaportal-shell-" + CONFIG.shell.join("|").length + "-" + CONFIG.shell[0];
var PAGES_CACHE = "slaportal-pages";
var TICKET_PAGE = new RegExp("^" + CONFIG.ticket_page.replace(/0\/$/, "\\d+/") + "$");

function keptPage(url) {
  return TICKET_PAGE.test(url.pathname) || url.pathname === "/tickets/" || url.pathname === "/tickets/new/";
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) {
      return cache.addAll(CONFIG.shell.concat([CONFIG.offline]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("slaportal-shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  if (response.ok && !response.redirected) {
    var copy = response.clone();
    caches.open(PAGES_CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        return keptPage(url) ? keep(request, response) : response;
      }).catch(function () {
        return caches.match(request, { ignoreSearch: true }).then(function (hit) {
          return hit || caches.match(CONFIG.offline);
        });
      })
    );
    return;
  }
  if (CONFIG.shell.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request);
      })
    );
  }
});

function warm() {
  return fetch(CONFIG.tickets_api, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { results: [] }; })
    .then(function (body) {
      var pages = ["/tickets/", "/tickets/new/"].concat((body.results || []).map(function (ticket) {
        return CONFIG.ticket_page.replace(/0\/$/, ticket.id + "/");
      }));
      return caches.open(PAGES_CACHE).then(function (cache) {
        return Promise.all(pages.map(function (page) {
          return fetch(page, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) { return cache.put(page, response); }
          }).catch(function () {});
        }));
      });
    });
}

self.addEventListener("message", function (event) {
  var done = event.data === "warm" ? warm() : event.data === "clear" ? caches.delete(PAGES_CACHE) : null;
  if (done) {
    event.waitUntil(done.then(function () {
      if (event.source) { event.source.postMessage(event.data + ":done"); }
    }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "SLA Portal", {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: CONFIG.shell[CONFIG.shell.length - 1],
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
