/* Draw the flood area on a Leaflet map: click points (vertex markers), undo the last point,
   close the ring (button, or click the first point), start another ring, clear. The result is a
   GeoJSON Polygon (one ring) or MultiPolygon written into the form's textarea, which stays the
   keyboard and paste path: typing or uploading GeoJSON there redraws the shape on the map.
   A keyboard user can also pan the focused map with the arrow keys and add the point under the
   crosshair with "add a point at the map centre". Holes are not drawn; the server checks the
   geometry and says what is wrong with it. */
(function () {
  "use strict";

  function round6(x) { return Math.round(x * 1e6) / 1e6; }

  function attach(map, root, textarea) {
    var C = window.ResilienceMap.colors;
    var msg = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    var status = root.querySelector(".draw-status");
    var layer = L.layerGroup().addTo(map);
    var rings = [];       // closed rings: arrays of L.LatLng (not repeating the first point)
    var current = [];     // the ring being drawn
    var active = root.hasAttribute("data-active");
    var cross = null;

    function say(text) { status.textContent = text; }
    function fmt(text, n) { return text.replace("{n}", n); }

    function redraw() {
      layer.clearLayers();
      rings.forEach(function (ring) {
        L.polygon(ring, {color: C.flood, weight: 3, fillOpacity: 0.2, interactive: false}).addTo(layer);
      });
      if (current.length) {
        L.polyline(current, {color: C.flood, weight: 3, dashArray: "6 4", interactive: false}).addTo(layer);
        current.forEach(function (ll, i) {
          var vertex = L.circleMarker(ll, {radius: i === 0 ? 8 : 5, color: C.outline, weight: 2,
            fillColor: i === 0 ? C.focus : "#fff", fillOpacity: 1, bubblingMouseEvents: false});
          if (i === 0) {
            vertex.bindTooltip(msg.close_here);
            vertex.on("click", function () { if (active) close(); });
          }
          vertex.addTo(layer);
        });
      }
      root.querySelector("[data-draw=undo]").disabled = !current.length && !rings.length;
      root.querySelector("[data-draw=close]").disabled = current.length < 3;
      root.querySelector("[data-draw=clear]").disabled = !current.length && !rings.length;
    }

    function ringCoordinates(ring) {
      var coords = ring.map(function (ll) { return [round6(ll.lng), round6(ll.lat)]; });
      coords.push(coords[0].slice());
      return [coords];
    }

    function write() {
      if (!rings.length) { textarea.value = ""; return; }
      var geometry = rings.length === 1
        ? {type: "Polygon", coordinates: ringCoordinates(rings[0])}
        : {type: "MultiPolygon", coordinates: rings.map(ringCoordinates)};
      textarea.value = JSON.stringify(geometry);
    }

    function add(latlng) {
      current.push(L.latLng(latlng.lat, latlng.lng));
      redraw();
      say(fmt(current.length < 3 ? msg.points_more : msg.points_close, current.length));
    }

    function close() {
      if (current.length < 3) { say(msg.need_three); return; }
      rings.push(current); current = [];
      write(); redraw();
      say(fmt(msg.closed, rings.length));
    }

    function undo() {
      if (!current.length && rings.length) { current = rings.pop(); write(); }
      else { current.pop(); }
      redraw();
      say(fmt(msg.points_more, current.length));
    }

    function clear() {
      rings = []; current = [];
      write(); redraw();
      say(msg.cleared);
    }

    // Show what the textarea holds (typed, pasted or uploaded) as closed rings.
    function load(text) {
      var g;
      try { g = JSON.parse(text); } catch (e) { say(msg.not_json); return; }
      if (g && g.type === "Feature") g = g.geometry;
      if (g && g.type === "FeatureCollection" && g.features.length) g = g.features[0].geometry;
      var polys = g && g.type === "Polygon" ? [g.coordinates] : g && g.type === "MultiPolygon" ? g.coordinates : null;
      if (!polys) { say(msg.not_polygon); return; }
      try {
        rings = polys.map(function (poly) {
          var outer = poly[0].map(function (p) { return L.latLng(p[1], p[0]); });
          if (outer.length > 1 && outer[0].equals(outer[outer.length - 1])) outer.pop();
          return outer;
        });
      } catch (e) { say(msg.not_polygon); return; }
      current = [];
      redraw();
      var bounds = L.latLngBounds([].concat.apply([], rings));
      if (bounds.isValid()) map.fitBounds(bounds, {padding: [10, 10], maxZoom: 15, animate: false});
      say(fmt(msg.closed, rings.length));
    }

    function setActive(on) {
      active = on;
      map.getContainer().classList.toggle("drawing", on);
      if (on && !cross) cross = L.DomUtil.create("div", "crosshair", map.getContainer());
      if (cross) cross.hidden = !on;
    }

    map.on("click", function (e) { if (active) add(e.latlng); });
    root.querySelector("[data-draw=centre]").addEventListener("click", function () { add(map.getCenter()); });
    root.querySelector("[data-draw=undo]").addEventListener("click", undo);
    root.querySelector("[data-draw=close]").addEventListener("click", close);
    root.querySelector("[data-draw=clear]").addEventListener("click", clear);
    textarea.addEventListener("change", function () { if (textarea.value.trim()) load(textarea.value); else clear(); });
    root.hidden = false;
    setActive(active);
    if (textarea.value.trim()) load(textarea.value); else redraw();
    return {setActive: setActive, load: load, clear: clear};
  }

  window.ResilienceDraw = {attach: attach};
})();
