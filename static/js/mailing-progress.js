// The progress of an invite mailing refreshes itself every 2 s until the mailing is finished
// (the section's data-url answers with JSON, data-finished is set once it is over).
(function () {
  "use strict";
  var box = document.getElementById("mailing");
  if (!box || box.dataset.finished || !window.fetch) { return; }
  var timer = setInterval(function () {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (p) {
        var bar = document.getElementById("mailing-bar");
        bar.max = p.total; bar.value = p.handled; bar.textContent = p.percent + "%";
        document.getElementById("mailing-status").textContent = p.status_display;
        document.getElementById("mailing-text").textContent = p.text.charAt(0).toUpperCase() + p.text.slice(1);
        if (p.finished) { clearInterval(timer); document.getElementById("mailing-hint").hidden = true; }
      })
      .catch(function () {});
  }, 2000);
})();
