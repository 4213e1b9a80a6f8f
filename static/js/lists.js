// The prospect and contact lists: ticking rows for a bulk action (or every row matching the
// filter), showing the action's own choice, asking before a bulk delete, and saving the view
// the URL shows now (htmx updates the URL as the filter changes).
(function () {
  "use strict";

  function bulkForm() { return document.getElementById("bulk-form"); }
  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name=ids][form=bulk-form]"));
  }

  function refresh() {
    var form = bulkForm();
    if (!form) return;
    var boxes = rowBoxes();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var all = form.querySelector("[data-select-all-input]");
    var matching = document.querySelector(".select-all-matching");
    var total = matching ? parseInt(matching.getAttribute("data-total"), 10) : ticked;
    var everyMatching = all.value === "1";
    form.hidden = ticked === 0;
    form.querySelector("[data-bulk-count]").textContent = everyMatching
      ? "All " + total + " matching selected"
      : ticked + " selected";
    var pageBox = document.querySelector("[data-select-page]");
    if (pageBox) pageBox.checked = boxes.length > 0 && ticked === boxes.length;
    if (matching) matching.hidden = !(boxes.length > 0 && ticked === boxes.length);
    if (matching && everyMatching) {
      matching.querySelector("[data-page-note]").textContent = "All " + total + " matching this filter are selected.";
      var button = matching.querySelector("[data-select-matching]");
      if (button) button.hidden = true;
    }
  }

  function showParam(action) {
    var form = bulkForm();
    if (!form) return;
    form.querySelectorAll("[data-param]").forEach(function (span) {
      span.hidden = span.getAttribute("data-param").split(" ").indexOf(action) === -1;
    });
  }

  function clearAll() {
    var form = bulkForm();
    if (form) form.querySelector("[data-select-all-input]").value = "";
    rowBoxes().forEach(function (box) { box.checked = false; });
    refresh();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-page]")) {
      rowBoxes().forEach(function (box) { box.checked = target.checked; });
      if (!target.checked) bulkForm().querySelector("[data-select-all-input]").value = "";
      refresh();
    } else if (target.matches("input[name=ids][form=bulk-form]")) {
      if (!target.checked) bulkForm().querySelector("[data-select-all-input]").value = "";
      refresh();
    } else if (target.matches("[data-bulk-action]")) {
      showParam(target.value);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-select-matching]")) {
      bulkForm().querySelector("[data-select-all-input]").value = "1";
      refresh();
    } else if (event.target.closest("[data-bulk-clear]")) {
      clearAll();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "bulk-form") {
      var action = form.querySelector("[data-bulk-action]").value;
      var count = form.querySelector("[data-bulk-count]").textContent;
      if (action === "delete" && !window.confirm("Delete " + count.replace(" selected", "") + "? This cannot be undone.")) {
        event.preventDefault();
      }
    } else if (form.classList.contains("save-view")) {
      form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    }
  });

  // A new page of rows (a filter, htmx) starts with nothing ticked.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.matches && event.target.matches("[data-bulk-rows]")) clearAll();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var action = document.querySelector("[data-bulk-action]");
    if (action) showParam(action.value);
    refresh();
  });
})();
