// The progress of a roster import: rows done of the total, asked every 2 s; the page reloads when the job ends.
(function () {
  "use strict";
  var box = document.getElementById("roster-progress");
  if (!box || !window.fetch) { return; }
  var timer = setInterval(function () {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (p) {
        document.getElementById("roster-bar").value = p.done;
        document.getElementById("roster-done").textContent = p.done;
        if (p.finished) { clearInterval(timer); window.location.reload(); }
      })
      .catch(function () {});
  }, 2000);
})();
