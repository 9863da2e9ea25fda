/* The console's only script: expand catalog tree nodes in place and copy a shown password.
   Everything works without it (tree nodes are links to their pages). CSP: no inline code. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function expand(button) {
    var node = button.closest("li");
    var open = button.getAttribute("aria-expanded") === "true";
    var list = node.querySelector(":scope > ul.tree");
    if (open) {
      button.setAttribute("aria-expanded", "false");
      if (list) list.hidden = true;
      return;
    }
    button.setAttribute("aria-expanded", "true");
    if (list) {
      list.hidden = false;
      return;
    }
    button.setAttribute("aria-busy", "true");
    fetch(button.dataset.childrenUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        node.insertAdjacentHTML("beforeend", html);
      })
      .catch(function () {
        button.setAttribute("aria-expanded", "false");
        window.location.href = node.querySelector("a").href;
      })
      .finally(function () {
        button.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("button.toggle[data-children-url]");
    if (toggle) {
      event.preventDefault();
      expand(toggle);
      return;
    }
    var copy = event.target.closest("button[data-copy]");
    if (copy && navigator.clipboard) {
      var source = document.querySelector(copy.dataset.copy);
      if (source) navigator.clipboard.writeText(source.textContent.trim());
    }
  });
})();
