// The admin form of a periodic task (django-celery-beat): the chosen crontab is spelled out under the field.
// The readable crontabs come from json_script, the field's own help text from this script's data-help.
(function ($) {
  "use strict";
  var help = document.currentScript.dataset.help;
  var readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var box = $(".field-crontab .help").empty();
    box.append(document.createTextNode(help), $("<br>"), document.createTextNode(
      "Translation: " + readable[$("#id_crontab").val()]));
  });
})(django.jQuery);
