// The inbox's "select all": ticks every report the reviewer's agency may still acknowledge (with some 120 units
// reporting, one click instead of a hundred). Without JavaScript each box is ticked by hand.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("inbox-select-all");
  if (!all) return;
  all.hidden = false;
  all.addEventListener("change", () => {
    document.querySelectorAll('input[name="submission"]').forEach((box) => {
      box.checked = all.checked;
    });
  });
});
