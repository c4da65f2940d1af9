// Places a pin on the report form's city map: a tap on the map, or the phone's position, fills latitude and
// longitude. Without JavaScript the fields are typed by hand (or left empty when a kelurahan or address is given).
(function () {
  var svg = document.getElementById("pin-map");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  if (!svg || !lat || !lon) return;
  var b = svg.dataset;
  var south = parseFloat(b.south), west = parseFloat(b.west), north = parseFloat(b.north), east = parseFloat(b.east);
  var box = svg.viewBox.baseVal;
  var pin = document.getElementById("pin-map-pin");
  function show(la, lo) {
    pin.setAttribute("cx", ((lo - west) / (east - west)) * box.width);
    pin.setAttribute("cy", ((north - la) / (north - south)) * box.height);
  }
  svg.addEventListener("click", function (event) {
    var rect = svg.getBoundingClientRect();
    var x = (event.clientX - rect.left) / rect.width, y = (event.clientY - rect.top) / rect.height;
    var la = north - y * (north - south), lo = west + x * (east - west);
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    show(la, lo);
  });
  if (lat.value && lon.value) show(parseFloat(lat.value), parseFloat(lon.value));
  var here = document.getElementById("use-location");
  if (here && navigator.geolocation) {
    here.hidden = false;
    here.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        lat.value = p.coords.latitude.toFixed(6);
        lon.value = p.coords.longitude.toFixed(6);
        show(p.coords.latitude, p.coords.longitude);
      });
    });
  }
})();
