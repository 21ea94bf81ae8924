/* Injected after axe-core into every document the browser tests open: audits the page once it has
   loaded against the WCAG 2.1 A and AA rules and hands the serious and critical violations to the
   test through the __a11yReport binding. window.__a11yAudit() runs it again on demand (after a
   resize, a language switch or a change made by a script). */
(function () {
  "use strict";
  if (window.top !== window || !window.axe || !/^https?:$/.test(location.protocol)) { return; }
  var OPTIONS = {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    resultTypes: ["violations"]
  };
  var BLOCKING = { serious: true, critical: true };
  var last = Promise.resolve(null);

  function run() {
    return window.axe.run(document, OPTIONS).then(function (result) {
      return result.violations.filter(function (v) { return BLOCKING[v.impact]; }).map(function (v) {
        return {
          rule: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
          nodes: v.nodes.map(function (n) {
            return { target: n.target.join(" "), html: n.html, summary: n.failureSummary };
          })
        };
      });
    });
  }

  function audit() {
    // axe refuses to start while another run is in progress: runs are queued one after another.
    last = last.then(run, run);
    return last.then(function (found) {
      return { url: location.href, width: window.innerWidth, lang: document.documentElement.lang, violations: found };
    });
  }

  window.__a11yAudit = audit;
  window.__a11yFirst = new Promise(function (resolve) {
    function go() {
      audit().catch(function (error) {
        return { url: location.href, width: window.innerWidth, lang: document.documentElement.lang,
                 violations: [{ rule: "axe-error", impact: "critical", help: String(error), url: "", nodes: [] }] };
      }).then(function (report) {
        if (window.__a11yReport) { window.__a11yReport(report); }
        resolve(report);
      });
    }
    if (document.readyState === "complete") { go(); } else { window.addEventListener("load", go, { once: true }); }
  });
})();
