/* Event dashboard: the map layers from map.json and the counters, refreshed every 30 s. */
(function () {
  "use strict";
  var COLORS = {5: "#b00020", 4: "#e65100", 3: "#f9a825", 2: "#1e88e5", 1: "#6d9eeb", 0: "#2e7d32"};
  var AVAIL = {available: "#2e7d32", busy: "#ef6c00", off: "#9e9e9e"};
  var TASK = {proposed: "#777", offered: "#f9a825", accepted: "#2e7d32"};
  var el = document.getElementById("map");
  var map = L.map(el, {preferCanvas: true}).setView([-1.63, 113.69], 11);
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, {maxZoom: 19, attribution: "&copy; OpenStreetMap"}).addTo(map); }
  var groups = {
    kelurahan: L.layerGroup().addTo(map), flood: L.layerGroup().addTo(map),
    tasks: L.layerGroup().addTo(map), households: L.layerGroup().addTo(map), volunteers: L.layerGroup().addTo(map)
  };
  L.control.layers(null, groups, {collapsed: true}).addTo(map);
  var fitted = false;
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }

  function draw(data) {
    Object.keys(groups).forEach(function (k) { groups[k].clearLayers(); });
    var k = L.geoJSON(data.kelurahan, {style: {color: "#444", weight: 1, fill: false, dashArray: "4"},
      onEachFeature: function (f, layer) { layer.bindTooltip(esc(f.properties.name)); }}).addTo(groups.kelurahan);
    var flood = null;
    if (data.flood_area) { flood = L.geoJSON(data.flood_area, {style: {color: "#0b4f8a", weight: 2, fillOpacity: 0.15}}).addTo(groups.flood); }
    data.tasks.forEach(function (t) {
      if (t.from && t.to) { L.polyline([t.from, t.to], {color: TASK[t.status] || "#333", weight: 2}).bindTooltip(t.code + " · " + t.status).addTo(groups.tasks); }
    });
    data.households.forEach(function (h) {
      var color = h.status === "done" ? COLORS[0] : COLORS[h.priority] || "#555";
      var needs = h.needs.map(function (n) { return esc(n.category) + " (P" + n.priority + ", " + esc(n.status) + ")"; }).join("<br>");
      L.circleMarker(h.location, {radius: 6, color: "#222", weight: h.status === "open" ? 1 : 2, fillColor: color, fillOpacity: 0.9})
        .bindPopup((h.head_name ? "<strong>" + esc(h.head_name) + "</strong><br>" : "") + esc(h.kelurahan) + "<br>" + needs)
        .addTo(groups.households);
    });
    data.volunteers.forEach(function (v) {
      if (!v.location) return;
      var icon = L.divIcon({className: "", html: '<span class="sq ' + esc(v.availability) + '"></span>', iconSize: [12, 12]});
      L.marker(v.location, {icon: icon, keyboard: false, title: (v.name || "") + " " + v.availability})
        .bindPopup((v.name ? esc(v.name) + "<br>" : "") + esc(v.availability) + "<br>" + esc(v.skills.join(", "))).addTo(groups.volunteers);
    });
    if (!fitted) {
      var b = (flood || k).getBounds();
      if (b.isValid()) { map.fitBounds(b, {padding: [10, 10]}); fitted = true; }
    }
  }

  function fill(id, obj) {
    var dl = document.getElementById(id); dl.innerHTML = "";
    Object.keys(obj).forEach(function (key) {
      var dt = document.createElement("dt"); dt.textContent = key;
      var dd = document.createElement("dd"); dd.textContent = obj[key];
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }
  var counters = document.getElementById("counters");
  function refresh() {
    fetch(el.dataset.src, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(draw).catch(function () {});
    fetch(counters.dataset.src, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (c) {
      fill("c-needs", c.open_needs_by_priority); fill("c-tasks", c.tasks_by_status);
      document.getElementById("c-served").textContent = c.households_served;
      document.getElementById("c-time").textContent = new Date().toLocaleTimeString();
    }).catch(function () {});
  }
  refresh();
  setInterval(refresh, 30000);
})();
