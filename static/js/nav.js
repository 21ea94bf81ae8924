/* SLA Portal: the main menu's disclosure button. Under 768 px the menu's groups fold behind one
   "Menu" button; this script opens and closes them (Escape closes and gives the focus back to the
   button). Without the script the menu stays open at every width. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-nav]");
  if (!nav) { return; }
  var toggle = nav.querySelector("[data-nav-toggle]");
  var groups = nav.querySelector("[data-nav-groups]");
  if (!toggle || !groups) { return; }
  nav.classList.add("nav-folds");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("nav-open", open);
  }

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
}());
