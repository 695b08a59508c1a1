/* The proposal on a map: a line from each household to its proposed volunteer, coloured by the
   need's priority. Hovering or focusing a table row highlights its line; clicking a line selects
   its row. The table stays the way to act (swap, remove, confirm). */
(function () {
  "use strict";
  var M = window.ResilienceMap, C = M.colors;
  var el = document.getElementById("match-map");
  var data = JSON.parse(document.getElementById("match-data").textContent);
  var map = M.create(el, {preferCanvas: false});
  var lines = {}, bounds = L.latLngBounds([]);
  var selected = null;

  data.unserved.forEach(function (n) {
    if (!n.at) return;
    L.circleMarker(n.at, {radius: 4, color: C.priority[n.priority] || C.outline, weight: 2, fillColor: "#fff", fillOpacity: 1})
      .bindTooltip(M.esc(n.label)).addTo(map);
  });
  data.lines.forEach(function (t) {
    if (!t.need || !t.volunteer) return;
    var color = C.priority[t.priority] || C.outline;
    var group = L.featureGroup([
      L.polyline([t.need, t.volunteer], {color: color, weight: 3, opacity: 0.85}),
      L.circleMarker(t.need, {radius: 5, color: C.outline, weight: 1, fillColor: color, fillOpacity: 1}),
      L.circleMarker(t.volunteer, {radius: 4, color: C.outline, weight: 1, fillColor: "#fff", fillOpacity: 1})
    ]).bindTooltip(M.esc(t.label), {sticky: true}).addTo(map);
    group.on("click", function () { select(t.id, true); });
    lines[t.id] = group;
    bounds.extend(t.need); bounds.extend(t.volunteer);
  });
  if (bounds.isValid()) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 15, animate: false});

  function highlight(id, on) {
    var group = lines[id];
    if (!group) return;
    group.eachLayer(function (layer) {
      if (layer instanceof L.CircleMarker) layer.setStyle({weight: on ? 3 : 1});
      else layer.setStyle({weight: on ? 7 : 3, opacity: on ? 1 : 0.85});
    });
    if (on) { group.bringToFront(); group.openTooltip(); } else { group.closeTooltip(); }
  }

  function select(id, fromMap) {
    if (selected !== null) {
      highlight(selected, false);
      var old = document.getElementById("task-" + selected);
      if (old) old.classList.remove("selected");
    }
    selected = id;
    highlight(id, true);
    var row = document.getElementById("task-" + id);
    if (row) {
      row.classList.add("selected");
      if (fromMap) row.scrollIntoView({block: "nearest"});
    }
  }

  document.querySelectorAll("#proposal tbody tr[data-task]").forEach(function (row) {
    var id = Number(row.dataset.task);
    row.addEventListener("mouseenter", function () { select(id, false); });
    row.addEventListener("focusin", function () { select(id, false); });
  });
})();
