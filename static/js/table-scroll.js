// The «Таблицу можно прокрутить вбок →» hint above a table is kept only where the table is wider than its frame.
(function () {
  "use strict";
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var hint = wrap.previousElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) {
        hint.classList.toggle("scroll-hint-needless", wrap.scrollWidth <= wrap.clientWidth + 1);
      }
    });
  }
  window.addEventListener("resize", update);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
