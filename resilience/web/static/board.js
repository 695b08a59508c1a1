/* The task board updates without a reload: every few seconds it asks board/rows (the same
   filters) and swaps the table in place. It pauses while a coordinator is using a row's actions
   (an open "Actions", or focus inside the table), so nothing typed is lost, and while the tab
   is hidden. Changing a filter refreshes at once and keeps the address in step, so a reload
   shows the same board. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var status = document.getElementById("board-status");
  var form = document.getElementById("board-filters");
  var base = board.dataset.src.split("?")[0];
  var query = board.dataset.src.split("?")[1] || "";
  var every = (Number(board.dataset.poll) || 5) * 1000;
  var idle = status.textContent;
  var busy = false;

  function paused() {
    return board.querySelector("details[open]") !== null || board.contains(document.activeElement);
  }

  function refresh(force) {
    if (busy) return;
    if (!force && paused()) { status.textContent = status.dataset.paused; return; }
    busy = true;
    fetch(base + (query ? "?" + query : ""), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.redirected || (!response.ok && response.status !== 422)) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (!force && paused()) return;
        board.innerHTML = html;
        status.textContent = idle;
      })
      .catch(function () { status.textContent = status.dataset.failed; })
      .then(function () { busy = false; });
  }

  if (form) {
    form.addEventListener("change", function () {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value !== "") params.append(key, value); });
      query = params.toString();
      history.replaceState(null, "", form.action + (query ? "?" + query : ""));
      refresh(true);
    });
  }
  // A hidden tab asks nothing (a posko's link is weak); shown again, it catches up at once.
  setInterval(function () { if (!document.hidden) refresh(false); }, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(false); });
})();
