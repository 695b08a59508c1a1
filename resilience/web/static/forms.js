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
    var pmap = L.map(pick).setView([-1.63, 113.69], 12), marker = null;
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
    pmap.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); place(e.latlng);
    });
    var typed = function () {
      var a = number(lat.value, 90), b = number(lon.value, 180);
      if (!isNaN(a) && !isNaN(b)) place([a, b]);
    };
    lat.addEventListener("change", typed); lon.addEventListener("change", typed); typed();
    if (marker) pmap.setView(marker.getLatLng(), 14);  // an edit form: start at the stored point
  }
})();
