/* Search suggestions: fills the <datalist> of every input[data-suggest] with titles of public
   catalog items as the visitor types. Without JavaScript the search box is a plain form. */
(function () {
  "use strict";
  if (!window.fetch) return;
  function wire(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null;
    var asked = "";
    function load() {
      var text = input.value.trim();
      if (!text || text === asked) return;
      asked = text;
      var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text);
      var archive = input.getAttribute("data-archive");
      if (archive) url += "&archive=" + encodeURIComponent(archive);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() !== text) return; // the visitor typed on meanwhile
          list.textContent = "";
          (data.suggestions || []).forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.title;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a convenience; the search still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
  }
  function start() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) wire(inputs[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
