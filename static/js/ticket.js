/* SLA Portal: the desk's ticket page. One composer with modes (public reply, internal note, phone
   call, remote session), macros inserted into it, keyboard shortcuts (listed on the "?" dialog),
   and the collision warning: the page reports every few seconds that it is open (and whether an
   answer is being typed) and shows who else of the desk is on the ticket. Without this script every
   form is shown and works on its own. */
(function () {
  "use strict";
  var page = document.querySelector("[data-ticket-desk]");
  if (!page) { return; }
  var composer = page.querySelector("[data-composer]");
  var panes = composer ? composer.querySelectorAll(".composer-pane") : [];
  var radios = composer ? composer.querySelectorAll("input[name='composer-mode']") : [];

  function textareaOf(mode) {
    var pane = composer && composer.querySelector(".composer-pane[data-mode='" + mode + "']");
    return pane ? pane.querySelector("textarea") : null;
  }

  function currentMode() {
    for (var i = 0; i < radios.length; i++) { if (radios[i].checked) { return radios[i].value; } }
    return "reply";
  }

  function showMode(mode, focus) {
    if (!composer) { return; }
    for (var i = 0; i < panes.length; i++) { panes[i].hidden = panes[i].getAttribute("data-mode") !== mode; }
    for (var j = 0; j < radios.length; j++) { radios[j].checked = radios[j].value === mode; }
    composer.setAttribute("data-composer-mode", mode);
    if (focus) {
      var box = textareaOf(mode);
      if (box) { box.focus(); }
    }
  }

  if (composer && radios.length) {
    showMode(composer.getAttribute("data-composer-mode") || "reply", false);
    for (var r = 0; r < radios.length; r++) {
      radios[r].addEventListener("change", function (event) { showMode(event.target.value, false); });
    }
  }

  /* Macros: the text, already filled in for this ticket by the server, goes into the box of the
     mode in use; on a public reply the macro's id goes with it, so its status and kind are set
     once the reply is sent. */
  var macroSelect = page.querySelector("[data-macro-select]");
  var macroInsert = page.querySelector("[data-macro-insert]");
  function insertMacro() {
    var option = macroSelect && macroSelect.options[macroSelect.selectedIndex];
    if (!option || !option.value) { return; }
    var mode = currentMode();
    var box = textareaOf(mode);
    if (!box) { return; }
    var text = option.getAttribute("data-text") || "";
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    if (mode === "reply") {
      var field = box.form.querySelector("input[name='reply-macro']");
      if (field) { field.value = option.value; }
    }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  if (macroInsert) { macroInsert.addEventListener("click", insertMacro); }

  /* Shortcuts. */
  var dialog = page.querySelector("[data-shortcuts]");
  var opener = page.querySelector("[data-shortcuts-open]");
  function openShortcuts() {
    if (dialog && !dialog.open && dialog.showModal) { dialog.showModal(); }
  }
  if (opener) { opener.addEventListener("click", openShortcuts); }

  function submitForm(name) {
    var form = page.querySelector("form[data-shortcut-form='" + name + "']");
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  }

  function typingIn(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "textarea" || tag === "select" || target.isContentEditable ||
      (tag === "input" && ["radio", "checkbox", "button", "submit"].indexOf(target.type) === -1);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && target.tagName && target.tagName.toLowerCase() === "textarea") {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        event.preventDefault();
        target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
      } else if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(target) || (dialog && dialog.open)) { return; }
    var next = page.getAttribute("data-next-url");
    switch (event.key) {
      case "?": openShortcuts(); break;
      case "j": if (next) { window.location.assign(next); } else { return; } break;
      case "r": showMode("reply", true); break;
      case "n": showMode("note", true); break;
      case "m": if (macroSelect) { macroSelect.focus(); } else { return; } break;
      case "a": submitForm("assign-me"); break;
      case "s": submitForm("resolve"); break;
      default: return;
    }
    event.preventDefault();
  });

  /* Presence. */
  var url = page.getAttribute("data-presence-url");
  var banner = page.querySelector("[data-presence]");
  var seconds = parseInt(page.getAttribute("data-presence-seconds"), 10) || 4;
  var lastSeen = parseInt(page.getAttribute("data-last-seen"), 10) || 0;
  var tokenInput = page.querySelector("input[name='csrfmiddlewaretoken']");
  var token = tokenInput ? tokenInput.value : "";
  var typedAt = 0;
  var TYPING_MS = 8000;

  if (composer) {
    composer.addEventListener("input", function (event) {
      if (event.target.tagName && event.target.tagName.toLowerCase() === "textarea") {
        var wasTyping = Date.now() - typedAt < TYPING_MS;
        typedAt = Date.now();
        if (!wasTyping) { report(); }
      }
    });
  }

  function show(data) {
    if (!banner) { return; }
    var lines = [];
    var others = data.others || [];
    if (others.length) {
      var names = others.map(function (o) { return o.name; }).join(", ");
      lines.push((page.getAttribute("data-msg-on") || "{names}").replace("{names}", names));
      others.forEach(function (o) {
        if (o.typing) { lines.push((page.getAttribute("data-msg-typing") || "{name}").replace("{name}", o.name)); }
      });
    }
    if (data.last_message_id && data.last_message_id > lastSeen) {
      lines.push(page.getAttribute("data-msg-new") || "");
    }
    var text = lines.join(" ");
    if (banner.textContent !== text) { banner.textContent = text; }
    banner.hidden = !text;
  }

  var timer = null;
  var inFlight = false;
  function report() {
    if (!url || !window.fetch || inFlight) { return; }
    if (timer) { clearTimeout(timer); }
    inFlight = true;
    var body = new URLSearchParams();
    body.set("typing", Date.now() - typedAt < TYPING_MS ? "1" : "0");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" },
      body: body
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { show(data); }
    }).catch(function () {}).then(function () {
      inFlight = false;
      timer = setTimeout(report, seconds * 1000);
    });
  }
  report();

  window.addEventListener("pagehide", function () {
    if (!url || !navigator.sendBeacon) { return; }
    var data = new FormData();
    data.set("leave", "1");
    data.set("csrfmiddlewaretoken", token);
    navigator.sendBeacon(url, data);
  });
}());
