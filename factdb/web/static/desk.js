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

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
  });
})();
