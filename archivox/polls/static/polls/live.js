// Refreshes the results block every 10 seconds while the page is visible, and at once when the
// reader comes back to it (no framework: this runs in WeChat's in-app browser; without
// JavaScript the "Refresh" link does the same).
(function () {
  var box = document.getElementById("poll-results");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-live");
  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) {
          box.innerHTML = html;
          box.setAttribute("data-refreshed", String(Date.now()));
        }
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", refresh);
})();
