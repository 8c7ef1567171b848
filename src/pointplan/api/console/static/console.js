// pointplan console: the few things htmx does not do. No request leaves the service.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print-frame]");
  if (!button) return;
  var frame = document.getElementById(button.getAttribute("data-print-frame"));
  if (frame && frame.contentWindow) frame.contentWindow.print();
});
