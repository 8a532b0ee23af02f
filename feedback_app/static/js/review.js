// Review desk: a "check all" box for the list's selection, and the folded filters opened where
// there is room for them (the page works without this file: the filters open on a tap).
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var form = master.form;
    if (!form) { return; }
    master.addEventListener("change", function () {
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = master.checked;
      });
    });
  });
  var fold = document.getElementById("filters");
  if (fold && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
    fold.open = true;
  }
})();
