/* factdb's editor's desk: progressive enhancements only. Every task works without this file. */
"use strict";

(function () {
  /* Select-all on the claims list: the header box ticks every row box of the page. */
  function selectAll() {
    var all = document.querySelector("table.claims input.select-all");
    if (!all) { return; }
    var boxes = document.querySelectorAll("table.claims input[name='claim_ids']");
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  }

  /* Typeahead for speaker fields: the field's datalist is filled with the speakers whose name or
     alias holds what was typed (a search on the server; no page lists every speaker). */
  function typeahead(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var typed = input.value.trim();
        if (typed.length < 2 || typed === asked) { return; }
        asked = typed;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(typed), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (speakers) {
            list.replaceChildren();
            speakers.forEach(function (speaker) {
              var option = document.createElement("option");
              option.value = speaker.name;
              var notes = [speaker.alias ? "also " + speaker.alias : "", speaker.role || ""].filter(Boolean);
              if (notes.length) { option.label = speaker.name + " (" + notes.join("; ") + ")"; }
              list.appendChild(option);
            });
          })
          .catch(function () { /* the field still takes a typed name without suggestions */ });
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    document.querySelectorAll("input[data-suggest][list]").forEach(typeahead);
  });
})();
