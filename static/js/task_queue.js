// The task queue's keys, as its hint bar lists them: J and K move between tasks (the arrow keys
// too, on a task), C completes the task (a call opens its outcome dialog), S skips it, Z opens
// its snooze menu. Keys are ignored while typing and while a dialog is open.
(function () {
  "use strict";

  function rows() {
    return Array.from(document.querySelectorAll("[data-task-queue] [data-task-row]"));
  }

  function workable(row) {
    return !!row.querySelector("[data-action=complete]");
  }

  function current() {
    return document.activeElement && document.activeElement.closest("[data-task-row]");
  }

  function select(row) {
    if (!row) return;
    rows().forEach(function (each) {
      each.classList.toggle("selected", each === row);
    });
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function step(direction) {
    var all = rows().filter(workable);
    if (!all.length) return;
    var at = all.indexOf(current() || document.querySelector("[data-task-row].selected"));
    var next = at < 0 ? all[0] : all[Math.min(Math.max(at + direction, 0), all.length - 1)];
    select(next);
  }

  function act(action) {
    var row = current() || document.querySelector("[data-task-row].selected");
    if (!row) {
      step(1);
      row = current();
    }
    if (!row) return;
    var control = row.querySelector("[data-action=" + action + "]");
    if (!control) return;
    if (action === "snooze") {
      var menu = control.closest("details");
      menu.open = true;
      var first = menu.querySelector("button");
      if (first) first.focus();
      return;
    }
    // The row after this one is next once the answer comes back.
    var after = rows().filter(workable);
    var next = after[after.indexOf(row) + 1];
    if (next) next.dataset.nextUp = "";
    control.click();
  }

  var keys = {
    j: function () { step(1); },
    k: function () { step(-1); },
    c: function () { act("complete"); },
    s: function () { act("skip"); },
    z: function () { act("snooze"); },
  };

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-task-queue]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, dialog, [contenteditable]")) return;
    var key = event.key.toLowerCase();
    if (key === "arrowdown" && current()) key = "j";
    if (key === "arrowup" && current()) key = "k";
    if (key === "enter" && event.target.matches("[data-task-row]")) key = "c";
    if (!keys[key]) return;
    event.preventDefault();
    keys[key]();
  });

  // After a task is done, skipped or snoozed, go on to the next one.
  document.addEventListener("htmx:afterSettle", function () {
    var next = document.querySelector("[data-task-row][data-next-up]");
    // While the outcome dialog is open the task is not done yet.
    if (!next || document.querySelector("dialog[open]")) return;
    delete next.dataset.nextUp;
    select(next);
  });

  // A snooze menu closes when the rep clicks elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-snooze-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
