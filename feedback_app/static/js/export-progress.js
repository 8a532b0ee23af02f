// Export progress page: poll the job's status and show the download link when it is ready.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.getAttribute("data-state") !== "running") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var count = box.querySelector("[data-role=count]");

  function show(state) {
    ["running", "done", "failed"].forEach(function (name) {
      box.querySelectorAll("[data-role=" + name + "]").forEach(function (el) {
        el.hidden = name !== state;
      });
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { show("failed"); return; }
        if (bar) { bar.max = Math.max(status.total, 1); bar.value = status.done; }
        if (count) { count.textContent = status.done + " / " + status.total; }
        if (status.state === "running") { window.setTimeout(poll, 1500); return; }
        if (status.state === "done" && status.download) {
          box.querySelector("[data-role=download]").href = status.download;
        }
        show(status.state);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
