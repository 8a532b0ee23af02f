// Export progress page: poll the job's status and show the download link when it is ready.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var initial = box.getAttribute("data-state");
  if (initial !== "running" && initial !== "queued") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var count = box.querySelector("[data-role=count]");
  var position = box.querySelector("[data-role=position]");
  var reason = box.querySelector("[data-role=reason]");
  var reasonsNode = document.getElementById("export-failure-reasons");
  var reasons = reasonsNode ? JSON.parse(reasonsNode.textContent) : {};

  function show(state) {
    ["queued", "running", "done", "failed"].forEach(function (name) {
      box.querySelectorAll("[data-role=" + name + "]").forEach(function (el) {
        el.hidden = name !== state;
      });
    });
    box.querySelectorAll("[data-role=waiting]").forEach(function (el) {
      el.hidden = state !== "queued" && state !== "running";
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { show("failed"); return; }
        if (bar) { bar.max = Math.max(status.total, 1); bar.value = status.done; }
        if (count) { count.textContent = status.done + " / " + status.total; }
        if (position && status.position) { position.textContent = status.position; }
        show(status.state);
        if (status.state === "failed" && reason && reasons[status.failure]) {
          reason.textContent = reasons[status.failure];
        }
        if (status.state === "running" || status.state === "queued") {
          window.setTimeout(poll, 1500);
          return;
        }
        if (status.state === "done" && status.download) {
          box.querySelector("[data-role=download]").href = status.download;
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
