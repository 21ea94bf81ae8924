/* SLA Portal: live countdowns to first-response deadlines, and panels that refresh themselves.
   No framework: a page works without this script, which only keeps it current. */
(function () {
  "use strict";
  var body = document.body;
  var leftTpl = body.getAttribute("data-tpl-left") || "{time} left";
  var overTpl = body.getAttribute("data-tpl-overdue") || "{time} overdue";

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ":" : "") + pad(m) + ":" + pad(s % 60);
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var due = Date.parse(el.getAttribute("data-deadline"));
      var warn = Date.parse(el.getAttribute("data-warning") || "");
      if (isNaN(due)) { continue; }
      var left = due - now;
      var state = left <= 0 ? "sla-breached" : (!isNaN(warn) && now >= warn ? "sla-near" : "sla-ok");
      el.textContent = (left > 0 ? leftTpl : overTpl).replace("{time}", clock(left));
      el.classList.remove("sla-ok", "sla-near", "sla-breached");
      el.classList.add(state);
      var row = el.closest("tr");
      if (row) {
        row.classList.remove("sla-ok", "sla-near", "sla-breached");
        row.classList.add(state);
      }
    }
  }

  /* A container with data-refresh-url is replaced by that URL's HTML every data-refresh-seconds,
     keeping the page's own query string (the queue's filters). */
  function startRefresh(el) {
    var seconds = parseInt(el.getAttribute("data-refresh-seconds") || "15", 10);
    var url = el.getAttribute("data-refresh-url");
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(url + window.location.search, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            el.innerHTML = html;
            el.setAttribute("data-refreshed-at", String(Date.now()));
            tick();
          }
        })
        .catch(function () { /* the next round tries again */ });
    }, seconds * 1000);
  }

  var panels = document.querySelectorAll("[data-refresh-url]");
  for (var i = 0; i < panels.length; i++) { startRefresh(panels[i]); }

  /* Filter forms submit when a select changes, so the queue filters work with one tap. */
  var autos = document.querySelectorAll("form[data-autosubmit] select");
  for (var j = 0; j < autos.length; j++) {
    autos[j].addEventListener("change", function (e) { e.target.form.submit(); });
  }

  /* Meter bars get their width from data-percent: an inline style="width: …" attribute would be
     refused by the Content-Security-Policy, a width set through the DOM is not. */
  var meters = document.querySelectorAll("[data-percent]");
  for (var k = 0; k < meters.length; k++) {
    meters[k].style.width = Math.max(0, Math.min(100, parseFloat(meters[k].getAttribute("data-percent")) || 0)) + "%";
  }

  tick();
  setInterval(tick, 1000);
})();
