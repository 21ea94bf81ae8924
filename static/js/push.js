/* Push notifications on this device: the button on the notification preferences page asks the
   browser for permission, subscribes with the site's VAPID key through the service worker, and
   posts the subscription to /api/v1/me/push-subscriptions/ (session and CSRF token, as the page's
   own forms). Without service workers or the Push API the button stays hidden. */
(function () {
  "use strict";
  var box = document.querySelector("[data-push-device]");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) { return; }
  var button = box.querySelector("button");
  var status = box.querySelector("[data-push-status]");
  var url = box.getAttribute("data-endpoint");
  var key = box.getAttribute("data-vapid-key");

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function bytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function say(name) { status.textContent = box.getAttribute("data-msg-" + name) || ""; }

  box.hidden = false;
  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (existing) { if (existing) { say("on"); } });

  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); return null; }
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) });
      }).then(function (subscription) {
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) { say(response.ok ? "on" : "failed"); });
    }).catch(function () { say("failed"); });
  });
})();
