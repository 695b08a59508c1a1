/* A "Print" button (data-print) on printable pages: the page's own print styles do the rest. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
