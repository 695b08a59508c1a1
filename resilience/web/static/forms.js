/* Small form helpers: read an uploaded GeoJSON file into the textarea; draw the flood area on the
   new-event map (draw.js); place a point by clicking a map. */
(function () {
  "use strict";
  var area = document.getElementById("f-affected_area");
  var file = document.getElementById("geojson-file");
  if (file && area) {
    file.addEventListener("change", function () {
      var f = file.files[0]; if (!f) return;
      var reader = new FileReader();
      reader.onload = function () {
        var text = reader.result;
        try { var g = JSON.parse(text); if (g.type === "FeatureCollection" && g.features.length) g = g.features[0].geometry;
              else if (g.type === "Feature") g = g.geometry; text = JSON.stringify(g); } catch (e) { /* the server says what is wrong */ }
        area.value = text;
        area.dispatchEvent(new Event("change"));  // draw.js shows it on the map
      };
      reader.readAsText(f);
    });
  }

  var drawMap = document.getElementById("draw-map");
  if (drawMap && area && window.L && window.ResilienceMap && window.ResilienceDraw) {
    var map = ResilienceMap.create(drawMap, {keyboard: true});
    ResilienceMap.getJSON(drawMap.dataset.areas).then(function (areas) {
      var k = L.geoJSON(areas, {style: {color: ResilienceMap.colors.boundary, weight: 1, fill: false, dashArray: "4"},
        interactive: false}).addTo(map);
      if (!area.value.trim() && k.getBounds().isValid()) map.fitBounds(k.getBounds(), {animate: false});
    }).catch(function () { /* the boundaries only help orientation */ });
    ResilienceDraw.attach(map, document.getElementById("draw-tools"), area);
  }

  var pick = document.getElementById("pick-map");
  if (pick && window.L) {
    var lat = document.getElementById("f-lat"), lon = document.getElementById("f-lon");
    var precision = document.getElementById("f-location_precision");  // the household form only
    var select = document.getElementById("f-admin_area");
    var badge = document.getElementById("precision-now");
    var pmap = window.ResilienceMap ? ResilienceMap.create(pick) : L.map(pick).setView([-1.63, 113.69], 12);
    var marker = null, areas = null, chosen = null;
    var setPrecision = function (value) {
      if (!precision) return;
      precision.value = value === "kelurahan" ? "" : value;
      if (badge) {
        var span = document.createElement("span");
        span.className = "badge prec-" + value;
        span.textContent = pick.getAttribute("data-prec-" + value) || value;
        badge.replaceChildren(span);
      }
    };
    var place = function (ll) {
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(pmap);
      var p = marker.getLatLng();
      pick.dataset.point = p.lat + "," + p.lng;  // where the marker stands, as the form would send it
    };
    // what the server accepts: a decimal point or comma, nothing else around the number
    var number = function (text, limit) {
      var t = text.trim().replace(",", ".");
      if (!/^[-+]?\d+(\.\d+)?$/.test(t)) return NaN;
      var x = Number(t);
      return Math.abs(x) <= limit ? x : NaN;
    };
    // ray casting over a GeoJSON (Multi)Polygon: is [lng, lat] inside?
    var inRing = function (ring, x, y) {
      var inside = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    };
    var contains = function (geometry, x, y) {
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      return polygons.some(function (rings) {
        return inRing(rings[0], x, y) && !rings.slice(1).some(function (hole) { return inRing(hole, x, y); });
      });
    };
    var highlight = function (fit) {
      if (!areas) return;
      chosen = null;
      areas.eachLayer(function (layer) {
        var on = select && layer.feature.properties.code === select.value;
        layer.setStyle(on ? {color: ResilienceMap.colors.focus, weight: 3, fillOpacity: 0.15}
                          : {color: ResilienceMap.colors.boundary, weight: 1, fillOpacity: 0.02});
        if (on) { chosen = layer; layer.bringToFront(); }
      });
      if (fit && chosen && !marker) pmap.fitBounds(chosen.getBounds(), {animate: false, maxZoom: 15});
    };
    var follow = function (y, x) {  // the kelurahan follows the point (the server checks they agree)
      if (!areas || !select) return;
      var found = "";
      areas.eachLayer(function (layer) {
        if (contains(layer.feature.geometry, x, y)) found = layer.feature.properties.code;
      });
      select.value = found;  // outside every known kelurahan: none
      highlight(false);
    };
    pmap.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); place(e.latlng);
      setPrecision("map");
      follow(e.latlng.lat, e.latlng.lng);
    });
    var typed = function () {
      var a = number(lat.value, 90), b = number(lon.value, 180);
      if (!isNaN(a) && !isNaN(b)) { place([a, b]); return [a, b]; }
      return null;
    };
    var changed = function () {
      var point = typed();
      if (point) follow(point[0], point[1]);
      setPrecision(lat.value.trim() || lon.value.trim() ? "gps" : "kelurahan");
    };
    lat.addEventListener("change", changed); lon.addEventListener("change", changed); typed();
    if (marker) pmap.setView(marker.getLatLng(), 14);  // an edit form: start at the stored point
    if (select) select.addEventListener("change", function () { highlight(true); });
    if (pick.dataset.areas && window.ResilienceMap) {
      ResilienceMap.getJSON(pick.dataset.areas).then(function (data) {
        areas = L.geoJSON(data, {
          style: {color: ResilienceMap.colors.boundary, weight: 1, fillOpacity: 0.02},
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(ResilienceMap.esc(feature.properties.name),
                              {permanent: true, direction: "center", className: "area-label"});
          }
        }).addTo(pmap);
        // a click inside a kelurahan reaches the map too (paths pass their mouse events on)
        if (!marker && areas.getBounds().isValid()) pmap.fitBounds(areas.getBounds(), {animate: false});
        highlight(true);
        pick.dataset.ready = "1";
      }).catch(function () { pick.dataset.ready = "0"; /* the boundaries only help orientation */ });
      if (pick.dataset.eventMap) {  // the new-household form of an event: its flood area and the households already registered
        ResilienceMap.getJSON(pick.dataset.eventMap).then(function (data) {
          if (data.flood_area) {
            L.geoJSON(data.flood_area, {style: {color: ResilienceMap.colors.flood, weight: 2, dashArray: "6 4", fillOpacity: 0.08,
                                                className: "flood-area"}, interactive: false}).addTo(pmap);
          }
          (data.households || []).forEach(function (h) {
            if (!h.location) return;
            L.circleMarker(h.location, {radius: 5, weight: 1, color: ResilienceMap.colors.outline,
              fillColor: ResilienceMap.colors.priority[h.priority] || ResilienceMap.colors.boundary, fillOpacity: 0.9,
              className: "known-household"})
              .bindTooltip(ResilienceMap.esc(h.head_name || "") + (h.kelurahan ? " · " + ResilienceMap.esc(h.kelurahan) : ""))
              .addTo(pmap);  // a click on a dot still reaches the map (paths pass their clicks on)
          });
          pick.dataset.eventReady = "1";
        }).catch(function () { pick.dataset.eventReady = "0"; });
      }
    } else {
      pick.dataset.ready = "1";
    }
  }
})();
