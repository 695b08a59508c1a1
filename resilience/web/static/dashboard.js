/* Event dashboard: the map layers from map.json and the counters, refreshed every 30 s; for
   coordinators, drawing a new affected area on the same map (draw.js). Everything is fetched
   after the page has painted. */
(function () {
  "use strict";
  var M = window.ResilienceMap, C = M.colors, esc = M.esc;
  var labels = {}, lifecycle = {};  // kind -> {value: words}; kind -> [values in lifecycle order]
  var pairs = JSON.parse(document.getElementById("map-labels").textContent);
  Object.keys(pairs).forEach(function (kind) {
    labels[kind] = {}; lifecycle[kind] = [];
    pairs[kind].forEach(function (p) { labels[kind][p[0]] = p[1]; lifecycle[kind].push(p[0]); });
  });
  function word(kind, value) { return (labels[kind] && labels[kind][value]) || value; }
  var el = document.getElementById("map");
  var status = document.getElementById("map-status");
  var map = M.create(el, {preferCanvas: true});
  var groups = {
    kelurahan: L.layerGroup().addTo(map), flood: L.layerGroup().addTo(map),
    tasks: L.layerGroup().addTo(map), households: L.layerGroup().addTo(map), volunteers: L.layerGroup().addTo(map)
  };
  L.control.layers(null, groups, {collapsed: true}).addTo(map);
  var fitted = false, floodArea = null;

  // Officials get no household points but counts per kelurahan (by_kelurahan, with a shading
  // class and the legend's colours): the kelurahan are filled by households still waiting.
  var shadeLegend = document.getElementById("shade-legend");
  function shadeLegendFill(shading) {
    if (!shadeLegend || !shading) return;
    shadeLegend.innerHTML = "";
    shading.forEach(function (s) {
      var li = document.createElement("li"), sw = document.createElement("span");
      sw.className = "sq"; sw.style.backgroundColor = s.colour;  // CSSOM: allowed by the CSP
      li.appendChild(sw); li.appendChild(document.createTextNode(s.text));
      shadeLegend.appendChild(li);
    });
    shadeLegend.hidden = false;
  }

  function draw(data) {
    Object.keys(groups).forEach(function (k) { groups[k].clearLayers(); });
    var waiting = {};
    (data.by_kelurahan || []).forEach(function (row) { waiting[row.kelurahan] = row; });
    var shades = data.shading || [];
    var k = L.geoJSON(data.kelurahan, {
      style: function (f) {
        var row = waiting[f.properties.name];
        if (!data.by_kelurahan) return {color: C.boundary, weight: 1, fill: false, dashArray: "4"};
        var shade = shades[row ? row["class"] : 0];
        return {color: C.outline, weight: 1, fillColor: shade ? shade.colour : "#fff", fillOpacity: 0.8};
      },
      onEachFeature: function (f, layer) {
        var row = waiting[f.properties.name];
        var text = esc(f.properties.name);
        if (data.by_kelurahan && shadeLegend) {
          text += "<br>" + esc(shadeLegend.dataset.waiting) + ": " + (row ? row.waiting : 0);
        }
        layer.bindTooltip(text);
      }}).addTo(groups.kelurahan);
    shadeLegendFill(data.shading);
    var flood = null;
    floodArea = data.flood_area;
    if (data.flood_area) { flood = L.geoJSON(data.flood_area, {style: {color: C.flood, weight: 2, fillOpacity: 0.12}, interactive: false}).addTo(groups.flood); }
    data.tasks.forEach(function (t) {
      if (t.from && t.to) {
        L.polyline([t.from, t.to], {color: C.task[t.status] || C.outline, weight: 3, dashArray: t.status === "proposed" ? "5 5" : null})
          .bindTooltip(esc(t.code) + " · " + esc(word("task_status", t.status))).addTo(groups.tasks);
      }
    });
    data.households.forEach(function (h) {
      var color = h.status === "done" ? C.priority[0] : C.priority[h.priority] || C.outline;
      var needs = h.needs.map(function (n) {
        return esc(word("category", n.category)) + " (P" + n.priority + ", " + esc(word("need_status", n.status)) + ")";
      }).join("<br>");
      L.circleMarker(h.location, {radius: 6, color: C.outline, weight: h.status === "open" ? 1 : 2, fillColor: color, fillOpacity: 0.9})
        .bindPopup((h.head_name ? "<strong>" + esc(h.head_name) + "</strong><br>" : "") + esc(h.kelurahan) + "<br>" + needs)
        .addTo(groups.households);
    });
    data.volunteers.forEach(function (v) {
      if (!v.location) return;
      var avail = word("availability", v.availability);
      var icon = L.divIcon({className: "", html: '<span class="sq ' + esc(v.availability) + '"></span>', iconSize: [12, 12]});
      L.marker(v.location, {icon: icon, keyboard: false, title: (v.name ? v.name + " · " : "") + avail})
        .bindPopup((v.name ? esc(v.name) + "<br>" : "") + esc(avail) + "<br>" +
                   esc(v.skills.map(function (s) { return word("skill", s); }).join(", "))).addTo(groups.volunteers);
    });
    if (!fitted) {
      var b = (flood || k).getBounds();
      if (b.isValid()) { map.fitBounds(b, {padding: [10, 10], animate: false}); fitted = true; }
    }
    status.textContent = "";
    status.hidden = true;
  }

  // Coordinators: "edit the affected area" draws on this map while its panel is open.
  var panel = document.getElementById("area-edit");
  if (panel && window.ResilienceDraw) {
    var area = document.getElementById("f-affected_area");
    var drawing = ResilienceDraw.attach(map, document.getElementById("draw-tools"), area);
    var toggle = function () {
      drawing.setActive(panel.open);
      // While drawing, the markers step aside: a click adds a point instead of opening a popup.
      ["households", "volunteers", "tasks"].forEach(function (name) {
        if (panel.open) map.removeLayer(groups[name]); else groups[name].addTo(map);
      });
      if (panel.open && !area.value.trim() && floodArea) { area.value = JSON.stringify(floodArea); drawing.load(area.value); }
      if (panel.open) el.scrollIntoView({block: "nearest"});
    };
    panel.addEventListener("toggle", toggle);
    if (panel.open) toggle();
  }

  // JSON objects arrive with sorted keys: list statuses in their lifecycle order (the order of
  // the labels), priorities from 5 down.
  function order(obj, kind) {
    var keys = Object.keys(obj);
    if (kind && lifecycle[kind]) {
      var known = lifecycle[kind];
      return known.filter(function (k) { return k in obj; }).concat(keys.filter(function (k) { return known.indexOf(k) < 0; }));
    }
    return keys.sort(function (a, b) { return Number(b) - Number(a); });
  }
  function fill(id, obj, kind) {
    var dl = document.getElementById(id); dl.innerHTML = "";
    order(obj, kind).forEach(function (key) {
      var dt = document.createElement("dt"); dt.textContent = kind ? word(kind, key) : key;
      var dd = document.createElement("dd"); dd.textContent = obj[key];
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }
  var counters = document.getElementById("counters");
  function refresh() {
    M.getJSON(el.dataset.src).then(draw).catch(function () { status.hidden = false; status.textContent = status.dataset.failed; });
    M.getJSON(counters.dataset.src).then(function (c) {
      fill("c-needs", c.open_needs_by_priority); fill("c-tasks", c.tasks_by_status, "task_status");
      document.getElementById("c-served").textContent = c.households_served;
      var stock = document.getElementById("c-stock"), lines = document.getElementById("c-stock-lines"), s = c.stock_shortfall;
      if (stock && s) {
        stock.textContent = s.lines ? String(s.lines) : stock.dataset.none;
        lines.innerHTML = "";
        s.items.forEach(function (i) {
          var li = document.createElement("li");
          li.textContent = i.label + " (" + i.profile + "): " + stock.dataset.short + " " +
            Number(i.shortfall).toLocaleString(document.documentElement.lang) + " " + i.unit;
          lines.appendChild(li);
        });
      }
      document.getElementById("c-time").textContent = new Date().toLocaleTimeString(document.documentElement.lang);
    }).catch(function () {});
  }
  refresh();
  setInterval(refresh, 30000);
})();
