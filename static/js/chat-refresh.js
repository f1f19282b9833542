// New messages of an open chat appear without reloading: every 5 s the page asks for the ones after the last
// shown (the list's data-fragment-url and data-after).
(function () {
  "use strict";
  var list = document.getElementById("chat-messages");
  if (!list || !list.dataset.fragmentUrl || !window.fetch) { return; }
  var url = list.dataset.fragmentUrl;
  function lastId() {
    var rows = list.querySelectorAll("li[data-id]");
    return rows.length ? rows[rows.length - 1].dataset.id : list.dataset.after;
  }
  function refresh() {
    fetch(url + "?after=" + encodeURIComponent(lastId()), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        // The fragment is HTML rendered and escaped by the server's templates.
        if (!html.trim()) { return; }
        var holder = document.createElement("template");
        holder.innerHTML = html;
        holder.content.querySelectorAll("li[data-id]").forEach(function (row) {
          if (!document.getElementById(row.id)) { list.appendChild(row); }
        });
        var empty = document.getElementById("chat-empty");
        if (empty) { empty.remove(); }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 5000);
})();
