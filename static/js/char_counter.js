/* Every page: a text field with a maxlength shows how much of it is used ("1.234/20.000 ký tự"). It counts
   what the browser counts for maxlength (the value's length, a line end as one character), which is also what
   the server counts (reports.inputs.PlainTextField), so the counter, the browser and the server agree. The
   sentence comes translated from the script tag's data-format. */
(function () {
  "use strict";
  var script = document.currentScript;
  var format = (script && script.dataset.format) || "%(used)s/%(max)s";
  var locale = document.documentElement.lang || "vi";

  function number(n) { return n.toLocaleString(locale); }

  document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(function (field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || max < 0) { return; }
    var counter = document.createElement("small");
    counter.className = "char-counter muted small";
    counter.id = (field.id || field.name) + "-counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
    function update() {
      var used = field.value.length;
      counter.textContent = format.replace("%(used)s", number(used)).replace("%(max)s", number(max));
      counter.classList.toggle("near-limit", used >= max * 0.9);
    }
    field.addEventListener("input", update);
    update();
  });
}());
