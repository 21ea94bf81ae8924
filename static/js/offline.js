/* The web app's offline side, for every page: registers the service worker (/sw.js), asks it to
   keep the person's recent tickets for offline reading, and keeps an outbox for what is written
   offline.

   Progressive: online, the filing form and the reply form post as they always do. Offline, a form
   marked data-offline-api is not posted: what was written is kept in localStorage with a new
   Idempotency-Key and sent to the API (session cookie and CSRF token, as the page's own forms) as
   soon as the browser is online again. A send that is retried — the connection drops before the
   answer, two tabs send at once — carries the same key, so the API files it once. */
(function () {
  "use strict";
  var STORE = "slaportal-outbox";
  var body = document.body;
  var notice = document.querySelector("[data-offline-notice]");

  function say(name, count) {
    if (!notice) { return; }
    var text = notice.getAttribute("data-msg-" + name) || "";
    notice.textContent = text.replace("{count}", String(count || 0));
    notice.hidden = !text;
  }

  /* --- the service worker ------------------------------------------------------------------- */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var worker = registration.active;
      if (!worker) { return; }
      if (body.hasAttribute("data-signed-out")) { worker.postMessage("clear"); }
      else if (body.hasAttribute("data-signed-in") && navigator.onLine) { worker.postMessage("warm"); }
    }).catch(function () {});
  }

  /* --- the outbox --------------------------------------------------------------------------- */
  function read() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (error) { return []; }
  }
  function write(items) { localStorage.setItem(STORE, JSON.stringify(items)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }
  function csrf(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function payload(form) {
    var data = new FormData(form);
    if (form.getAttribute("data-offline-kind") === "reply") {
      return { body: data.get("reply-body") || data.get("body") || "" };
    }
    var products = JSON.parse(form.getAttribute("data-offline-products") || "{}");
    var out = { subject: data.get("subject") || "", description: data.get("description") || "" };
    if (data.get("kind")) { out.kind = data.get("kind"); }
    if (data.get("product") && products[data.get("product")]) { out.product = products[data.get("product")]; }
    return out;
  }

  var sending = false;
  function flush() {
    if (sending || !navigator.onLine) { return; }
    var items = read();
    if (!items.length) { return; }
    sending = true;
    var item = items[0];
    fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf(null) || item.csrf,
        "Idempotency-Key": item.key
      },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      sending = false;
      if (response.status >= 500 || response.status === 429 || response.status === 409 && response.headers.get("Retry-After")) {
        say("retry", read().length);
        return;
      }
      write(read().filter(function (kept) { return kept.key !== item.key; }));
      say(response.ok ? "sent" : "refused", 1);
      flush();
    }).catch(function () { sending = false; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-api]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var items = read();
      items.push({
        key: uuid(),
        url: form.getAttribute("data-offline-api"),
        body: payload(form),
        csrf: csrf(form),
        kept_at: new Date().toISOString()
      });
      write(items);
      form.reset();
      say("kept", items.length);
    });
  });

  window.addEventListener("online", flush);
  if (read().length) { say("waiting", read().length); }
  flush();
})();
