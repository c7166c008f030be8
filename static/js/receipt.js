// Optional help on the receipt page; the page works the same without it.
(function () {
  "use strict";
  var box = document.querySelector("[data-receipt]");
  if (!box) { return; }
  var confirmed = false;
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () { confirmed = true; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!confirmed) { event.preventDefault(); event.returnValue = ""; }
  });
  var leave = document.getElementById("leave");
  if (leave) { leave.addEventListener("click", function () { confirmed = true; }); }
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
