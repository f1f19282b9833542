// The member picker of the chat forms: a name filter, "check all" per section and a running count
// (its label comes from the counter's data-label).
(function () {
  "use strict";
  var picker = document.getElementById("member-picker");
  if (!picker) { return; }
  var boxes = picker.querySelectorAll('input[name="members"]');
  var counter = picker.querySelector("[data-picker-count]");
  var filter = document.getElementById("member-filter");
  var label = counter ? counter.dataset.label : "";
  function norm(text) { return text.toLowerCase().replace(/ё/g, "е"); }
  function count() {
    var n = 0;
    boxes.forEach(function (box) { if (box.checked) { n += 1; } });
    if (counter) { counter.textContent = label + " " + n; }
  }
  picker.querySelectorAll("[data-picker-tools]").forEach(function (el) { el.hidden = false; });
  picker.addEventListener("change", count);
  if (filter) {
    filter.addEventListener("input", function () {
      var words = norm(filter.value).split(/\s+/).filter(Boolean);
      picker.querySelectorAll("li[data-search]").forEach(function (row) {
        var text = norm(row.dataset.search);
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  }
  picker.querySelectorAll("button[data-check]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.dataset.check === "1";
      button.closest("fieldset").querySelectorAll("li[data-search]").forEach(function (row) {
        if (!row.hidden) { row.querySelector("input").checked = on; }
      });
      count();
    });
  });
  count();
})();
