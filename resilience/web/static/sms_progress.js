/* The match page's task SMS counts (queued, sending, sent, …): polled every few seconds while
   some are still going out, so a coordinator sees the offers leave without reloading. */
(function () {
  "use strict";
  var box = document.getElementById("sms-progress");
  if (!box || !window.fetch) return;
  var url = box.dataset.url;

  function show(counts) {
    box.querySelectorAll(".sms-count").forEach(function (el) {
      var n = counts[el.dataset.status];
      if (n !== undefined) el.querySelector("strong").textContent = String(n);
    });
    return (counts.queued || 0) + (counts.sending || 0);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (counts && show(counts) > 0) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }

  var going = 0;
  ["queued", "sending"].forEach(function (s) {
    var el = box.querySelector('.sms-count[data-status="' + s + '"] strong');
    if (el) going += Number(el.textContent) || 0;
  });
  if (going > 0) window.setTimeout(poll, 1000);
})();
