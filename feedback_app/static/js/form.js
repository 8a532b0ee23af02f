/* Progressive enhancement of the stop form: "add another" without a round trip, and a submit
   button that cannot be pressed twice. Without this file the form works the same. */
(function () {
  "use strict";
  var form = document.getElementById("stop-form");
  if (!form) return;

  function renumber(entry, index) {
    entry.dataset.index = String(index);
    entry.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/-\d+-/, "-" + index + "-"));
      });
    });
    var label = entry.querySelector("label");
    if (label) label.textContent = label.textContent.replace(/\d+\s*$/, String(index + 1));
  }

  form.querySelectorAll(".add-entry").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var fieldset = button.closest("fieldset");
      var list = fieldset.querySelector(".entries");
      var entries = list.querySelectorAll(".entry");
      var copy = entries[entries.length - 1].cloneNode(true);
      copy.querySelectorAll("textarea").forEach(function (el) { el.value = ""; });
      copy.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
      copy.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      copy.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
      });
      copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      renumber(copy, entries.length);
      list.appendChild(copy);
      copy.querySelector("textarea").focus();
      if (entries.length + 1 >= Number(form.dataset.maxPerKind || 10)) button.hidden = true;
    });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "add") return;
    var button = form.querySelector(".submit");
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    if (button) button.setAttribute("aria-busy", "true");
    // On a slow network let the person try again; the client_id keeps it a single submission.
    setTimeout(function () {
      delete form.dataset.sending;
      if (button) button.removeAttribute("aria-busy");
    }, 8000);
  });
})();
