// The answer to a revision request (case page): "Resubmit" stays disabled until something changed, a corrected
// file chosen (or, when the agency named no document, a note written). Progressive enhancement: without this file
// the button works and the server refuses an unchanged resubmission with a sentence saying what to do.
(function () {
  "use strict";
  var form = document.querySelector("form[data-resubmit]");
  if (!form || form.hasAttribute("data-changed")) { return; }  // already answered (a file replaced earlier)
  var button = form.querySelector("button[type=submit]");
  var hint = form.querySelector("[data-resubmit-hint]");
  var files = form.querySelectorAll("input[type=file]");
  var note = form.querySelector("textarea[name=reason]");
  var noteCounts = form.hasAttribute("data-note-counts");
  if (hint) { hint.id = hint.id || "resubmit-hint"; button.setAttribute("aria-describedby", hint.id); }
  function changed() {
    for (var i = 0; i < files.length; i++) { if (files[i].files && files[i].files.length) { return true; } }
    return noteCounts && note && note.value.trim() !== "";
  }
  function update() {
    var ready = changed();
    button.disabled = !ready;
    button.setAttribute("aria-disabled", ready ? "false" : "true");
    if (hint) { hint.hidden = ready; }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
