/* The cycle page: locking or unlocking the figures asks for confirmation first (the question is in the form's
   data-confirm attribute, translated by the server). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
}());
