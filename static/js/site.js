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
}());
