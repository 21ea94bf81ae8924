// Answers before a ticket is filed (/tickets/new/): as the subject and description are typed, the
// best answers are asked of POST /api/v1/suggestions/ (debounced) and listed under the quota line;
// "This answered my question" records a deflection, and filing anyway sends the answers shown
// with the ticket. On the desk's ticket page, "Use this answer" puts an answer into the composer.
(function () {
  "use strict";
  var DEBOUNCE_MS = 100;

  function csrf(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, body, form) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      // The answer (the quota line) in the page's language, whatever the browser's own.
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Language": document.documentElement.lang || "tr",
        "X-CSRFToken": csrf(form)
      },
      body: JSON.stringify(body)
    });
  }

  function suggestionsFor(panel) {
    var form = document.getElementById(panel.getAttribute("data-form")) || panel.closest("form");
    if (!form) { return; }
    var subject = form.querySelector("[name=subject]");
    var description = form.querySelector("[name=description]");
    var product = form.querySelector("[name=product]");
    var shown = form.querySelector("[name=suggestions_shown]");
    var list = panel.querySelector("[data-results]");
    var line = panel.querySelector("[data-quota-line]");
    var codes = {};
    try { codes = JSON.parse(form.getAttribute("data-offline-products") || "{}"); } catch (e) { codes = {}; }
    var timer = null;
    var asked = 0;
    var seen = {};

    function question() {
      var body = { subject: subject ? subject.value : "", description: description ? description.value : "" };
      if (product && product.value && codes[product.value]) { body.product = codes[product.value]; }
      return body;
    }

    function helpful(result, button) {
      button.disabled = true;
      var url = panel.getAttribute("data-helpful-url").replace("KIND", result.kind).replace("/0/", "/" + result.id + "/");
      post(url, question(), form).then(function (response) {
        if (response.ok) {
          panel.querySelector("[data-deflected]").hidden = false;
          button.textContent = panel.getAttribute("data-msg-thanks");
        } else {
          button.disabled = false;
        }
      });
    }

    function render(data) {
      list.textContent = "";
      data.results.forEach(function (result) {
        seen[result.kind + ":" + result.id] = true;
        var item = document.createElement("li");
        item.className = "suggestion";
        item.setAttribute("data-testid", "suggestion");
        var link = document.createElement("a");
        link.href = result.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = result.title;
        var snippet = document.createElement("p");
        snippet.className = "small";
        snippet.textContent = result.snippet;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary small";
        button.textContent = panel.getAttribute("data-msg-helpful");
        button.addEventListener("click", function () { helpful(result, button); });
        item.appendChild(link);
        item.appendChild(snippet);
        item.appendChild(button);
        list.appendChild(item);
      });
      line.textContent = data.quota.line;
      panel.hidden = !data.results.length;
      if (shown) { shown.value = Object.keys(seen).join(","); }
    }

    function ask() {
      var body = question();
      if ((body.subject + " " + body.description).trim().length < 3) { return; }
      var mine = ++asked;
      post(panel.getAttribute("data-suggest-url"), body, form).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && mine === asked) { render(data); }
      }).catch(function () {});
    }

    function typed() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(ask, DEBOUNCE_MS);
    }

    [subject, description].forEach(function (field) { if (field) { field.addEventListener("input", typed); } });
    if (product) { product.addEventListener("change", typed); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-suggestions]"), suggestionsFor);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-answer]");
    if (!button) { return; }
    var panel = button.closest("[data-similar]");
    var selector = (panel && panel.getAttribute("data-composer")) || "textarea[name=body]";
    var composer = document.querySelector(selector);
    var source = document.getElementById(button.getAttribute("data-use-answer"));
    if (!composer || !source) { return; }
    composer.value = composer.value ? composer.value + "\n\n" + source.textContent.trim() : source.textContent.trim();
    composer.dispatchEvent(new Event("input", { bubbles: true }));
    composer.focus();
  });
})();
