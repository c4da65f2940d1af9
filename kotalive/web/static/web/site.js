// Small page behaviours that every page shares; each page works without them.
(function () {
  "use strict";
  // A failed form: move focus to its error summary, so a screen reader and a keyboard start from the list of problems.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Tables on a phone: each cell gets its column's header as `data-label`, so site.css can show a row as a card
  // ("Status: selesai") below 40em instead of a table cut off sideways. Without this script the table scrolls in
  // its wrapper, which says so. A table whose header cells span columns (a heat map, a grid) keeps scrolling.
  function text(cell) { return (cell.textContent || "").replace(/\s+/g, " ").trim(); }
  var tables = document.querySelectorAll("main table");
  for (var t = 0; t < tables.length; t++) {
    var table = tables[t];
    if (table.classList.contains("heat") || table.hasAttribute("data-no-cards")) { continue; }
    var head = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0] : null;
    if (!head) { continue; }
    var labels = [];
    var spanned = false;
    for (var h = 0; h < head.cells.length; h++) {
      if (head.cells[h].colSpan > 1) { spanned = true; }
      labels.push(text(head.cells[h]));
    }
    // Two columns fit a phone as they are (a name and its number); a card a row would only make the list longer.
    if (spanned || labels.length < 3) { continue; }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var cells = rows[r].cells;
        // A row of one cell spanning the table ("nothing yet") stays a plain line.
        if (cells.length === 1 && cells[0].colSpan > 1) { rows[r].classList.add("only"); continue; }
        var column = 0;
        for (var c = 0; c < cells.length; c++) {
          var label = labels[column];
          if (label && !cells[c].hasAttribute("data-label")) { cells[c].setAttribute("data-label", label); }
          column += cells[c].colSpan || 1;
        }
      }
    }
    // Shown as blocks, a table loses its meaning for some screen readers: the roles keep it a table.
    table.setAttribute("role", "table");
    var parts = table.querySelectorAll("thead, tbody, tfoot");
    for (var p = 0; p < parts.length; p++) { parts[p].setAttribute("role", "rowgroup"); }
    var all = table.rows;
    for (var a = 0; a < all.length; a++) {
      all[a].setAttribute("role", "row");
      for (var k = 0; k < all[a].cells.length; k++) {
        var cell = all[a].cells[k];
        var header = cell.tagName === "TH";
        cell.setAttribute("role", !header ? "cell" : (cell.parentNode.parentNode.tagName === "THEAD" ? "columnheader" : "rowheader"));
      }
    }
    table.classList.add("cards-on-phone");
    var wrap = table.closest(".table-wrap");
    if (wrap) { wrap.classList.add("carded"); }
  }
})();
