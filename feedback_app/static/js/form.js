/* Progressive enhancement of the stop form: "add another" and "remove" without a round trip, a
   live notice when contact details are typed without consent, and a draft kept
   on the device while typing (localStorage, one per stop), so a reload, a closed tab or a crashed
   browser gives the text back. Without this file the form works the same. offline.js builds on
   the helpers exported as window.Tournee. */
(function () {
  "use strict";
  var receipt = document.querySelector("[data-clear-draft]");
  if (receipt) {  // the thank-you page after a plain form post: that draft has arrived
    ["phone", "tablet"].forEach(function (mode) {
      try {
        localStorage.removeItem("tournee-draft:" + receipt.dataset.clearDraft + ":" + mode);
      } catch (e) { /* storage disabled */ }
    });
  }
  var form = document.getElementById("stop-form");
  if (!form) return;
  var draftKey = "tournee-draft:" + form.dataset.stop + ":" + (form.dataset.mode || "phone");
  var SKIP = { csrf_token: 1, client_id: 1, website: 1, add: 1, remove: 1 };

  function renumber(entry, index) {
    entry.dataset.index = String(index);
    entry.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/-\d+-/, "-" + index + "-"));
      });
    });
    entry.id = entry.id.replace(/-\d+-/, "-" + index + "-");
    var remove = entry.querySelector(".remove-entry");
    if (remove) remove.value = remove.value.replace(/\d+$/, String(index));
    var label = entry.querySelector("label");
    if (label) label.textContent = label.textContent.replace(/\d+\s*$/, String(index + 1));
  }

  // One box per kind at least; "remove" is offered once there are two.
  function refreshButtons(fieldset) {
    var entries = fieldset.querySelectorAll(".entry");
    entries.forEach(function (entry, i) {
      renumber(entry, i);
      var remove = entry.querySelector(".remove-entry");
      if (remove) remove.hidden = entries.length < 2;
    });
    var add = fieldset.querySelector(".add-entry");
    if (add) add.hidden = entries.length >= Number(form.dataset.maxPerKind || 10);
  }

  function clearErrors(root) {
    root.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    root.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
    });
    root.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  function addEntry(fieldset) {
    var list = fieldset.querySelector(".entries");
    var entries = list.querySelectorAll(".entry");
    var copy = entries[entries.length - 1].cloneNode(true);
    copy.querySelectorAll("textarea").forEach(function (el) {
      el.value = ""; el.removeAttribute("autofocus");
    });
    copy.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    clearErrors(copy);
    list.appendChild(copy);
    refreshButtons(fieldset);
    return copy;
  }

  function removeEntry(entry) {
    var fieldset = entry.closest("fieldset");
    var next = entry.nextElementSibling || entry.previousElementSibling;
    entry.remove();
    refreshButtons(fieldset);
    (next ? next.querySelector("textarea") : fieldset.querySelector(".add-entry")).focus();
  }

  form.querySelectorAll(".add-entry, .remove-entry").forEach(function (button) {
    // Not submit buttons any more, so that Enter in a field sends the form instead of adding
    // a box (the first submit button of a form is the one Enter presses).
    button.type = "button";
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".add-entry, .remove-entry");
    if (!button) return;
    event.preventDefault();
    if (button.classList.contains("add-entry")) {
      addEntry(button.closest("fieldset")).querySelector("textarea").focus();
    } else {
      removeEntry(button.closest(".entry"));
    }
    saveSoon();
  });

  // Contact details typed with the consent box unticked: say now what to do, unless the box's
  // error message says it already (one message about the box at a time).
  var notice = document.getElementById("contact-notice");
  function contactTyped() {
    return ["name", "email", "phone"].some(function (name) {
      var el = form.elements[name];
      return el && el.value.trim();
    });
  }
  function checkContact() {
    var consent = form.elements.consent_contact;
    if (notice && consent) {
      notice.hidden = consent.checked || !contactTyped() ||
        !!document.getElementById("consent_contact-error");
    }
    // Ticked or emptied: the box's error no longer applies.
    var error = document.getElementById("consent_contact-error");
    if (error && (consent.checked || !contactTyped())) {
      error.remove();
      consent.removeAttribute("aria-invalid");
      consent.setAttribute("aria-describedby", "privacy-notice");
      var field = consent.closest(".field");
      if (field) field.classList.remove("has-error");
    }
  }
  form.addEventListener("input", checkContact);
  form.addEventListener("change", checkContact);

  function userFields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "hidden" && el.type !== "submit";
    });
  }

  // Values kept from the contribution just sent ("another contribution"): not a draft by
  // themselves, so that nothing stays on the device once sent unless something new is typed.
  var kept = {};

  // The fields as {name: value}; checkboxes as true/false. Empty when nothing was typed.
  function snapshot() {
    var values = {}, typed = false;
    userFields().forEach(function (el) {
      var value = el.type === "checkbox" ? el.checked : el.value;
      values[el.name] = value;
      if (kept[el.name] !== undefined && kept[el.name] === value) return;
      if (value && (el.type !== "select-one" || el.selectedIndex > 0)) typed = true;
    });
    return typed ? values : null;
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var match = /^(\w+)-(\d+)-\w+$/.exec(name);
      if (match && !form.elements[name]) {
        var fieldset = form.querySelector('fieldset[data-kind="' + match[1] + '"]');
        var guard = 0;
        while (fieldset && !form.elements[name] && guard++ < 40) addEntry(fieldset);
      }
      var el = form.elements[name];
      if (!el || !el.type) return;
      if (el.type === "checkbox") el.checked = values[name] === true;
      else el.value = values[name];
    });
  }

  // Empty every field, drop the extra entries and old messages: the next person's blank form.
  // `keep`: names of fields that keep their value (the same person's next contribution).
  function blank(keep) {
    form.querySelectorAll(".entries").forEach(function (list) {
      list.querySelectorAll(".entry").forEach(function (entry, i) { if (i) entry.remove(); });
      refreshButtons(list.closest("fieldset"));
    });
    kept = {};
    userFields().forEach(function (el) {
      if (keep && keep.indexOf(el.name) >= 0) { kept[el.name] = el.value; return; }
      if (el.type === "checkbox") el.checked = false;
      else if (el.type === "select-one") el.selectedIndex = 0;
      else el.value = "";
    });
    clearErrors(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.remove();
    checkContact();
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), hex = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) hex.push((b[i] + 256).toString(16).slice(1));
    hex = hex.join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
            hex.slice(20)].join("-");
  }

  function saveDraft() {
    try {
      var values = snapshot();
      if (values) localStorage.setItem(draftKey, JSON.stringify(values));
      else localStorage.removeItem(draftKey);
    } catch (e) { /* storage full or disabled: the form still works */ }
  }
  function clearDraft() { try { localStorage.removeItem(draftKey); } catch (e) { /* */ } }

  var timer = null;
  function saveSoon() { clearTimeout(timer); timer = setTimeout(saveDraft, 300); }
  form.addEventListener("input", saveSoon);
  form.addEventListener("change", saveSoon);
  window.addEventListener("pagehide", saveDraft);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") saveDraft();
  });

  // A page rendered blank (not one the server sent back with errors) gets the draft back.
  if (!snapshot()) {
    try {
      var saved = JSON.parse(localStorage.getItem(draftKey) || "null");
      if (saved) restore(saved);
    } catch (e) { /* a damaged draft is dropped */ }
  }
  checkContact();

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && (submitter.name === "add" || submitter.name === "remove")) return;
    saveDraft();
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

  window.Tournee = {
    form: form, snapshot: snapshot, restore: restore, blank: blank, newId: newId,
    clearErrors: clearErrors, contactTyped: contactTyped, checkContact: checkContact,
    saveDraft: saveDraft, clearDraft: clearDraft, draftKey: draftKey
  };
})();
