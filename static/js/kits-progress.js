// The progress of the kits' printing: classes done of the total, asked every 2 s; the page reloads when the job ends.
(function () {
  "use strict";
  var box = document.getElementById("kits-progress");
  if (!box || !window.fetch) { return; }
  var timer = setInterval(function () {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (p) {
        document.getElementById("kits-bar").value = p.done;
        document.getElementById("kits-done").textContent = p.done;
        if (p.finished) { clearInterval(timer); window.location.reload(); }
      })
      .catch(function () {});
  }, 2000);
})();
