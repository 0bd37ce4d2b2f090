/* Submission pages: warn before leaving the edit form with unsaved changes, and send each form only once
   (a double click on "Gửi báo cáo" must not send twice; the server also refuses the second). */
(function () {
  "use strict";

  var editForm = document.getElementById("submission-form");
  var dirty = false;

  if (editForm) {
    var markDirty = function () { dirty = true; };
    editForm.addEventListener("input", markDirty);
    editForm.addEventListener("change", markDirty);
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      // Browsers show their own wording; setting returnValue is what asks them to.
      event.preventDefault();
      event.returnValue = "";
    });
  }

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      if (form === editForm) { dirty = false; }
      // A disabled button is left out of the POST: carry the clicked button's name and value in a hidden input.
      var clicked = event.submitter;
      if (clicked && clicked.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = clicked.name;
        carried.value = clicked.value;
        form.appendChild(carried);
      }
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });
}());
