/* Offline-first sending of the stop form. A submit goes into the device's outbox (outbox.js)
   and is sent through the JSON API at once; when the network fails it stays there, the page says
   so, and it is sent when the connection returns (online event, next visit, Background Sync).
   When the server refuses the content (422), its messages are shown next to the fields here,
   as the server would show them, without a second round trip; for a closed stop the plain form
   post takes over so that the server explains.
   Without IndexedDB or fetch this file does nothing and the plain form post is used. */
(function () {
  "use strict";
  var T = window.Tournee, Outbox = window.TourneeOutbox;
  var ui = document.getElementById("offline-ui");
  if (!T || !Outbox || !ui || !window.indexedDB || !window.fetch || !window.Promise) return;
  var form = T.form, stop = form.dataset.stop, tablet = form.dataset.mode === "tablet";
  var text = ui.dataset, done = document.getElementById("done");
  var list = document.getElementById("outbox-list"), outbox = document.getElementById("outbox");
  var busy = false, retryTimer = null, retryDelay = 0, SYNC_TAG = "tournee-outbox";

  // A page served from the cache carries an old id: every form shown gets a fresh one.
  form.elements.client_id.value = T.newId();

  function mark(el, message) {
    var field = el.closest(".field"), note = document.createElement("p");
    // A checkbox's message goes above its line, as the server puts it.
    var before = el.type === "checkbox" && field ? field : el;
    if (field) field.classList.add("has-error");
    note.className = "error";
    note.id = el.id + "-error";
    note.textContent = message;
    before.parentNode.insertBefore(note, before);
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", note.id);
  }

  function labelOf(el) {
    var label = el.id && form.querySelector('label[for="' + el.id + '"]');
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : "";
  }

  // The list of problems above the form, like the server's, each a link to its field.
  function summarise(problems) {
    var old = document.getElementById("error-summary");
    if (old) old.remove();
    if (!problems.length) return;
    var box = document.createElement("div"), title = document.createElement("h2");
    var list = document.createElement("ul");
    box.className = "error-summary";
    box.id = "error-summary";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    title.textContent = text.fix;
    box.appendChild(title);
    problems.forEach(function (p) {
      var li = document.createElement("li"), link = document.createElement("a");
      var label = p[0] && labelOf(p[0]);
      link.href = p[0] && p[0].id ? "#" + p[0].id : "#entries";
      link.textContent = label ? label + " : " + p[1] : p[1];
      li.appendChild(link);
      list.appendChild(li);
    });
    box.appendChild(list);
    form.parentNode.insertBefore(box, form);
    return box;
  }

  // Each message next to its field; the server's refusals are listed above the form too, as the
  // server lists them, while what is checked here moves the cursor to the first field to fix.
  function show(problems, listed) {
    T.clearErrors(form);
    problems.forEach(function (p) { if (p[0]) mark(p[0], p[1]); });
    T.checkContact();  // the consent notice gives way to the box's error
    var box = summarise(listed ? problems : []);
    if (box) box.focus();
    else if (problems.length && problems[0][0]) problems[0][0].focus();
  }

  // The service checks everything again; this only stops an empty form from being queued, and
  // contact details from being dropped without a word.
  function missing() {
    var problems = [];
    ["organisation", "category"].forEach(function (name) {
      var el = form.elements[name];
      if (el && !el.value.trim()) problems.push([el, text.required]);
    });
    var boxes = form.querySelectorAll(".entry textarea");
    if (!Array.prototype.some.call(boxes, function (b) { return b.value.trim(); })) {
      problems.push([boxes[0], text.needItem]);
    }
    // The contact fields are checked with the consent box, in the same round: a person who ticks
    // the box is not then told that the address was mistyped. Roughly as the service does (it
    // checks again): the browser's e-mail syntax, 9 to 15 digits for a phone number.
    var consent = form.elements.consent_contact;
    if (consent && !consent.checked && T.contactTyped()) problems.push([consent, text.consent]);
    var email = form.elements.email, phone = form.elements.phone;
    if (email && email.value.trim() && email.validity && email.validity.typeMismatch) {
      problems.push([email, text.email]);
    }
    if (phone && phone.value.trim()) {
      var digits = phone.value.replace(/\D/g, "").length;
      if (digits < 9 || digits > 15 || /[^\d\s+().\/-]/.test(phone.value)) {
        problems.push([phone, text.phone]);
      }
    }
    show(problems, false);
    return problems.length > 0;
  }

  // The API's 422 errors ("organisation", "items.2.text"...) next to the fields they are about;
  // `entries` are the form's entries in the order of the items sent.
  function showRefusal(errors, entries) {
    var problems = [];
    Object.keys(errors).forEach(function (path) {
      var parts = path.split("."), el = null;
      if (parts[0] === "items" && parts.length > 1 && entries[Number(parts[1])]) {
        var entry = entries[Number(parts[1])];
        el = entry.querySelector('[name$="-' + (parts[2] || "text") + '"]') ||
          entry.querySelector("textarea");
      } else if (parts[0] === "items") {
        el = form.querySelector(".entry textarea");
      } else if (form.elements[parts[0]] && form.elements[parts[0]].type !== "hidden") {
        el = form.elements[parts[0]];
      }
      [].concat(errors[path]).forEach(function (message) { problems.push([el, message]); });
    });
    show(problems, true);
  }

  function payload(entries) {
    var f = form.elements, items = [];
    form.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
      fieldset.querySelectorAll(".entry").forEach(function (entry) {
        var box = entry.querySelector("textarea");
        if (!box.value.trim()) return;
        var item = { kind: fieldset.dataset.kind, text: box.value };
        var theme = entry.querySelector('select[name$="-theme"]');
        var priority = entry.querySelector('select[name$="-priority"]');
        if (theme && theme.value) item.theme = theme.value;
        if (priority && priority.value) item.priority = priority.value;
        items.push(item);
        if (entries) entries.push(entry);
      });
    });
    var data = {
      client_id: f.client_id.value, organisation: f.organisation.value,
      category: f.category.value, job_title: f.job_title.value,
      consent_contact: f.consent_contact.checked, language: document.documentElement.lang,
      filled_at: new Date().toISOString(), items: items
    };
    if (data.consent_contact) {  // without consent, contact details never leave the device
      data.name = f.name.value; data.email = f.email.value; data.phone = f.phone.value;
    }
    return data;
  }

  function plainPost() { HTMLFormElement.prototype.submit.call(form); }

  function showDone(entry) {
    var sent = entry.state === "sent";
    done.dataset.id = entry.id;
    done.querySelector("h2").textContent = sent ? text.sentTitle : text.queuedTitle;
    done.querySelector(".explain").textContent = sent ? text.sentText : text.queuedText;
    var reference = done.querySelector(".reference");
    reference.textContent = sent ? entry.reference : "";
    reference.hidden = !sent;
    done.querySelector(".keep-hint").hidden = !sent;
    done.hidden = false;
    if (tablet) {
      form.elements.organisation.focus();
    } else {
      form.hidden = true;
      done.focus();
    }
  }

  // The next contribution: on a phone it is the same person's (organisation and category kept);
  // on the tablet, the next paper form's, from someone else.
  function nextForm() {
    T.blank(tablet ? [] : ["organisation", "category"]);
    form.elements.client_id.value = T.newId();
    T.clearDraft();
  }

  function item(entry) {
    var li = document.createElement("li"), org = document.createElement("span");
    var state = document.createElement("span");
    li.className = "outbox-" + entry.state;
    org.className = "org";
    org.setAttribute("dir", "auto");
    org.textContent = entry.organisation || (entry.payload && entry.payload.organisation) || "";
    state.className = "state";
    li.appendChild(org);
    li.appendChild(state);
    if (entry.state === "sent") {
      state.textContent = text.sent + " ";
      var reference = document.createElement("span");
      reference.className = "reference";
      reference.setAttribute("dir", "ltr");
      reference.textContent = entry.reference;
      li.appendChild(reference);
    } else if (entry.state === "queued") {
      state.textContent = tablet ? text.queuedTablet : text.queued;
    } else {
      state.textContent = text.refused + " " + (entry.message || "");
      var retake = document.createElement("button");
      retake.type = "button";
      retake.className = "button link";
      retake.textContent = text.retake;
      retake.addEventListener("click", function () { takeBack(entry); });
      li.appendChild(retake);
    }
    return li;
  }

  function render() {
    return Outbox.all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.stop === stop; }).reverse();
      list.textContent = "";
      mine.forEach(function (entry) { list.appendChild(item(entry)); });
      outbox.hidden = mine.length === 0;
      var shown = done.hidden ? null : mine.filter(function (e) { return e.id === done.dataset.id; })[0];
      if (shown && shown.state === "sent" && done.querySelector(".reference").hidden) {
        done.querySelector("h2").textContent = text.sentTitle;
        done.querySelector(".explain").textContent = text.sentText;
        done.querySelector(".reference").textContent = shown.reference;
        done.querySelector(".reference").hidden = false;
        done.querySelector(".keep-hint").hidden = false;
      }
    }).catch(function () { /* nothing stored yet */ });
  }

  // A refused entry goes back into the form, where the server will explain what to fix.
  function takeBack(entry) {
    T.blank();
    T.restore(entry.fields || {});
    form.hidden = false;
    done.hidden = true;
    Outbox.remove(entry.id).then(render);
    T.saveDraft();
    form.elements.organisation.focus();
  }

  function later() {
    clearTimeout(retryTimer);
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 5000, 60000);
    retryTimer = setTimeout(send, retryDelay);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
    }).catch(function () { /* no Background Sync: the page retries itself */ });
  }

  function send() {
    clearTimeout(retryTimer);
    return Outbox.flush().then(function (left) {
      if (left) { later(); askForSync(); } else { retryDelay = 0; }
      return render();
    }, function () { later(); });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (event.defaultPrevented || (submitter && submitter.name === "add")) return;
    if (form.elements.website && form.elements.website.value) return;  // the server decides
    event.preventDefault();
    if (busy) return;
    if (missing()) { release(); return; }
    busy = true;
    var sentEntries = [];
    var entry = { id: form.elements.client_id.value, stop: stop, url: form.dataset.api,
                  payload: payload(sentEntries), fields: T.snapshot(), state: "queued",
                  created: Date.now() };
    Outbox.put(entry).then(function () {
      return Outbox.flush().then(function () { return Outbox.get(entry.id); });
    }).then(function (stored) {
      if (stored && stored.state === "refused") {
        if (stored.status === 422 && stored.errors) {  // said here: no second round trip
          return Outbox.remove(entry.id).then(function () {
            showRefusal(stored.errors, sentEntries);
            return render();
          });
        }
        return Outbox.remove(entry.id).then(plainPost);
      }
      nextForm();
      showDone(stored || entry);
      if (!stored || stored.state === "queued") { later(); askForSync(); }
      return render();
    }, plainPost)  // no usable storage on this device: the plain post still works
      .then(release);
  });

  function release() {
    busy = false;
    delete form.dataset.sending;
    var button = form.querySelector(".submit");
    if (button) button.removeAttribute("aria-busy");
  }

  document.getElementById("another").addEventListener("click", function () {
    done.hidden = true;
    form.hidden = false;
    window.scrollTo(0, 0);
    form.elements.organisation.focus();
  });

  window.addEventListener("online", send);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") send();
  });

  if ("serviceWorker" in navigator && form.dataset.sw) {
    navigator.serviceWorker.addEventListener("message", render);
    navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.swScope })
      .then(function () {
        if (navigator.serviceWorker.controller) return;  // this page came through the worker
        return navigator.serviceWorker.ready.then(function (registration) {
          registration.active.postMessage({ type: "cache-page",
                                            url: location.pathname + location.search });
        });
      }).catch(function () { /* no worker: online use is unchanged */ });
  }

  ui.hidden = false;
  render().then(send);
})();
