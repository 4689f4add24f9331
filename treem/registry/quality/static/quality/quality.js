// Data quality pages: print buttons and "tick all" boxes (no inline scripts: CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { event.preventDefault(); window.print(); }
});
document.addEventListener("change", function (event) {
  var box = event.target.closest("[data-check-all]");
  if (!box) return;
  document.querySelectorAll(box.getAttribute("data-check-all")).forEach(function (item) {
    if (!item.disabled) item.checked = box.checked;
  });
});
