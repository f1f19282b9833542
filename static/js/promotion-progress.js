// The promotion report page: while the job runs, reload the page every 2 seconds to show its progress.
(function () {
  var box = document.getElementById("promotion");
  if (!box || box.dataset.finished) return;
  window.setTimeout(function () { window.location.reload(); }, 2000);
})();
