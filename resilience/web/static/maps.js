/* Shared by the map pages: a Leaflet map with the optional base tiles, the colours (defined
   once, in app.css, where a test checks their contrast), and HTML escaping for popups. */
(function () {
  "use strict";
  var css = getComputedStyle(document.documentElement);
  function color(name) { return css.getPropertyValue("--" + name).trim(); }

  var COLORS = {
    priority: {5: color("p5"), 4: color("p4"), 3: color("p3"), 2: color("p2"), 1: color("p1"), 0: color("done")},
    availability: {available: color("available"), busy: color("busy"), off: color("off")},
    task: {proposed: color("p1"), offered: color("busy"), accepted: color("available")},
    flood: color("accent"), outline: color("fg"), focus: color("focus"), boundary: color("muted")
  };

  // Base tiles only when the operator configured them (RESILIENCE_TILE_URL); every layer of
  // ours is drawn without them, so the map works offline at the posko.
  function create(el, options) {
    var map = L.map(el, options || {}).setView([-1.63, 113.69], 11);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: esc(el.dataset.attribution || "")}).addTo(map);
    }
    return map;
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  window.ResilienceMap = {create: create, colors: COLORS, esc: esc, getJSON: getJSON};
})();
