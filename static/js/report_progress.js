// The progress page of a generated PDF: ask the JSON status endpoint every few seconds and reload the page
// once the file is ready or has failed (the page then shows the download link or the error). Without
// JavaScript the page asks to be reloaded (no <meta refresh>: djLint H052, and the CSP allows no inline script).
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  var interval = (parseInt(box.dataset.interval, 10) || 2) * 1000;
  var label = document.getElementById("report-status");
  // "Interrupted, retrying": shown while the render's heartbeat says its worker stopped (issue 10).
  var interrupted = document.getElementById("report-interrupted");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, interval * 2); return; }
        if (label && (label.dataset.status !== data.status || label.textContent !== data.label)) {
          label.textContent = data.label;
          label.dataset.status = data.status;
        }
        if (interrupted) { interrupted.hidden = !data.interrupted; }
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, interval); }
      })
      .catch(function () { window.setTimeout(poll, interval * 2); });
  }
  window.setTimeout(poll, interval);
})();
