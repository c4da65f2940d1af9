// The report form's city map: a tap, the arrow keys, the phone's position or typed coordinates place the pin, fill in
// latitude and longitude, and choose the kelurahan that holds the pin, with its kecamatan said beside the field. The
// kelurahan is found by ray casting over the kelurahan as drawn on the map (their paths carry data-code), as the
// server's kotalive/regions/locate.py does over the same boundaries; on submission the server decides again.
// Without JavaScript the coordinates are typed by hand and the server fills in the kelurahan.
(function () {
  var svg = document.getElementById("pin-map");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var select = document.getElementById("kelurahan");
  var said = document.getElementById("kelurahan-place");
  if (!svg || !lat || !lon || !select || !said) return;
  var b = svg.dataset;
  var south = parseFloat(b.south), west = parseFloat(b.west), north = parseFloat(b.north), east = parseFloat(b.east);
  var box = svg.viewBox.baseVal;
  var pin = document.getElementById("pin-map-pin");
  var here = null; // the pin in drawing units
  var shapes = Array.prototype.map.call(svg.querySelectorAll("path.kel[data-code]"), function (path) {
    // Each ring is one subpath "Mx,y l dx,dy dx,dy ... Z": its first point, then each step from the one before, in
    // tenths of a unit (regions.boundaries._path writes them so); summed in whole tenths, as path_rings does.
    var rings = path.getAttribute("d").split("M").filter(Boolean).map(function (subpath) {
      var halves = subpath.replace("Z", "").split("l");
      var at = halves[0].split(",").map(tenths);
      var ring = [[at[0] / 10, at[1] / 10]];
      (halves[1] || "").trim().split(/\s+/).filter(Boolean).forEach(function (step) {
        var d = step.split(",").map(tenths);
        at = [at[0] + d[0], at[1] + d[1]];
        ring.push([at[0] / 10, at[1] / 10]);
      });
      return ring;
    });
    return { path: path, code: path.dataset.code, rings: rings };
  });

  function tenths(number) {
    return Math.round(Number(number) * 10);
  }
  function crosses(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var x1 = ring[i][0], y1 = ring[i][1], x2 = ring[j][0], y2 = ring[j][1];
      if ((y1 > y) !== (y2 > y) && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
    }
    return inside;
  }
  function kelurahanAt(x, y) {
    // Even-odd over all of a kelurahan's rings: holes and the parts of a MultiPolygon count right. Where two
    // overlap, the first in code order (the document's order) holds the point, as on the server.
    for (var k = 0; k < shapes.length; k++) {
      var odd = false;
      for (var r = 0; r < shapes[k].rings.length; r++) if (crosses(shapes[k].rings[r], x, y)) odd = !odd;
      if (odd) return shapes[k];
    }
    return null;
  }
  function say(template, kelurahan, kecamatan) {
    said.textContent = template.replace("{kelurahan}", kelurahan).replace("{kecamatan}", kecamatan);
  }
  function mark(code) {
    shapes.forEach(function (s) {
      s.path.classList.toggle("chosen", s.code === code);
    });
  }
  function chosenOption() {
    return select.options[select.selectedIndex];
  }
  function kecamatanOf(option) {
    return option && option.parentNode && option.parentNode.label ? option.parentNode.label : "";
  }

  function place(x, y, typed) {
    x = Math.min(Math.max(x, 0), box.width);
    y = Math.min(Math.max(y, 0), box.height);
    here = { x: x, y: y };
    pin.setAttribute("transform", "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ")");
    pin.classList.remove("off");
    if (!typed) {
      lat.value = (north - (y / box.height) * (north - south)).toFixed(6);
      lon.value = (west + (x / box.width) * (east - west)).toFixed(6);
    }
    var shape = kelurahanAt(x, y);
    select.value = shape ? shape.code : "";
    if (shape && select.value === shape.code) {
      var option = chosenOption();
      say(said.dataset.in, option.text, kecamatanOf(option));
    } else {
      select.value = "";
      say(said.dataset.outside, "", "");
    }
    mark(select.value);
  }
  function placeTyped() {
    var la = parseFloat(lat.value.replace(",", ".")), lo = parseFloat(lon.value.replace(",", "."));
    if (isNaN(la) || isNaN(lo)) return;
    place(((lo - west) / (east - west)) * box.width, ((north - la) / (north - south)) * box.height, true);
  }

  svg.addEventListener("click", function (event) {
    var matrix = svg.getScreenCTM();
    if (!matrix) return;
    var point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    place(point.x, point.y, false);
  });
  // The keyboard's way to drop a pin: the map takes focus, the arrow keys move the pin (from the middle at first).
  svg.setAttribute("tabindex", "0");
  var keys = document.getElementById("pin-map-keys");
  if (keys) {
    keys.hidden = false;
    svg.setAttribute("aria-describedby", "pin-map-keys");
  }
  var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  svg.addEventListener("keydown", function (event) {
    var step = steps[event.key];
    if (!step && event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    var start = here || { x: box.width / 2, y: box.height / 2 };
    var size = event.shiftKey ? 15 : 3; // about 600 m and 120 m of ground
    place(start.x + (step ? step[0] * size : 0), start.y + (step ? step[1] * size : 0), false);
  });
  lat.addEventListener("change", placeTyped);
  lon.addEventListener("change", placeTyped);
  select.addEventListener("change", function () {
    var option = chosenOption();
    mark(select.value);
    if (select.value) say(said.dataset.kecamatan, option.text, kecamatanOf(option));
  });

  if (lat.value && lon.value) {
    var kept = select.value; // a form sent back keeps the reporter's own choice
    placeTyped();
    if (kept && kept !== select.value) {
      select.value = kept;
      mark(kept);
    }
  } else if (select.value) {
    mark(select.value);
  }

  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        lat.value = p.coords.latitude.toFixed(6);
        lon.value = p.coords.longitude.toFixed(6);
        placeTyped();
      });
    });
  }
})();
