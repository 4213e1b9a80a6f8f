// The automation builder shows the filters of the chosen trigger only. Adding and removing
// condition and step rows is shared behaviour (data-take-index, data-remove-row in app.js).
(function () {
  "use strict";
  var data = document.getElementById("trigger-filters");
  var trigger = document.getElementById("id_trigger_type");
  if (!data || !trigger) return;
  var filters = JSON.parse(data.textContent);

  function show() {
    var wanted = filters[trigger.value] || [];
    document.querySelectorAll("#trigger-fields [data-filter]").forEach(function (field) {
      field.hidden = wanted.indexOf(field.dataset.filter) < 0;
    });
    var hint = document.querySelector(".filter-hint");
    if (hint) hint.hidden = wanted.length === 0;
  }

  trigger.addEventListener("change", show);
  show();
})();
