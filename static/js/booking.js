/* Slot pickers: show free times in the visitor's own time zone (detected by the browser,
   changeable in the list), reloading only the list of slots. Without JavaScript the zone form
   still works with its button. */
(function () {
  "use strict";
  var detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    detected = "";
  }

  function load(picker, zone) {
    var list = picker.querySelector("[data-slots]");
    var url = picker.dataset.slotsUrl + (picker.dataset.slotsUrl.indexOf("?") < 0 ? "?" : "&") +
      "tz=" + encodeURIComponent(zone);
    picker.classList.add("is-loading");
    fetch(url, {headers: {"X-Slots": "1"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("slots " + response.status); }
        return response.text();
      })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () { /* the list already shows times in the zone named above it */ })
      .then(function () { picker.classList.remove("is-loading"); });
  }

  document.querySelectorAll("[data-slot-picker]").forEach(function (picker) {
    var select = picker.querySelector("select[name=tz]");
    picker.classList.add("has-js");
    select.addEventListener("change", function () { load(picker, select.value); });
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === detected;
    });
    if (!("zoneChosen" in picker.dataset) && known && select.value !== detected) {
      select.value = detected;
      load(picker, detected);
    }
  });
})();
