/* Every page: the language switcher sends its form as soon as a language is chosen (a file rather than an
   inline onchange attribute: the Content-Security-Policy allows scripts from this site's files only); on a phone
   the navigation folds behind the menu button; a table wider than the screen can be scrolled by keyboard. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var bar = toggle.closest(".topbar");
      var open = bar.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  var reachable = function () {
    document.querySelectorAll("main table, .table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      } else if (box.getAttribute("tabindex") === "0" && !box.classList.contains("matrix-scroll")) {
        box.removeAttribute("tabindex");
      }
    });
  };
  reachable();
  window.addEventListener("resize", reachable);

  // Signing out forgets the report text this browser kept against a crash (submission_edit.js): on an office's
  // shared computer the next person must not find it. Only this portal's draft keys are removed.
  document.querySelectorAll("form[data-clears-drafts]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var store = null;
      try { store = window.localStorage; } catch (error) { return; }
      for (var i = store.length - 1; i >= 0; i -= 1) {
        var key = store.key(i);
        if (key && key.indexOf("hptracker-draft-") === 0) { store.removeItem(key); }
      }
    });
  });
}());
