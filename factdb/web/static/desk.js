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

  /* Keyboard triage on a claim page. A status key picks the status and puts the cursor in the
     rationale; Ctrl+Enter (or Cmd+Enter) saves and opens the next unverified claim of the list;
     n / p walk the list; ? shows the keys. Keys are ignored while typing, except Ctrl+Enter and Esc. */
  var STATUS_KEYS = { u: "unverified", c: "confirmed", d: "disputed", f: "false", x: "unverifiable" };

  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.assign(link.href); }
  }

  function keyboardTriage() {
    var form = document.querySelector("form[data-keys='review']");
    if (!form) { return; }
    var status = form.querySelector("select[name='status']");
    var rationale = form.querySelector("textarea[name='rationale']");
    var next = form.querySelector("button[name='then'][value='next']");
    var help = document.getElementById("keys-help");
    document.querySelectorAll(".keys-hint").forEach(function (hint) { hint.hidden = false; });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form.contains(event.target)) {
        event.preventDefault();
        form.requestSubmit(next);
        return;
      }
      if (event.key === "Escape") {
        if (help) { help.hidden = true; }
        if (typing(event.target)) { event.target.blur(); }
        return;
      }
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var chosen = STATUS_KEYS[event.key];
      if (chosen) {
        event.preventDefault();
        status.value = chosen;
        status.dispatchEvent(new Event("change", { bubbles: true }));
        rationale.focus();
      } else if (event.key === "r") {
        event.preventDefault();
        rationale.focus();
      } else if (event.key === "n") {
        follow("nav.walk a[rel='next']");
      } else if (event.key === "p") {
        follow("nav.walk a[rel='prev']");
      } else if (event.key === "N") {
        follow("nav.walk a.review-next");
      } else if (event.key === "?" && help) {
        help.hidden = !help.hidden;
      }
    });
  }

  /* Fix an attribution by pointing: select words of the claim's sentence, then say whether they are
     the content or the cue; the offset fields (the no-script way) are filled in for the save. */
  function codePoints(text) { return Array.from(text).length; }

  function pointing() {
    var sentence = document.querySelector("section.context p.current[data-start]");
    var form = document.querySelector("form[data-form='attribution']");
    var tools = document.querySelector(".span-tools");
    if (!sentence || !form || !tools) { return; }
    document.querySelectorAll(".point-hint").forEach(function (hint) { hint.hidden = false; });
    var picked = null;
    function measure() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
      var range = selection.getRangeAt(0);
      if (!sentence.contains(range.startContainer) || !sentence.contains(range.endContainer)) { return null; }
      var before = document.createRange();
      before.setStart(sentence, 0);
      before.setEnd(range.startContainer, range.startOffset);
      var text = range.toString();
      var lead = text.length - text.replace(/^\s+/, "").length;
      var words = text.trim();
      if (!words) { return null; }
      var start = codePoints(before.toString() + text.slice(0, lead));
      var base = parseInt(sentence.dataset.start, 10);
      return { start: base + start, end: base + start + codePoints(words), words: words };
    }
    document.addEventListener("selectionchange", function () {
      picked = measure();
      tools.hidden = picked === null;
      if (picked) { tools.querySelector(".selected-words").textContent = "“" + picked.words + "”"; }
    });
    tools.addEventListener("click", function (event) {
      var use = event.target.dataset && event.target.dataset.use;
      if (!use || !picked) { return; }
      if (use === "content") {
        form.querySelector("[name='content_start']").value = picked.start;
        form.querySelector("[name='content_end']").value = picked.end;
      } else {
        form.querySelector("[name='cue']").value = picked.words;
      }
      form.scrollIntoView({ block: "center" });
      form.querySelector("button[type='submit']").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    selectAll();
    pointing();
    keyboardTriage();
    document.querySelectorAll("input[data-suggest][list]").forEach(typeahead);
  });
})();
