/* Submission pages.
   - Warn before leaving the edit form with unsaved changes; a page sent back by the server ("Chưa lưu") starts
     unsaved, so leaving it still warns.
   - Keep what is typed in the browser's local storage until it is saved, and offer it back after a crash or a
     closed tab (a draft equal to what the server holds is dropped silently).
   - The task index: each task's state (empty / partial / done), the "not filled in" filter, jump links, and the
     task being read is sent with the form so that saving comes back to it.
   - Send each form only once (a double click on "Gửi báo cáo" must not send twice; the server refuses too). */
(function () {
  "use strict";

  var editForm = document.getElementById("submission-form");
  var dirty = false;

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return false; }
      if (el.type === "file" || el.type === "hidden" || el.type === "submit" || el.type === "button") { return false; }
      return el.name !== "csrfmiddlewaretoken";
    });
  }

  function snapshot(form) {
    var values = {};
    fields(form).forEach(function (el) {
      var key = el.name + (el.type === "checkbox" || el.type === "radio" ? "=" + el.value : "");
      values[key] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
    });
    return values;
  }

  function apply(form, values) {
    fields(form).forEach(function (el) {
      var key = el.name + (el.type === "checkbox" || el.type === "radio" ? "=" + el.value : "");
      if (!(key in values)) { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values[key]; } else { el.value = values[key]; }
    });
  }

  function sameValues(a, b) {
    var keys = Object.keys(a);
    for (var i = 0; i < keys.length; i += 1) {
      if (keys[i] in b && a[keys[i]] !== b[keys[i]]) { return false; }
    }
    return true;
  }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  if (editForm) {
    var key = editForm.dataset.draftKey;
    var store = storage();
    var timer = null;
    var saveDraft = function () {
      if (!store || !key) { return; }
      try { store.setItem(key, JSON.stringify({ at: new Date().toISOString(), values: snapshot(editForm) })); }
      catch (error) { /* storage full or refused: the beforeunload warning still protects the text */ }
    };
    var markDirty = function () {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(saveDraft, 400);
    };
    editForm.addEventListener("input", markDirty);
    editForm.addEventListener("change", markDirty);
    if (editForm.dataset.unsaved === "1") { dirty = true; saveDraft(); }
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      // Browsers show their own wording; setting returnValue is what asks them to.
      event.preventDefault();
      event.returnValue = "";
    });

    // An unsent draft left by a crash or a closed tab.
    var offer = document.getElementById("draft-offer");
    var stored = null;
    if (store && key && editForm.dataset.unsaved !== "1") {
      try { stored = JSON.parse(store.getItem(key) || "null"); } catch (error) { stored = null; }
    }
    if (stored && stored.values) {
      if (sameValues(stored.values, snapshot(editForm))) {
        store.removeItem(key);
      } else if (offer) {
        var when = new Date(stored.at);
        var pad = function (n) { return (n < 10 ? "0" : "") + n; };
        offer.querySelector("[data-draft-time]").textContent = pad(when.getDate()) + "/" + pad(when.getMonth() + 1) +
          "/" + when.getFullYear() + " " + pad(when.getHours()) + ":" + pad(when.getMinutes());
        offer.hidden = false;
        offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
          apply(editForm, stored.values);
          offer.hidden = true;
          dirty = true;
          updateStates();
        });
        offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
          store.removeItem(key);
          offer.hidden = true;
        });
      }
    }

    // The task index.
    var index = document.getElementById("task-index");
    var legend = index ? index.querySelector(".state-legend") : null;
    var stateOf = function (article) {
      var progress = article.querySelector("select[name$='progress']");
      var results = article.querySelector("textarea[name$='results']");
      var texts = Array.prototype.some.call(article.querySelectorAll("textarea"), function (t) { return t.value.trim(); });
      if (progress && progress.value && results && results.value.trim()) { return "done"; }
      return (progress && progress.value) || texts ? "partial" : "empty";
    };
    var updateStates = function () {
      if (!index) { return; }
      var empty = 0;
      index.querySelectorAll("li[data-index-for]").forEach(function (item) {
        var article = document.getElementById(item.dataset.indexFor);
        if (!article) { return; }
        var state = stateOf(article);
        item.dataset.state = state;
        article.dataset.state = state;
        if (state === "empty") { empty += 1; }
        var label = item.querySelector("[data-state-label]");
        if (label && legend) { label.textContent = legend.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)]; }
      });
      var count = index.querySelector("[data-index-count]");
      if (count && legend) { count.textContent = "(" + empty + " " + legend.dataset.labelEmpty + ")"; }
    };
    var narrow = window.matchMedia("(max-width: 760px)");
    var measure = function () {
      // Anchored tasks stop below the sticky index instead of underneath it.
      if (index) { document.documentElement.style.setProperty("--index-height", index.offsetHeight + "px"); }
    };
    if (index) {
      if (narrow.matches) { index.open = false; }
      index.addEventListener("toggle", measure);
      window.addEventListener("resize", measure);
      index.querySelectorAll("a[href^='#']").forEach(function (link) {
        link.addEventListener("click", function () { if (narrow.matches) { index.open = false; } measure(); });
      });
      measure();
      updateStates();
      editForm.addEventListener("input", updateStates);
      editForm.addEventListener("change", updateStates);
      var filter = index.querySelector("[data-filter-empty]");
      filter.addEventListener("change", function () {
        editForm.classList.toggle("only-empty", filter.checked);
      });
    }

    // The task being read: the last article whose top has passed the top of the screen.
    var place = editForm.querySelector("[data-place]");
    var articles = Array.prototype.slice.call(editForm.querySelectorAll("article.task-report"));
    var currentPlace = function () {
      var found = "";
      articles.forEach(function (article) {
        if (article.getBoundingClientRect().top < window.innerHeight / 3) { found = article.id; }
      });
      return found;
    };
    editForm.addEventListener("submit", function () { if (place) { place.value = currentPlace(); } });
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
