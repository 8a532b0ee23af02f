// Live screen of a stop: fetch the figures every few seconds and redraw them in place, and turn
// the texts over one at a time (on a landscape screen the stylesheet shows only the one marked
// "shown"). Text from the server is only ever set with textContent. Without JavaScript the page
// reloads itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var url = root.getAttribute("data-url");
  var period = 1000 * (parseInt(root.getAttribute("data-refresh"), 10) || 5);
  var TURN_MS = 8000; // long enough to read a 240-character text from the back of the room
  var shown = 0;

  function el(tag, className, text, attrs) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  // An empty list says why it is empty, in both languages (data.empty, from the server).
  function replace(list, nodes, why) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!nodes.length && why) {
      var li = el("li", "empty");
      li.appendChild(el("span", "fr", why.fr, { lang: "fr", dir: "ltr" }));
      li.appendChild(el("span", "ar", why.ar, { lang: "ar", dir: "rtl" }));
      nodes = [li];
    }
    nodes.forEach(function (node) { list.appendChild(node); });
  }

  function turn() {
    var items = root.querySelectorAll("[data-list=texts] > li");
    if (!items.length) { return; }
    shown = shown % items.length;
    for (var i = 0; i < items.length; i += 1) {
      items[i].classList.toggle("shown", i === shown);
    }
  }

  function ranked(rows) {
    return rows.map(function (row) {
      var li = el("li");
      li.appendChild(el("span", "fr", row.label.fr, { lang: "fr", dir: "auto" }));
      li.appendChild(el("span", "count", row.count));
      li.appendChild(el("span", "ar", row.label.ar, { lang: "ar", dir: "auto" }));
      return li;
    });
  }

  function draw(data) {
    root.querySelector("[data-field=submissions]").textContent = String(data.submissions);
    replace(root.querySelector("[data-list=kinds]"), data.kinds.map(function (k) {
      var tile = el("div", "tile kind-" + k.kind);
      tile.appendChild(el("span", "count", k.count));
      tile.appendChild(el("span", "fr", k.label.fr, { lang: "fr", dir: "ltr" }));
      tile.appendChild(el("span", "ar", k.label.ar, { lang: "ar", dir: "rtl" }));
      return tile;
    }));
    var empty = data.empty || {};
    replace(root.querySelector("[data-list=themes]"), ranked(data.themes), empty.themes);
    replace(root.querySelector("[data-list=ideas]"), data.ideas.map(function (idea) {
      var li = el("li");
      if (idea.written) {  // a person's title: once, across both halves
        li.appendChild(el("span", "idea", idea.title, { dir: "auto" }));
        li.appendChild(el("span", "count", idea.count));
        return li;
      }
      ["fr", "ar"].forEach(function (lang) {
        if (lang === "ar") { li.appendChild(el("span", "count", idea.count)); }
        if (idea[lang]) {
          li.appendChild(el("span", lang, idea[lang], { lang: lang, dir: "auto" }));
        } else {  // nothing said in this language: say so, never the other language
          var none = document.getElementById("no-idea-" + lang).content.textContent;
          li.appendChild(el("span", lang + " missing", none, { lang: lang, dir: lang === "ar" ? "rtl" : "ltr" }));
        }
      });
      return li;
    }), empty.ideas);
    replace(root.querySelector("[data-list=texts]"), data.texts.map(function (t) {
      var li = el("li", "kind-" + t.kind);
      li.appendChild(el("span", "kind", t.kind_label.fr + " · " + t.kind_label.ar));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("q", null, t.text, { dir: "auto" }));
      return li;
    }), empty.texts);
    turn();
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* the room's network hiccups: try again at the next tick */ })
      .then(function () { window.setTimeout(poll, period); });
  }

  root.classList.add("turning");
  turn();
  window.setInterval(function () { shown += 1; turn(); }, TURN_MS);
  window.setTimeout(poll, period);
})();
