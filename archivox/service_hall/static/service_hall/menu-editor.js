// The menu editor's phone preview follows what is typed; the byte limits are checked by the
// server (and shown with the platform's error codes), the preview only marks a name too long.
(function () {
  "use strict";
  var form = document.getElementById("menu-form");
  var preview = document.getElementById("menu-preview");
  if (!form || !preview) return;
  function bytes(text) {
    return new TextEncoder().encode(text).length;
  }
  function render() {
    preview.textContent = "";
    form.querySelectorAll("fieldset.menu-button").forEach(function (fieldset) {
      var top = fieldset.querySelector('input[data-preview="top"]');
      var name = top.value.trim();
      if (!name) return;
      var button = document.createElement("div");
      button.className = "phone-button";
      var label = document.createElement("span");
      label.textContent = name;
      if (bytes(name) > 16) label.className = "too-long";
      button.appendChild(label);
      var list = document.createElement("ul");
      fieldset.querySelectorAll('input[data-preview="sub"]').forEach(function (input) {
        var sub = input.value.trim();
        if (!sub) return;
        var item = document.createElement("li");
        item.textContent = sub;
        if (bytes(sub) > 60) item.className = "too-long";
        list.appendChild(item);
      });
      button.appendChild(list);
      preview.appendChild(button);
    });
  }
  form.addEventListener("input", render);
})();
