/* SLA Portal: live countdowns to first-response deadlines, and panels that refresh themselves.
   No framework: a page works without this script, which only keeps it current. No inline script
   or style anywhere, so the pages can be served under a Content-Security-Policy without
   'unsafe-inline'. */
(function () {
  "use strict";
  var body = document.body;
  var leftTpl = body.getAttribute("data-tpl-left") || "{time} left";
  var overTpl = body.getAttribute("data-tpl-overdue") || "{time} overdue";
  var minutesTpl = body.getAttribute("data-tpl-minutes") || "{minutes} min";
  var nearTpl = body.getAttribute("data-tpl-near") || "Warning time reached, {time} left";
  /* The countdowns themselves change every second and are not live regions (role=timer): a screen
     reader is told, politely, when a deadline's state changes (warning time reached, overdue) and,
     on a page with a single countdown, the time left once a minute. */
  var announcer = document.querySelector("[data-sla-announcer]");
  var ANNOUNCE_EVERY_MS = 60000;
  var lastAnnounced = Date.now();
  var knownStates = {};

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ":" : "") + pad(m) + ":" + pad(s % 60);
  }

  function minutes(ms) {
    return minutesTpl.replace("{minutes}", String(Math.round(Math.abs(ms) / 60000)));
  }

  function labelOf(el) {
    var row = el.closest("tr[data-ticket]");
    var link = row ? row.querySelector("a") : null;
    if (row) { return "#" + row.getAttribute("data-ticket") + (link ? " " + link.textContent.trim() : ""); }
    var heading = document.querySelector("h1");
    return heading ? heading.textContent.trim() : "";
  }

  function announce(text) {
    if (announcer && text) { announcer.textContent = text; }
    lastAnnounced = Date.now();
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll("[data-deadline]");
    var changes = [];
    var single = null;
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var due = Date.parse(el.getAttribute("data-deadline"));
      var warn = Date.parse(el.getAttribute("data-warning") || "");
      if (isNaN(due)) { continue; }
      var left = due - now;
      var state = left <= 0 ? "sla-breached" : (!isNaN(warn) && now >= warn ? "sla-near" : "sla-ok");
      el.textContent = (left > 0 ? leftTpl : overTpl).replace("{time}", clock(left));
      var label = labelOf(el);
      var key = el.getAttribute("data-deadline") + "|" + label;
      var spoken = label + ": " + (left > 0 ? leftTpl : overTpl).replace("{time}", minutes(left));
      if (knownStates[key] !== undefined && knownStates[key] !== state) {
        changes.push(state === "sla-near" ? label + ": " + nearTpl.replace("{time}", minutes(left)) : spoken);
      }
      knownStates[key] = state;
      single = nodes.length === 1 ? spoken : null;
      el.classList.remove("sla-ok", "sla-near", "sla-breached");
      el.classList.add(state);
      var row = el.closest("tr");
      if (row) {
        row.classList.remove("sla-ok", "sla-near", "sla-breached");
        row.classList.add(state);
      }
    }
    if (changes.length) {
      announce(changes.join(". "));
    } else if (single && now - lastAnnounced >= ANNOUNCE_EVERY_MS) {
      announce(single);
    }
  }

  function summaryOf(el) {
    var summary = el.querySelector("[data-summary]");
    return summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
  }

  /* A container with data-refresh-url is replaced by that URL's HTML every data-refresh-seconds,
     keeping the page's own query string (the queue's filters). The container is not a live region
     (a screen reader would read the whole table at every refresh): its summary line ("3 open
     tickets") is announced when it changes. */
  function startRefresh(el) {
    var seconds = parseInt(el.getAttribute("data-refresh-seconds") || "15", 10);
    var url = el.getAttribute("data-refresh-url");
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(url + window.location.search, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            var before = summaryOf(el);
            el.innerHTML = html;
            var after = summaryOf(el);
            if (after && after !== before) { announce(after); }
            el.setAttribute("data-refreshed-at", String(Date.now()));
            tick();
          }
        })
        .catch(function () { /* the next round tries again */ });
    }, seconds * 1000);
  }

  var panels = document.querySelectorAll("[data-refresh-url]");
  for (var i = 0; i < panels.length; i++) { startRefresh(panels[i]); }

  /* Filter forms submit when a select is changed with a pointer, so the queue filters work with
     one tap. A keyboard changes a closed select with the arrow keys, one option at a time: there
     the form waits for its Filter button instead of reloading under the person. */
  var autos = document.querySelectorAll("form[data-autosubmit] select");
  for (var j = 0; j < autos.length; j++) {
    autos[j].addEventListener("pointerdown", function (e) { e.currentTarget.pointerUsed = true; });
    autos[j].addEventListener("keydown", function (e) { e.currentTarget.pointerUsed = false; });
    autos[j].addEventListener("change", function (e) {
      if (e.currentTarget.pointerUsed) { e.currentTarget.form.submit(); }
    });
  }

  /* A link marked data-fragment opens a form that is costly to build on every view (the share
     form lists every person, unit and region of the institution): the form is fetched when the
     link is followed and put in the link's place, its first field focused. Without the script,
     or if the fetch fails, the link opens the form's own page. */
  var fragments = document.querySelectorAll("a[data-fragment]");
  for (var k = 0; k < fragments.length; k++) {
    fragments[k].addEventListener("click", function (e) {
      var link = e.currentTarget;
      e.preventDefault();
      fetch(link.href, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var place = link.parentNode.tagName === "P" ? link.parentNode : link;
          place.replaceWith(holder);
          var first = holder.querySelector("select, input:not([type=hidden]), textarea, button");
          if (first) { first.focus(); }
        })
        .catch(function () { window.location.href = link.href; });
    });
  }

  /* After a refused submission the first error gets the focus: a field in error (its messages are
     tied to it by aria-describedby) or the form's own error, whichever comes first. */
  var firstError = document.querySelector("form .field.has-error, .notice.error[tabindex]");
  if (firstError && firstError.classList.contains("field")) {
    firstError = firstError.querySelector("input:not([type=hidden]), select, textarea");
  }
  if (firstError) { firstError.focus(); }

  tick();
  setInterval(tick, 1000);
})();
