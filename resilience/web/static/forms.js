/* Small form helpers: read an uploaded GeoJSON file into the textarea; place a point by clicking a map. */
(function () {
  "use strict";
  var file = document.getElementById("geojson-file");
  if (file) {
    file.addEventListener("change", function () {
      var f = file.files[0]; if (!f) return;
      var reader = new FileReader();
      reader.onload = function () {
        var text = reader.result;
        try { var g = JSON.parse(text); if (g.type === "FeatureCollection" && g.features.length) g = g.features[0].geometry;
              else if (g.type === "Feature") g = g.geometry; text = JSON.stringify(g); } catch (e) { /* the server says what is wrong */ }
        document.getElementById("f-affected_area").value = text;
      };
      reader.readAsText(f);
    });
  }
  var pick = document.getElementById("pick-map");
  if (pick && window.L) {
    var lat = document.getElementById("f-lat"), lon = document.getElementById("f-lon");
    var map = L.map(pick).setView([-1.63, 113.69], 12), marker = null;
    function place(ll) { if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(map); }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); place(e.latlng);
    });
    function typed() { var a = parseFloat(lat.value), b = parseFloat(lon.value); if (!isNaN(a) && !isNaN(b)) place([a, b]); }
    lat.addEventListener("change", typed); lon.addEventListener("change", typed); typed();
  }
})();
