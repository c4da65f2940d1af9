// Small page behaviours that every page shares; each page works without them.
(function () {
  "use strict";
  // A failed form: move focus to its error summary, so a screen reader and a keyboard start from the list of problems.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
