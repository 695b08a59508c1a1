/* The count of open alerts in the main menu, refreshed every 30 seconds without a reload, so a
   coordinator on any page learns within a minute that something needs them. */
(function () {
  "use strict";
  var badge = document.getElementById("nav-alert-count");
  if (!badge || !window.fetch) return;
  var url = badge.getAttribute("data-url");

  function show(data) {
    badge.querySelector(".count").textContent = String(data.total);
    badge.querySelector(".words").textContent = " " + data.words;
    badge.hidden = !data.total;
    badge.classList.toggle("nav-count-emergency", data.emergencies > 0);
  }

  function refresh() {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* offline for a moment: the next refresh tries again */ });
  }

  window.resilienceRefreshAlertCount = refresh;  // for tests and for pages that change alerts
  window.setInterval(refresh, 30000);
})();
